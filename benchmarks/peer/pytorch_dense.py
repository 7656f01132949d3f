"""Eager PyTorch at its best on the dense workloads of benchmarks/compare.sh (W1 and W2), on real Fashion-MNIST batches.

Usage (Debian: apt-get install python3-torch libopenblas0-pthread libjemalloc2 dataset-fashion-mnist):
    /usr/bin/python3 benchmarks/peer/pytorch_dense.py --threads 1   # and --threads 2; see peerbench.py for the settings
Prints one tab-separated line per case: case, threads, samples/s, unit.

W1: 1-3-1 tanh/identity, batch 1 (online), plain SGD 0.01, loss 0.5*(y-t)^2 (NetGen's MeanSquaredError).
W2: 784-128 ReLU-10 softmax, cross-entropy, Adam 1e-3, batch 64; predict (softmax probabilities) at batch 1, 64, 256.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerbench  # noqa: E402

opts = peerbench.args()
settings = peerbench.setup(opts.threads, opts.allocator, opts.omp_wait)  # may re-execute this script with the right environment

import torch  # noqa: E402  (after setup: the thread variables must be in place before torch loads)
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(opts.threads)
torch.manual_seed(0)
cases = set(filter(None, opts.cases.split(",")))
print(f"# torch {torch.__version__}, torch.get_num_threads()={torch.get_num_threads()}, {settings}", flush=True)


def run(case, fn, work):
    if not cases or case in cases:
        peerbench.report(case, opts.threads, peerbench.best_rate(fn, work, opts.seconds), "samples/s")


# W1. Samples are pre-split into separate tensors so the loop does no indexing; zero_grad(set_to_none=True) skips a
# fill per parameter. One call is 100 samples so a timing window holds several calls.
tiny = torch.nn.Sequential(torch.nn.Linear(1, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
sgd = torch.optim.SGD(tiny.parameters(), lr=0.01)
xs = torch.linspace(-3.14, 3.14, 1000).reshape(-1, 1, 1)
pairs = list(zip(xs.unbind(0), torch.sin(xs).unbind(0)))
w1_at = [0]


def w1_train():
    start = w1_at[0]
    for x, t in pairs[start:start + 100]:
        sgd.zero_grad(set_to_none=True)
        loss = 0.5 * F.mse_loss(tiny(x), t, reduction="sum")
        loss.backward()
        sgd.step()
    w1_at[0] = (start + 100) % 1000


def w1_forward():
    start = w1_at[0]
    with torch.inference_mode():
        for x, _ in pairs[start:start + 100]:
            tiny(x)
    w1_at[0] = (start + 100) % 1000


run("w1_train", w1_train, 100)
run("w1_forward", w1_forward, 100)

# W2 on the first 1,024 training images (16 batches of 64), taken in turn.
mlp = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
adam = torch.optim.Adam(mlp.parameters(), lr=1e-3)
pixels, labels = peerbench.fashion(1024)
images = torch.from_numpy(pixels)
targets = torch.from_numpy(labels)
batches = [(images[i:i + 64].contiguous(), targets[i:i + 64].contiguous()) for i in range(0, 1024, 64)]
w2_at = [0]


def w2_train():
    x, y = batches[w2_at[0]]
    w2_at[0] = (w2_at[0] + 1) % len(batches)
    adam.zero_grad(set_to_none=True)
    F.cross_entropy(mlp(x), y).backward()
    adam.step()


def predictor(batch):
    inputs = [images[i:i + batch].contiguous() for i in range(0, 1024, batch)]
    at = [0]

    def predict():
        x = inputs[at[0]]
        at[0] = (at[0] + 1) % len(inputs)
        with torch.inference_mode():  # cheaper than no_grad: no version counters or view tracking
            torch.softmax(mlp(x), dim=1)
    return predict


run("w2_train", w2_train, 64)
for b in (1, 64, 256):
    run(f"w2_predict_{b}", predictor(b), b)
