"""Eager PyTorch at its best training the course convnet (W3 of benchmarks/compare.sh) on real Fashion-MNIST batches.

Network, as benchmarks/ConvTimings and benchmarks/Compare declare it for NetGen: Conv2D 20@5x5 (valid, stride 1) ReLU
on 1x28x28, MaxPool2D 2, Dense 2880->100 ReLU, Dense 100->10 softmax; cross-entropy, Adam 1e-3, batch 64.

Usage: /usr/bin/python3 benchmarks/peer/pytorch_conv.py --threads 1 [--batch 64]   # settings: see peerbench.py
Times three convolution paths (NCHW with oneDNN, channels_last with oneDNN, NCHW without oneDNN) and prints the
best as one tab-separated line: case, threads, samples/s, unit; the three rates as # notes.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerbench  # noqa: E402

argv = sys.argv[1:]
batch = 64
if "--batch" in argv:
    i = argv.index("--batch")
    batch = int(argv[i + 1])
    del argv[i:i + 2]
opts = peerbench.args(argv)
settings = peerbench.setup(opts.threads, opts.allocator, opts.omp_wait)  # may re-execute this script with the right environment

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(opts.threads)
torch.manual_seed(0)
print(f"# torch {torch.__version__}, torch.get_num_threads()={torch.get_num_threads()}, {settings}", flush=True)

pixels, labels = peerbench.fashion(16 * batch)
images = torch.from_numpy(pixels).reshape(-1, 1, 28, 28)
targets = torch.from_numpy(labels)


def trainer(layout):
    """One Adam training step per call on the 16 batches in turn, with weights and images in the given memory layout."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 20, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(2880, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))  # softmax is inside cross_entropy
    net = net.to(memory_format=layout)
    adam = torch.optim.Adam(net.parameters(), lr=1e-3)
    batches = [(images[i:i + batch].contiguous(memory_format=layout), targets[i:i + batch].contiguous())
               for i in range(0, 16 * batch, batch)]
    at = [0]

    def step():
        x, y = batches[at[0]]
        at[0] = (at[0] + 1) % len(batches)
        adam.zero_grad(set_to_none=True)
        F.cross_entropy(net(x), y).backward()
        adam.step()
    return step


# Which convolution path is fastest depends on the machine and the load: on the project's machine oneDNN in
# channels-last (NHWC) layout beat the default (oneDNN on NCHW) by about 1.8x at one thread, and the native im2col +
# OpenBLAS path (oneDNN off) sat in between. All three are timed and the best is reported.
rates = {}
for name, layout, onednn in (("NCHW, oneDNN (torch's default)", torch.contiguous_format, True),
                             ("NHWC (channels_last), oneDNN", torch.channels_last, True),
                             ("NCHW, oneDNN off (im2col + OpenBLAS)", torch.contiguous_format, False)):
    torch.backends.mkldnn.enabled = onednn
    rates[name] = peerbench.best_rate(trainer(layout), batch, opts.seconds)
    print(f"# w3 {opts.threads}T {name}: {rates[name]:,.0f} samples/s", flush=True)
case = "w3_train" if batch == 64 else f"w3_train_b{batch}"
peerbench.report(case, opts.threads, max(rates.values()), "samples/s")
