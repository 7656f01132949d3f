"""Reads the result lines of benchmarks/compare.sh and prints the ratio table (Markdown, so RESULTS.md can take it as is).

Input: files of tab-separated lines "case, threads, value, unit" (lines starting with # are notes), the first file
NetGen's, the others the peers'. Usage: python3 benchmarks/peer/table.py netgen.tsv peer.tsv
"""
import sys

# case: (label, target ratio or None, how the ratio is taken). "best": NetGen's best thread count against the
# peer's best; "each": thread for thread, the worse of the 1-thread and 2-thread ratios must reach the target.
CASES = [
    ("w1_train", "W1 1-3-1 train step + SGD, batch 1", 2000, "best"),
    ("w1_forward", "W1 1-3-1 forward, batch 1", None, "best"),
    ("w2_train", "W2 784-128-10 train step + Adam, batch 64", 2.5, "best"),
    ("w2_predict_1", "W2 predict, batch 1", 20, "best"),
    ("w2_predict_64", "W2 predict, batch 64", None, "best"),
    ("w2_predict_256", "W2 predict, batch 256", 1.5, "best"),
    ("w3_train", "W3 convnet train step + Adam, batch 64", 3, "best"),
    ("w4_lstm", "W4 LSTM 32→128, 32 steps, batch 32, BPTT + Adam (NetGen: kernels)", 2, "best"),
    ("gemm_64x784x128", "GEMM 64x784 · (128x784)ᵀ (W2 layer 1)", 1, "each"),
    ("gemm_256x784x128", "GEMM 256x784 · (128x784)ᵀ (W2 predict 256)", 1, "each"),
    ("gemm_1x784x128", "GEMM 1x784 · (128x784)ᵀ (W2 predict 1)", 1, "each"),
    ("gemm_64x128x10", "GEMM 64x128 · (10x128)ᵀ (W2 layer 2)", 1, "each"),
    ("gemm_64x2880x100", "GEMM 64x2880 · (100x2880)ᵀ (W3 dense)", 1, "each"),
    ("gemm_36864x25x20", "GEMM 36864x25 · (20x25)ᵀ (W3 conv as one product)", 1, "each"),
    ("conv_64x20x25x576", "conv 20x25 · 25x576, 64 samples (NetGen incl. im2col)", 1, "each"),
]


def read(path):
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            case, threads, value, unit = line.rstrip("\n").split("\t")
            # The same case measured under several settings (compare.sh times two OpenMP wait policies): keep the best.
            key = (case, int(threads))
            out[key] = max(out.get(key, (0.0, unit)), (float(value), unit))
    return out


def fmt(v, unit):
    if v is None:
        return "—"
    return f"{v:,.1f}" if unit == "GFLOP/s" else f"{v:,.0f}"


def ratio_text(r):
    return f"{r:,.0f}×" if r >= 100 else f"{r:.2f}×"


def main(paths):
    netgen, peer = read(paths[0]), {}
    for p in paths[1:]:
        peer.update(read(p))
    print("| case | unit | NetGen 1T | NetGen 2T | peer 1T | peer 2T | NetGen best / peer best | target | status |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for case, label, target, rule in CASES:
        n = {t: netgen.get((case, t), (None, ""))[0] for t in (1, 2)}
        p = {t: peer.get((case, t), (None, ""))[0] for t in (1, 2)}
        unit = (netgen.get((case, 1)) or peer.get((case, 1)) or (0, "?"))[1]
        nb = max((v for v in n.values() if v), default=None)
        pb = max((v for v in p.values() if v), default=None)
        if nb is None or pb is None:
            print(f"| {label} | {unit} | {fmt(n[1], unit)} | {fmt(n[2], unit)} | {fmt(p[1], unit)} | {fmt(p[2], unit)} | missing | | |")
            continue
        best = nb / pb
        cell = ratio_text(best)
        judged = best
        if rule == "each" and all(n[t] and p[t] for t in (1, 2)):
            each = {t: n[t] / p[t] for t in (1, 2)}
            judged = min(each.values())
            cell = f"{ratio_text(best)} (1T {ratio_text(each[1])}, 2T {ratio_text(each[2])})"
        if target is None:
            tcell, status = "—", ""
        else:
            tcell = (f"≥ {target:,}×" if rule == "best" else f"≥ {target}× each")
            go = target / judged
            status = "met" if judged >= target else f"short: ×{go:.3f} to go" if go < 1.01 else f"short: ×{go:.2f} to go"
        print(f"| {label} | {unit} | {fmt(n[1], unit)} | {fmt(n[2], unit)} | {fmt(p[1], unit)} | {fmt(p[2], unit)} "
              f"| {cell} | {tcell} | {status} |")
    print()
    print("peer: eager PyTorch for W1-W3, numpy (OpenBLAS sgemm) for GEMM and conv; 1T/2T: threads; "
          "\"×k to go\": the factor still missing.")


if __name__ == "__main__":
    main(sys.argv[1:])
