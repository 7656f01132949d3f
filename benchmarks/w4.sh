#!/usr/bin/env bash
# W4 alone (LSTM 32 -> 128, 32 steps, batch 32, BPTT + Adam): NetGen before and after a change, and eager PyTorch,
# back to back at 1 and 2 threads, with the rule of compare.sh (best ~25 ms window over S seconds).
#
#   benchmarks/w4.sh [S] [BEFORE]     BEFORE: a checkout of the earlier commit with benchmarks/Compare built in Release
#                                     (git archive COMMIT | tar -x -C DIR; dotnet build -c Release DIR/benchmarks/Compare)
# From the repository root, after dotnet build -c Release benchmarks/Compare. Prints the load average before and after.
set -u
cd "$(dirname "$0")/.."
here=$(pwd)
s=${1:-3}
before=${2:-/tmp/before-repo}
echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for t in 1 2; do
  (cd "$before" && dotnet benchmarks/Compare/bin/Release/net10.0/Compare.dll --threads $t --seconds $s --cases w4_lstm | sed 's/^w4_lstm/before_w4_lstm/')
  (cd "$here" && dotnet benchmarks/Compare/bin/Release/net10.0/Compare.dll --threads $t --seconds $s --cases w4_lstm)
  (cd "$here" && /usr/bin/python3 benchmarks/peer/pytorch_lstm.py --threads $t --seconds $s)
done
(cd "$here" && /usr/bin/python3 benchmarks/peer/pytorch_lstm.py --threads 2 --seconds $s --omp-wait default)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
