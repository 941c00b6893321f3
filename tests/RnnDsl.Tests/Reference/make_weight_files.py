#!/usr/bin/env python3
"""Writes the reference weight files in Reference/weights/ for the models of WeightFileModels.cs, and checks the
files the C# side exports.

Run (from anywhere; installs Debian's python3-torch, python3-numpy and python3-h5py if they are missing):
    tests/RnnDsl.Tests/Reference/make_weight_files.py                      # (re)writes Reference/weights/*
    tests/RnnDsl.Tests/Reference/make_weight_files.py --check-exports DIR  # checks DIR/<Model>.safetensors and
                                                                           # DIR/<Model>.npz written by the C# side
    tests/RnnDsl.Tests/Reference/make_weight_files.py --check-exports DIR --models WLstm WGruStack   # only these
Re-running gives byte-identical files (fixed seeds, fixed zip timestamps, no HDF5 timestamps). The C# tests read the
checked-in files and need no Python.

What is written for each model <M> (WText, WMaskedStack, WBidiSum, WBidiMul, WBidiAveSequence, WForecast, and the gated
cells' WLstm, WBidiGruLstm, WGruStack):
  <M>.npz          np.savez(path, *model.get_weights()): arr_0, arr_1, ... in Keras get_weights() order, '<f4', C order
  <M>.weights.h5   Keras 3 model.save_weights(path)
  <M>.h5           Keras 2 / tf.keras model.save_weights(path) (HDF5 format, Keras >= 2.13 names)
  <M>.keras        Keras 3 model.save(path): metadata.json, config.json, model.weights.h5
  <M>.safetensors  safetensors.torch.save_file(module.state_dict(), path, metadata={"format": "pt"})
plus these variants (written at the end of write_all):
  WBidiSum.f8.npz                  the arrays stored as '<f8'
  WText.named.npz, WMaskedStack.named.npz   np.savez(path, **{keras_path: array}): entries "embedding/embeddings.npy", ...
  WBidiMul.{f16,bf16,f64}.safetensors       every tensor F16 / BF16 / F64, no __metadata__ (WBidiMul's weights are all
                                   multiples of 2^-7 below 1, exact in every one of these dtypes)
  WText.prefixed.safetensors       module prefixes emb, rnn, fc instead of embedding, simple_rnn, dense
  WMaskedStack.keras2_old.h5       a Keras 2 .h5 as TF 2.4 with h5py 2.10 wrote it (see below)
  WText.wrong_activation.keras     config.json says SimpleRNN activation relu (weights as WText.keras)  -> error expected
  WText.wrong_units.keras          a consistent Keras model with SimpleRNN(6, relu): config and shapes differ -> error
  WBidiSum.wrong_mask_zero.keras   config.json says Embedding mask_zero false (weights as WBidiSum.keras) -> error
and weights_reference.json:
  {"tolerance": 1e-5, "models": [{"name", "declaration" (the C# attributes), "input": "tokens"|"features", "features",
    "steps", "output_width", "output_is_sequence", "layers", "parameter_count",
    "weights": [{"keras_path", "torch_name", "shape", "offset"; for LSTM/GRU arrays also "keras_gates" ("i,f,c,o" /
      "z,r,h"), "torch_gates" ("i,f,g,o" / "r,z,n") and for their bias "torch_bias" (how bias_ih/bias_hh make it)}],
    "parameters": the C# Parameters buffer (Keras get_weights() order, float32 values),
    "sequences": token ids, or step-major features flattened, one list per sequence,
    "outputs": the float64 output of each sequence, flattened (steps x width for a sequence output)}],
   "files": [{"file", "model", "format", "expect": "parameters" (loading gives exactly the model's parameters) or
    "error", "layer" and "differs" for the errors, "prefixes" for safetensors (null: the Keras layer names)}]}

The weights are random, float32-representable, drawn from numpy's PCG64 with fixed seeds and copied into torch modules
named by the Keras layer names (nn.Embedding `embedding`, nn.RNN `simple_rnn`/`simple_rnn_1`/`bidirectional`,
nn.LSTM `lstm`/`bidirectional`, nn.GRU `gru`/`bidirectional`, nn.Linear `dense`), so their state_dict keys are the
generated manifest's TorchName values (the Keras bias maps to `<layer>.bias_ih_l0[_reverse]`). Every recurrent layer
has a NON-ZERO bias_hh. SimpleRNN and LSTM: the Keras bias is bias_ih + bias_hh (both multiples of 2^-12, so the
float32 sum is exact). GRU (reset_after=True, the only form torch has): the Keras bias [2, 3u] is [bias_ih; bias_hh].
Gate blocks: torch's LSTM rows i, f, g, o are Keras's columns i, f, c, o (same order); torch's GRU rows r, z, n are
Keras's z, r, h with the first two blocks swapped (torch_to_keras_blocks). Keras kernel = weight_ih^T after that.
Outputs are computed in float64: the torch module's own forward for nn.RNN tanh/relu and nn.LSTM/nn.GRU
(pack_padded_sequence where a mask applies, the input flipped for go_backwards), a hand-written recurrence for
activations torch lacks (sigmoid, linear); every recurrent layer is also run through the hand-written recurrence
(PyTorch's documented equations in torch layout), and every model through keras_oracle (NumPy, Keras's own cell
equations and step loop on the padded sequence with an explicit mask, from the get_weights() arrays in Keras layout):
all must agree to 1e-12.

Masking (Embedding mask_zero): padding (token 0) only at the END of a sequence, where Keras masking and
pack_padded_sequence agree. Keras semantics used: a recurrent layer skips masked steps (state kept: h, and c for an
LSTM; with end padding nothing follows a masked step, so the carried c is never observable here); Bidirectional's
backward direction reads the valid steps last-first; with return_sequences Bidirectional's outputs at masked steps are
zeros; a later masked recurrent layer skips them again.

Keras layer names (what Summary() and the generator call them) follow Keras's per-class counters, the wrapped layer of a
Bidirectional counting before the wrapper: WMaskedStack's second SimpleRNN is `simple_rnn_1` (the wrapped one took
`simple_rnn`), so its torch prefix is `simple_rnn_1`; WForecast's are `simple_rnn` and `simple_rnn_1`. LSTM and GRU have
their own counters (`lstm`, `gru`): WBidiGruLstm is embedding, bidirectional (wrapping `gru`: forward_gru and
backward_gru), lstm, dense; WGruStack is gru, bidirectional (wrapping `lstm`), dense.

=====================================================================================================================
File layouts (each one written with the same h5py / zipfile calls the cited Keras source makes; see the functions below)
=====================================================================================================================

Keras 3 `.weights.h5` (Keras 3.6 ... 3.15.1 and master; followed at tag v3.15.1):
  https://github.com/keras-team/keras/blob/v3.15.1/keras/src/saving/saving_lib.py
    save_weights_only (l.578), _save_state (l.768), _walk_saveable (l.738), _save_container_state (l.957) with
    _get_unique_name (l.937), H5IOStore.make (l.1355), H5IOStore._create_h5_group (l.1433), H5IOStore.__setitem__ (l.1464)
  https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/layer.py  Layer.save_own_variables (l.1435)
  https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/rnn/bidirectional.py  __init__ (l.86, attributes
    forward_layer / backward_layer, names "forward_<layer>" / "backward_<layer>")
  https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/rnn/simple_rnn.py  (cell named "simple_rnn_cell", l.339)
  https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/rnn/lstm.py, gru.py  (cells "lstm_cell", "gru_cell";
    LSTM vars kernel [in,4u], recurrent_kernel [u,4u], bias [4u]; GRU with reset_after bias [2,3u])
  _save_state(model, inner_path="") visits every object that has save_own_variables and calls
  H5IOStore.make(inner_path, metadata={"name": obj.name}), which creates the group "<inner_path>/vars" (or "/vars" for
  the model itself) at once and sets the attribute `name` (a Python str: HDF5 variable-length UTF-8 string, scalar) on
  it; the object's own variables are then datasets "0", "1", ... in that group (`group[str(i)] = value`: float32, the
  Keras shape, contiguous, no filters). Children: model.layers (the InputLayer excluded) as the container "layers",
  each named by the snake_case of its CLASS name made unique within the list (embedding, simple_rnn, simple_rnn_1,
  bidirectional, dense) -- NOT by the layer's name; then every attribute not in dir(Layer()) in sorted order
  (SimpleRNN: `cell`; Bidirectional: `backward_layer` before `forward_layer`). For WMaskedStack this gives:
    /vars                                          attrs name="sequential"                  (no datasets)
    /layers/embedding/vars                         attrs name="embedding"                   0: embeddings [20,4]
    /layers/bidirectional/vars                     attrs name="bidirectional"               (no datasets)
    /layers/bidirectional/backward_layer/vars      attrs name="backward_simple_rnn"         (no datasets)
    /layers/bidirectional/backward_layer/cell/vars attrs name="simple_rnn_cell"  0: kernel [4,5] 1: recurrent_kernel [5,5] 2: bias [5]
    /layers/bidirectional/forward_layer/vars       attrs name="forward_simple_rnn"          (no datasets)
    /layers/bidirectional/forward_layer/cell/vars  attrs name="simple_rnn_cell"  0: kernel 1: recurrent_kernel 2: bias
    /layers/simple_rnn/vars                        attrs name="simple_rnn_1"   <- class-based path, layer-name attribute
    /layers/simple_rnn/cell/vars                   attrs name="simple_rnn_cell"  0: kernel [10,3] 1: recurrent_kernel [3,3] 2: bias [3]
    /layers/dense/vars                             attrs name="dense"                       0: kernel [3,1] 1: bias [1]
  No file-level attributes. (Keras < 3.6 wrote the same groups and datasets without the `name` attributes.)
  A model that was compiled and trained also has optimizer (and metric) groups; these files are of a built model
  that was never compiled.

Keras 3 `.keras` archive: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/saving/saving_lib.py
    _save_model_to_fileobj (l.195), _serialize_model_as_json (l.148), DiskIOStore (l.1101; an empty assets dir adds no entry)
  A zip (ZIP_STORED, no compression) with, in this order: "metadata.json" (json.dumps({"keras_version": "3.15.1",
  "date_saved": "..."}) -- the date fixed here), "config.json" (json.dumps(serialize_keras_object(model)), default
  separators, no indent) and "model.weights.h5" (the .weights.h5 layout above, written to a BytesIO and added with
  writestr). Zip entry times are fixed at 1980-01-01 here (Keras writes the current time).
  config.json is the Keras 3 Sequential config: {"module": "keras", "class_name": "Sequential", "config": {"name":
  "sequential", "trainable": true, "dtype": <DTypePolicy>, "layers": [InputLayer, ...], "build_input_shape": [...]},
  "registered_name": null, "build_config": {"input_shape": [...]}, "compile_config": {}}; each layer is {"module":
  "keras.layers", "class_name": ..., "config": {...}, "registered_name": null[, "build_config": {"input_shape": ...}]}
  with the keys of its get_config() in their order (see keras3_config below for the sources). The model was made with
  keras.Input(shape=(None,), dtype="int32") for token models and keras.Input(shape=(steps, features)) otherwise.
  Layers created with the default dtype share one DTypePolicy object, and each SimpleRNN/LSTM/GRU layer serialises its
  cell's initializer objects twice (its own config and the dropped cell config), so Keras's ObjectSharingScope adds
  "shared_object_id": <id() of the object> to those dicts; fixed made-up ids are written here. LSTM and GRU configs add
  "recurrent_activation" after "activation", LSTM "unit_forget_bias" after "bias_initializer", GRU "reset_after" after
  "recurrent_dropout", and both end with "seed": null (lstm.py get_config l.651, gru.py l.669).

Keras 2 / tf.keras `.h5` from model.save_weights("x.h5"):
  https://github.com/keras-team/tf-keras/blob/v2.15.0/tf_keras/saving/legacy/hdf5_format.py
    save_weights_to_hdf5_group (l.737), save_subset_weights_to_hdf5_group (l.718), save_attributes_to_hdf5_group
    (l.1016), _legacy_weights (l.1093); called from tf_keras/saving/legacy/save.py l.369 (h5py.File(path, "w")).
  Root attributes, in this order: layer_names = [name.encode("utf8") for layer in model.layers] (InputLayer excluded,
  model order), backend = b"tensorflow", keras_version = b"2.15.0" -- all three written by h5py 3 from bytes, i.e.
  variable-length ASCII strings (layer_names a 1-D array, the others scalars). One group per layer, created in sorted
  layer-name order, with attribute weight_names = [variable.name.encode("utf8"), ...] (trainable then non-trainable;
  Bidirectional: forward then backward) and one float32 dataset per weight at the path "<group>/<variable.name>",
  whose slashes make nested groups:
    /simple_rnn_1                 attrs weight_names=[b"simple_rnn_1/simple_rnn_cell/kernel:0",
                                                      b"simple_rnn_1/simple_rnn_cell/recurrent_kernel:0",
                                                      b"simple_rnn_1/simple_rnn_cell/bias:0"]
    /simple_rnn_1/simple_rnn_1/simple_rnn_cell/kernel:0   [10,3]   (and recurrent_kernel:0, bias:0)
    /bidirectional/bidirectional/forward_simple_rnn/simple_rnn_cell/kernel:0 ... backward_simple_rnn/... 
    /embedding/embedding/embeddings:0, /dense/dense/kernel:0, /dense/dense/bias:0
    /top_level_model_weights      attrs weight_names = [] (h5py stores an empty float64 array), no datasets
  The cell is named "simple_rnn_cell" since Keras 2.13 (tf-keras simple_rnn.py l.397; "lstm_cell" lstm.py l.561,
  "gru_cell" gru.py l.588); the variable names are the manifest's Keras paths plus ":0", e.g.
  "bidirectional/forward_gru/gru_cell/kernel:0" and "lstm/lstm_cell/bias:0" (a GRU bias:0 is [2, 3u]).
  Older files differ. Variant WMaskedStack.keras2_old.h5 is one as TF 2.4 with h5py 2.10 wrote it
  (https://github.com/keras-team/tf-keras/blob/d369e05c1075bb6732537d1a69d1fd4f5d0aa749/keras/saving/hdf5_format.py
  save_weights_to_hdf5_group l.618, the parent of the commit that added top_level_model_weights in July 2021):
  every string attribute is a FIXED-length byte string (numpy 'S', NULLPAD, ASCII), keras_version b"2.4.0", there is
  no top_level_model_weights group, and cells had auto-generated unique names (before Keras 2.13), e.g.
  "bidirectional/forward_simple_rnn/simple_rnn_cell_1/kernel:0" (the wrapped original took simple_rnn_cell, forward
  _1, backward _2, simple_rnn_1's cell _3): readers must not rely on the cell name.

safetensors (https://github.com/huggingface/safetensors/blob/24b0b2857fef49be734b9ab72ce97c09bb25f5b9/safetensors/src/tensor.rs
  prepare() l.218 and `impl Serialize for Metadata` l.575; bindings/python/py_src/safetensors/torch.py save_file l.288):
  8-byte little-endian unsigned header length N, then N bytes of JSON (serde_json compact: no spaces), padded with
  spaces (0x20) to a multiple of 8, then the raw little-endian C-order data. The JSON object has "__metadata__"
  (string -> string; present only when save_file is given metadata: {"format": "pt"} in the main files, absent in the
  dtype variants) first, then one entry per tensor {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}
  (offsets relative to the end of the header), tensors sorted by dtype alignment descending then by name (here all of
  one dtype: by name), laid out back to back. Tensors are the torch layout: embedding.weight [V,D];
  <rnn>.weight_ih_l0 [units,in] = kernel^T, <rnn>.weight_hh_l0 [units,units] = recurrent_kernel^T, <rnn>.bias_ih_l0 and
  <rnn>.bias_hh_l0 [units] (sum = Keras bias), the same with the suffix _reverse for the backward direction;
  dense.weight [out,in] = kernel^T, dense.bias [out]. Written by hand (python3-safetensors is not in Debian bookworm).

npz (numpy.lib.npyio._savez): a zip (ZIP_STORED) of "<key>.npy" entries (npy format 1.0), each opened with
  force_zip64=True (so each local header has a zip64 extra field); keys arr_0.. for positional arrays. Zip entry times
  fixed at 1980-01-01 here (numpy writes the current time).
"""
import argparse
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import zipfile

try:
    import h5py
    import numpy as np
    import torch
except ImportError:
    if sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    subprocess.run(["apt-get", "update"], check=True)
    subprocess.run(["apt-get", "install", "-y", "python3-torch", "python3-numpy", "python3-h5py", "libopenblas0-openmp"],
                   check=True)
    os.execv(sys.executable, [sys.executable, *sys.argv])

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "weights")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
KERAS3_VERSION = "3.15.1"
KERAS3_DATE_SAVED = "2026-01-01@00:00:00"
KERAS2_VERSION = "2.15.0"
SEED = 20261208
torch.set_default_dtype(torch.float64)


# ---------------------------------------------------------------------------------------------------------------------
# The models (WeightFileModels.cs), with Keras's layer naming.
# ---------------------------------------------------------------------------------------------------------------------

def embedding(input_dim, output_dim, mask_zero=False):
    return {"kind": "embedding", "input_dim": input_dim, "output_dim": output_dim, "mask_zero": mask_zero}


def real_input(steps, features):
    return {"kind": "input", "steps": steps, "features": features}


def simple_rnn(units, activation="tanh", return_sequences=False, go_backwards=False, merge=None):
    return {"kind": "rnn", "cell": "simple_rnn", "units": units, "activation": activation,
            "return_sequences": return_sequences, "go_backwards": go_backwards, "merge": merge}


def lstm(units, activation="tanh", recurrent_activation="sigmoid", return_sequences=False, go_backwards=False,
         merge=None, unit_forget_bias=True):
    return {"kind": "rnn", "cell": "lstm", "units": units, "activation": activation,
            "recurrent_activation": recurrent_activation, "return_sequences": return_sequences,
            "go_backwards": go_backwards, "merge": merge, "unit_forget_bias": unit_forget_bias}


def gru(units, activation="tanh", recurrent_activation="sigmoid", return_sequences=False, go_backwards=False,
        merge=None, reset_after=True):
    return {"kind": "rnn", "cell": "gru", "units": units, "activation": activation,
            "recurrent_activation": recurrent_activation, "return_sequences": return_sequences,
            "go_backwards": go_backwards, "merge": merge, "reset_after": reset_after}


# Per cell: Keras class, layer/cell names, gate count, the Keras and PyTorch gate orders, and where each Keras gate
# block sits in PyTorch's weight_ih / weight_hh / bias rows (GRU: torch r, z, n = Keras blocks 1, 0, 2).
CELLS = {
    "simple_rnn": {"class_name": "SimpleRNN", "cell_name": "simple_rnn_cell", "gates": 1, "keras_gates": None,
                   "torch_gates": None, "torch_blocks": [0]},
    "lstm": {"class_name": "LSTM", "cell_name": "lstm_cell", "gates": 4, "keras_gates": "i,f,c,o",
             "torch_gates": "i,f,g,o", "torch_blocks": [0, 1, 2, 3]},
    "gru": {"class_name": "GRU", "cell_name": "gru_cell", "gates": 3, "keras_gates": "z,r,h",
            "torch_gates": "r,z,n", "torch_blocks": [1, 0, 2]},
}


def torch_to_keras_blocks(array, cell, units):
    """Rows of a torch weight_ih / weight_hh / bias (gate blocks of `units` rows, torch order) in Keras gate order.
    The permutation is its own inverse for every cell (GRU swaps the first two blocks): it also maps Keras to torch."""
    return np.concatenate([array[b * units:(b + 1) * units] for b in CELLS[cell]["torch_blocks"]], axis=0)


def dense(units, activation="linear"):
    return {"kind": "dense", "units": units, "activation": activation}


MODELS = {
    "WText": [embedding(20, 4), simple_rnn(5), dense(3, "softmax")],
    "WMaskedStack": [embedding(20, 4, mask_zero=True), simple_rnn(5, return_sequences=True, merge="concat"),
                     simple_rnn(3, "relu"), dense(1, "sigmoid")],
    "WBidiSum": [embedding(20, 4, mask_zero=True), simple_rnn(4, "sigmoid", merge="sum"), dense(2)],
    "WBidiMul": [real_input(6, 3), simple_rnn(4, merge="mul"), dense(1)],
    "WBidiAveSequence": [real_input(6, 3), simple_rnn(4, "linear", return_sequences=True, merge="ave"),
                         dense(2, "tanh")],
    "WForecast": [real_input(8, 2), simple_rnn(6, return_sequences=True), simple_rnn(4, go_backwards=True), dense(1)],
    # Gated cells (added after the SimpleRNN models: each model's seed is SEED + its index, so theirs are unchanged).
    "WLstm": [embedding(20, 4), lstm(5), dense(3, "softmax")],
    "WBidiGruLstm": [embedding(20, 4, mask_zero=True), gru(4, return_sequences=True, merge="concat"), lstm(3),
                     dense(1, "sigmoid")],
    "WGruStack": [real_input(6, 3), gru(5, return_sequences=True), lstm(4, merge="sum"), dense(2)],
}

# The C# declarations (WeightFileModels.cs), recorded in weights_reference.json.
DECLARATIONS = {
    "WText": "[Embedding(20, 4)] [SimpleRnn(5)] [Dense(3, Softmax)]",
    "WMaskedStack": "[Embedding(20, 4, MaskZero = true)] [Bidirectional, SimpleRnn(5, ReturnSequences = true)] "
                    "[SimpleRnn(3, Relu)] [Dense(1, Sigmoid)]",
    "WBidiSum": "[Embedding(20, 4, MaskZero = true)] [Bidirectional(MergeMode.Sum), SimpleRnn(4, Sigmoid)] [Dense(2)]",
    "WBidiMul": "[Input(6, 3)] [Bidirectional(MergeMode.Mul), SimpleRnn(4)] [Dense(1)]",
    "WBidiAveSequence": "[Input(6, 3)] [Bidirectional(MergeMode.Ave), SimpleRnn(4, Linear, ReturnSequences = true)] "
                        "[Dense(2, Tanh)]",
    "WForecast": "[Input(8, 2)] [SimpleRnn(6, ReturnSequences = true)] [SimpleRnn(4, GoBackwards = true)] [Dense(1)]",
    "WLstm": "[Embedding(20, 4)] [Lstm(5)] [Dense(3, Softmax)]",
    "WBidiGruLstm": "[Embedding(20, 4, MaskZero = true)] [Bidirectional, Gru(4, ReturnSequences = true)] [Lstm(3)] "
                    "[Dense(1, Sigmoid)]",
    "WGruStack": "[Input(6, 3)] [Gru(5, ReturnSequences = true)] [Bidirectional(MergeMode.Sum), Lstm(4)] [Dense(2)]",
}

# Models whose every weight is a multiple of 2^-7 below 1 in magnitude: exact in F16 and BF16 too.
COARSE = {"WBidiMul"}

# Token sequences (padding only at the end of masked models) or real-valued steps (drawn below).
TOKENS = {
    "WText": [[5, 0, 17, 3, 12, 8, 1], [19, 2, 2, 7], [11]],                      # no mask: 0 is an ordinary token
    "WMaskedStack": [[3, 7, 1, 11, 5, 2], [4, 9, 9, 2, 0, 0], [10, 6, 8, 0, 0, 0]],
    "WBidiSum": [[13, 4, 19, 6, 2], [7, 15, 1, 0, 0], [9, 0, 0, 0, 0]],
    "WLstm": [[7, 0, 14, 3, 19, 8, 1, 6], [2, 11, 11, 5], [16]],                  # no mask: 0 is an ordinary token
    "WBidiGruLstm": [[3, 7, 1, 11, 5, 2, 18], [4, 9, 9, 2, 0, 0, 0], [13, 0, 0, 0, 0, 0, 0], [8, 17, 12]],
}
FEATURE_SEQUENCES = {"WBidiMul": 3, "WBidiAveSequence": 2, "WForecast": 3, "WGruStack": 3}


def resolve(name, layers):
    """Keras names, input widths and output shapes, as the generator (ModelValidator.BuildSpec) and Keras assign them."""
    counters = {}

    def keras_name(base):
        count = counters.get(base, 0)
        counters[base] = count + 1
        return base if count == 0 else f"{base}_{count}"

    resolved, width, sequence, class_names = [], 0, True, {}
    shape = None  # Keras output shape without the batch axis
    for spec in layers:
        layer = dict(spec)
        if layer["kind"] == "embedding":
            layer["name"] = keras_name("embedding")
            layer["class_name"] = "Embedding"
            layer["in_shape"] = [None]
            width = layer["output_dim"]
            shape = [None, width]
        elif layer["kind"] == "input":
            layer["name"] = keras_name("input_layer")
            width = layer["features"]
            shape = [layer["steps"], width]
        elif layer["kind"] == "rnn":
            layer["wrapped"] = keras_name(layer["cell"])
            layer["name"] = layer["wrapped"] if layer["merge"] is None else keras_name("bidirectional")
            layer["class_name"] = CELLS[layer["cell"]]["class_name"] if layer["merge"] is None else "Bidirectional"
            layer["in_shape"] = list(shape)
            layer["input_width"] = width
            units = layer["units"]
            out = 2 * units if layer["merge"] == "concat" else units
            width = out
            sequence = layer["return_sequences"]
            shape = [shape[0], out] if sequence else [out]
        else:
            layer["name"] = keras_name("dense")
            layer["class_name"] = "Dense"
            layer["in_shape"] = list(shape)
            layer["input_width"] = width
            width = layer["units"]
            shape = shape[:-1] + [width]
        if layer["kind"] != "input":
            base = snake(layer["class_name"])
            count = class_names.get(base)
            class_names[base] = 0 if count is None else count + 1
            layer["container_name"] = base if count is None else f"{base}_{count + 1}"
        resolved.append(layer)
    model = {"name": name, "layers": resolved, "output_width": width, "output_is_sequence": sequence,
             "tokens": layers[0]["kind"] == "embedding",
             "masked": layers[0]["kind"] == "embedding" and layers[0]["mask_zero"]}
    model["weights"] = manifest(model)
    return model


def snake(class_name):
    return {"Embedding": "embedding", "SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru",
            "Bidirectional": "bidirectional", "Dense": "dense"}[class_name]


def directions(layer):
    return ["forward", "backward"] if layer["merge"] is not None else [""]


def manifest(model):
    """The generated WeightManifest: Keras get_weights() order, Keras paths, torch names, Keras shapes."""
    weights = []
    for layer in model["layers"]:
        name = layer["name"]
        if layer["kind"] == "embedding":
            weights.append({"layer": name, "direction": "", "name": "embeddings", "keras_path": f"{name}/embeddings",
                            "torch_name": f"{name}.weight", "shape": [layer["input_dim"], layer["output_dim"]]})
        elif layer["kind"] == "rnn":
            units, inputs, kind = layer["units"], layer["input_width"], layer["cell"]
            width = CELLS[kind]["gates"] * units
            bias_shape = [2, width] if kind == "gru" and layer["reset_after"] else [width]
            cell_name = CELLS[kind]["cell_name"]
            for direction in directions(layer):
                cell = (f"{name}/{cell_name}" if not direction
                        else f"{name}/{direction}_{layer['wrapped']}/{cell_name}")
                suffix = "_l0_reverse" if direction == "backward" else "_l0"
                for weight, torch_base, shape in (("kernel", "weight_ih", [inputs, width]),
                                                  ("recurrent_kernel", "weight_hh", [units, width]),
                                                  ("bias", "bias_ih", bias_shape)):
                    weights.append({"layer": name, "direction": direction, "name": weight, "cell": kind,
                                    "units": units, "keras_path": f"{cell}/{weight}",
                                    "torch_name": f"{name}.{torch_base}{suffix}", "shape": shape})
        elif layer["kind"] == "dense":
            weights.append({"layer": name, "direction": "", "name": "kernel", "keras_path": f"{name}/kernel",
                            "torch_name": f"{name}.weight", "shape": [layer["input_width"], layer["units"]]})
            weights.append({"layer": name, "direction": "", "name": "bias", "keras_path": f"{name}/bias",
                            "torch_name": f"{name}.bias", "shape": [layer["units"]]})
    offset = 0
    for weight in weights:
        weight["offset"] = offset
        offset += int(np.prod(weight["shape"]))
    return weights


# ---------------------------------------------------------------------------------------------------------------------
# Weights: torch modules named by the Keras layer names.
# ---------------------------------------------------------------------------------------------------------------------

class Net(torch.nn.Module):
    """The PyTorch twin of a model: one submodule per Keras layer, named by the Keras layer name."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        for layer in model["layers"]:
            if layer["kind"] == "embedding":
                module = torch.nn.Embedding(layer["input_dim"], layer["output_dim"])
            elif layer["kind"] == "rnn" and layer["cell"] == "lstm":
                module = torch.nn.LSTM(layer["input_width"], layer["units"], batch_first=True,
                                       bidirectional=layer["merge"] is not None)
            elif layer["kind"] == "rnn" and layer["cell"] == "gru":
                if not layer["reset_after"]:
                    raise ValueError("a GRU with reset_after=False has no PyTorch equivalent")
                module = torch.nn.GRU(layer["input_width"], layer["units"], batch_first=True,
                                      bidirectional=layer["merge"] is not None)
            elif layer["kind"] == "rnn":
                # torch has tanh and relu only; for sigmoid and linear the module just holds the parameters.
                nonlinearity = layer["activation"] if layer["activation"] in ("tanh", "relu") else "tanh"
                module = torch.nn.RNN(layer["input_width"], layer["units"], batch_first=True,
                                      nonlinearity=nonlinearity, bidirectional=layer["merge"] is not None)
            elif layer["kind"] == "dense":
                module = torch.nn.Linear(layer["input_width"], layer["units"])
            else:
                continue
            self.add_module(layer["name"], module)


def draw(rng, shape, low, high, step=None):
    values = rng.uniform(low, high, size=shape)
    if step is not None:
        values = np.round(values / step) * step
    return values.astype(np.float32)


def make_net(model, seed, coarse=False):
    """A Net in float64 whose every parameter is a float32 value (and a multiple of 2^-7 when coarse)."""
    rng = np.random.default_rng(seed)
    fine = 2.0 ** -7 if coarse else None
    bias_step = 2.0 ** -7 if coarse else 2.0 ** -12
    net = Net(model).double()
    values = {}
    for layer in model["layers"]:
        name = layer["name"]
        if layer["kind"] == "embedding":
            values[f"{name}.weight"] = draw(rng, (layer["input_dim"], layer["output_dim"]), -0.8, 0.8, fine)
        elif layer["kind"] == "rnn" and layer["cell"] != "simple_rnn":
            # Gated cells: torch's [G*units, ...] layout; both biases non-zero (LSTM: they add up to the Keras bias;
            # GRU: they are the Keras bias's two rows).
            units, inputs = layer["units"], layer["input_width"]
            width = CELLS[layer["cell"]]["gates"] * units
            for direction in directions(layer):
                suffix = "_l0_reverse" if direction == "backward" else "_l0"
                values[f"{name}.weight_ih{suffix}"] = draw(rng, (width, inputs), -0.7, 0.7, fine)
                values[f"{name}.weight_hh{suffix}"] = draw(rng, (width, units), -0.6, 0.6, fine)
                for bias in ("bias_ih", "bias_hh"):
                    values[f"{name}.{bias}{suffix}"] = draw(rng, (width,), -0.4, 0.4, bias_step)
                bias_hh = values[f"{name}.bias_hh{suffix}"]
                bias_hh[bias_hh == 0] = bias_step  # every element non-zero
        elif layer["kind"] == "rnn":
            units, inputs = layer["units"], layer["input_width"]
            scale = 0.45 if layer["activation"] == "linear" else 0.6
            for direction in directions(layer):
                suffix = "_l0_reverse" if direction == "backward" else "_l0"
                values[f"{name}.weight_ih{suffix}"] = draw(rng, (units, inputs), -0.7, 0.7, fine)
                values[f"{name}.weight_hh{suffix}"] = draw(rng, (units, units), -scale, scale, fine)
                values[f"{name}.bias_ih{suffix}"] = draw(rng, (units,), -0.3, 0.3, bias_step)
                bias_hh = draw(rng, (units,), -0.3, 0.3, bias_step)
                bias_hh[bias_hh == 0] = bias_step  # every element non-zero
                values[f"{name}.bias_hh{suffix}"] = bias_hh
        elif layer["kind"] == "dense":
            values[f"{name}.weight"] = draw(rng, (layer["units"], layer["input_width"]), -0.7, 0.7, fine)
            values[f"{name}.bias"] = draw(rng, (layer["units"],), -0.2, 0.2, fine or 2.0 ** -12)
    state = net.state_dict()
    assert set(state) == set(values), (sorted(state), sorted(values))
    net.load_state_dict({k: torch.from_numpy(v.astype(np.float64)) for k, v in values.items()}, strict=True)
    return net


def float32_state(net):
    """The state_dict as float32 numpy arrays (exact: every value is float32)."""
    state = {}
    for key, value in net.state_dict().items():
        array = value.detach().numpy()
        as32 = array.astype(np.float32)
        assert np.array_equal(as32.astype(np.float64), array), key
        state[key] = np.ascontiguousarray(as32)
    return state


def keras_weights(model, state):
    """get_weights(): the Keras arrays, float32, in manifest order."""
    arrays = []
    for weight in model["weights"]:
        key = weight["torch_name"]
        cell = weight.get("cell")
        if cell in ("lstm", "gru"):
            array = keras_gated_weight(weight, state)
        elif weight["name"] in ("kernel", "recurrent_kernel"):
            array = state[key].T
        elif weight["name"] == "bias" and key.endswith(("_l0", "_l0_reverse")):
            bias_ih, bias_hh = state[key], state[key.replace("bias_ih", "bias_hh")]
            array = bias_ih + bias_hh  # float32 addition
            assert np.array_equal(array.astype(np.float64), bias_ih.astype(np.float64) + bias_hh), "bias sum inexact"
        else:
            array = state[key]
        array = np.ascontiguousarray(array, dtype=np.float32)
        assert list(array.shape) == weight["shape"], (weight, array.shape)
        arrays.append(array)
    return arrays


def keras_gated_weight(weight, state):
    """One Keras array of an LSTM / GRU from the torch state: gate blocks reordered (GRU r,z,n -> z,r,h), transposed;
    the LSTM bias is bias_ih + bias_hh, the GRU bias is [bias_ih; bias_hh] (each reordered)."""
    key, cell, units = weight["torch_name"], weight["cell"], weight["units"]
    if weight["name"] in ("kernel", "recurrent_kernel"):
        return torch_to_keras_blocks(state[key], cell, units).T
    bias_ih = torch_to_keras_blocks(state[key], cell, units)
    bias_hh = torch_to_keras_blocks(state[key.replace("bias_ih", "bias_hh")], cell, units)
    if cell == "gru":
        return np.stack([bias_ih, bias_hh])
    total = bias_ih + bias_hh  # float32 addition
    assert np.array_equal(total.astype(np.float64), bias_ih.astype(np.float64) + bias_hh), "bias sum inexact"
    return total


# ---------------------------------------------------------------------------------------------------------------------
# Forward pass in float64.
# ---------------------------------------------------------------------------------------------------------------------

ACTIVATIONS = {
    "tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda x: x,
    "softmax": lambda x: torch.softmax(x, dim=-1),
}


def rnn_params(module, direction):
    suffix = "_l0_reverse" if direction == "backward" else "_l0"
    return tuple(getattr(module, f"{p}{suffix}") for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


def recurrence(x, params, activation):
    """Hand-written SimpleRNN over x [T, in], h0 = 0: the states [T, units]."""
    w_ih, w_hh, b_ih, b_hh = params
    h = torch.zeros(w_hh.shape[0])
    states = []
    for t in range(x.shape[0]):
        h = ACTIVATIONS[activation](x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        states.append(h)
    return torch.stack(states)


def gated_recurrence(x, params, layer):
    """Hand-written nn.LSTM / nn.GRU (PyTorch's documented equations, torch layout and gate order) over x [T, in],
    h0 = c0 = 0: the states h [T, units]."""
    w_ih, w_hh, b_ih, b_hh = params
    act, gate = ACTIVATIONS[layer["activation"]], ACTIVATIONS[layer["recurrent_activation"]]
    units = w_hh.shape[1]
    h, c, states = torch.zeros(units), torch.zeros(units), []
    for t in range(x.shape[0]):
        gi, gh = x[t] @ w_ih.T + b_ih, h @ w_hh.T + b_hh
        if layer["cell"] == "lstm":
            i, f, g, o = (gi + gh).split(units)
            c = gate(f) * c + gate(i) * act(g)
            h = gate(o) * act(c)
        else:
            i_r, i_z, i_n = gi.split(units)
            h_r, h_z, h_n = gh.split(units)
            r, z = gate(i_r + h_r), gate(i_z + h_z)
            n = act(i_n + r * h_n)
            h = (1 - z) * n + z * h
        states.append(h)
    return torch.stack(states)


def layer_recurrence(layer, x, params):
    if layer["cell"] == "simple_rnn":
        return recurrence(x, params, layer["activation"])
    return gated_recurrence(x, params, layer)


def torch_runs(layer):
    """Whether the torch module itself computes this layer (torch has no other activations for its cells)."""
    if layer["cell"] == "simple_rnn":
        return layer["activation"] in ("tanh", "relu")
    return layer["activation"] == "tanh" and layer["recurrent_activation"] == "sigmoid"


def run_module(module, x):
    """(outputs, h_n) of an nn.RNN / nn.GRU / nn.LSTM (whose final state is (h_n, c_n))."""
    out, state = module(x)
    return out, state[0] if isinstance(state, tuple) else state


def merge(mode, forward, backward):
    if mode == "concat":
        return torch.cat([forward, backward], dim=-1)
    if mode == "sum":
        return forward + backward
    if mode == "mul":
        return forward * backward
    return (forward + backward) / 2  # ave


def rnn_layer(layer, module, x, length, hand):
    """One recurrent layer on one sequence x [T, in] whose first `length` steps are valid (the rest masked)."""
    steps = x.shape[0]
    masked = length < steps
    by_module = torch_runs(layer) and not hand
    if layer["merge"] is None:
        order = torch.flip(x[:length], [0]) if layer["go_backwards"] else x[:length]
        if not by_module:
            states = layer_recurrence(layer, order, rnn_params(module, ""))
        elif masked:
            packed = torch.nn.utils.rnn.pack_padded_sequence(
                (torch.flip(x, [0]) if layer["go_backwards"] else x).unsqueeze(0), torch.tensor([length]),
                batch_first=True)
            if layer["go_backwards"]:
                raise NotImplementedError("go_backwards with a mask")  # not among the models
            out, _ = run_module(module, packed)
            states = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)[0][0]
        else:
            states = run_module(module, order.unsqueeze(0))[0][0]
        if not layer["return_sequences"]:
            return states[-1]
        # A masked step repeats the previous output (padding is at the end: the last valid one).
        return torch.cat([states, states[-1:].expand(steps - length, -1)]) if masked else states
    # Bidirectional: the backward direction reads the valid steps last first; outputs re-aligned in time.
    if not by_module:
        forward = layer_recurrence(layer, x[:length], rnn_params(module, "forward"))
        backward = torch.flip(layer_recurrence(layer, torch.flip(x[:length], [0]), rnn_params(module, "backward")), [0])
        outputs = torch.cat([forward, backward], dim=-1)
        last_forward, last_backward = forward[-1], backward[0]
    else:
        packed = torch.nn.utils.rnn.pack_padded_sequence(x.unsqueeze(0), torch.tensor([length]), batch_first=True)
        out, h_n = run_module(module, packed)
        outputs = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)[0][0]
        last_forward, last_backward = h_n[0, 0], h_n[1, 0]
    units = layer["units"]
    if not layer["return_sequences"]:
        return merge(layer["merge"], last_forward, last_backward)
    merged = merge(layer["merge"], outputs[:, :units], outputs[:, units:])
    # Masked steps: zeros (Keras forces zero_output_for_mask inside Bidirectional with return_sequences).
    return torch.cat([merged, torch.zeros(steps - length, merged.shape[1])]) if masked else merged


def forward_one(net, model, sequence, hand=False):
    """The model's output for one sequence (token ids, or step-major features), float64, flattened."""
    layers = model["layers"]
    if model["tokens"]:
        tokens = torch.tensor(sequence, dtype=torch.long)
        length = int((tokens != 0).sum()) if model["masked"] else len(sequence)
        if model["masked"]:
            assert all(t != 0 for t in sequence[:length]) and all(t == 0 for t in sequence[length:]), sequence
        x = getattr(net, layers[0]["name"])(tokens)
    else:
        features = layers[0]["features"]
        x = torch.tensor(sequence, dtype=torch.float64).reshape(-1, features)
        length = x.shape[0]
    for layer in layers[1:]:
        module = getattr(net, layer["name"])
        if layer["kind"] == "rnn":
            x = rnn_layer(layer, module, x, length, hand)
        else:
            x = ACTIVATIONS[layer["activation"]](module(x))
    return [float(v) for v in x.reshape(-1).tolist()]


def keras_oracle(model, weights, sequence):
    """An independent float64 NumPy model of Keras's own step loop, from the get_weights() arrays: the whole (padded)
    sequence with an explicit mask, go_backwards as a reversal of the whole sequence, masked steps keeping the state and
    repeating the previous output (zeros inside Bidirectional with return_sequences, zero_output_for_mask)."""
    arrays = iter([w.astype(np.float64) for w in weights])
    numpy_activations = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "linear": lambda v: v,
                         "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
                         "softmax": lambda v: np.exp(v - v.max(-1, keepdims=True)) /
                         np.exp(v - v.max(-1, keepdims=True)).sum(-1, keepdims=True)}

    def step(layer, x_t, state, kernel, recurrent, bias):
        """One Keras cell call (keras/src/layers/rnn/{simple_rnn,lstm,gru}.py, Keras gate order and bias rows)."""
        act = numpy_activations[layer["activation"]]
        if layer["cell"] == "simple_rnn":
            h = act(x_t @ kernel + state[0] @ recurrent + bias)
            return h, (h,)
        gate = numpy_activations[layer["recurrent_activation"]]
        u = recurrent.shape[0]
        if layer["cell"] == "lstm":  # LSTMCell.call, implementation 2: z = x W + h U + b, split i, f, c, o
            h_tm1, c_tm1 = state
            z = x_t @ kernel + h_tm1 @ recurrent + bias
            i, f, o = gate(z[:u]), gate(z[u:2 * u]), gate(z[3 * u:])
            c = f * c_tm1 + i * act(z[2 * u:3 * u])
            h = o * act(c)
            return h, (h, c)
        h_tm1 = state[0]  # GRUCell.call, reset_after: bias rows (input, recurrent), blocks z, r, h
        if layer["reset_after"]:
            x_proj, h_proj = x_t @ kernel + bias[0], h_tm1 @ recurrent + bias[1]
            z = gate(x_proj[:u] + h_proj[:u])
            r = gate(x_proj[u:2 * u] + h_proj[u:2 * u])
            hh = act(x_proj[2 * u:] + r * h_proj[2 * u:])
        else:
            x_proj = x_t @ kernel + bias
            z = gate(x_proj[:u] + h_tm1 @ recurrent[:, :u])
            r = gate(x_proj[u:2 * u] + h_tm1 @ recurrent[:, u:2 * u])
            hh = act(x_proj[2 * u:] + (r * h_tm1) @ recurrent[:, 2 * u:])
        h = z * h_tm1 + (1 - z) * hh
        return h, (h,)

    def run(layer, x, mask, kernel, recurrent, bias, go_backwards, zero_output):
        if go_backwards:
            x, mask = x[::-1], mask[::-1]
        units = recurrent.shape[0]
        state = tuple(np.zeros(units) for _ in range(2 if layer["cell"] == "lstm" else 1))
        out, outputs = np.zeros(units), []
        for t in range(len(x)):
            if mask[t]:  # a masked step keeps every state (h, and c for an LSTM) and repeats the output
                out, state = step(layer, x[t], state, kernel, recurrent, bias)
            outputs.append(out if mask[t] or not zero_output else np.zeros(units))
        return np.array(outputs), state[0]

    first = model["layers"][0]
    if model["tokens"]:
        tokens = np.array(sequence)
        x = next(arrays)[tokens]
        mask = tokens != 0 if first["mask_zero"] else np.ones(len(tokens), bool)
    else:
        x = np.array(sequence).reshape(-1, first["features"])
        mask = np.ones(len(x), bool)
    for layer in model["layers"][1:]:
        if layer["kind"] == "dense":
            x = numpy_activations[layer["activation"]](x @ next(arrays) + next(arrays))
            continue
        sequences = layer["return_sequences"]
        if layer["merge"] is None:
            outputs, last = run(layer, x, mask, next(arrays), next(arrays), next(arrays), layer["go_backwards"],
                                False)
            x = outputs if sequences else last
        else:
            fw = [next(arrays) for _ in range(3)]
            bw = [next(arrays) for _ in range(3)]
            f_out, f_last = run(layer, x, mask, *fw, False, sequences)
            b_out, b_last = run(layer, x, mask, *bw, True, sequences)
            if sequences:
                x = merge(layer["merge"], torch.from_numpy(f_out), torch.from_numpy(b_out[::-1].copy())).numpy()
            else:
                x = merge(layer["merge"], torch.from_numpy(f_last), torch.from_numpy(b_last)).numpy()
    return [float(v) for v in np.asarray(x).reshape(-1)]


def forward_all(net, model, sequences, weights):
    with torch.no_grad():
        outputs = [forward_one(net, model, s) for s in sequences]
        by_hand = [forward_one(net, model, s, hand=True) for s in sequences]
    oracle = [keras_oracle(model, weights, s) for s in sequences]
    for a, b, c in zip(outputs, by_hand, oracle):
        assert len(a) == len(b) == len(c), (model["name"], a, b, c)
        assert max(abs(x - y) for x, y in zip(a, b)) < 1e-12, (model["name"], a, b)
        assert max(abs(x - y) for x, y in zip(a, c)) < 1e-12, (model["name"], a, c)
    return outputs


# ---------------------------------------------------------------------------------------------------------------------
# Writers.
# ---------------------------------------------------------------------------------------------------------------------

def write_npz(path, arrays):
    """numpy.savez(path, *arrays) / numpy.savez(path, **arrays), with fixed zip entry times."""
    named = arrays if isinstance(arrays, dict) else {f"arr_{i}": a for i, a in enumerate(arrays)}
    with zipfile.ZipFile(path, mode="w", compression=zipfile.ZIP_STORED) as zf:
        for key, value in named.items():
            info = zipfile.ZipInfo(key + ".npy", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            with zf.open(info, "w", force_zip64=True) as fid:
                np.lib.format.write_array(fid, np.asanyarray(value), allow_pickle=False)


def keras3_groups(model, weights):
    """(group path, `name` attribute, arrays) in the order Keras 3's _save_state visits them."""
    arrays = iter(weights)
    groups = [("", "sequential", [])]
    for layer in model["layers"]:
        if layer["kind"] == "input":
            continue
        path = "layers/" + layer["container_name"]
        if layer["kind"] == "embedding":
            groups.append((path, layer["name"], [next(arrays)]))
        elif layer["kind"] == "dense":
            groups.append((path, layer["name"], [next(arrays), next(arrays)]))
        elif layer["merge"] is None:
            groups.append((path, layer["name"], []))
            groups.append((path + "/cell", CELLS[layer["cell"]]["cell_name"], [next(arrays) for _ in range(3)]))
        else:
            cell_name = CELLS[layer["cell"]]["cell_name"]
            forward = [next(arrays) for _ in range(3)]
            backward = [next(arrays) for _ in range(3)]
            groups.append((path, layer["name"], []))
            groups.append((path + "/backward_layer", "backward_" + layer["wrapped"], []))
            groups.append((path + "/backward_layer/cell", cell_name, backward))
            groups.append((path + "/forward_layer", "forward_" + layer["wrapped"], []))
            groups.append((path + "/forward_layer/cell", cell_name, forward))
    assert next(arrays, None) is None
    return groups


def write_keras3_weights(target, model, weights):
    """Keras 3 H5IOStore: `<path>/vars` groups with a `name` attribute, datasets "0", "1", ..."""
    with h5py.File(target, mode="w") as f:
        for path, name, arrays in keras3_groups(model, weights):
            group = f.create_group("vars") if not path else f.create_group(path).create_group("vars")
            group.attrs["name"] = name
            for i, value in enumerate(arrays):
                # H5IOStore.__setitem__ does `group[key] = value`; h5py makes it create_dataset(None, data=value)
                # and links it: the same, with the (default) track_times=False spelled out.
                group[str(i)] = group.create_dataset(None, data=value, track_times=False)


def keras2_variable_names(model, old_style):
    """tf.keras variable names (`weight.name`) per layer, get_weights() order."""
    names, cell_counts = {}, {}

    def cell_name(kind):
        # Keras <= 2.12: auto-named cells, unique per session; the wrapped layer of a Bidirectional made the first.
        base = CELLS[kind]["cell_name"]
        count = cell_counts.get(base, 0)
        cell_counts[base] = count + 1
        return base if count == 0 else f"{base}_{count}"

    for layer in model["layers"]:
        if layer["kind"] == "input":
            continue
        layer_weights = [w for w in model["weights"] if w["layer"] == layer["name"]]
        if layer["kind"] == "rnn" and old_style:
            kind = layer["cell"]
            if layer["merge"] is not None:
                cell_name(kind)  # the original layer's cell
                cells = {"forward": cell_name(kind), "backward": cell_name(kind)}
            else:
                cells = {"": cell_name(kind)}
            current = "/" + CELLS[kind]["cell_name"] + "/"
            names[layer["name"]] = [w["keras_path"].replace(current, f"/{cells[w['direction']]}/") + ":0"
                                    for w in layer_weights]
        else:
            names[layer["name"]] = [w["keras_path"] + ":0" for w in layer_weights]
    return names


def write_keras2_h5(path, model, weights, old_style=False, functional=False):
    """tf.keras hdf5_format.save_weights_to_hdf5_group(f, model) into h5py.File(path, "w").

    functional=True writes what a functional-API model built later in a session gives: its InputLayer is in
    model.layers (layer_names lists it, with weight_names = [] like any layer without weights, here also a Dropout),
    and every layer name carries the session's counter (embedding_3, simple_rnn_5, ...), so a reader must fall back
    from names to order.
    """
    layers = [layer for layer in model["layers"] if layer["kind"] != "input"]
    variable_names = keras2_variable_names(model, old_style)
    by_layer, arrays = {}, iter(weights)
    for layer in layers:
        by_layer[layer["name"]] = [next(arrays) for _ in variable_names[layer["name"]]]
    if functional:
        session = {layer["name"]: f"{layer['name']}_{3 + i}" for i, layer in enumerate(layers)}
        variable_names = {session[k]: [session[k] + n[len(k):] for n in v] for k, v in variable_names.items()}
        by_layer = {session[k]: v for k, v in by_layer.items()}
        renamed = [dict(layer, name=session[layer["name"]]) for layer in layers]
        layers = [{"name": "input_1"}] + renamed[:-1] + [{"name": "dropout_2"}] + renamed[-1:]
        for weightless in ("input_1", "dropout_2"):
            variable_names[weightless], by_layer[weightless] = [], []

    def strings(values):
        # h5py 3 stores a list of bytes as variable-length strings; h5py 2 (TF <= 2.4) went through numpy: 'S' fixed.
        return np.array(values) if old_style else values

    def string(value):
        return np.bytes_(value) if old_style else value

    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = strings([layer["name"].encode("utf8") for layer in layers])
        f.attrs["backend"] = string("tensorflow".encode("utf8"))
        f.attrs["keras_version"] = string(("2.4.0" if old_style else KERAS2_VERSION).encode("utf8"))
        for layer in sorted(layers, key=lambda x: x["name"]):
            g = f.create_group(layer["name"])
            names = [n.encode("utf8") for n in variable_names[layer["name"]]]
            g.attrs["weight_names"] = strings(names)
            for name, value in zip(names, by_layer[layer["name"]]):
                dataset = g.create_dataset(name, value.shape, dtype=value.dtype, track_times=False)
                dataset[:] = value
        if not old_style:
            g = f.create_group("top_level_model_weights")
            g.attrs["weight_names"] = []


def keras3_config(model, overrides=None):
    """serialize_keras_object(model) of the Keras 3 (v3.15.1) Sequential. Sources (keras/src/ at v3.15.1):
    models/sequential.py get_config l.354; layers/layer.py get_config l.1744, get_build_config l.454;
    layers/core/input_layer.py get_config l.134; layers/core/embedding.py get_config l.342;
    layers/core/dense.py get_config l.367; layers/rnn/rnn.py get_config l.413; layers/rnn/simple_rnn.py get_config
    l.479, lstm.py l.651, gru.py l.669 (the cell config dropped); layers/rnn/bidirectional.py get_config l.521;
    initializers/*.py get_config;
    saving/serialization_lib.py serialize_keras_object l.157, serialize_with_public_class l.328 (module and class
    from the first keras_export name), get_build_and_compile_config l.316, record_object_after_serialization l.123;
    trainers/trainer.py get_compile_config l.981 ({} when not compiled)."""
    overrides = overrides or {}
    ids = iter(range(140213375074304, 1 << 62, 4816))  # stand-ins for id() of the shared objects
    shared_policy_id = next(ids)

    def shared_policy():
        return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                "registered_name": None, "shared_object_id": shared_policy_id}

    def own_policy():
        return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                "registered_name": None}

    def initializer(class_name, config, shared):
        result = {"module": "keras.initializers", "class_name": class_name, "config": config, "registered_name": None}
        if shared:
            result["shared_object_id"] = next(ids)
        return result

    def wrap(class_name, config, build_shape):
        result = {"module": "keras.layers", "class_name": class_name, "config": config, "registered_name": None}
        if build_shape is not None:
            result["build_config"] = {"input_shape": build_shape}
        return result

    def rnn_config(layer, name, policy, go_backwards, zero_output_for_mask):
        # RNN.get_config (name, trainable, dtype, then the RNN keys), then SimpleRNN / LSTM / GRU get_config.
        kind = layer["cell"]
        config = {
            "name": name, "trainable": True, "dtype": policy,
            "return_sequences": layer["return_sequences"], "return_state": False, "go_backwards": go_backwards,
            "stateful": False, "unroll": False, "zero_output_for_mask": zero_output_for_mask,
            "units": layer["units"], "activation": layer["activation"]}
        if kind != "simple_rnn":
            config["recurrent_activation"] = layer["recurrent_activation"]
        config.update({
            "use_bias": True,
            "kernel_initializer": initializer("GlorotUniform", {"seed": None}, True),
            "recurrent_initializer": initializer("Orthogonal", {"seed": None, "gain": 1.0}, True),
            "bias_initializer": initializer("Zeros", {}, True)})
        if kind == "lstm":
            config["unit_forget_bias"] = layer["unit_forget_bias"]
        config.update({
            "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None,
            "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0})
        if kind == "gru":
            config["reset_after"] = layer["reset_after"]
        if kind != "simple_rnn":
            config["seed"] = None
        return config

    first = model["layers"][0]
    batch_shape = [None, None] if first["kind"] == "embedding" else [None, first["steps"], first["features"]]
    configs = [{"module": "keras.layers", "class_name": "InputLayer", "config": {
        "batch_shape": batch_shape, "dtype": "int32" if first["kind"] == "embedding" else "float32",
        "sparse": False, "ragged": False, "name": "input_layer", "optional": False}, "registered_name": None}]
    for layer in model["layers"]:
        layer = {**layer, **overrides.get(layer["name"], {})}
        build_shape = [None] + layer.get("in_shape", [])
        if layer["kind"] == "embedding":
            configs.append(wrap("Embedding", {
                "name": layer["name"], "trainable": True, "dtype": shared_policy(),
                "input_dim": layer["input_dim"], "output_dim": layer["output_dim"],
                "embeddings_initializer": initializer("RandomUniform",
                                                      {"seed": None, "minval": -0.05, "maxval": 0.05}, False),
                "embeddings_regularizer": None, "activity_regularizer": None, "embeddings_constraint": None,
                "mask_zero": layer["mask_zero"], "quantization_config": None}, build_shape))
        elif layer["kind"] == "rnn" and layer["merge"] is None:
            configs.append(wrap(CELLS[layer["cell"]]["class_name"], rnn_config(
                layer, layer["name"], shared_policy(), layer["go_backwards"], False), build_shape))
        elif layer["kind"] == "rnn":
            sequences, class_name = layer["return_sequences"], CELLS[layer["cell"]]["class_name"]
            configs.append(wrap("Bidirectional", {
                "name": layer["name"], "trainable": True, "dtype": shared_policy(), "merge_mode": layer["merge"],
                "layer": wrap(class_name, rnn_config(layer, "forward_" + layer["wrapped"], own_policy(), False,
                                                     sequences), build_shape),
                "backward_layer": wrap(class_name, rnn_config(layer, "backward_" + layer["wrapped"], own_policy(),
                                                              True, sequences), build_shape)}, build_shape))
        elif layer["kind"] == "dense":
            configs.append(wrap("Dense", {
                "name": layer["name"], "trainable": True, "dtype": shared_policy(), "units": layer["units"],
                "activation": layer["activation"], "use_bias": True,
                "kernel_initializer": initializer("GlorotUniform", {"seed": None}, False),
                "bias_initializer": initializer("Zeros", {}, False),
                "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None,
                "bias_constraint": None, "quantization_config": None}, build_shape))
    return {"module": "keras", "class_name": "Sequential",
            "config": {"name": "sequential", "trainable": True, "dtype": shared_policy(), "layers": configs,
                       "build_input_shape": batch_shape},
            "registered_name": None, "build_config": {"input_shape": batch_shape}, "compile_config": {}}


def write_keras_archive(path, model, weights, config=None):
    """Keras 3 saving_lib._save_model_to_fileobj: metadata.json, config.json, model.weights.h5 (ZIP_STORED)."""
    config_json = json.dumps(config if config is not None else keras3_config(model))
    metadata_json = json.dumps({"keras_version": KERAS3_VERSION, "date_saved": KERAS3_DATE_SAVED})
    weights_file = io.BytesIO()
    write_keras3_weights(weights_file, model, weights)
    with open(path, "wb") as fileobj, zipfile.ZipFile(fileobj, "w") as zf:
        for name, data in (("metadata.json", metadata_json.encode()), ("config.json", config_json.encode())):
            with zf.open(zipfile.ZipInfo(name, date_time=ZIP_TIME), "w") as f:
                f.write(data)
        zf.writestr(zipfile.ZipInfo("model.weights.h5", date_time=ZIP_TIME), weights_file.getvalue())


SAFETENSORS_DTYPES = {"F64": ("<f8", 8), "F32": ("<f4", 4), "F16": ("<f2", 2), "BF16": ("<u2", 2)}
DTYPE_ORDER = ["F16", "BF16", "F32", "F64"]  # increasing alignment, as safetensors' Dtype enum


def to_safetensors_bytes(array, dtype):
    array = np.ascontiguousarray(array, dtype=np.float32)
    if dtype == "BF16":
        bits = array.view(np.uint32)
        assert not (bits & 0xFFFF).any(), "value not exact in bfloat16"
        return (bits >> 16).astype("<u2").tobytes()
    converted = array.astype(SAFETENSORS_DTYPES[dtype][0])
    assert np.array_equal(converted.astype(np.float32), array), f"value not exact in {dtype}"
    return converted.tobytes()


def write_safetensors(path, tensors, dtype="F32", metadata=None):
    """safetensors serialize: header length (u64 LE), compact JSON padded with spaces to 8 bytes, data."""
    entries = sorted(((name, dtype) for name in tensors), key=lambda e: (-DTYPE_ORDER.index(e[1]), e[0]))
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, kind in entries:
        blob = to_safetensors_bytes(tensors[name], kind)
        header[name] = {"dtype": kind, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    """{name: float64 numpy array} and the metadata of a safetensors file (F32, F16, BF16, F64)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: {len(data)} bytes, shorter than the header length")
    (length,) = struct.unpack("<Q", data[:8])
    if 8 + length > len(data):
        raise ValueError(f"{path}: header of {length} bytes runs past the end ({len(data)} bytes)")
    header = json.loads(data[8:8 + length].decode("utf-8"))
    body = data[8 + length:]
    metadata = header.pop("__metadata__", None)
    tensors, end = {}, 0
    for name, info in header.items():
        kind = info["dtype"]
        if kind not in SAFETENSORS_DTYPES:
            raise ValueError(f"{path}: {name} has dtype {kind}")
        begin, stop = info["data_offsets"]
        numpy_dtype, size = SAFETENSORS_DTYPES[kind]
        count = int(np.prod(info["shape"], dtype=np.int64))
        if stop - begin != count * size or stop > len(body):
            raise ValueError(f"{path}: {name} offsets {begin}..{stop} do not hold {info['shape']} {kind}")
        raw = np.frombuffer(body[begin:stop], dtype=numpy_dtype)
        if kind == "BF16":
            raw = (raw.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = raw.astype(np.float64).reshape(info["shape"])
        end = max(end, stop)
    if end != len(body):
        raise ValueError(f"{path}: {len(body) - end} bytes after the last tensor")
    return tensors, metadata


# ---------------------------------------------------------------------------------------------------------------------
# The reference set.
# ---------------------------------------------------------------------------------------------------------------------

def build_models():
    models = {}
    for index, (name, layers) in enumerate(MODELS.items()):
        model = resolve(name, layers)
        net = make_net(model, SEED + index, coarse=name in COARSE)
        state = float32_state(net)
        weights = keras_weights(model, state)
        if model["tokens"]:
            sequences = TOKENS[name]
        else:
            rng = np.random.default_rng(SEED + 100 + index)
            first = model["layers"][0]
            sequences = [[float(v) for v in draw(rng, (first["steps"] * first["features"],), -1.0, 1.0)]
                         for _ in range(FEATURE_SEQUENCES[name])]
        models[name] = {"model": model, "net": net, "state": state, "weights": weights, "sequences": sequences,
                        "outputs": forward_all(net, model, sequences, weights)}
    return models


def write_all():
    os.makedirs(OUT, exist_ok=True)
    for stale in os.listdir(OUT):
        if os.path.isfile(os.path.join(OUT, stale)):  # exported/ holds the C# side's exports: not this script's
            os.remove(os.path.join(OUT, stale))
    models = build_models()
    files = []

    def record(file, model, kind, expect="parameters", **extra):
        files.append({"file": file, "model": model, "format": kind, "expect": expect, **extra})

    for name, m in models.items():
        model, weights, state = m["model"], m["weights"], m["state"]
        write_npz(os.path.join(OUT, f"{name}.npz"), weights)
        record(f"{name}.npz", name, "npz", note="np.savez(path, *get_weights()), arr_0.., <f4")
        write_keras3_weights(os.path.join(OUT, f"{name}.weights.h5"), model, weights)
        record(f"{name}.weights.h5", name, "keras3-weights-h5")
        write_keras2_h5(os.path.join(OUT, f"{name}.h5"), model, weights)
        record(f"{name}.h5", name, "keras2-h5")
        write_keras_archive(os.path.join(OUT, f"{name}.keras"), model, weights)
        record(f"{name}.keras", name, "keras3-archive")
        write_safetensors(os.path.join(OUT, f"{name}.safetensors"), state, metadata={"format": "pt"})
        record(f"{name}.safetensors", name, "safetensors", prefixes=None, note="F32, bias_hh non-zero")

    # --- Variants ---------------------------------------------------------------------------------------------------
    text, stack, bidi_sum, bidi_mul = (models[n] for n in ("WText", "WMaskedStack", "WBidiSum", "WBidiMul"))
    write_npz(os.path.join(OUT, "WBidiSum.f8.npz"), [w.astype("<f8") for w in bidi_sum["weights"]])
    record("WBidiSum.f8.npz", "WBidiSum", "npz", note="arr_0.. stored as <f8 (float32 values)")
    for m in (text, stack):
        name = m["model"]["name"]
        write_npz(os.path.join(OUT, f"{name}.named.npz"),
                  {w["keras_path"]: a for w, a in zip(m["model"]["weights"], m["weights"])})
        record(f"{name}.named.npz", name, "npz", note="np.savez(path, **{keras_path: array}): entries "
               "'<keras path>.npy', e.g. 'embedding/embeddings.npy', in get_weights() order")
    for dtype in ("F16", "BF16", "F64"):
        file = f"WBidiMul.{dtype.lower()}.safetensors"
        write_safetensors(os.path.join(OUT, file), bidi_mul["state"], dtype=dtype)
        record(file, "WBidiMul", "safetensors", prefixes=None,
               note=f"every tensor {dtype}, no __metadata__; values multiples of 2^-7, exact in every dtype")
    prefixes = {"embedding": "emb", "simple_rnn": "rnn", "dense": "fc"}
    renamed = {prefixes[k.split(".")[0]] + "." + k.split(".", 1)[1]: v for k, v in text["state"].items()}
    write_safetensors(os.path.join(OUT, "WText.prefixed.safetensors"), renamed, metadata={"format": "pt"})
    record("WText.prefixed.safetensors", "WText", "safetensors", prefixes=["emb", "rnn", "fc"],
           note="module prefixes emb, rnn, fc instead of embedding, simple_rnn, dense")
    write_keras2_h5(os.path.join(OUT, "WText.functional.h5"), text["model"], text["weights"], functional=True)
    record("WText.functional.h5", "WText", "keras2-h5",
           note="a functional tf.keras model late in a session: input_1 and dropout_2 in layer_names with empty "
                "weight_names (float64 arrays), layers named embedding_3, simple_rnn_4, dense_5: matched by order")
    write_keras2_h5(os.path.join(OUT, "WMaskedStack.keras2_old.h5"), stack["model"], stack["weights"], old_style=True)
    record("WMaskedStack.keras2_old.h5", "WMaskedStack", "keras2-h5",
           note="as TF 2.4 / h5py 2.10 wrote it: fixed-length byte-string attributes, no top_level_model_weights, "
                "auto-named cells (simple_rnn_cell_1, _2, _3)")

    # .keras archives whose config.json describes another architecture than the class.
    wrong_activation = keras3_config(text["model"], {"simple_rnn": {"activation": "relu"}})
    write_keras_archive(os.path.join(OUT, "WText.wrong_activation.keras"), text["model"], text["weights"],
                        wrong_activation)
    record("WText.wrong_activation.keras", "WText", "keras3-archive", expect="error", layer="simple_rnn",
           differs={"activation": {"file": "relu", "model": "tanh"}},
           note="weights identical to WText.keras; only config.json differs")
    wider_layers = [embedding(20, 4), simple_rnn(6, "relu"), dense(3, "softmax")]
    wider = resolve("WText", wider_layers)
    wider_weights = keras_weights(wider, float32_state(make_net(wider, SEED + 50)))
    write_keras_archive(os.path.join(OUT, "WText.wrong_units.keras"), wider, wider_weights)
    record("WText.wrong_units.keras", "WText", "keras3-archive", expect="error", layer="simple_rnn",
           differs={"units": {"file": 6, "model": 5}, "activation": {"file": "relu", "model": "tanh"}},
           note="a consistent Keras model with SimpleRNN(6, relu): config and weight shapes both differ")
    unmasked = keras3_config(bidi_sum["model"], {"embedding": {"mask_zero": False}})
    write_keras_archive(os.path.join(OUT, "WBidiSum.wrong_mask_zero.keras"), bidi_sum["model"], bidi_sum["weights"],
                        unmasked)
    record("WBidiSum.wrong_mask_zero.keras", "WBidiSum", "keras3-archive", expect="error", layer="embedding",
           differs={"mask_zero": {"file": False, "model": True}},
           note="weights identical to WBidiSum.keras; only config.json differs")

    reference = {
        "generator": "tests/RnnDsl.Tests/Reference/make_weight_files.py",
        "torch_version": torch.__version__, "numpy_version": np.__version__, "h5py_version": h5py.__version__,
        "tolerance": 1e-5,
        "models": [],
        "files": files,
    }
    for name, m in models.items():
        model = m["model"]
        first = model["layers"][0]
        entry = {
            "name": name,
            "declaration": DECLARATIONS[name],
            "input": "tokens" if model["tokens"] else "features",
            "features": None if model["tokens"] else first["features"],
            "steps": None if model["tokens"] else first["steps"],
            "output_width": model["output_width"],
            "output_is_sequence": model["output_is_sequence"],
            "layers": [layer["name"] for layer in model["layers"] if layer["kind"] != "input"],
            "parameter_count": sum(int(w.size) for w in m["weights"]),
            "weights": [{**{k: w[k] for k in ("keras_path", "torch_name", "shape", "offset")}, **gate_layout(w)}
                        for w in model["weights"]],
            "parameters": [float(v) for w in m["weights"] for v in w.reshape(-1).tolist()],
            "sequences": m["sequences"],
            "outputs": m["outputs"],
        }
        reference["models"].append(entry)
    with open(os.path.join(OUT, "weights_reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")

    # Read back what was written, as the C# side will.
    failures = self_check(models)
    if failures:
        sys.exit("self-check failed:\n" + "\n".join(failures))
    for file in sorted(f for f in os.listdir(OUT) if os.path.isfile(os.path.join(OUT, f))):
        path = os.path.join(OUT, file)
        print(f"{os.path.getsize(path):8d}  {hashlib.sha256(open(path, 'rb').read()).hexdigest()[:16]}  {file}")
    print(f"wrote {len(os.listdir(OUT))} files to {OUT} with PyTorch {torch.__version__}, NumPy {np.__version__}, "
          f"h5py {h5py.__version__}")


def gate_layout(weight):
    """For an LSTM / GRU array: the gate blocks' order in Keras and in PyTorch, and how the torch biases make it."""
    cell = weight.get("cell")
    if cell not in ("lstm", "gru"):
        return {}
    layout = {"keras_gates": CELLS[cell]["keras_gates"], "torch_gates": CELLS[cell]["torch_gates"]}
    if weight["name"] == "bias":
        hh = weight["torch_name"].replace(".bias_ih_", ".bias_hh_")
        layout["torch_bias"] = (f"{weight['torch_name']} + {hh}" if cell == "lstm"
                                else f"row 0 = {weight['torch_name']}, row 1 = {hh}")
    return layout


def read_keras3_weights(f, model):
    """get_weights() from a Keras 3 weights file: each layer's vars, the Bidirectional's forward cell first."""
    arrays = []

    def take(path, count):
        group = f[path + "/vars"]
        if len(group) != count:
            raise ValueError(f"{path}/vars holds {list(group)}, expected {count} arrays")
        arrays.extend(group[str(i)][()] for i in range(count))

    for layer in model["layers"]:
        path = "layers/" + layer.get("container_name", "")
        if layer["kind"] == "embedding":
            take(path, 1)
        elif layer["kind"] == "dense":
            take(path, 2)
        elif layer["kind"] == "rnn" and layer["merge"] is None:
            take(path + "/cell", 3)
        elif layer["kind"] == "rnn":
            take(path + "/forward_layer/cell", 3)
            take(path + "/backward_layer/cell", 3)
    return arrays


def self_check(models):
    """Reads every written file back with numpy / h5py / the safetensors reader and compares with the reference."""
    failures = []
    for name, m in models.items():
        model, weights = m["model"], m["weights"]

        def same(label, arrays):
            if len(arrays) != len(weights) or any(
                    a.shape != w.shape or not np.array_equal(a.astype(np.float32), w) for a, w in zip(arrays, weights)):
                failures.append(f"{name}: {label} does not hold the reference weights")

        with np.load(os.path.join(OUT, f"{name}.npz"), allow_pickle=False) as npz:
            same("npz", [npz[f"arr_{i}"] for i in range(len(npz.files))])
        with h5py.File(os.path.join(OUT, f"{name}.weights.h5"), "r") as f:
            same(".weights.h5", read_keras3_weights(f, model))
        with h5py.File(os.path.join(OUT, f"{name}.h5"), "r") as f:
            arrays = []
            for layer_name in f.attrs["layer_names"]:
                layer_name = layer_name.decode() if isinstance(layer_name, bytes) else layer_name
                group = f[layer_name]
                for weight_name in group.attrs["weight_names"]:
                    arrays.append(group[weight_name][()])
            same(".h5", arrays)
        with zipfile.ZipFile(os.path.join(OUT, f"{name}.keras")) as zf:
            if zf.namelist() != ["metadata.json", "config.json", "model.weights.h5"]:
                failures.append(f"{name}: .keras entries {zf.namelist()}")
            json.loads(zf.read("config.json"))
            with h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
                same(".keras", read_keras3_weights(f, model))
        tensors, _ = read_safetensors(os.path.join(OUT, f"{name}.safetensors"))
        failures += check_state_dict(name, m, tensors, f"{name}.safetensors", require_zero_bias_hh=False,
                                     expected={k: v.astype(np.float64) for k, v in m["state"].items()})
    for dtype in ("f16", "bf16", "f64"):
        tensors, _ = read_safetensors(os.path.join(OUT, f"WBidiMul.{dtype}.safetensors"))
        failures += check_state_dict("WBidiMul", models["WBidiMul"], tensors, dtype, require_zero_bias_hh=False,
                                     expected={k: v.astype(np.float64) for k, v in models["WBidiMul"]["state"].items()})
    tensors, _ = read_safetensors(os.path.join(OUT, "WText.prefixed.safetensors"))
    prefixes = {"emb": "embedding", "rnn": "simple_rnn", "fc": "dense"}
    tensors = {prefixes[k.split(".")[0]] + "." + k.split(".", 1)[1]: v for k, v in tensors.items()}
    failures += check_state_dict("WText", models["WText"], tensors, "prefixed", require_zero_bias_hh=False,
                                 expected={k: v.astype(np.float64) for k, v in models["WText"]["state"].items()})
    return failures


def export_state(m):
    """The state_dict the C# export must write: Keras arrays transposed (gate blocks in torch order: GRU z,r,h ->
    r,z,n), the whole SimpleRNN / LSTM bias in bias_ih and zeros in bias_hh; a GRU's two bias rows in bias_ih and bias_hh."""
    state = {}
    for weight, array in zip(m["model"]["weights"], m["weights"]):
        key, cell = weight["torch_name"], weight.get("cell")
        units = weight.get("units")
        if weight["name"] in ("kernel", "recurrent_kernel") and cell in ("lstm", "gru"):
            state[key] = torch_to_keras_blocks(array.T, cell, units).astype(np.float64)
        elif weight["name"] in ("kernel", "recurrent_kernel"):
            state[key] = array.T.astype(np.float64)
        elif ".bias_ih_" in key and cell == "gru":
            state[key] = torch_to_keras_blocks(array[0], cell, units).astype(np.float64)
            state[key.replace(".bias_ih_", ".bias_hh_")] = torch_to_keras_blocks(array[1], cell, units).astype(
                np.float64)
        elif ".bias_ih_" in key:
            state[key] = array.astype(np.float64)
            state[key.replace(".bias_ih_", ".bias_hh_")] = np.zeros_like(array, dtype=np.float64)
        else:
            state[key] = array.astype(np.float64)
    return state


def check_state_dict(name, m, tensors, label, require_zero_bias_hh, expected=None):
    """Loads tensors into the model's torch module (strict) and compares its outputs with the reference."""
    failures = []
    net = Net(m["model"]).double()
    try:
        net.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=True)
    except RuntimeError as error:
        return [f"{name}: {label}: load_state_dict(strict=True) failed: {error}"]
    if require_zero_bias_hh:
        gru_layers = {layer["name"] for layer in m["model"]["layers"] if layer.get("cell") == "gru"}
        for key, value in tensors.items():
            # A GRU's bias_hh is the Keras bias's second row: not a part to fold away.
            if ".bias_hh_" in key and key.split(".")[0] not in gru_layers and np.any(value != 0):
                failures.append(f"{name}: {label}: {key} is not all zeros (the export puts the whole bias in bias_ih)")
    if expected is not None:
        for key, want in expected.items():
            if key in tensors and (tensors[key].shape != want.shape or not np.array_equal(tensors[key], want)):
                failures.append(f"{name}: {label}: {key} differs from the reference values")
    with torch.no_grad():
        outputs = [forward_one(net, m["model"], s) for s in m["sequences"]]
    worst = max(abs(a - b) for got, want in zip(outputs, m["outputs"]) for a, b in zip(got, want))
    if any(len(got) != len(want) for got, want in zip(outputs, m["outputs"])) or worst > 1e-5:
        failures.append(f"{name}: {label}: outputs differ from the reference by {worst:.3g}")
    return failures


def check_exports(directory, only=None):
    models = build_models()
    unknown = sorted(set(only or []) - set(models))
    if unknown:
        sys.exit(f"unknown models {unknown}; the models are {list(models)}")
    failures, passed, failed = [], 0, 0
    for name, m in models.items():
        if only and name not in only:
            continue
        path = os.path.join(directory, f"{name}.safetensors")
        if not os.path.exists(path):
            failures.append(f"{name}: missing {path}")
            failed += 1
        else:
            try:
                tensors, _ = read_safetensors(path)
                problems = check_state_dict(name, m, tensors, f"{name}.safetensors", require_zero_bias_hh=True,
                                            expected=export_state(m))
            except (ValueError, KeyError, json.JSONDecodeError) as error:
                problems = [f"{name}: {path}: {error}"]
            failures += problems
            passed += not problems
            failed += bool(problems)
            print(("FAIL " if problems else "pass ") + f"{name}.safetensors: load_state_dict(strict=True), values, "
                  "outputs")
        path = os.path.join(directory, f"{name}.npz")
        if not os.path.exists(path):
            failures.append(f"{name}: missing {path}")
            failed += 1
            continue
        problems = []
        try:
            with np.load(path, allow_pickle=False) as npz:
                expected = [f"arr_{i}" for i in range(len(m["weights"]))]
                if sorted(npz.files) != sorted(expected):
                    problems.append(f"{name}: {path} holds {npz.files}, expected {expected}")
                else:
                    for key, want in zip(expected, m["weights"]):
                        got = npz[key]
                        if got.dtype != np.dtype("<f4") or got.shape != want.shape or not np.array_equal(got, want):
                            problems.append(f"{name}: {path} {key}: {got.dtype} {got.shape}, expected <f4 "
                                            f"{want.shape} equal to the reference")
            with zipfile.ZipFile(path) as zf:
                for entry in zf.namelist():
                    with zf.open(entry) as f:
                        version = np.lib.format.read_magic(f)
                        _, fortran, _ = np.lib.format._read_array_header(f, version)
                        if fortran:
                            problems.append(f"{name}: {path} {entry} is in Fortran order")
        except Exception as error:  # noqa: BLE001 - any unreadable file is a failure to report
            problems.append(f"{name}: {path}: {error}")
        failures += problems
        passed += not problems
        failed += bool(problems)
        print(("FAIL " if problems else "pass ") + f"{name}.npz: numpy.load, arrays equal the reference")
    for failure in failures:
        print("  " + failure)
    print(f"{passed} passed, {failed} failed")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check-exports", metavar="DIR",
                        help="check DIR/<Model>.safetensors and DIR/<Model>.npz exported by the C# side")
    parser.add_argument("--models", nargs="+", metavar="MODEL",
                        help="with --check-exports: check only these models (default: all)")
    args = parser.parse_args()
    if args.models and not args.check_exports:
        parser.error("--models goes with --check-exports")
    if args.check_exports:
        sys.exit(check_exports(args.check_exports, args.models))
    write_all()


if __name__ == "__main__":
    main()
