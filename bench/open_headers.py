#!/usr/bin/python3
"""Baseline for bench/openSparse.bench.ts: what a user would write in Python to list a sharded checkpoint's
tensors with the standard `json` module: parse the index, then each shard's header (8-byte length + JSON).
Prints the tensor count, total bytes and in-process milliseconds, so the benchmark can check both sides saw the same checkpoint."""
import json
import os
import struct
import sys
import time


def open_checkpoint(folder):
    with open(os.path.join(folder, "model.safetensors.index.json"), "rb") as f:
        index = json.load(f)
    shards = sorted(set(index["weight_map"].values()))
    tensors = {}
    for shard in shards:
        path = os.path.join(folder, shard)
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(n))
        base = 8 + n
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            begin, end = entry["data_offsets"]
            tensors[name] = (path, entry["dtype"], entry["shape"], base + begin, end - begin)
    return tensors


if __name__ == "__main__":
    t0 = time.perf_counter()
    t = open_checkpoint(sys.argv[1])
    ms = (time.perf_counter() - t0) * 1000
    print(len(t), sum(v[4] for v in t.values()), f"{ms:.1f}")
