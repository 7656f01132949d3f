"""Eager PyTorch on word2vec's skip-gram objective with negative sampling, for words/s against examples/Word2Vec.

Usage (Debian: apt-get install python3-torch libopenblas0-pthread libjemalloc2 dict-gcide):
    /usr/bin/python3 benchmarks/peer/pytorch_word2vec.py --threads 1 [--words 2000000]
Prints one tab-separated line per case: case, threads, words/s, unit.

The same objective and settings as NetGen.Text.Word2Vec: the first --words words of Debian's GCIDE, lower-cased runs
of ASCII letters, words seen at least 5 times, dimension 100, a window drawn in [1, 5] per position, 5 negatives from
the unigram distribution to the 3/4, subsampling at 1e-3, learning rate 0.025 decaying linearly, input vectors
uniform in ±0.5/d and output vectors zero. What differs is how the updates are applied: the reference tool and NetGen
take one SGD step per (input, target) pair in text order; a PyTorch implementation takes them a mini-batch of
positions at a time (sparse embedding gradients, plain SGD on the summed loss), which is how it is written for
PyTorch. Batches of 256, 1,024 and 4,096 centre positions are timed for one epoch each; the best is reported.
"""
import gzip
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerbench  # noqa: E402

import argparse  # noqa: E402
extra = argparse.ArgumentParser(add_help=False)
extra.add_argument("--words", type=int, default=2_000_000)
extra.add_argument("--corpus", default="/usr/share/dictd/gcide.dict.dz")
known, rest = extra.parse_known_args()
opts = peerbench.args(rest)
settings = peerbench.setup(opts.threads, opts.allocator, opts.omp_wait)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(opts.threads)
torch.manual_seed(0)
print(f"# torch {torch.__version__}, torch.get_num_threads()={torch.get_num_threads()}, {settings}", flush=True)

words = []
opener = gzip.open if known.corpus.endswith((".gz", ".dz")) else open
with opener(known.corpus, "rt", encoding="utf-8", errors="replace") as f:
    for line in f:
        words.extend(re.findall(r"[a-z]+(?:'[a-z]+)*", line.lower()))
        if len(words) >= known.words:
            break
words = words[: known.words]
counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1
vocab = sorted((w for w, c in counts.items() if c >= 5), key=lambda w: -counts[w])
ids = {w: i for i, w in enumerate(vocab)}
corpus = np.array([ids[w] for w in words if w in ids], dtype=np.int64)
freq = np.array([counts[w] for w in vocab], dtype=np.float64)
V, D, WINDOW, NEG, T = len(vocab), 100, 5, 5, 1e-3
f = freq / freq.sum()
keep = np.minimum(1.0, (np.sqrt(f / T) + 1) * T / f)
unigram = torch.tensor(freq ** 0.75 / (freq ** 0.75).sum(), dtype=torch.float32)
print(f"# corpus: {len(words):,} words, vocabulary {V:,}, {len(corpus):,} in the vocabulary", flush=True)
rng = np.random.default_rng(1)


def epoch(batch):
    inp = torch.nn.Embedding(V, D, sparse=True)
    out = torch.nn.Embedding(V, D, sparse=True)
    with torch.no_grad():
        inp.weight.uniform_(-0.5 / D, 0.5 / D)
        out.weight.zero_()
    opt = torch.optim.SGD(list(inp.parameters()) + list(out.parameters()), lr=0.025)
    kept = corpus[rng.random(len(corpus)) < keep[corpus]]
    n = len(kept)
    start = time.perf_counter()
    for s in range(0, n, batch):
        centre_pos = np.arange(s, min(n, s + batch))
        reach = rng.integers(1, WINDOW + 1, size=len(centre_pos))
        offsets = np.concatenate([np.arange(-WINDOW, 0), np.arange(1, WINDOW + 1)])
        ctx_pos = centre_pos[:, None] + offsets[None, :]
        valid = (np.abs(offsets)[None, :] <= reach[:, None]) & (ctx_pos >= 0) & (ctx_pos < n)
        centres = torch.from_numpy(np.broadcast_to(kept[centre_pos][:, None], ctx_pos.shape)[valid])
        contexts = torch.from_numpy(kept[ctx_pos[valid]])
        negatives = torch.multinomial(unigram, len(centres) * NEG, replacement=True).view(-1, NEG)
        for g in opt.param_groups:
            g["lr"] = max(0.025 * 1e-4, 0.025 * (1 - s / (n + 1)))
        h = inp(contexts)                       # the context word's input vector predicts the centre word
        pos = (h * out(centres)).sum(1)
        neg = torch.bmm(out(negatives), h.unsqueeze(2)).squeeze(2)
        loss = -(F.logsigmoid(pos).sum() + F.logsigmoid(-neg).sum())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return len(corpus) / (time.perf_counter() - start)


best = 0.0
for batch in (256, 1024, 4096):
    rate = epoch(batch)
    print(f"# batch {batch}: {rate:,.0f} words/s", flush=True)
    best = max(best, rate)
peerbench.report("word2vec_sg", opts.threads, best, "words/s")
