#!/usr/bin/env bash
# Word2vec skip-gram words/s: NetGen (examples/Word2Vec), eager PyTorch (benchmarks/peer/pytorch_word2vec.py) and,
# when WORD2VEC names a build of the reference C tool (github.com/tmikolov/word2vec, not shipped here), that tool,
# on the same text: the first 2,000,000 words of Debian's dict-gcide, one epoch, dimension 100, window 5, 5 negatives,
# subsample 1e-3, min count 5, at 1 and 2 threads.
#
#   benchmarks/word2vec.sh            # from the repository root; about 3 minutes; needs a quiet machine
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=$(mktemp /tmp/netgen-w2v.XXXXXX.txt)
trap 'rm -f "$corpus"' EXIT
# python stops reading after 2M words, so zcat ends on SIGPIPE: not a failure.
(zcat /usr/share/dictd/gcide.dict.dz 2>/dev/null || true) | /usr/bin/python3 -c '
import re, sys
out, n = [], 0
for line in sys.stdin:
    words = re.findall(r"[a-z]+(?:'"'"'[a-z]+)*", line.lower())
    out.extend(words); n += len(words)
    if n >= 2000000: break
sys.stdout.write(" ".join(out[:2000000]))' > "$corpus"
dotnet build -c Release examples/Word2Vec -v quiet -nologo >/dev/null
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for t in 1 2; do
  echo "threads $t"
  dotnet examples/Word2Vec/bin/Release/net10.0/Word2Vec.dll --corpus "$corpus" --model sg --epochs 1 --threads "$t" --wordnet /nonexistent \
    | grep -E "trained in" | sed 's/^ */  NetGen: /'
  /usr/bin/python3 benchmarks/peer/pytorch_word2vec.py --threads "$t" --corpus "$corpus" --words 2000000 | grep -v '^#' | sed 's/^/  PyTorch: /'
  if [ -n "${WORD2VEC:-}" ]; then
    "$WORD2VEC" -train "$corpus" -output /dev/null -cbow 0 -size 100 -window 5 -negative 5 -hs 0 -sample 1e-3 -threads "$t" -iter 1 -min-count 5 \
      | tr '\r' '\n' | grep 'Words/thread/sec' | tail -1 | sed 's/^/  reference C tool: /'
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
