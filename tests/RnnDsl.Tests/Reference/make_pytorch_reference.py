#!/usr/bin/env python3
"""Writes pytorch_reference.json: outputs, losses and gradients computed by PyTorch (autograd, float64)
for small models, with every weight in the Keras get_weights() layout that RnnDsl uses.

Run: tests/RnnDsl.Tests/Reference/make_pytorch_reference.py   (installs Debian's python3-torch if missing)

Cases ("cases" in the JSON, found by "name"):
  sentiment         Embedding(12, 4, mask_zero) -> Bidirectional(SimpleRNN(5)) -> Dense(1, sigmoid), BCE (nn.RNN)
  tagger            Input(3) -> SimpleRNN(6, relu, seq) -> SimpleRNN(4, seq) -> Dense(3, softmax) per step, SCCE
  lstm_classifier   Embedding(12, 4, mask_zero) -> LSTM(5) -> Dense(1, sigmoid), BCE (nn.LSTM)
  gru_tagger        Input(3) -> Bidirectional(GRU(4, seq)) concat -> Dense(3, softmax) per step, SCCE (nn.GRU)
  stacked_lstm_gru  Input(2) -> LSTM(4, seq) -> GRU(3) -> Dense(2), MSE (nn.LSTM, nn.GRU)
Each case: "name", "batch", "loss_kind" (the C# Loss member), "tokens" (token models: batch x steps ids, 0 = padding)
or "inputs" (batch x steps x features, flattened), "targets" (batch rows of the output width, or one class index per
step for the tagger cases), "parameters" (Keras get_weights() order, flattened C order: the C# Parameters buffer),
"outputs" (the model's final activations, batch-major), "loss" (the mean loss) and "gradients" (d loss / d parameters,
same layout). The gated cases (added later, so the first two stay byte-identical) also carry "declaration" (the C#
attributes), "steps", "features" (null for token models), "output_shape" (per sequence) and "parameter_shapes"
(the Keras shape of each array of "parameters", in order).

Mapping from PyTorch to Keras: kernel = weight_ih.T, recurrent_kernel = weight_hh.T; Dense kernel = Linear.weight.T.
  SimpleRNN cases: bias = bias_ih (bias_hh is held at 0, so the one Keras bias is exactly one PyTorch bias).
  LSTM: the gate order of weight_ih rows, i, f, g, o, is Keras's i, f, c, o. bias_hh is NON-zero: the Keras bias is
    bias_ih + bias_hh (both multiples of 2^-12 below 0.5, so the sum is exact in float32), and its gradient is the
    gradient of bias_ih (equal to that of bias_hh: they enter the gates only as their sum).
  GRU (Keras reset_after=True, the Keras 2+ default and torch's only form): torch's rows r, z, n are Keras's z, r, h
    with the first two blocks swapped; the Keras bias [2, 3u] is [bias_ih; bias_hh], each reordered likewise, both
    non-zero and independent (bias_hh sits inside the reset gate's product:
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))).
Masking: padding only at the end of a sequence, where Keras mask_zero and pack_padded_sequence agree.
"""
import json
import os
import subprocess
import sys

try:
    import numpy as np
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


# ---------------------------------------------------------------------------------------------------------------------
# Gated cells. Each case seeds its own generator, so the cases above (which use the global one) are unchanged.
# ---------------------------------------------------------------------------------------------------------------------

# Keras gate block k is torch block GATE_BLOCKS[k] (GRU: torch r, z, n -> Keras z, r, h).
GATE_BLOCKS = {"lstm": [0, 1, 2, 3], "gru": [1, 0, 2]}


def uniform(generator, shape, low, high, step=None):
    """float32-representable values (multiples of `step` when given), held in float64."""
    values = torch.empty(shape).uniform_(low, high, generator=generator)
    if step is not None:
        values = torch.round(values / step) * step
    return f32(values)


def gated_weights(module, suffix, generator):
    """Random float32 weights, both biases non-zero, into an nn.LSTM / nn.GRU direction."""
    w_ih, w_hh = getattr(module, "weight_ih_" + suffix), getattr(module, "weight_hh_" + suffix)
    with torch.no_grad():
        w_ih.copy_(uniform(generator, w_ih.shape, -0.7, 0.7))
        w_hh.copy_(uniform(generator, w_hh.shape, -0.6, 0.6))
        for name in ("bias_ih_", "bias_hh_"):
            bias = uniform(generator, w_ih.shape[:1], -0.4, 0.4, 2.0 ** -12)
            bias[bias == 0] = 2.0 ** -12
            getattr(module, name + suffix).copy_(bias)


def keras_blocks(tensor, cell):
    """Rows of a torch gate tensor in Keras gate order."""
    units = tensor.shape[0] // len(GATE_BLOCKS[cell])
    return torch.cat([tensor[b * units:(b + 1) * units] for b in GATE_BLOCKS[cell]])


def keras_gated(module, suffix, cell, values, grads):
    """Keras kernel [in, G*u], recurrent_kernel [u, G*u], bias ([G*u] for LSTM, [2, 3u] for GRU): values, gradients."""
    p = {name: getattr(module, name + suffix) for name in ("weight_ih_", "weight_hh_", "bias_ih_", "bias_hh_")}
    values += [keras_blocks(p["weight_ih_"], cell).T, keras_blocks(p["weight_hh_"], cell).T]
    grads += [keras_blocks(p["weight_ih_"].grad, cell).T, keras_blocks(p["weight_hh_"].grad, cell).T]
    b_ih, b_hh = keras_blocks(p["bias_ih_"], cell), keras_blocks(p["bias_hh_"], cell)
    g_ih, g_hh = keras_blocks(p["bias_ih_"].grad, cell), keras_blocks(p["bias_hh_"].grad, cell)
    if cell == "lstm":
        total = b_ih + b_hh
        assert torch.equal(f32(total), total), "LSTM bias sum not exact in float32"
        assert torch.allclose(g_ih, g_hh, rtol=0, atol=1e-15), "LSTM bias gradients differ"
        values.append(total)
        grads.append(g_ih)
    else:
        values.append(torch.stack([b_ih, b_hh]))
        grads.append(torch.stack([g_ih, g_hh]))


def dense_layer(inputs, units, generator):
    dense = torch.nn.Linear(inputs, units)
    with torch.no_grad():
        dense.weight.copy_(uniform(generator, (units, inputs), -0.7, 0.7))
        dense.bias.copy_(uniform(generator, (units,), -0.2, 0.2))
    return dense


def keras_dense(dense, values, grads):
    values += [dense.weight.T, dense.bias]
    grads += [dense.weight.grad.T, dense.bias.grad]


def gated_case(name, declaration, batch, loss_kind, loss, probability, values, grads, data, steps, features, targets):
    for value in values:
        assert torch.equal(f32(value), value), f"{name}: a parameter is not float32-representable"
    return {
        "name": name, "declaration": declaration, "batch": batch, "loss_kind": loss_kind,
        "steps": steps, "features": features, **data, "targets": targets,
        "output_shape": list(probability.shape[1:]),
        "parameter_shapes": [list(v.shape) for v in values],
        "parameters": flat(values), "outputs": flat([probability]), "loss": float(loss), "gradients": flat(grads),
    }


def lstm_classifier_case():
    """Embedding(12, 4, mask_zero) -> LSTM(5) -> Dense(1, sigmoid), binary cross-entropy, end padding."""
    generator = torch.Generator().manual_seed(20270301)
    embedding = torch.nn.Embedding(12, 4)
    with torch.no_grad():
        embedding.weight.copy_(uniform(generator, (12, 4), -0.8, 0.8))
    lstm = torch.nn.LSTM(4, 5, batch_first=True)
    gated_weights(lstm, "l0", generator)
    dense = dense_layer(5, 1, generator)

    tokens = torch.tensor([[3, 7, 1, 11, 5, 2, 9], [4, 9, 9, 2, 6, 0, 0], [10, 8, 0, 0, 0, 0, 0]])
    lengths = (tokens != 0).sum(dim=1)
    targets = torch.tensor([[1.0], [0.0], [1.0]])
    packed = torch.nn.utils.rnn.pack_padded_sequence(embedding(tokens), lengths, batch_first=True, enforce_sorted=False)
    _, (h_n, _) = lstm(packed)                 # h at each sequence's last valid step (Keras: masked steps keep h and c)
    probability = torch.sigmoid(dense(h_n[0]))
    clipped = probability.clamp(EPS, 1 - EPS)
    loss = -(targets * torch.log(clipped) + (1 - targets) * torch.log(1 - clipped)).mean()
    loss.backward()

    values, grads = [embedding.weight], [embedding.weight.grad]
    keras_gated(lstm, "l0", "lstm", values, grads)
    keras_dense(dense, values, grads)
    return gated_case("lstm_classifier", "[Embedding(12, 4, MaskZero = true)] [Lstm(5)] [Dense(1, Sigmoid)]", 3,
                      "BinaryCrossentropy", loss, probability, values, grads,
                      {"tokens": tokens.reshape(-1).tolist()}, tokens.shape[1], None, flat([targets]))


def gru_tagger_case():
    """Input(3) -> Bidirectional(GRU(4, return_sequences)) concat -> Dense(3, softmax) per step,
    sparse categorical cross-entropy."""
    generator = torch.Generator().manual_seed(20270302)
    gru = torch.nn.GRU(3, 4, batch_first=True, bidirectional=True)
    gated_weights(gru, "l0", generator)
    gated_weights(gru, "l0_reverse", generator)
    dense = dense_layer(8, 3, generator)

    inputs = uniform(generator, (2, 5, 3), -1, 1)
    labels = torch.tensor([[0, 2, 1, 1, 0], [2, 2, 0, 1, 2]])
    states, _ = gru(inputs)                    # [batch, steps, forward 4 | backward 4], both aligned in time
    probability = torch.softmax(dense(states), dim=-1)
    normalised = (probability / probability.sum(dim=-1, keepdim=True)).clamp(EPS, 1 - EPS)
    loss = -torch.log(normalised.gather(-1, labels.unsqueeze(-1))).mean()
    loss.backward()

    values, grads = [], []
    keras_gated(gru, "l0", "gru", values, grads)
    keras_gated(gru, "l0_reverse", "gru", values, grads)
    keras_dense(dense, values, grads)
    return gated_case("gru_tagger", "[Input(3)] [Bidirectional, Gru(4, ReturnSequences = true)] [Dense(3, Softmax)]", 2,
                      "SparseCategoricalCrossentropy", loss, probability, values, grads,
                      {"inputs": flat([inputs])}, inputs.shape[1], inputs.shape[2],
                      [float(v) for v in labels.reshape(-1).tolist()])


def stacked_lstm_gru_case():
    """Input(2) -> LSTM(4, return_sequences) -> GRU(3) -> Dense(2), mean squared error."""
    generator = torch.Generator().manual_seed(20270303)
    lstm = torch.nn.LSTM(2, 4, batch_first=True)
    gated_weights(lstm, "l0", generator)
    gru = torch.nn.GRU(4, 3, batch_first=True)
    gated_weights(gru, "l0", generator)
    dense = dense_layer(3, 2, generator)

    inputs = uniform(generator, (3, 6, 2), -1, 1)
    targets = uniform(generator, (3, 2), -1, 1)
    states, _ = lstm(inputs)
    _, h_n = gru(states)
    prediction = dense(h_n[0])
    loss = ((prediction - targets) ** 2).mean()  # Keras: mean over the outputs, then over the batch
    loss.backward()

    values, grads = [], []
    keras_gated(lstm, "l0", "lstm", values, grads)
    keras_gated(gru, "l0", "gru", values, grads)
    keras_dense(dense, values, grads)
    return gated_case("stacked_lstm_gru", "[Input(2)] [Lstm(4, ReturnSequences = true)] [Gru(3)] [Dense(2)]", 3,
                      "MeanSquaredError", loss, prediction, values, grads,
                      {"inputs": flat([inputs])}, inputs.shape[1], inputs.shape[2], flat([targets]))


# ---------------------------------------------------------------------------------------------------------------------
# Cross-check: every case recomputed from its JSON alone by an independent Keras-style model (Keras equations, gate
# order and bias rows, on the padded batch with an explicit mask) in float64 -- outputs and loss to 1e-12, and every
# gradient by central finite differences on the Keras-layout parameters to 1e-7. Nothing here is written to the JSON.
# ---------------------------------------------------------------------------------------------------------------------

KERAS_LAYERS = {  # what each case declares, in Keras terms
    "sentiment": [("embedding", 12, 4, True), ("simple_rnn", 5, "tanh", False, "concat"), ("dense", 1, "sigmoid")],
    "tagger": [("input", 3), ("simple_rnn", 6, "relu", True, None), ("simple_rnn", 4, "tanh", True, None),
               ("dense", 3, "softmax")],
    "lstm_classifier": [("embedding", 12, 4, True), ("lstm", 5, "tanh", False, None), ("dense", 1, "sigmoid")],
    "gru_tagger": [("input", 3), ("gru", 4, "tanh", True, "concat"), ("dense", 3, "softmax")],
    "stacked_lstm_gru": [("input", 2), ("lstm", 4, "tanh", True, None), ("gru", 3, "tanh", False, None),
                         ("dense", 2, "linear")],
}


def keras_forward(case, parameters):
    """The case's model, Keras-style, on the whole batch: the final activations [batch, ...]."""
    acts = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "linear": lambda v: v,
            "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
            "softmax": lambda v: np.exp(v - v.max(-1, keepdims=True)) / np.exp(v - v.max(-1, keepdims=True)).sum(
                -1, keepdims=True)}
    sigmoid = acts["sigmoid"]
    position = [0]

    def take(*shape):
        size = int(np.prod(shape))
        array = parameters[position[0]:position[0] + size].reshape(shape)
        position[0] += size
        return array

    def cell_step(kind, activation, x_t, state, kernel, recurrent, bias):
        act, u = acts[activation], recurrent.shape[0]
        if kind == "simple_rnn":
            h = act(x_t @ kernel + state[0] @ recurrent + bias)
            return (h,)
        if kind == "lstm":
            z = x_t @ kernel + state[0] @ recurrent + bias
            c = sigmoid(z[:, u:2 * u]) * state[1] + sigmoid(z[:, :u]) * act(z[:, 2 * u:3 * u])
            return (sigmoid(z[:, 3 * u:]) * act(c), c)
        x_proj, h_proj = x_t @ kernel + bias[0], state[0] @ recurrent + bias[1]
        z = sigmoid(x_proj[:, :u] + h_proj[:, :u])
        r = sigmoid(x_proj[:, u:2 * u] + h_proj[:, u:2 * u])
        hh = act(x_proj[:, 2 * u:] + r * h_proj[:, 2 * u:])
        return (z * state[0] + (1 - z) * hh,)

    def run(kind, activation, x, mask, weights, backwards, zero_masked):
        kernel, recurrent, bias = weights
        batch, steps, units = x.shape[0], x.shape[1], recurrent.shape[0]
        state = tuple(np.zeros((batch, units)) for _ in range(2 if kind == "lstm" else 1))
        out, outputs = np.zeros((batch, units)), [None] * steps
        for t in (reversed(range(steps)) if backwards else range(steps)):
            new = cell_step(kind, activation, x[:, t], state, kernel, recurrent, bias)
            keep = mask[:, t:t + 1]  # a masked step keeps every state and repeats the previous output
            state = tuple(np.where(keep, n, o) for n, o in zip(new, state))
            out = np.where(keep, state[0], out)
            outputs[t] = np.where(keep, out, 0.0) if zero_masked else out
        return np.stack(outputs, axis=1), state[0]

    first = KERAS_LAYERS[case["name"]][0]
    batch = case["batch"]
    if first[0] == "embedding":
        tokens = np.array(case["tokens"]).reshape(batch, -1)
        x = take(first[1], first[2])[tokens]
        mask = tokens != 0 if first[3] else np.ones(tokens.shape, bool)
    else:
        x = np.array(case["inputs"]).reshape(batch, -1, first[1])
        mask = np.ones(x.shape[:2], bool)
    for layer in KERAS_LAYERS[case["name"]][1:]:
        if layer[0] == "dense":
            kernel = take(x.shape[-1], layer[1])
            x = acts[layer[2]](x @ kernel + take(layer[1]))
            continue
        kind, units, activation, sequences, merge = layer
        gates = {"simple_rnn": 1, "lstm": 4, "gru": 3}[kind]
        bias_shape = (2, gates * units) if kind == "gru" else (gates * units,)

        def weights():
            return take(x.shape[-1], gates * units), take(units, gates * units), take(*bias_shape)

        if merge is None:
            outputs, last = run(kind, activation, x, mask, weights(), False, False)
        else:
            forward, backward = weights(), weights()
            f_out, f_last = run(kind, activation, x, mask, forward, False, sequences)
            b_out, b_last = run(kind, activation, x, mask, backward, True, sequences)
            assert merge == "concat"
            outputs, last = np.concatenate([f_out, b_out], -1), np.concatenate([f_last, b_last], -1)
        x = outputs if sequences else last
    assert position[0] == len(parameters), "parameters left over"
    return x


def keras_loss(case, outputs):
    targets = np.array(case["targets"])
    if case["loss_kind"] == "BinaryCrossentropy":
        p = np.clip(outputs.reshape(-1), EPS, 1 - EPS)
        return float(np.mean(-(targets * np.log(p) + (1 - targets) * np.log(1 - p))))
    if case["loss_kind"] == "SparseCategoricalCrossentropy":
        p = outputs.reshape(len(targets), -1)
        p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
        return float(np.mean(-np.log(p[np.arange(len(targets)), targets.astype(int)])))
    return float(np.mean((outputs.reshape(-1) - targets) ** 2))


def cross_check(case):
    parameters = np.array(case["parameters"])
    outputs = keras_forward(case, parameters)
    assert np.max(np.abs(outputs.reshape(-1) - np.array(case["outputs"]))) < 1e-12, case["name"] + ": outputs"
    assert abs(keras_loss(case, outputs) - case["loss"]) < 1e-12, case["name"] + ": loss"
    step, worst = 1e-6, 0.0
    for i in range(len(parameters)):
        plus, minus = parameters.copy(), parameters.copy()
        plus[i] += step
        minus[i] -= step
        difference = keras_loss(case, keras_forward(case, plus)) - keras_loss(case, keras_forward(case, minus))
        numeric = difference / (2 * step)
        worst = max(worst, abs(numeric - case["gradients"][i]))
    assert worst < 1e-7, f"{case['name']}: finite differences differ from autograd by {worst:.3g}"
    return worst


cases = {"torch_version": torch.__version__,
         "cases": [sentiment_case(), tagger_case(), lstm_classifier_case(), gru_tagger_case(), stacked_lstm_gru_case()]}
for case in cases["cases"]:
    print(f"{case['name']}: Keras-style NumPy model agrees; finite differences within {cross_check(case):.2g}")
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch_reference.json")
with open(path, "w") as file:
    json.dump(cases, file, indent=1)
print(f"wrote {path} with PyTorch {torch.__version__}")
