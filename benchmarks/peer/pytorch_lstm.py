"""Eager PyTorch at its best on W4: nn.LSTM(32 -> 128, batch_first) over 32 steps, batch 32, the last step's h against
a target (loss 0.5*||h - t||^2 / batch), backward through time, Adam 1e-3. Tokens/s = batch x steps per step.

Usage: /usr/bin/python3 benchmarks/peer/pytorch_lstm.py --threads 1   (and 2; see peerbench.py for the settings)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerbench  # noqa: E402

opts = peerbench.args()
settings = peerbench.setup(opts.threads, opts.allocator, opts.omp_wait)

import torch  # noqa: E402

torch.set_num_threads(opts.threads)
torch.manual_seed(0)
print(f"# torch {torch.__version__}, torch.get_num_threads()={torch.get_num_threads()}, {settings}", flush=True)
B, T, I, H = 32, 32, 32, 128
lstm = torch.nn.LSTM(I, H, batch_first=True)
adam = torch.optim.Adam(lstm.parameters(), lr=1e-3)
x = torch.rand(B, T, I) * 2 - 1
target = (torch.rand(B, H) * 2 - 1) * 0.5


def step():
    out, _ = lstm(x)
    loss = 0.5 * ((out[:, -1, :] - target) ** 2).sum() / B
    adam.zero_grad(set_to_none=True)
    loss.backward()
    adam.step()


peerbench.report("w4_lstm", opts.threads, peerbench.best_rate(step, B * T, opts.seconds), "tokens/s")
