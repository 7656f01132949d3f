"""numpy float32 matmul (OpenBLAS sgemm on Debian) at the shapes the workloads of benchmarks/compare.sh multiply.

Usage: /usr/bin/python3 benchmarks/peer/numpy_gemm.py --threads 1   # OPENBLAS_NUM_THREADS etc.: see peerbench.py
Prints one tab-separated line per shape: case, threads, GFLOP/s, unit. A case gemm_MxKxN is Y[M,N] = X[M,K]·W[N,K]^T,
NetGen's dense layout (W stored [out, in], like nn.Linear); numpy passes the transposed view to sgemm as a flag, and
writes into a preallocated Y. conv_... is the convnet's convolution as its kernel shapes it: per sample,
W[20,25]·columns[25,576], 64 samples (np.matmul on the stacked columns; the im2col itself is not timed here).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerbench  # noqa: E402

opts = peerbench.args()
settings = peerbench.setup(opts.threads, opts.allocator, opts.omp_wait)

import numpy as np  # noqa: E402

cases = set(filter(None, opts.cases.split(",")))
print(f"# numpy {np.__version__}, {settings}", flush=True)
rng = np.random.default_rng(0)

# (M, K, N): W2 layer 1 at batch 64, 256 and 1 (predict), W2 layer 2, W3's dense 2880->100, W3's convolution as one
# dense product over all 64x576 output pixels.
for m, k, n in [(64, 784, 128), (256, 784, 128), (1, 784, 128), (64, 128, 10), (64, 2880, 100), (64 * 576, 25, 20)]:
    case = f"gemm_{m}x{k}x{n}"
    if cases and case not in cases:
        continue
    x = rng.random((m, k), dtype=np.float32)
    w = rng.random((n, k), dtype=np.float32)
    y = np.empty((m, n), dtype=np.float32)
    wt = w.T
    peerbench.report(case, opts.threads, peerbench.best_rate(lambda: np.matmul(x, wt, out=y), 2 * m * k * n, opts.seconds) / 1e9, "GFLOP/s")

case = "conv_64x20x25x576"
if not cases or case in cases:
    w = rng.random((20, 25), dtype=np.float32)
    cols = rng.random((64, 25, 576), dtype=np.float32)
    y = np.empty((64, 20, 576), dtype=np.float32)
    peerbench.report(case, opts.threads, peerbench.best_rate(lambda: np.matmul(w, cols, out=y), 2 * 64 * 20 * 25 * 576, opts.seconds) / 1e9, "GFLOP/s")
