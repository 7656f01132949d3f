"""PyTorch's view of a declared NetGen sequence network: the same flat weights copied into torch modules, the same batch.

Called by SequenceParityTests with one argument, a folder holding spec.json, parameters.f32, inputs.f32 (token ids as
whole floats when the first layer is an Embedding) and targets.f32 (one row per output row: per step for a sequence
output). Builds nn.Embedding, nn.RNN / nn.LSTM(batch_first=True) and nn.Linear in float64, copies the parameters in
by NetGen's layout (Embedding W[V, D]; W_ih, W_hh, b_ih, b_hh; Linear W[out, in] then b), and writes result.f64:
  the inference outputs (softmax / sigmoid applied), the loss, the gradient of every parameter in the flat layout,
  then for each optimizer in spec["optimizers"], started afresh from the same weights: the loss after its first step
  and the parameters after its second.
"""
import json
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
folder = sys.argv[1]
spec = json.load(open(os.path.join(folder, "spec.json")))
read = lambda name: np.fromfile(os.path.join(folder, name), dtype="<f4").astype(np.float64)
flat = torch.tensor(read("parameters.f32"))
batch, steps, features = spec["batch"], spec["steps"], spec["features"]
raw = torch.tensor(read("inputs.f32"))
x0 = raw.reshape(batch, steps).long() if features == 0 else raw.reshape(batch, steps, features)
targets = torch.tensor(read("targets.f32"))
loss_kind = spec["loss"]
acts = {
    "Identity": lambda v, a: v, "Sigmoid": lambda v, a: torch.sigmoid(v), "Tanh": lambda v, a: torch.tanh(v),
    "ReLU": lambda v, a: F.relu(v), "LeakyReLU": lambda v, a: F.leaky_relu(v, a), "ELU": lambda v, a: F.elu(v, a),
    "Softmax": lambda v, a: torch.softmax(v, -1),
}


def build():
    """The torch modules, their parameters in NetGen's flat order, with the flat weights copied in."""
    modules, ordered, offset, width = [], [], 0, features
    for layer in spec["layers"]:
        kind = layer["kind"]
        if kind == "Embedding":
            m = torch.nn.Embedding(layer["vocabulary"], layer["dimension"]).double()
            tensors = [m.weight]
            width = layer["dimension"]
        elif kind in ("RNN", "LSTM"):
            if kind == "LSTM":
                m = torch.nn.LSTM(width, layer["units"], batch_first=True).double()
            else:
                m = torch.nn.RNN(width, layer["units"], batch_first=True, nonlinearity=layer["activation"].lower()).double()
            tensors = [m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0]
            width = layer["units"]
        else:
            m = torch.nn.Linear(width, layer["units"], bias=layer["bias"]).double()
            tensors = [m.weight] + ([m.bias] if layer["bias"] else [])
            width = layer["units"]
        with torch.no_grad():
            for t in tensors:
                t.copy_(flat[offset:offset + t.numel()].view(t.shape))
                offset += t.numel()
        modules.append(m)
        ordered.extend(tensors)
    assert offset == len(flat), f"layout: used {offset} of {len(flat)} parameters"
    return modules, ordered


def forward(modules, logits):
    """The network's output; with logits, the last layer's activation is left to the loss (CE and BCE take logits)."""
    x = x0
    layers = spec["layers"]
    for index, (layer, m) in enumerate(zip(layers, modules)):
        kind = layer["kind"]
        if kind == "Embedding":
            x = m(x)
        elif kind in ("RNN", "LSTM"):
            out, _ = m(x)
            x = out if layer["sequences"] else out[:, -1, :]
        else:
            x = m(x)  # over the last axis: at every step of a sequence (time-distributed)
            last = index == len(layers) - 1
            if not (last and logits and loss_kind != "MeanSquaredError"):
                x = acts[layer["activation"]](x, layer["alpha"])
    return x


def loss_of(modules):
    y = forward(modules, logits=True)
    rows = y.reshape(-1, y.shape[-1])
    t = targets.reshape(rows.shape)
    if loss_kind == "CrossEntropy":
        return F.cross_entropy(rows, t)  # probability targets; mean over batch × steps rows
    if loss_kind == "BinaryCrossEntropy":
        return F.binary_cross_entropy_with_logits(rows, t, reduction="sum") / rows.shape[0]
    return 0.5 * ((rows - t) ** 2).sum() / rows.shape[0]


modules, ordered = build()
with torch.no_grad():
    outputs = forward(modules, logits=False).reshape(-1).numpy()
loss = loss_of(modules)
loss.backward()
result = [outputs, [loss.item()]] + [t.grad.reshape(-1).numpy() for t in ordered]

for opt in spec["optimizers"]:
    modules, ordered = build()
    if opt["kind"] == "Adam":
        optimizer = torch.optim.Adam(ordered, lr=opt["lr"])
    else:
        optimizer = torch.optim.SGD(ordered, lr=opt["lr"], momentum=opt["momentum"])
    losses = []
    for step in range(2):
        optimizer.zero_grad()
        current = loss_of(modules)
        losses.append(current.item())
        current.backward()
        optimizer.step()
    result += [[losses[1]]] + [t.detach().reshape(-1).numpy() for t in ordered]

np.concatenate([np.asarray(r, dtype=np.float64) for r in result]).astype("<f8").tofile(os.path.join(folder, "result.f64"))
