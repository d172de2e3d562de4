#!/usr/bin/python3
"""PyTorch baseline for bench/grow.bench.ts: the same growth done the way a user would script it.

Safetensors is parsed by hand (json + torch.frombuffer: the `safetensors` package is not installed), each tensor is
loaded, duplicated / noised with torch ops, and written as one safetensors file per source shard.
usage: grow_torch.py interposition|experts SRC DEST [alpha]
"""
import json, os, struct, sys
import torch

DT = {"BF16": torch.bfloat16, "F16": torch.float16, "F32": torch.float32}
NAME = {v: k for k, v in DT.items()}


def read_file(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = bytearray(f.read())
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        a, b = info["data_offsets"]
        dt = DT[info["dtype"]]
        size = torch.empty(0, dtype=dt).element_size()
        t = torch.frombuffer(data, dtype=dt, count=(b - a) // size, offset=a) if b > a else torch.empty(0, dtype=dt)
        out[name] = t.reshape(info["shape"])
    return out


def write_file(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        b = t.contiguous().view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": NAME[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())


def main():
    mode, src, dest = sys.argv[1:4]
    alpha = float(sys.argv[4]) if len(sys.argv) > 4 else 0.01
    torch.manual_seed(0)
    cfg = json.load(open(os.path.join(src, "config.json")))
    n = cfg["num_hidden_layers"]
    E = cfg["num_local_experts"]
    os.makedirs(dest, exist_ok=True)
    files = sorted(f for f in os.listdir(src) if f.endswith(".safetensors"))
    for fi, fname in enumerate(files):
        out = {}
        for name, t in read_file(os.path.join(src, fname)).items():
            parts = name.split(".")
            if mode == "interposition" and name.startswith("model.layers."):
                l = int(parts[2])
                for j in (2 * l, 2 * l + 1):
                    out[".".join(parts[:2] + [str(j)] + parts[3:])] = t.clone()
            elif mode == "experts" and ".experts." in name:
                out[name] = t
                e = int(parts[5])
                w = t.float()
                out[".".join(parts[:5] + [str(e + E)] + parts[6:])] = (w + torch.randn_like(w) * (alpha * w.std())).to(t.dtype)
            elif mode == "experts" and name.endswith("block_sparse_moe.gate.weight"):
                w = t.float()
                out[name] = torch.cat([w, w + torch.randn_like(w) * (alpha * w.std())]).to(t.dtype)
            else:
                out[name] = t
        write_file(os.path.join(dest, f"model-{fi:05d}.safetensors"), out)
    cfg["num_hidden_layers"] = 2 * n if mode == "interposition" else n
    if mode == "experts":
        cfg["num_local_experts"] = 2 * E
        cfg["num_experts_per_tok"] *= 2
    json.dump(cfg, open(os.path.join(dest, "config.json"), "w"), indent=2)


if __name__ == "__main__":
    main()
