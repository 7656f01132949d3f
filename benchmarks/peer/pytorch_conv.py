"""Eager PyTorch training the course's convnet (conv 20@5x5 ReLU, max-pool 2, dense 100 ReLU, dense 10) with Adam.

Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/peer/pytorch_conv.py [threads] [batch]
Compare with: dotnet run -c Release --project benchmarks/ConvTimings -- 3 2
"""
import sys
import time

import torch
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
batch = int(sys.argv[2]) if len(sys.argv) > 2 else 64
torch.set_num_threads(threads)
torch.manual_seed(0)
net = torch.nn.Sequential(
    torch.nn.Conv2d(1, 20, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
    torch.nn.Linear(2880, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
adam = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.rand(8, batch, 1, 28, 28)
y = torch.randint(0, 10, (8, batch))


def steps():
    for b in range(8):
        adam.zero_grad()
        F.cross_entropy(net(x[b]), y[b]).backward()
        adam.step()


steps()
n, start = 0, time.perf_counter()
while time.perf_counter() - start < 3:
    steps()
    n += 1
print(f"torch {torch.__version__}, threads {threads}, batch {batch}: "
      f"{8 * batch * n / (time.perf_counter() - start):,.0f} samples/s (TrainBatch + Adam)")
