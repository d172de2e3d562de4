// The ORT stats graphs against float64 references computed on the host from the same float32 values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkReducer } from '../../../src/engine/stats/chunkReducer';
import { combineMoments, emptyMoments, momentsOf, type Moments } from '../../../src/core/stats/moments';
import { finalizeStats } from '../../../src/core/stats/finalize';
import { gaussianValues } from '../fixtures/values';

const gaussian = gaussianValues;

export function assertClose(actual: number | null, expected: number | null, rel: number, what: string, abs = 0): void {
  if (expected === null || actual === null) {
    assert.equal(actual, expected, what);
    return;
  }
  const tol = Math.max(abs, rel * Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);
}

function assertMomentsClose(got: Moments, want: Moments, what: string): void {
  const a = finalizeStats(got), b = finalizeStats(want);
  assert.equal(a.count, b.count, `${what} count`);
  assert.equal(a.nanCount, b.nanCount, `${what} nan`);
  assert.equal(a.infCount, b.infCount, `${what} inf`);
  assert.equal(a.min, b.min, `${what} min`);
  assert.equal(a.max, b.max, `${what} max`);
  assertClose(a.rms, b.rms, 2e-6, `${what} rms`);
  assertClose(a.std, b.std, 2e-5, `${what} std`);
  assertClose(a.mean, b.mean, 1e-5, `${what} mean`, 1e-6 * (b.rms ?? 0));
}

test('stats graph matches float64 references on CPU', async () => {
  const r = await ChunkReducer.create({ provider: 'cpu' });
  try {
    assert.equal(r.provider, 'cpu');
    const cases: [string, Float32Array][] = [
      ['centred weights', gaussian(300_001, 0, 0.02, 7)],
      ['norm-like (mean 1, std 1e-3)', gaussian(4096, 1, 1e-3, 9)],
      ['large offset (mean 1e4, std 1)', gaussian(100_000, 1e4, 1, 3)],
      ['single value', Float32Array.of(-3.5)],
      ['denormals', Float32Array.from({ length: 1000 }, (_, i) => (i - 500) * 1e-42)],
    ];
    for (const [what, x] of cases) assertMomentsClose(await r.reduce(x), momentsOf(x), what);
    assert.ok(r.counters.fast >= cases.length);
  } finally {
    await r.dispose();
  }
});

test('NaN and Inf are counted and excluded from the moments', async () => {
  const r = await ChunkReducer.create({ provider: 'cpu' });
  try {
    const x = gaussian(10_000, 0.5, 2, 11);
    x[3] = NaN; x[77] = Infinity; x[5000] = -Infinity; x[9999] = NaN;
    const got = await r.reduce(x);
    assert.equal(got.nanCount, 2);
    assert.equal(got.infCount, 2);
    assertMomentsClose(got, momentsOf(x), 'with NaN/Inf');
    assert.ok(r.counters.masked >= 1, 'the masked graph ran');
    const allBad = Float32Array.of(NaN, Infinity, NaN);
    const s = finalizeStats(await r.reduce(allBad));
    assert.deepEqual([s.count, s.nanCount, s.infCount, s.mean, s.rms, s.min], [0, 2, 1, null, null, null]);
    // float32 squares and sums would overflow: the masked graph rescales by a power of two.
    const huge = Float32Array.of(3e38, 3e38, -1e38, 2e38);
    assertMomentsClose(await r.reduce(huge), momentsOf(huge), 'overflowing float32 sums');
    const tinyMixed = Float32Array.of(1e-30, -2e-41, NaN, 3e-39, -Infinity, 5e-45);
    assertMomentsClose(await r.reduce(tinyMixed), momentsOf(tinyMixed), 'tiny values with NaN/Inf');
  } finally {
    await r.dispose();
  }
});

test('results do not depend on the chunk size', async () => {
  const r = await ChunkReducer.create({ provider: 'cpu' });
  try {
    const x = gaussian(1_000_003, 0.01, 0.05, 5);
    const whole = momentsOf(x);
    for (const chunk of [1, 997, 4096, 65_536, 1_000_003]) {
      if (chunk === 1) {
        // 1-element chunks through ORT are slow; check the combine on a prefix instead.
        const prefix = x.subarray(0, 300);
        const acc = emptyMoments();
        for (let i = 0; i < prefix.length; i++) combineMoments(acc, await r.reduce(prefix.subarray(i, i + 1), acc.count ? acc.mean : NaN));
        assertMomentsClose(acc, momentsOf(prefix), 'chunk 1');
        continue;
      }
      const acc = emptyMoments();
      for (let i = 0; i < x.length; i += chunk) combineMoments(acc, await r.reduce(x.subarray(i, i + chunk), acc.count ? acc.mean : NaN));
      assertMomentsClose(acc, whole, `chunk ${chunk}`);
    }
  } finally {
    await r.dispose();
  }
});

test('reduceDeviations (the sums graph on host-shifted data) matches float64 references', async () => {
  const r = await ChunkReducer.create({ provider: 'cpu' });
  try {
    const cases: [string, Float32Array][] = [
      ['centred weights', gaussian(300_001, 0, 0.02, 7)],
      ['norm-like (mean 1, std 1e-3)', gaussian(4096, 1, 1e-3, 9)],
      ['large offset (mean 1e4, std 1)', gaussian(100_000, 1e4, 1, 3)],
      ['single value', Float32Array.of(-3.5)],
    ];
    for (const [what, x] of cases) {
      const k = Math.fround(x[0]);
      const d = x.map((v) => v - k);
      let min = Infinity, max = -Infinity;
      for (const v of x) { if (v < min) min = v; if (v > max) max = v; }
      const m = await r.reduceDeviations(d, k, min, max);
      assert.ok(m, `${what}: fast sums accepted`);
      assertMomentsClose(m, momentsOf(x), what);
    }
    assert.equal(r.counters.sums, cases.length);
    // Values whose squares leave float32's normal range are handed back to the caller.
    const tiny = Float32Array.from({ length: 1000 }, (_, i) => (i - 500) * 1e-42);
    assert.equal(await r.reduceDeviations(tiny, 0, -500e-42, 499e-42), undefined);
    assert.equal(await r.reduceDeviations(Float32Array.of(3e38, -3e38), 0, -3e38, 3e38), undefined);
  } finally {
    await r.dispose();
  }
});
