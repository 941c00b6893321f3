#!/usr/bin/env python3
"""Writes pytorch_reference.json: outputs, losses and gradients computed by PyTorch (autograd, float64)
for two small models, with every weight in the Keras get_weights() layout that RnnDsl uses.

Run: tests/RnnDsl.Tests/Reference/make_pytorch_reference.py   (installs Debian's python3-torch if missing)

Mapping from PyTorch to Keras: kernel = weight_ih.T, recurrent_kernel = weight_hh.T, bias = bias_ih
(bias_hh is held at 0, so the one Keras bias is exactly one PyTorch bias); Dense kernel = Linear.weight.T.
Masking: padding only at the end of a sequence, where Keras mask_zero and pack_padded_sequence agree.
"""
import json
import os
import subprocess
import sys

try:
    import torch
except ImportError:
    if sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    subprocess.run(["apt-get", "install", "-y", "python3-torch", "libopenblas0-openmp"], check=True)
    os.execv(sys.executable, [sys.executable, *sys.argv])

torch.manual_seed(20261122)
torch.set_default_dtype(torch.float64)
EPS = 1e-7


def f32(t):
    """Round to float32 values, kept in float64, so C# floats hold exactly the same numbers."""
    return t.float().double()


def rnn_weights(rnn, suffix, inputs, units):
    w_ih = f32(torch.empty(units, inputs).uniform_(-0.6, 0.6))
    w_hh = f32(torch.empty(units, units).uniform_(-0.6, 0.6))
    b_ih = f32(torch.empty(units).uniform_(-0.3, 0.3))
    with torch.no_grad():
        getattr(rnn, "weight_ih_" + suffix).copy_(w_ih)
        getattr(rnn, "weight_hh_" + suffix).copy_(w_hh)
        getattr(rnn, "bias_ih_" + suffix).copy_(b_ih)
        getattr(rnn, "bias_hh_" + suffix).zero_()
    getattr(rnn, "bias_hh_" + suffix).requires_grad_(False)


def keras_rnn(rnn, suffix, values, grads):
    values += [rnn.__getattr__("weight_ih_" + suffix).T, rnn.__getattr__("weight_hh_" + suffix).T, rnn.__getattr__("bias_ih_" + suffix)]
    grads += [rnn.__getattr__("weight_ih_" + suffix).grad.T, rnn.__getattr__("weight_hh_" + suffix).grad.T, rnn.__getattr__("bias_ih_" + suffix).grad]


def flat(tensors):
    return [float(v) for t in tensors for v in t.detach().reshape(-1).tolist()]


def sentiment_case():
    """Embedding(12, 4, mask_zero) -> Bidirectional(SimpleRNN(5)) -> Dense(1, sigmoid), binary cross-entropy."""
    embedding = torch.nn.Embedding(12, 4)
    with torch.no_grad():
        embedding.weight.copy_(f32(torch.empty(12, 4).uniform_(-0.8, 0.8)))
    rnn = torch.nn.RNN(4, 5, batch_first=True, bidirectional=True, nonlinearity="tanh")
    rnn_weights(rnn, "l0", 4, 5)
    rnn_weights(rnn, "l0_reverse", 4, 5)
    dense = torch.nn.Linear(10, 1)
    with torch.no_grad():
        dense.weight.copy_(f32(torch.empty(1, 10).uniform_(-0.7, 0.7)))
        dense.bias.copy_(f32(torch.empty(1).uniform_(-0.2, 0.2)))

    tokens = torch.tensor([[3, 7, 1, 11, 5, 2], [4, 9, 9, 2, 0, 0], [10, 6, 8, 0, 0, 0]])
    lengths = (tokens != 0).sum(dim=1)
    targets = torch.tensor([[1.0], [0.0], [1.0]])
    packed = torch.nn.utils.rnn.pack_padded_sequence(embedding(tokens), lengths, batch_first=True, enforce_sorted=False)
    _, h_n = rnn(packed)                       # h_n: [forward, backward] final states of each sequence
    merged = torch.cat([h_n[0], h_n[1]], dim=1)  # Keras merge_mode='concat': [forward, backward]
    probability = torch.sigmoid(dense(merged))
    clipped = probability.clamp(EPS, 1 - EPS)
    loss = -(targets * torch.log(clipped) + (1 - targets) * torch.log(1 - clipped)).mean()
    loss.backward()

    values, grads = [embedding.weight], [embedding.weight.grad]
    keras_rnn(rnn, "l0", values, grads)
    keras_rnn(rnn, "l0_reverse", values, grads)
    values += [dense.weight.T, dense.bias]
    grads += [dense.weight.grad.T, dense.bias.grad]
    return {
        "name": "sentiment", "batch": 3, "loss_kind": "BinaryCrossentropy",
        "tokens": tokens.reshape(-1).tolist(), "targets": flat([targets]),
        "parameters": flat(values), "outputs": flat([probability]), "loss": float(loss), "gradients": flat(grads),
    }


def tagger_case():
    """Input(3) -> SimpleRNN(6, relu, return_sequences) -> SimpleRNN(4, return_sequences) -> Dense(3, softmax) per step,
    sparse categorical cross-entropy."""
    first = torch.nn.RNN(3, 6, batch_first=True, nonlinearity="relu")
    rnn_weights(first, "l0", 3, 6)
    second = torch.nn.RNN(6, 4, batch_first=True, nonlinearity="tanh")
    rnn_weights(second, "l0", 6, 4)
    dense = torch.nn.Linear(4, 3)
    with torch.no_grad():
        dense.weight.copy_(f32(torch.empty(3, 4).uniform_(-0.8, 0.8)))
        dense.bias.copy_(f32(torch.empty(3).uniform_(-0.2, 0.2)))

    inputs = f32(torch.empty(2, 5, 3).uniform_(-1, 1))
    labels = torch.tensor([[0, 2, 1, 1, 0], [2, 2, 0, 1, 2]])
    states, _ = first(inputs)
    states, _ = second(states)
    probability = torch.softmax(dense(states), dim=-1)
    normalised = (probability / probability.sum(dim=-1, keepdim=True)).clamp(EPS, 1 - EPS)
    loss = -torch.log(normalised.gather(-1, labels.unsqueeze(-1))).mean()
    loss.backward()

    values, grads = [], []
    keras_rnn(first, "l0", values, grads)
    keras_rnn(second, "l0", values, grads)
    values += [dense.weight.T, dense.bias]
    grads += [dense.weight.grad.T, dense.bias.grad]
    return {
        "name": "tagger", "batch": 2, "loss_kind": "SparseCategoricalCrossentropy",
        "inputs": flat([inputs]), "targets": [float(v) for v in labels.reshape(-1).tolist()],
        "parameters": flat(values), "outputs": flat([probability]), "loss": float(loss), "gradients": flat(grads),
    }


cases = {"torch_version": torch.__version__, "cases": [sentiment_case(), tagger_case()]}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch_reference.json")
with open(path, "w") as file:
    json.dump(cases, file, indent=1)
print(f"wrote {path} with PyTorch {torch.__version__}")
