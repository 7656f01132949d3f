"""The character-level LSTM language model of examples/CharRnn, in eager PyTorch: the reference its bits per character
are checked against, so every choice below is one the C# side reproduces.

Usage: /usr/bin/python3 benchmarks/peer/pytorch_charrnn.py [--text FILE] [--epochs N] [--seed S] [--threads T] [--vocab V]
       (defaults: examples/CharRnn/data/fortunes-subset.txt, 5 epochs, seed 1, 1 thread)

- Text: the file's bytes. Split by position: the first 90% trains, the last 10% validates.
- Vocabulary: id 0 is reserved for a byte the training text never holds; ids 1..V-1 are the training text's distinct
  bytes sorted by value (code point: the shipped subset is ASCII). V = 1 + distinct bytes, or --vocab V (at least
  that) to match a model compiled for a fixed V, as examples/CharRnn is (90, the shipped subset's): ids past the
  text's are never seen.
- Sequences: each part is cut into non-overlapping pieces of 64 + 1 bytes in order, piece k starting at byte 64k:
  the 64 inputs are bytes [64k, 64k + 64), the 64 targets the next bytes [64k + 1, 64k + 65) (the last byte of a piece
  is the first input of the next). Training takes them in order, 32 to a batch (batch b = pieces 32b .. 32b + 31), no
  shuffling, and drops a last batch of fewer than 32; validation takes every piece, in batches of up to 32.
- Model: nn.Embedding(V, 32) -> nn.LSTM(32, 128, batch_first=True), zero state for every piece -> nn.Linear(128, V) on
  every step; PyTorch's default initializations, drawn after torch.manual_seed(seed) in that order.
- Loss: cross-entropy averaged over batch and steps (next byte at every step); Adam, lr 2e-3, PyTorch's defaults
  otherwise (betas 0.9, 0.999, eps 1e-8), one step per batch.
- Reported after each epoch: train_bpc (the mean of the epoch's batch losses / ln 2, measured while training) and
  val_bpc (mean cross-entropy over every validation target / ln 2, in eval mode after the epoch), and the epoch's
  training time. Lines starting with # are notes; the others are machine-readable:
      epoch 1 train_bpc 3.1234 val_bpc 2.9876 seconds 12.3
"""
import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerbench  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--text", default=os.path.join(ROOT, "examples", "CharRnn", "data", "fortunes-subset.txt"))
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--vocab", type=int, default=0, help="vocabulary size (default: 1 + the training text's distinct bytes)")
opts = parser.parse_args()
if opts.epochs < 1 or opts.threads < 1:
    sys.exit(f"--epochs and --threads must be at least 1, got {opts.epochs} and {opts.threads}")
settings = peerbench.setup(opts.threads)

import torch  # noqa: E402

EMBED, HIDDEN, BATCH, STEPS, LR = 32, 128, 32, 64, 2e-3

data = open(opts.text, "rb").read()
cut = len(data) * 9 // 10
train_bytes, val_bytes = data[:cut], data[cut:]
alphabet = sorted(set(train_bytes))
ids = [0] * 256
for k, b in enumerate(alphabet):
    ids[b] = k + 1
V = max(len(alphabet) + 1, opts.vocab)
if opts.vocab and opts.vocab < len(alphabet) + 1:
    sys.exit(f"--vocab {opts.vocab} is too small: the training text holds {len(alphabet)} distinct bytes, plus id 0")


def pieces(part):
    """[count, 65] ids: non-overlapping 64-step pieces in order, each with the byte after it as the last target."""
    tokens = torch.tensor([ids[b] for b in part], dtype=torch.long)
    count = (len(tokens) - 1) // STEPS
    if count < 1:
        sys.exit(f"{opts.text}: a part of {len(tokens)} bytes holds no {STEPS}-step piece")
    starts = torch.arange(count) * STEPS
    return tokens[starts[:, None] + torch.arange(STEPS + 1)[None, :]]


train, val = pieces(train_bytes), pieces(val_bytes)
batches = train.shape[0] // BATCH
if batches < 1:
    sys.exit(f"{opts.text}: {train.shape[0]} training pieces make no batch of {BATCH}")
unknown = sum(1 for b in val_bytes if ids[b] == 0)

torch.set_num_threads(opts.threads)
torch.manual_seed(opts.seed)


class CharRnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(V, EMBED)
        self.lstm = torch.nn.LSTM(EMBED, HIDDEN, batch_first=True)
        self.head = torch.nn.Linear(HIDDEN, V)

    def forward(self, x):  # x [batch, steps] ids -> logits [batch, steps, V]
        h, _ = self.lstm(self.embed(x))
        return self.head(h)


model = CharRnn()
adam = torch.optim.Adam(model.parameters(), lr=LR)
loss_fn = torch.nn.CrossEntropyLoss()
print(f"# torch {torch.__version__}, threads {torch.get_num_threads()}, {settings}", flush=True)
print(f"# text {opts.text}: {len(data):,} bytes, {len(train_bytes):,} train / {len(val_bytes):,} validation; V = {V} "
      f"(id 0 unknown; {unknown} validation bytes unknown); {batches} batches of {BATCH} x {STEPS} per epoch, "
      f"{val.shape[0]} validation pieces; seed {opts.seed}", flush=True)


def validation_bpc():
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for b in range(0, val.shape[0], BATCH):
            piece = val[b:b + BATCH]
            logits = model(piece[:, :-1])
            total += torch.nn.functional.cross_entropy(logits.reshape(-1, V), piece[:, 1:].reshape(-1), reduction="sum").item()
            count += piece[:, 1:].numel()
    model.train()
    return total / count / math.log(2)


for epoch in range(1, opts.epochs + 1):
    start, total = time.perf_counter(), 0.0
    for b in range(batches):
        piece = train[b * BATCH:(b + 1) * BATCH]
        logits = model(piece[:, :-1])
        loss = loss_fn(logits.reshape(-1, V), piece[:, 1:].reshape(-1))
        adam.zero_grad(set_to_none=True)
        loss.backward()
        adam.step()
        total += loss.item()
    seconds = time.perf_counter() - start
    print(f"epoch {epoch} train_bpc {total / batches / math.log(2):.4f} val_bpc {validation_bpc():.4f} seconds {seconds:.1f}", flush=True)
