"""PyTorch's view of a NetGen network: same weights, same batch; prints nothing, writes loss and gradients.

Called by PyTorchParityTests with one argument, a folder holding spec.json, parameters.f32, inputs.f32 and
targets.f32 (float targets) or labels.i32; writes result.f64 = [loss, gradient...] in NetGen's flat layout.
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
params = torch.tensor(np.fromfile(os.path.join(folder, "parameters.f32"), dtype="<f4").astype(np.float64))
inputs = torch.tensor(np.fromfile(os.path.join(folder, "inputs.f32"), dtype="<f4").astype(np.float64))
batch = spec["batch"]
x = inputs.reshape([batch] + spec["input"])

# Parameters as leaf tensors in NetGen's order: each layer's weight (PyTorch's shape) then its bias.
leaves, offset = [], 0
def take(shape):
    global offset
    n = int(np.prod(shape))
    t = params[offset:offset + n].reshape(shape).clone().requires_grad_(True)
    leaves.append(t)
    offset += n
    return t

acts = {
    "Identity": lambda v, a: v, "Sigmoid": lambda v, a: torch.sigmoid(v), "Tanh": lambda v, a: torch.tanh(v),
    "ReLU": lambda v, a: F.relu(v), "LeakyReLU": lambda v, a: F.leaky_relu(v, a), "ELU": lambda v, a: F.elu(v, a),
    "Softmax": lambda v, a: v,  # applied by the loss below (logits)
}
last_activation = "Identity"
loss_kind = spec["loss"]
for index, layer in enumerate(spec["layers"]):
    kind = layer["kind"]
    if index == len(spec["layers"]) - 1 and loss_kind in ("CrossEntropy", "BinaryCrossEntropy"):
        layer = dict(layer, activation="Identity")  # the loss takes logits, as NetGen's fused kernels do
    if kind == "Dense":
        x = x.flatten(1)
        w = take([layer["units"], x.shape[1]])
        b = take([layer["units"]]) if layer["bias"] else None
        x = acts[layer["activation"]](F.linear(x, w, b), layer["alpha"])
        last_activation = spec["layers"][index]["activation"]
    elif kind in ("GaussianNoise", "MaskingNoise"):
        # The draws NetGen makes for this step, replayed from a file: added (Gaussian) or multiplied (mask).
        noise = torch.tensor(np.fromfile(os.path.join(folder, layer["file"]), dtype="<f4").astype(np.float64)).reshape(x.shape)
        x = x + noise if kind == "GaussianNoise" else x * noise
        last_activation = "Identity"
    elif kind == "LowRankDense":
        # Sequential(Linear(in, rank, bias=False), Linear(rank, units)): V [rank, in], then U [units, rank], then b.
        x = x.flatten(1)
        v = take([layer["rank"], x.shape[1]])
        u = take([layer["units"], layer["rank"]])
        b = take([layer["units"]]) if layer["bias"] else None
        x = acts[layer["activation"]](F.linear(F.linear(x, v), u, b), layer["alpha"])
        last_activation = spec["layers"][index]["activation"]
    elif kind == "Conv2D":
        w = take([layer["filters"], x.shape[1], layer["kh"], layer["kw"]])
        b = take([layer["filters"]]) if layer["bias"] else None
        x = acts[layer["activation"]](F.conv2d(x, w, b, stride=layer["stride"], padding=(layer["ph"], layer["pw"])), layer["alpha"])
        last_activation = layer["activation"]
    elif kind == "MaxPool2D":
        x = F.max_pool2d(x, layer["size"], layer["stride"])
        last_activation = "Identity"
    elif kind == "AvgPool2D":
        x = F.avg_pool2d(x, layer["size"], layer["stride"])
        last_activation = "Identity"
    elif kind == "Flatten":
        x = x.flatten(1)
assert offset == len(params), f"layout: used {offset} of {len(params)} parameters"

if "labels" in spec:
    labels = torch.tensor(np.fromfile(os.path.join(folder, "labels.i32"), dtype="<i4").astype(np.int64))
    targets = F.one_hot(labels, x.shape[1]).double() if x.shape[1] > 1 else labels.double().reshape(-1, 1)
else:
    targets = torch.tensor(np.fromfile(os.path.join(folder, "targets.f32"), dtype="<f4").astype(np.float64)).reshape(x.shape)

if loss_kind == "CrossEntropy":
    loss = F.cross_entropy(x, targets)  # probabilities as targets; mean over the batch
elif loss_kind == "BinaryCrossEntropy":
    loss = F.binary_cross_entropy_with_logits(x, targets, reduction="sum") / batch
else:
    y = torch.softmax(x, 1) if last_activation == "Softmax" else x
    loss = 0.5 * ((y - targets) ** 2).sum() / batch
loss.backward()
result = np.concatenate([[loss.item()]] + [t.grad.flatten().numpy() for t in leaves])
result.astype("<f8").tofile(os.path.join(folder, "result.f64"))
