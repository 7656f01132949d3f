"""Eager PyTorch on the same two cases as benchmarks/NetGen.Benchmarks, for a side-by-side samples/s figure.

Usage (Debian: apt-get install python3-torch libopenblas0-pthread):
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/peer/pytorch_dense.py [threads]
"""
import os
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)


def rate(samples, fn, seconds=3.0):
    fn()  # warm-up
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return samples * n / (time.perf_counter() - start)


# 1-3-1 tanh/linear, online (batch 1), SGD.
tiny = torch.nn.Sequential(torch.nn.Linear(1, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
sgd = torch.optim.SGD(tiny.parameters(), lr=0.01)
xs = torch.linspace(-3.14, 3.14, 1000).reshape(-1, 1, 1)
ts = torch.sin(xs)


def tiny_forward():
    with torch.no_grad():
        for i in range(1000):
            tiny(xs[i])


def tiny_train():
    for i in range(1000):
        sgd.zero_grad()
        loss = 0.5 * ((tiny(xs[i]) - ts[i]) ** 2).sum()
        loss.backward()
        sgd.step()


# 784-128-10 ReLU/softmax, cross-entropy, Adam, batch 64.
mlp = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
adam = torch.optim.Adam(mlp.parameters(), lr=1e-3)
x = torch.rand(16, 64, 784)
y = torch.randint(0, 10, (16, 64))
ce = torch.nn.CrossEntropyLoss()


def mlp_forward():
    with torch.no_grad():
        for b in range(16):
            torch.softmax(mlp(x[b]), dim=1)


def mlp_train():
    for b in range(16):
        adam.zero_grad()
        loss = ce(mlp(x[b]), y[b])
        loss.backward()
        adam.step()


print(f"torch {torch.__version__}, threads {threads}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
print(f"1-3-1 Forward, batch 1:                      {rate(1000, tiny_forward):12,.0f} samples/s")
print(f"1-3-1 train step + SGD, batch 1:             {rate(1000, tiny_train):12,.0f} samples/s")
print(f"784-128-10 forward, batch 64:                {rate(1024, mlp_forward):12,.0f} samples/s")
print(f"784-128-10 train step + Adam, batch 64:      {rate(1024, mlp_train):12,.0f} samples/s")
