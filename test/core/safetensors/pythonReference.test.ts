// An independent reference: Debian's Python + PyTorch. Python writes a safetensors file by hand (struct + json)
// with torch's bf16/f16 conversions; we read and decode it, encode the same float32 values and compare bytes; then
// Python reads the file we wrote. Skipped, saying why, when /usr/bin/python3 with torch is not installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeToFloat32, encodeFromFloat32 } from '../../../src/core/safetensors/dtypes';
import { openCheckpoint } from '../../../src/core/safetensors/checkpoint';
import { FilePool, readTensorBytes, readTensorFloat32 } from '../../../src/core/safetensors/tensorIO';
import { bufferTensor, writeCheckpoint } from '../../../src/core/safetensors/writer';
import type { DType } from '../../../src/core/safetensors/types';
import { withTmp } from './helpers';

const PY = '/usr/bin/python3';
const hasTorch = existsSync(PY) && spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const skip = hasTorch ? false : `${PY} with torch is not installed (apt-get install python3-torch)`;

function py(script: string, ...args: string[]): string {
  const r = spawnSync(PY, ['-c', script, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const WRITE = `
import json, struct, sys, torch
g = torch.Generator().manual_seed(7)
x = torch.randn(4096, generator=g) * torch.logspace(-8, 5, 4096)
x[:6] = torch.tensor([0.0, -0.0, 1.0 + 2**-8, 1.0 + 3 * 2**-8, 65520.0, 2.0**-25])
parts = {"f32": (x, "F32"), "bf16": (x.to(torch.bfloat16), "BF16"), "f16": (x.to(torch.float16), "F16"),
         "i64": (torch.arange(-5, 5, dtype=torch.int64) * 2**40, "I64")}
header, blobs, off = {"__metadata__": {"by": "python"}}, [], 0
for name, (t, dt) in parts.items():
    b = t.contiguous().view(torch.uint8).numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
    header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b); off += len(b)
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
`;

test('reads a file written by Python; bf16/f16 decode and encode match torch bit for bit', { skip }, () => withTmp(async (dir) => {
  const f = join(dir, 'py.safetensors');
  py(WRITE, f);
  const src = await openCheckpoint(f);
  const pool = new FilePool();
  try {
    const x = await readTensorFloat32(pool, src.tensors.get('f32')!);
    for (const [name, dtype] of [['bf16', 'BF16'], ['f16', 'F16']] as [string, DType][]) {
      const ref = src.tensors.get(name)!;
      const torchBytes = await readTensorBytes(pool, ref);
      const ours = new Uint8Array(ref.byteLength);
      encodeFromFloat32(dtype, x, ours, x.length);
      assert.deepEqual(Buffer.from(ours), Buffer.from(torchBytes), `${dtype} encode (round to nearest even) matches torch`);
      const decoded = await readTensorFloat32(pool, ref);
      const torchDecoded = Float32Array.from(JSON.parse(py(`
import struct, sys, torch
b = open(sys.argv[1], "rb").read()[${ref.offset}:${ref.offset + ref.byteLength}]
t = torch.frombuffer(bytearray(b), dtype=torch.${dtype === 'BF16' ? 'bfloat16' : 'float16'}).float()
print([v if v == v and abs(v) != float("inf") else str(v) for v in t.tolist()].__repr__().replace("'", '"'))`, f)).map((v: number | string) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v))));
      assert.deepEqual(decoded, torchDecoded, `${dtype} decode matches torch`);
    }
    const i64 = await readTensorFloat32(pool, src.tensors.get('i64')!);
    assert.deepEqual([...i64], Array.from({ length: 10 }, (_, i) => (i - 5) * 2 ** 40));
    assert.deepEqual(src.metadata.get(f), { by: 'python' });
  } finally {
    await pool.close();
  }
}));

test('Python reads a sharded checkpoint we wrote (struct + json + torch.frombuffer)', { skip }, () => withTmp(async (dir) => {
  const values = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i) * 10);
  const bf = new Uint8Array(600);
  encodeFromFloat32('BF16', values, bf, 300);
  const back = new Float32Array(300);
  decodeToFloat32('BF16', bf, back, 300);
  await writeCheckpoint(join(dir, 'o'), {
    shardBytes: 700, metadata: { format: 'pt' },
    tensors: [bufferTensor('a.bf16', 'BF16', [3, 100], bf), bufferTensor('b.f32', 'F32', [300], new Uint8Array(values.buffer)), bufferTensor('c', 'U8', [3], Uint8Array.of(1, 2, 3))],
  });
  const out = JSON.parse(py(`
import json, os, struct, sys, torch
d = sys.argv[1]
ix = json.load(open(os.path.join(d, "model.safetensors.index.json")))
res = {}
for shard in sorted(set(ix["weight_map"].values())):
    raw = open(os.path.join(d, shard), "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert (8 + n) % 8 == 0
    h = json.loads(raw[8:8 + n])
    assert h.pop("__metadata__") == {"format": "pt"}
    for name, e in h.items():
        b, en = e["data_offsets"]
        dt = {"BF16": torch.bfloat16, "F32": torch.float32, "U8": torch.uint8}[e["dtype"]]
        t = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + en]), dtype=dt).reshape(e["shape"])
        res[name] = {"shard": shard, "sum": float(t.double().sum()), "shape": list(t.shape)}
print(json.dumps({"total": ix["metadata"]["total_size"], "tensors": res}))`, join(dir, 'o')));
  assert.equal(out.total, 600 + 1200 + 3);
  assert.deepEqual(out.tensors['a.bf16'].shape, [3, 100]);
  assert.equal(out.tensors['a.bf16'].shard, 'model-00001-of-00003.safetensors');
  assert.ok(Math.abs(out.tensors['a.bf16'].sum - back.reduce((s, v) => s + v, 0)) < 1e-6);
  assert.ok(Math.abs(out.tensors['b.f32'].sum - values.reduce((s, v) => s + v, 0)) < 1e-6);
  assert.equal(out.tensors.c.sum, 6);
}));
