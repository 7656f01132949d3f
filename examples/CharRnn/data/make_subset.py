"""Regenerates fortunes-subset.txt, the character-level LM's shipped text, from Debian's fortunes package.

Usage: python3 examples/CharRnn/data/make_subset.py [--fortunes DIR] [--out FILE]
       (defaults: /usr/share/games/fortunes, fortunes-subset.txt next to this script; apt-get install fortunes)

The subset is six whole fortune files of English prose, in this fixed order (310,245 bytes before cleaning):
education, fortunes, humorists, literature, love, science. Every one is plain ASCII already; the only cleaning is
undoing terminal overstrike: a backspace steps back over the line as a printer would, and a character struck over
another replaces it unless it is the underscore of an underline ("___\\b\\b\\bfoo" is "foo", "Ren'\\be" is "Rene"),
so the result holds printable ASCII, tabs and newlines only. Entries keep their separator lines
holding only "%", as in the package. The output is written to a temporary file and renamed into place.
"""
import argparse
import os
import sys

FILES = ["education", "fortunes", "humorists", "literature", "love", "science"]


def overstruck(line):
    """The line as printed: backspace moves back one column; a later character wins over an earlier one, but an
    underscore never hides a letter."""
    if "\b" not in line:
        return line
    cells, at = [], 0
    for c in line:
        if c == "\b":
            at = max(0, at - 1)
            continue
        if at == len(cells):
            cells.append(c)
        elif c != "_":
            cells[at] = c
        at += 1
    return "".join(cells)

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--fortunes", default="/usr/share/games/fortunes")
parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "fortunes-subset.txt"))
opts = parser.parse_args()

parts = []
for name in FILES:
    path = os.path.join(opts.fortunes, name)
    if not os.path.isfile(path):
        sys.exit(f"missing {path}: install Debian's fortunes package (apt-get install fortunes) or pass --fortunes DIR")
    raw = open(path, "rb").read()
    text = raw.decode("ascii")  # fails loudly if the package ever ships non-ASCII in these files
    text = "\n".join(overstruck(line) for line in text.split("\n"))
    bad = sorted({c for c in text if not (c in "\t\n" or " " <= c <= "~")})
    if bad:
        sys.exit(f"{path}: unexpected characters {bad!r}")
    if not text.endswith("%\n"):
        text += "\n%\n" if not text.endswith("\n") else "%\n"
    parts.append(text)

data = "".join(parts).encode("ascii")
tmp = opts.out + ".tmp"
with open(tmp, "wb") as f:
    f.write(data)
os.replace(tmp, opts.out)
print(f"{opts.out}: {len(data):,} bytes from {', '.join(FILES)}")
