#!/usr/bin/python3
"""Exports the gated-cell benchmark models to ONNX for benchmarks/RnnDsl.PeerBenchmarks (ONNX Runtime in-process).

Embedding(10000, 32) -> nn.LSTM / nn.GRU (32 -> 128) -> Linear(128, 1) -> sigmoid, as LstmClassifier and
GruClassifier in benchmarks/RnnDsl.Benchmarks/Models.cs; batch and sequence length are dynamic axes. Weights are
PyTorch's default initialisation: the timing does not depend on them.

    /usr/bin/python3 benchmarks/pytorch/export_onnx.py     # writes benchmarks/onnx/lstm.onnx and gru.onnx (git-ignored)
"""

import os
import warnings

import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.embedding = nn.Embedding(10000, 32)
        self.rnn = cell(32, 128, batch_first=True)
        self.dense = nn.Linear(128, 1)

    def forward(self, tokens):
        states, _ = self.rnn(self.embedding(tokens))
        return torch.sigmoid(self.dense(states[:, -1, :]))


def main():
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "onnx")
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(1)
    for name, cell in (("lstm", nn.LSTM), ("gru", nn.GRU)):
        model = Classifier(cell).eval()
        path = os.path.join(folder, f"{name}.onnx")
        with warnings.catch_warnings():
            # The exporter warns that a GRU exported at batch 1 may not run at other batch sizes when the initial
            # state is created from the input's shape; without h0 the ONNX GRU op starts from zeros at any batch.
            warnings.simplefilter("ignore")
            torch.onnx.export(model, torch.randint(1, 10000, (1, 100)), path, input_names=["tokens"],
                              output_names=["probability"], opset_version=14,
                              dynamic_axes={"tokens": {0: "batch", 1: "steps"}, "probability": {0: "batch"}})
        print(f"wrote {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
