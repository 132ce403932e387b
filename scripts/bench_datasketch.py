#!/usr/bin/env python3
"""Peer for `bientap bench`: datasketch MinHashLSH on the same shingles.

Input (argv[1]): lines "id h1 h2 …" — the 3-syllable shingle hashes (u64) of the indexed items.
Queries (argv[2]): lines "source_id truth_jaccard h1 h2 …".
Prints one JSON object per configuration: build seconds, query p50/p95 in ms, recall and
precision at Jaccard >= 0.8 (precision of the raw LSH candidates, as datasketch returns them).
"""
import json
import sys
import time

from datasketch import MinHash, MinHashLSH


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts:
                rows.append(parts)
    return rows


def mh(hashes, num_perm):
    m = MinHash(num_perm=num_perm, hashfunc=lambda b: int.from_bytes(b, "little") & 0xFFFFFFFF)
    m.update_batch([int(h).to_bytes(8, "little") for h in hashes])
    return m


def run(items, queries, label, num_perm, params=None):
    t = time.perf_counter()
    if params:
        lsh = MinHashLSH(num_perm=num_perm, params=params)
    else:
        lsh = MinHashLSH(threshold=0.8, num_perm=num_perm)
    sets = {}
    for row in items:
        sets[row[0]] = set(row[1:])
        lsh.insert(row[0], mh(row[1:], num_perm))
    build = time.perf_counter() - t
    times, should, found, returned, correct = [], 0, 0, 0, 0
    for q in queries:
        src, truth, hashes = q[0], float(q[1]), q[2:]
        m = mh(hashes, num_perm)
        t = time.perf_counter()
        res = lsh.query(m)
        times.append(time.perf_counter() - t)
        qs = set(hashes)
        if truth >= 0.8:
            should += 1
            if src in res:
                found += 1
        for r in res:
            returned += 1
            s = sets[r]
            j = len(qs & s) / max(1, len(qs | s))
            if j >= 0.8:
                correct += 1
    times.sort()
    p = lambda x: times[min(len(times) - 1, int(round((len(times) - 1) * x)))] * 1000
    b, r = lsh.b, lsh.r
    print(json.dumps({
        "config": label, "bands": b, "rows": r, "items": len(items), "build_s": round(build, 2),
        "p50_ms": round(p(0.5), 3), "p95_ms": round(p(0.95), 3),
        "recall": round(found / should, 3) if should else None,
        "precision": round(correct / returned, 3) if returned else None,
    }))
    sys.stdout.flush()


def main():
    items = load(sys.argv[1])
    queries = load(sys.argv[2])
    run(items, queries, "default threshold=0.8 num_perm=128", 128)
    run(items, queries, "matched 16 bands x 6 rows", 96, (16, 6))


if __name__ == "__main__":
    main()
