#!/usr/bin/env bash
# NetGen against PyTorch (and numpy's OpenBLAS sgemm) at their best, back to back, and the ratio table.
#
#   benchmarks/compare.sh [--seconds S] [--out DIR]      from the repository root; about 5 minutes with S = 3
#
# Workloads: W1 1-3-1 online SGD; W2 784-128-10 Adam batch 64 training and predict at batch 1, 64, 256; W3 the course
# convnet, Adam, batch 64; W4 LSTM(32 → 128) over 32 steps, batch 32, BPTT + Adam (NetGen at kernel level: the layer
# is not declarable yet); GEMM at the workloads' shapes. Each side runs at 1 and 2 threads and reports the best
# ~25 ms window over S seconds after a warm-up; the table sets NetGen's best against the peer's best (GEMM: thread for
# thread). PyTorch's settings (thread variables, set_num_threads, jemalloc) are in benchmarks/peer/peerbench.py.
# Not a test: nothing in CI runs it. Timings need a quiet machine: the load average is printed before and after.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=3
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
out="${out:-$(mktemp -d /tmp/netgen-compare.XXXXXX)}"
mkdir -p "$out"

# Debian's python3-torch and python3-numpy live in the system interpreter, not in a pyenv or venv one.
py=/usr/bin/python3
data="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
missing=()
command -v dotnet >/dev/null || missing+=("dotnet (the .NET 10 SDK)")
"$py" -c 'import torch' 2>/dev/null || missing+=("python3-torch (apt-get install -y python3-torch)")
"$py" -c 'import numpy' 2>/dev/null || missing+=("python3-numpy (apt-get install -y python3-numpy)")
[ -f "$data/train-images-idx3-ubyte.gz" ] || missing+=("Fashion-MNIST in $data (apt-get install -y dataset-fashion-mnist, or set FASHION_MNIST_DIR)")
ls /usr/lib/x86_64-linux-gnu/libopenblas.so.0 >/dev/null 2>&1 || missing+=("libopenblas0-pthread (apt-get install -y libopenblas0-pthread)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'missing: %s\n' "${missing[@]}" >&2
  exit 1
fi
# jemalloc is PyTorch's allocator fix; without it peerbench.py keeps glibc's malloc off mmap instead (nearly as good).
if [ ! -f /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing libjemalloc2 for PyTorch's allocator..." >&2
    apt-get install -y libjemalloc2 >/dev/null 2>&1 || echo "could not install libjemalloc2: PyTorch runs on glibc malloc kept off mmap" >&2
  else
    echo "libjemalloc2 is not installed: PyTorch runs on glibc malloc kept off mmap (apt-get install -y libjemalloc2 for jemalloc)" >&2
  fi
fi

echo "building benchmarks/Compare (Release)..." >&2
dotnet build -c Release benchmarks/Compare -v quiet -nologo > "$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
netgen=(dotnet benchmarks/Compare/bin/Release/net10.0/Compare.dll --seconds "$seconds")

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB; .NET $(dotnet --version); $("$py" -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/header.txt" >&2

# Back to back, 1 thread then 2, each side right after the other so both see the same machine.
for t in 1 2; do
  echo "threads $t: NetGen..." >&2
  "${netgen[@]}" --threads "$t" | tee -a "$out/netgen.tsv" | grep '^#' >&2 || true
  echo "threads $t: PyTorch dense, PyTorch conv, numpy..." >&2
  "$py" benchmarks/peer/pytorch_dense.py --threads "$t" --seconds "$seconds" | tee -a "$out/peer.tsv" | grep '^#' >&2 || true
  "$py" benchmarks/peer/pytorch_conv.py --threads "$t" --seconds "$seconds" | tee -a "$out/peer.tsv" | grep '^#' >&2 || true
  "$py" benchmarks/peer/pytorch_lstm.py --threads "$t" --seconds "$seconds" | tee -a "$out/peer.tsv" | grep '^#' >&2 || true
  "$py" benchmarks/peer/numpy_gemm.py --threads "$t" --seconds "$seconds" | tee -a "$out/peer.tsv" | grep '^#' >&2 || true
done
# At 2 threads torch's OpenMP pool and OpenBLAS's share 2 cores: PASSIVE waiting (peerbench's default) helps when
# the machine is busy; GNU OpenMP's own default (spin a while, then sleep) can win on an idle one. Time that too;
# the table keeps each case's best.
echo "threads 2, OMP_WAIT_POLICY unset: PyTorch dense, PyTorch conv..." >&2
"$py" benchmarks/peer/pytorch_dense.py --threads 2 --seconds "$seconds" --omp-wait default | tee -a "$out/peer.tsv" | grep '^#' >&2 || true
"$py" benchmarks/peer/pytorch_conv.py --threads 2 --seconds "$seconds" --omp-wait default | tee -a "$out/peer.tsv" | grep '^#' >&2 || true
"$py" benchmarks/peer/pytorch_lstm.py --threads 2 --seconds "$seconds" --omp-wait default | tee -a "$out/peer.tsv" | grep '^#' >&2 || true
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/header.txt" >&2

echo
cat "$out/header.txt"
echo
"$py" benchmarks/peer/table.py "$out/netgen.tsv" "$out/peer.tsv" | tee "$out/table.md"
echo
echo "notes (settings each run reported):"
grep -h '^#' "$out/netgen.tsv" "$out/peer.tsv" | sed 's/^# */  /'
echo
echo "raw results: $out"
