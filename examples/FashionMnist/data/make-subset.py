#!/usr/bin/env python3
# Writes the small Fashion-MNIST subset shipped for the example and tests:
# the first 6000 training and the first 1000 test samples, as gzip (level 9) IDX
# files in the original format. Source: Debian package dataset-fashion-mnist.
# Usage: python3 make-subset.py [source-dir]   (writes next to this script)
import gzip, os, struct, sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
DST = os.path.dirname(os.path.abspath(__file__))

def subset(name, count):
    with gzip.open(os.path.join(SRC, name), "rb") as f:
        data = f.read()
    zero, dtype, rank = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype == 0x08, name
    dims = list(struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank]))
    assert dims[0] >= count, name
    item = 1
    for d in dims[1:]:
        item *= d
    header = struct.pack(">HBB", 0, dtype, rank) + struct.pack(">" + "I" * rank, count, *dims[1:])
    body = data[4 + 4 * rank: 4 + 4 * rank + count * item]
    # mtime=0 keeps the output byte-identical across runs.
    with open(os.path.join(DST, name), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as out:
            out.write(header + body)

subset("train-images-idx3-ubyte.gz", 6000)
subset("train-labels-idx1-ubyte.gz", 6000)
subset("t10k-images-idx3-ubyte.gz", 1000)
subset("t10k-labels-idx1-ubyte.gz", 1000)
