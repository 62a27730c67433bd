#!/usr/bin/python3
"""Independent cross-check fixtures for src/stats, computed with numpy / sklearn / scipy.

Run:  /usr/bin/python3 scripts/gen-stats-fixtures.py
Writes test/fixtures/stats/*.json, asserted by test/stats/sklearn-crosscheck.test.ts.

Probabilities and logits are rounded to float32 and written with the shortest decimal that
round-trips to that float32, so JS `Float32Array.from(json)` sees bit-identical inputs; every
expectation is then computed from those float32 values in float64. NaN is written as null.
Nothing here imports or mirrors the TypeScript code: binning uses np.searchsorted, adaptive bins
np.array_split, metrics sklearn, tests scipy.
"""
import json
import math
import os

import numpy as np
import scipy
import sklearn
from scipy import optimize, stats
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "stats")
CLAMP = 1e-12


def f32_list(a):
    """float32 values as their shortest round-trip decimals (checked)."""
    a = np.asarray(a, dtype=np.float32).ravel()
    out = [float(str(x)) for x in a]
    assert np.array_equal(np.asarray(out, dtype=np.float64).astype(np.float32), a), "float32 round-trip failed"
    return out


def num(x):
    x = float(x)
    return None if math.isnan(x) else x


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def width_bins(conf, correct, nb):
    """Equal-width (a, b] bins, first bin closed at 0; NaN stats for empty bins."""
    edges = np.arange(nb + 1) / nb
    # Number of interior edges strictly below c == index of the (a, b] bin containing c.
    idx = np.searchsorted(edges[1:-1], conf, side="left")
    bins = []
    for m in range(nb):
        sel = idx == m
        cnt = int(sel.sum())
        bins.append({
            "lo": float(edges[m]), "hi": float(edges[m + 1]), "count": cnt,
            "accuracy": num(correct[sel].mean()) if cnt else None,
            "confidence": num(conf[sel].mean()) if cnt else None,
        })
    return bins


def mass_bins(conf, correct, nb):
    order = np.argsort(conf, kind="stable")
    bins = []
    for g in np.array_split(order, nb):
        cnt = len(g)
        bins.append({
            "lo": num(conf[g].min()) if cnt else None, "hi": num(conf[g].max()) if cnt else None, "count": cnt,
            "accuracy": num(correct[g].mean()) if cnt else None,
            "confidence": num(conf[g].mean()) if cnt else None,
        })
    return bins


def ece_mce(bins, n):
    gaps = [(b["count"], abs(b["accuracy"] - b["confidence"])) for b in bins if b["count"] > 0]
    return sum(c / n * g for c, g in gaps), max(g for _, g in gaps)


def classification_case(p32, labels, nb_list=(15, 10)):
    n, k = p32.shape
    p = p32.astype(np.float64)
    pred = np.argmax(p32, axis=1)  # first maximum wins, as in topLabel
    conf = p[np.arange(n), pred]
    correct = (pred == labels).astype(np.float64)
    assert set(labels) == set(range(k)) and set(pred) == set(range(k)), "every class must be present"
    prec, rec, f1, sup = precision_recall_fscore_support(labels, pred, labels=list(range(k)), zero_division=0)
    loss = -np.log(np.maximum(p[np.arange(n), labels], CLAMP))
    onehot = np.eye(k)[labels]
    other = np.where(onehot == 1, -np.inf, p).max(axis=1)
    calib = {}
    for nb in nb_list:
        bins = width_bins(conf, correct, nb)
        abins = mass_bins(conf, correct, nb)
        e, m = ece_mce(bins, n)
        cw = np.mean([ece_mce(width_bins(p[:, c], (labels == c).astype(np.float64), nb), n)[0] for c in range(k)])
        calib[str(nb)] = {"ece": e, "mce": m, "adaptiveEce": ece_mce(abins, n)[0], "classwiseEce": float(cw),
                          "bins": bins, "adaptiveBins": abins}
    return {
        "n": n, "k": k,
        "probs": f32_list(p32), "labels": labels.tolist(),
        "expected": {
            "accuracy": float(accuracy_score(labels, pred)),
            "pred": pred.tolist(),
            "confusion": confusion_matrix(labels, pred, labels=list(range(k))).tolist(),
            "perClass": [{"precision": float(a), "recall": float(b), "f1": float(c), "support": int(d)}
                         for a, b, c, d in zip(prec, rec, f1, sup)],
            "macroF1": float(f1_score(labels, pred, average="macro", zero_division=0)),
            "weightedF1": float(f1_score(labels, pred, average="weighted", zero_division=0)),
            "nll": float(loss.mean()),
            "brier": float(((onehot - p) ** 2).sum(axis=1).mean()),
            "lossHead": loss[:40].tolist(),
            "marginHead": (p[np.arange(n), labels] - other)[:40].tolist(),
            "confHead": conf[:40].tolist(),
            "calibration": calib,
        },
    }


def multiclass(rng):
    n, k = 2000, 5
    labels = rng.integers(0, k, n)
    z = rng.normal(0, 1.3, (n, k)) + 1.8 * np.eye(k)[labels]
    p32 = softmax(z * 1.6).astype(np.float32)  # sharpened → overconfident, so ECE is non-trivial
    # Hand-placed edge cases: exact 1.0 confidence (right and wrong), p_label = 0 (clamp),
    # an exact tie (argmax → lowest index), a row that is uniform.
    p32[0] = [1, 0, 0, 0, 0]; labels[0] = 0
    p32[1] = [0, 1, 0, 0, 0]; labels[1] = 3
    p32[2] = [0.4, 0.4, 0.2, 0, 0]; labels[2] = 1
    p32[3] = [0.2, 0.2, 0.2, 0.2, 0.2]; labels[3] = 4
    p32[4] = [0, 0, 0, 0.5, 0.5]; labels[4] = 4
    return classification_case(p32, labels)


def binary(rng):
    n = 1000
    labels = (rng.random(n) < 0.3).astype(np.int64)
    s = rng.normal(0, 1.5, n) + np.where(labels == 1, 1.2, -1.2)
    p1 = 1 / (1 + np.exp(-s))
    p32 = np.stack([1 - p1, p1], axis=1).astype(np.float32)
    p32[0] = [0, 1]; labels[0] = 0  # confidence 1.0 and wrong, p_label = 0
    p32[1] = [0.5, 0.5]; labels[1] = 1  # tie → predicts class 0
    return classification_case(p32, labels)


def misc(rng):
    tables = [[3, 1, 1, 3], [8, 2, 1, 5], [0, 5, 5, 0], [10, 0, 0, 10], [1, 9, 11, 3], [12, 5, 29, 2],
              [7, 12, 0, 15], [20, 180, 5, 795], [2, 3, 4, 5], [0, 0, 3, 4], [100, 150, 130, 120]]
    fisher = []
    for a, b, c, d in tables:
        or_, p2 = stats.fisher_exact([[a, b], [c, d]], alternative="two-sided")
        _, pg = stats.fisher_exact([[a, b], [c, d]], alternative="greater")
        fisher.append({"table": [a, b, c, d], "pTwoSided": float(p2), "pGreater": float(pg),
                       "oddsRatio": None if math.isnan(or_) else ("Infinity" if math.isinf(or_) else float(or_))})
    binom = [{"k": kk, "n": nn, "p": pp, "expected": float(stats.binom.sf(kk - 1, nn, pp))}
             for kk, nn, pp in [(7, 10, 0.5), (0, 10, 0.3), (11, 10, 0.3), (30, 100, 0.2), (60, 1000, 0.05),
                                (1, 1, 0.9), (1500, 2000, 0.7), (3, 2500, 0.0004)]]

    pv = np.concatenate([rng.random(25) ** 3, [0.01, 0.01, 0.04, 1.0]])
    m = len(pv)
    o = np.argsort(pv, kind="stable")
    bh_sorted = np.minimum.accumulate((pv[o] * m / np.arange(1, m + 1))[::-1])[::-1]
    bh = np.empty(m); bh[o] = np.minimum(bh_sorted, 1)
    holm_sorted = np.maximum.accumulate(np.minimum(1, (m - np.arange(m)) * pv[o]))
    hm = np.empty(m); hm[o] = holm_sorted

    vals = rng.normal(3, 2, 501)
    vals[::37] = rng.normal(3, 40, len(vals[::37]))  # a few gross outliers
    qs = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1]
    even = rng.exponential(1, 200)
    edges = [0.0, 0.1, 0.5, 1.0, 2.0, 3.0]

    # Temperature: labels drawn from softmax(z / 2), so the fitted T should be near 2; the exact
    # optimum of the (clamped) NLL is found with scipy's bounded Brent in log T.
    n, k = 600, 4
    z = rng.normal(0, 2.5, (n, k)).astype(np.float32)
    pt = softmax(z.astype(np.float64) / 2)
    tl = np.array([rng.choice(k, p=row) for row in pt])
    z64 = z.astype(np.float64)

    def nll_t(lnT):
        s = z64 / math.exp(lnT)
        lse = np.log(np.exp(s - s.max(axis=1, keepdims=True)).sum(axis=1)) + s.max(axis=1)
        return float(np.minimum(lse - s[np.arange(n), tl], -math.log(CLAMP)).mean())

    res = optimize.minimize_scalar(nll_t, bounds=(math.log(0.05), math.log(20)), method="bounded",
                                   options={"xatol": 1e-10})

    return {
        "fisher": fisher,
        "binomialGreater": binom,
        "multipleTesting": {"p": pv.tolist(), "bh": bh.tolist(), "holm": hm.tolist()},
        "quantiles": {"values": vals.tolist(), "qs": qs, "expected": np.quantile(vals, qs).tolist(),
                      "evenValues": even.tolist(), "evenExpected": np.quantile(even, qs).tolist()},
        "robust": {"values": vals.tolist(), "median": float(np.median(vals)),
                   "mad": float(stats.median_abs_deviation(vals, scale=1.0)),
                   "z": ((vals - np.median(vals)) / (1.4826 * stats.median_abs_deviation(vals, scale=1.0))).tolist()},
        "histogram": {"values": even.tolist(), "edges": edges,
                      "counts": np.histogram(even[(even >= 0) & (even <= 3)], bins=edges)[0].tolist(),
                      "below": int((even < 0).sum()), "above": int((even > 3).sum())},
        "temperature": {"n": n, "k": k, "logits": f32_list(z), "labels": tl.tolist(),
                        "temperature": math.exp(res.x), "nllBefore": nll_t(0.0), "nllAfter": float(res.fun)},
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240607)
    meta = {"generator": "scripts/gen-stats-fixtures.py", "numpy": np.__version__,
            "sklearn": sklearn.__version__, "scipy": scipy.__version__, "seed": 20240607}
    for name, fn in [("multiclass", multiclass), ("binary", binary), ("misc", misc)]:
        data = {"meta": meta, **fn(rng)}
        path = os.path.join(OUT, f"crosscheck-{name}.json")
        with open(path, "w") as f:
            json.dump(data, f, separators=(",", ":"), allow_nan=False)
            f.write("\n")
        print(f"{path}: {os.path.getsize(path) / 1024:.1f} KB")


if __name__ == "__main__":
    main()
