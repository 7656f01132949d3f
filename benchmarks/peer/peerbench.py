"""Shared set-up for the peer benchmarks: PyTorch and numpy at their best, timed the way benchmarks/Compare times NetGen.

Why each setting matters (measured on the project's 2-core machine):
- Threads: torch's intra-op pool (OpenMP), OpenBLAS's own pthread pool (Debian's torch and numpy call the system
  libblas.so.3, which is OpenBLAS) and MKL's would each pick their own count; all are pinned to the requested one, and
  torch.set_num_threads is called too.
- OpenMP waiting: after a parallel region torch's OpenMP workers spin-wait (GNU's default spins a while before it
  sleeps) while OpenBLAS's own threads do the matrix products, so at 2 threads on 2 cores they fight; PASSIVE
  (sleep) was up to 20x faster for the 784-128-10 step on the loaded machine than leaving it unset (GNU: spin a
  while, then sleep). setup() sets PASSIVE unless told otherwise; compare.sh also times it unset at 2 threads and
  keeps the better.
- Allocator: glibc's malloc serves blocks above its mmap threshold (128 KiB at start) with mmap/munmap, so every
  400 KB gradient tensor of the 784-128-10 step costs a system call pair and fresh page faults; that alone cut
  PyTorch's training rate about 3x. jemalloc (Debian libjemalloc2, LD_PRELOADed) keeps the pages; failing that,
  MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ keep glibc off mmap.
These are environment settings read when a process starts, so setup() re-executes the script once with them.
"""
import gzip
import os
import sys
import time

JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
FASHION = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
_MARK = "NETGEN_PEER_ENV"


def setup(threads, allocator="best", omp_wait="passive"):
    """Pins every thread pool to `threads` and installs the allocator fix, re-executing this script if needed.

    allocator: "best" (jemalloc if installed, else glibc kept off mmap), "jemalloc", "glibc-nommap" or "default"
    (plain glibc, as the old scripts ran: kept only to show what it costs). omp_wait: "passive", "active" or
    "default" (OMP_WAIT_POLICY unset). Returns a one-line description."""
    if allocator == "best":
        allocator = "jemalloc" if os.path.exists(JEMALLOC) else "glibc-nommap"
    want = {name: str(threads) for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    preload = [p for p in os.environ.get("LD_PRELOAD", "").split() if "jemalloc" not in p]
    drop = []
    if allocator == "jemalloc":
        if not os.path.exists(JEMALLOC):
            sys.exit(f"{JEMALLOC} is missing: apt-get install -y libjemalloc2 (or use --allocator glibc-nommap)")
        preload.append(JEMALLOC)
        drop = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"]
    elif allocator == "glibc-nommap":
        # 1 GiB thresholds: nothing this benchmark allocates is mmapped or trimmed back to the OS.
        want.update(MALLOC_MMAP_THRESHOLD_=str(1 << 30), MALLOC_TRIM_THRESHOLD_=str(1 << 30), MALLOC_TOP_PAD_=str(64 << 20))
    elif allocator == "default":
        drop = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"]
    else:
        sys.exit(f"unknown allocator {allocator!r}")
    if omp_wait == "default":
        drop.append("OMP_WAIT_POLICY")
    else:
        want["OMP_WAIT_POLICY"] = omp_wait.upper()
    want["LD_PRELOAD"] = " ".join(preload)
    if not want["LD_PRELOAD"]:
        del want["LD_PRELOAD"]
        drop.append("LD_PRELOAD")
    env = dict(os.environ)
    env.update(want)
    for name in drop:
        env.pop(name, None)
    if any(os.environ.get(k) != env.get(k) for k in set(want) | set(drop)):
        if os.environ.get(_MARK):
            sys.exit("peerbench: the environment did not take after re-executing; giving up")
        env[_MARK] = "1"
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    return (f"OMP/OPENBLAS/MKL_NUM_THREADS={threads}, OMP_WAIT_POLICY={env.get('OMP_WAIT_POLICY', 'unset')}, allocator {allocator}"
            + (f" (LD_PRELOAD={JEMALLOC})" if allocator == "jemalloc" else "")
            + (" (MALLOC_MMAP_THRESHOLD_=MALLOC_TRIM_THRESHOLD_=1 GiB)" if allocator == "glibc-nommap" else ""))


def best_rate(op, work, seconds, window=0.025, warmup=0.5):
    """Best rate (work units per second) over windows of about `window` seconds, taken for `seconds` after a warm-up.

    op() does `work` units (samples, or floating-point operations). benchmarks/Compare uses the same rule, so both
    sides report the best they reach on this machine, not an average that the machine's other load drags down."""
    end = time.perf_counter() + warmup
    calls, t0 = 0, time.perf_counter()
    while calls < 3 or time.perf_counter() < end:
        op()
        calls += 1
    per_call = (time.perf_counter() - t0) / calls
    reps = max(1, int(window / per_call))
    best, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        for _ in range(reps):
            op()
        best = max(best, reps * work / (time.perf_counter() - t0))
    return best


def report(case, threads, value, unit):
    """One result line, tab-separated, the format benchmarks/compare.sh reads: case, threads, value, unit."""
    print(f"{case}\t{threads}\t{value:.6g}\t{unit}", flush=True)


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return dims, data[4 + 4 * rank:]


def fashion(count):
    """The first `count` Fashion-MNIST training images (float32 in [0, 1], [count, 784]) and labels (int64)."""
    import numpy as np
    dims, pixels = _idx(os.path.join(FASHION, "train-images-idx3-ubyte.gz"))
    _, labels = _idx(os.path.join(FASHION, "train-labels-idx1-ubyte.gz"))
    size = dims[1] * dims[2]
    x = np.frombuffer(pixels, dtype=np.uint8, count=count * size).reshape(count, size).astype(np.float32) / 255
    y = np.frombuffer(labels, dtype=np.uint8, count=count).astype(np.int64)
    return x, y


def args(argv=None):
    import argparse
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("threads_positional", type=int, nargs="?", metavar="THREADS", help="same as --threads (the old usage)")
    p.add_argument("--threads", type=int, default=1, help="threads for every pool (default 1)")
    p.add_argument("--seconds", type=float, default=3.0, help="timed seconds per case after warm-up (default 3)")
    p.add_argument("--allocator", default="best", choices=["best", "jemalloc", "glibc-nommap", "default"])
    p.add_argument("--omp-wait", default="passive", choices=["passive", "active", "default"],
                   help="OMP_WAIT_POLICY for torch's OpenMP pool (default passive)")
    p.add_argument("--cases", default="", help="comma-separated case names to run (default: all)")
    opts = p.parse_args(argv)
    if opts.threads_positional is not None:
        opts.threads = opts.threads_positional
    return opts
