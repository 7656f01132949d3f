"""PyTorch's nn.LSTM or nn.RNN (batch_first=True) on the weights and inputs a recurrent kernel test wrote (float64, CPU).

Usage: torch_recurrent.py FOLDER. Reads spec.json (kind: lstm, rnn_tanh or rnn_relu; batch, steps, inputs, hidden,
sequences), x.f32, parameters.f32 (W_ih,
W_hh, b_ih, b_hh flat) and weights.f32 (loss = sum(weights * output)); writes result.f64: the output, then the
gradients of the parameters in the same flat layout, then the gradient of x.
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
out, _ = lstm(x)
y = out.reshape(-1) if spec["sequences"] else out[:, -1, :].reshape(-1)
(y * w).sum().backward()
grads = [lstm.weight_ih_l0.grad.reshape(-1), lstm.weight_hh_l0.grad.reshape(-1), lstm.bias_ih_l0.grad, lstm.bias_hh_l0.grad]
np.concatenate([y.detach().numpy()] + [g.numpy() for g in grads] + [x.grad.reshape(-1).numpy()]).astype(np.float64).tofile(os.path.join(folder, "result.f64"))
