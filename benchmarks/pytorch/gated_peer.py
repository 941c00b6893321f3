#!/usr/bin/python3
"""PyTorch peer numbers for the gated-cell benchmarks (issue 9).

The same models as benchmarks/RnnDsl.Benchmarks/Models.cs (LstmClassifier, GruClassifier):
Embedding(10000, 32) -> LSTM(128) or GRU(128) -> Linear(128, 1) -> sigmoid, sequence length 100, and the same
measurements as GatedInferenceBenchmarks / GatedTrainingBenchmarks:

- latency: one sequence (batch 1) under torch.inference_mode();
- throughput: a batch of 64 sequences in one call;
- training: one epoch over 256 sequences in batches of 32, Adam, binary cross-entropy (8 optimizer steps).

Each thread count runs in a fresh interpreter with OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set
and torch.set_num_threads(n), so neither OpenMP nor OpenBLAS picks its own count.

    /usr/bin/python3 benchmarks/pytorch/gated_peer.py                # threads 1 and 2, every measurement
    /usr/bin/python3 benchmarks/pytorch/gated_peer.py --threads 1    # one thread count

Each figure is the median of several rounds (each round a few hundred milliseconds at least); min and max are printed
beside it. Written for the Debian python3-torch package (1.13, OpenBLAS); any later torch runs it too.
"""

import argparse
import json
import os
import subprocess
import sys
import time

STEPS = 100
VOCABULARY = 10000
EMBEDDING = 32
UNITS = 128
BATCH = 64
SEQUENCES = 256
TRAIN_BATCH = 32


def measure(threads, rounds):
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(1)

    class Classifier(nn.Module):
        def __init__(self, cell):
            super().__init__()
            self.embedding = nn.Embedding(VOCABULARY, EMBEDDING)
            self.rnn = cell(EMBEDDING, UNITS, batch_first=True)
            self.dense = nn.Linear(UNITS, 1)

        def forward(self, tokens):
            states, _ = self.rnn(self.embedding(tokens))
            return self.dense(states[:, -1, :])  # logits; sigmoid below or inside the loss

    def timed(function, min_seconds, repeat):
        """Median, min and max seconds per call over `repeat` rounds of calls lasting at least min_seconds each."""
        function()
        calls = 0
        start = time.perf_counter()
        while time.perf_counter() - start < min_seconds:
            function()
            calls += 1
        calls = max(calls, 1)
        results = []
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(calls):
                function()
            results.append((time.perf_counter() - start) / calls)
        results.sort()
        return {"median": results[len(results) // 2], "min": results[0], "max": results[-1]}

    generator = torch.Generator().manual_seed(1)
    one = torch.randint(1, VOCABULARY, (1, STEPS), generator=generator)
    batch = torch.randint(1, VOCABULARY, (BATCH, STEPS), generator=generator)
    train_tokens = torch.randint(1, VOCABULARY, (SEQUENCES, STEPS), generator=generator)
    train_labels = (torch.arange(SEQUENCES) % 2).float().unsqueeze(1)

    out = {"threads": threads, "torch": torch.__version__, "results": {}}
    for name, cell in (("LSTM", nn.LSTM), ("GRU", nn.GRU)):
        model = Classifier(cell)
        model.eval()
        with torch.inference_mode():
            latency = timed(lambda: torch.sigmoid(model(one)), 0.3, rounds)
            throughput = timed(lambda: torch.sigmoid(model(batch)), 0.5, rounds)

        model.train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_function = nn.BCEWithLogitsLoss()

        def epoch():
            for start in range(0, SEQUENCES, TRAIN_BATCH):
                optimizer.zero_grad(set_to_none=True)
                loss = loss_function(model(train_tokens[start:start + TRAIN_BATCH]), train_labels[start:start + TRAIN_BATCH])
                loss.backward()
                optimizer.step()

        training = timed(epoch, 1.0, rounds)
        out["results"][name] = {"latency": latency, "batch64": throughput, "epoch256": training}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child is not None:
        print(json.dumps(measure(args.child, args.rounds)))
        return

    for threads in args.threads:
        environment = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        completed = subprocess.run([sys.executable, __file__, "--child", str(threads), "--rounds", str(args.rounds)],
                                   env=environment, check=True, capture_output=True, text=True)
        result = json.loads(completed.stdout)
        print(f"torch {result['torch']}, {threads} thread(s); median [min - max] of {args.rounds} rounds")
        for name, r in result["results"].items():
            lat, b64, ep = r["latency"], r["batch64"], r["epoch256"]
            print(f"  {name}(128) latency, 1 sequence: {lat['median'] * 1e6:9.1f} µs  [{lat['min'] * 1e6:.1f} - {lat['max'] * 1e6:.1f}]")
            print(f"  {name}(128) batch of 64:         {b64['median'] * 1e6:9.1f} µs  [{b64['min'] * 1e6:.1f} - {b64['max'] * 1e6:.1f}]"
                  f"  = {BATCH / b64['median']:,.0f} sequences/s")
            print(f"  {name}(128) training, 256 seqs:   {ep['median'] * 1e3:9.1f} ms  [{ep['min'] * 1e3:.1f} - {ep['max'] * 1e3:.1f}]"
                  f"  = {SEQUENCES / ep['median']:,.0f} sequences/s")


if __name__ == "__main__":
    main()
