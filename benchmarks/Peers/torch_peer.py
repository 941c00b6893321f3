#!/usr/bin/python3
"""The PyTorch side of benchmarks/Peers (run by the .NET driver, not by hand).

    torch_peer.py export DIR          # DIR/<model>.safetensors (written by RnnDsl's SaveTorchStateDict) into torch modules:
                                      # DIR/<model>.onnx for ONNX Runtime, DIR/<model>.torch.bin (batch-64 outputs) for the check
    torch_peer.py time DIR THREADS    # one round of timings on THREADS threads, one JSON object per line on stdout

The five models are those the driver creates (benchmarks/RnnDsl.Benchmarks/Models.cs and benchmarks/Peers/Models.cs), built from torch.nn modules whose names match the prefixes the
driver saves with ("embedding", "rnn", "dense"). The safetensors file is read with json and numpy (its format is an
8-byte header length, a JSON header, then the raw tensors), so no extra package is needed. Each timing process sets
OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS before importing torch, and torch.set_num_threads.
"""

import json
import os
import struct
import sys
import time

STEPS = 100
FORECAST_STEPS = 10
BATCH = 64
SEQUENCES = 256
TRAIN_BATCH = 32

# name: (cell, units, bidirectional, token input)
MODELS = {
    "design_card": ("rnn", 64, True, True),
    "simple_classifier": ("rnn", 64, False, True),
    "forecaster": ("rnn", 32, False, False),
    "lstm128": ("lstm", 128, False, True),
    "gru128": ("gru", 128, False, True),
}


def read_safetensors(path):
    import numpy as np
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", entry
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"]).copy()
    return tensors


def build(name, folder):
    import torch
    from torch import nn

    cell, units, bidirectional, tokens = MODELS[name]
    rnn_class = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            if tokens:
                self.embedding = nn.Embedding(10000, 32)
            self.rnn = rnn_class(32 if tokens else 1, units, batch_first=True, bidirectional=bidirectional)
            self.dense = nn.Linear(2 * units if bidirectional else units, 1)

        def forward(self, x):
            states, _ = self.rnn(self.embedding(x) if tokens else x)
            if bidirectional:
                # Keras merges the forward state after the last step with the backward state after step 0.
                last = torch.cat((states[:, -1, :units], states[:, 0, units:]), dim=1)
            else:
                last = states[:, -1, :]
            y = self.dense(last)
            return torch.sigmoid(y) if tokens else y

    model = Model()
    state = {k: torch.from_numpy(v) for k, v in read_safetensors(os.path.join(folder, name + ".safetensors")).items()}
    model.load_state_dict(state, strict=True)
    return model


def inputs(name, folder, what):
    import numpy as np
    import torch
    tokens = MODELS[name][3]
    raw = np.fromfile(os.path.join(folder, f"{name}.{what}.bin"), dtype="<i4" if tokens and what != "targets" else "<f4")
    if what == "targets":
        return torch.from_numpy(raw.reshape(-1, 1).copy())
    if tokens:
        return torch.from_numpy(raw.astype(np.int64).reshape(-1, STEPS))
    return torch.from_numpy(raw.reshape(-1, FORECAST_STEPS, 1).copy())


def export(folder):
    import warnings
    import torch
    torch.set_num_threads(1)
    for name in MODELS:
        model = build(name, folder).eval()
        x = inputs(name, folder, "batch")
        with torch.inference_mode():
            model(x).numpy().astype("<f4").tofile(os.path.join(folder, name + ".torch.bin"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's notes on batch-first RNNs and dynamic axes
            torch.onnx.export(model, x[:1], os.path.join(folder, name + ".onnx"), input_names=["input"], output_names=["output"],
                              opset_version=14, dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
        print(f"{name}: torch outputs and ONNX written", file=sys.stderr)


def per_call(function, minimum_seconds=0.3):
    function()
    function()
    calls = 0
    start = time.perf_counter()
    while True:
        function()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= minimum_seconds and calls >= 3:
            return elapsed / calls


def timings(folder, threads):
    import torch
    from torch import nn
    torch.set_num_threads(threads)
    for name in MODELS:
        model = build(name, folder)
        x = inputs(name, folder, "batch")
        one = x[:1].clone()
        model.eval()
        with torch.inference_mode():
            yield name, "batch 1", per_call(lambda: model(one))
            yield name, "batch 64", per_call(lambda: model(x))
        model.train()
        train_x = inputs(name, folder, "train")
        train_y = inputs(name, folder, "targets")
        loss_function = nn.BCELoss() if MODELS[name][3] else nn.MSELoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

        def epoch():
            for start in range(0, SEQUENCES, TRAIN_BATCH):
                optimizer.zero_grad()
                loss = loss_function(model(train_x[start:start + TRAIN_BATCH]), train_y[start:start + TRAIN_BATCH])
                loss.backward()
                optimizer.step()

        yield name, "training", per_call(epoch, minimum_seconds=0.5)


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    folder = sys.argv[2] if len(sys.argv) > 2 else ""
    if command == "export":
        export(folder)
    elif command == "time":
        threads = int(sys.argv[3])
        for name, workload, seconds in timings(folder, threads):
            print(json.dumps({"model": name, "workload": workload, "threads": threads, "seconds": seconds}), flush=True)
    elif command == "versions":
        import numpy
        import torch
        print(json.dumps({"torch": torch.__version__, "numpy": numpy.__version__, "python": sys.version.split()[0]}))
    else:
        raise SystemExit("usage: torch_peer.py export DIR | time DIR THREADS | versions")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "time":
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[variable] = sys.argv[3]
    main()
