// Streaming statistics over real checkpoint files, against float64 references computed in JS from the same decoded
// values and against numpy (/usr/bin/python3) for one file; every float32-convertible dtype path; chunk-size independence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTinyMoe } from '../../../src/core/model/tinyMoe';
import { decodeToFloat32, FilePool, openCheckpoint, readTensorBytes } from '../../../src/core/safetensors/index';
import { finalizeStats } from '../../../src/core/stats/finalize';
import { momentsOf } from '../../../src/core/stats/moments';
import type { TensorStatistics } from '../../../src/core/stats/types';
import { computeCheckpointStats } from '../../../src/engine/stats/checkpointStats';
import { bytesOf, writeRawSafetensors } from '../fixtures/rawSafetensors';
import { gaussianValues } from '../fixtures/values';

const tmp = mkdtempSync(join(tmpdir(), 'graft-stats-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function close(a: number | null, b: number | null, rel: number, what: string): void {
  if (a === null || b === null) return assert.equal(a, b, what);
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-300), `${what}: ${a} vs ${b}`);
}

function assertStats(got: TensorStatistics, want: TensorStatistics, what: string): void {
  for (const k of ['numel', 'count', 'nanCount', 'infCount', 'min', 'max', 'absmax'] as const) assert.equal(got[k], want[k], `${what} ${k}`);
  close(got.rms, want.rms, 1e-5, `${what} rms`);
  close(got.fro, want.fro, 1e-5, `${what} fro`);
  close(got.std, want.std, 2e-5, `${what} std`);
  if (got.mean !== null && want.mean !== null) assert.ok(Math.abs(got.mean - want.mean) <= 1e-5 * Math.max(Math.abs(want.mean), want.rms!), `${what} mean ${got.mean} vs ${want.mean}`);
}

/** float64 reference for every tensor: decode the same bytes with the reader's decoder, two-pass moments in JS. */
async function references(path: string): Promise<Map<string, TensorStatistics>> {
  const src = await openCheckpoint(path);
  const pool = new FilePool();
  const out = new Map<string, TensorStatistics>();
  try {
    for (const ref of src.tensors.values()) {
      const n = ref.shape.reduce((a, b) => a * b, 1);
      const f = new Float32Array(n);
      decodeToFloat32(ref.dtype, await readTensorBytes(pool, ref), f, n);
      out.set(ref.name, finalizeStats(momentsOf(f), n));
    }
  } finally {
    await pool.close();
  }
  return out;
}

for (const dtype of ['F32', 'BF16', 'F16'] as const) {
  test(`tiny mixtral in ${dtype}: every tensor matches the float64 reference, at any chunk size`, async () => {
    const dir = join(tmp, `mixtral-${dtype}`);
    await makeTinyMoe(dir, { family: 'mixtral', dtype, shardBytes: 600_000 });
    const src = await openCheckpoint(dir);
    assert.ok(src.files.length > 1, 'sharded');
    const want = await references(dir);
    for (const chunkElements of [1 << 20, 3000]) {
      const got = await computeCheckpointStats(src, { cache: false, chunkElements });
      assert.equal(got.provider, 'cpu');
      assert.equal(got.tensors.length, src.tensors.size);
      for (const e of got.tensors) assertStats(e.stats, want.get(e.name)!, `${e.name} (chunk ${chunkElements})`);
    }
  });
}

test('F8, F64, integers, NaN, Inf and denormals through the reader\'s decoders', async () => {
  const file = join(tmp, 'special.safetensors');
  const special = gaussianValues(5000, 0.1, 3, 3);
  special[0] = NaN; special[100] = Infinity; special[4000] = -Infinity; special[4001] = 1e-40; special[4002] = -3e-45;
  const f16 = new Uint16Array(4096).map((_, i) => (i * 2654435761) >>> 16); // every F16 bit pattern class, incl. NaN/Inf/subnormal
  writeRawSafetensors(file, [
    { name: 'f32_special', dtype: 'F32', shape: [50, 100], bytes: bytesOf(special) },
    { name: 'f64', dtype: 'F64', shape: [3000], bytes: bytesOf(Float64Array.from(gaussianValues(3000, -2, 0.5, 8))) },
    { name: 'f16_bits', dtype: 'F16', shape: [4096], bytes: bytesOf(f16) },
    { name: 'bf16_bits', dtype: 'BF16', shape: [4096], bytes: bytesOf(f16) },
    { name: 'f8_e4m3', dtype: 'F8_E4M3', shape: [256], bytes: Uint8Array.from({ length: 256 }, (_, i) => i) },
    { name: 'f8_e5m2', dtype: 'F8_E5M2', shape: [256], bytes: Uint8Array.from({ length: 256 }, (_, i) => i) },
    { name: 'i8', dtype: 'I8', shape: [256], bytes: Uint8Array.from({ length: 256 }, (_, i) => i) },
    { name: 'i64', dtype: 'I64', shape: [4], bytes: bytesOf(BigInt64Array.of(-5n, 7n, 1n << 40n, 0n)) },
    { name: 'empty', dtype: 'F32', shape: [0, 3], bytes: new Uint8Array(0) },
  ]);
  const want = await references(file);
  const got = await computeCheckpointStats(await openCheckpoint(file), { cache: false, chunkElements: 1500 });
  for (const e of got.tensors) assertStats(e.stats, want.get(e.name)!, e.name);
  const sp = got.tensors.find((e) => e.name === 'f32_special')!.stats;
  assert.deepEqual([sp.nanCount, sp.infCount, sp.count], [1, 2, 4997]);
  assert.ok(got.tensors.find((e) => e.name === 'f16_bits')!.stats.nanCount > 0);
  assert.equal(got.tensors.find((e) => e.name === 'empty')!.stats.mean, null);
});

test('matches numpy float64 statistics for one bf16 file', async (t) => {
  const py = '/usr/bin/python3';
  if (spawnSync(py, ['-c', 'import numpy'], { encoding: 'utf8' }).status !== 0) {
    t.skip('numpy not installed for /usr/bin/python3');
    return;
  }
  const dir = join(tmp, 'np');
  const { files } = await makeTinyMoe(dir, { family: 'qwen2_moe', dtype: 'BF16' });
  const file = files.find((f) => f.endsWith('.safetensors'))!;
  const script = `
import json, struct, sys, numpy as np
p = sys.argv[1]
with open(p, 'rb') as f:
    n = struct.unpack('<Q', f.read(8))[0]; h = json.loads(f.read(n)); base = 8 + n
    out = {}
    for k, v in h.items():
        if k == '__metadata__': continue
        a, b = v['data_offsets']; f.seek(base + a)
        u = np.frombuffer(f.read(b - a), dtype='<u2').astype(np.uint32) << 16
        x = u.view(np.float32).astype(np.float64)
        fin = x[np.isfinite(x)]
        out[k] = dict(mean=float(fin.mean()), std=float(fin.std()), rms=float(np.sqrt((fin**2).mean())), min=float(fin.min()), max=float(fin.max()))
print(json.dumps(out))`;
  const r = spawnSync(py, ['-c', script, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const np = JSON.parse(r.stdout) as Record<string, { mean: number; std: number; rms: number; min: number; max: number }>;
  const got = await computeCheckpointStats(await openCheckpoint(file), { cache: false });
  assert.equal(got.tensors.length, Object.keys(np).length);
  for (const e of got.tensors) {
    const w = np[e.name];
    assert.equal(e.stats.min, w.min, `${e.name} min`);
    assert.equal(e.stats.max, w.max, `${e.name} max`);
    close(e.stats.rms, w.rms, 1e-5, `${e.name} rms`);
    close(e.stats.std, w.std, 2e-5, `${e.name} std`);
  }
});
