"""PyTorch's nn.LSTM or nn.RNN (batch_first=True) on the weights and inputs a recurrent kernel test wrote (float64, CPU).

Usage: torch_recurrent.py FOLDER. Reads spec.json (kind: lstm, rnn_tanh or rnn_relu; batch, steps, inputs, hidden,
sequences), x.f32, parameters.f32 (W_ih,
W_hh, b_ih, b_hh flat), weights.f32 (loss = sum(weights * output)) and, when present, state.f32: the initial state
(LSTM: h0 of every row then c0 of every row; RNN: h0). Writes result.f64: the output, then the gradients of the
parameters in the same flat layout, then the gradient of x, then (with a state) the final state in the same layout.
"""
import json
import os
import sys

import numpy as np
import torch

folder = sys.argv[1]
spec = json.load(open(os.path.join(folder, "spec.json")))
B, T, I, H = spec["batch"], spec["steps"], spec["inputs"], spec["hidden"]
read = lambda name: torch.from_numpy(np.fromfile(os.path.join(folder, name), dtype=np.float32).astype(np.float64))
x = read("x.f32").view(B, T, I).requires_grad_(True)
p = read("parameters.f32")
w = read("weights.f32")
kind = spec.get("kind", "lstm")
G = 4 if kind == "lstm" else 1  # stacked gates
lstm = (torch.nn.LSTM(I, H, batch_first=True) if kind == "lstm"
        else torch.nn.RNN(I, H, batch_first=True, nonlinearity=kind[4:])).double()
sizes = [G * H * I, G * H * H, G * H, G * H]
parts = torch.split(p, sizes)
with torch.no_grad():
    lstm.weight_ih_l0.copy_(parts[0].view(G * H, I))
    lstm.weight_hh_l0.copy_(parts[1].view(G * H, H))
    lstm.bias_ih_l0.copy_(parts[2])
    lstm.bias_hh_l0.copy_(parts[3])
state_file = os.path.join(folder, "state.f32")
initial = read("state.f32").view(-1, 1, B, H) if os.path.exists(state_file) else None  # [h; c] or [h], each [layers, B, H]
if initial is None:
    out, final = lstm(x)
elif kind == "lstm":
    out, final = lstm(x, (initial[0], initial[1]))
else:
    out, final = lstm(x, initial[0])
y = out.reshape(-1) if spec["sequences"] else out[:, -1, :].reshape(-1)
(y * w).sum().backward()
grads = [lstm.weight_ih_l0.grad.reshape(-1), lstm.weight_hh_l0.grad.reshape(-1), lstm.bias_ih_l0.grad, lstm.bias_hh_l0.grad]
finals = [] if initial is None else [torch.cat([f.reshape(-1) for f in (final if kind == "lstm" else (final,))]).detach().numpy()]
np.concatenate([y.detach().numpy()] + [g.numpy() for g in grads] + [x.grad.reshape(-1).numpy()] + finals).astype(np.float64).tofile(os.path.join(folder, "result.f64"))
