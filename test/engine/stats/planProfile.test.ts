// The norm-profile preview of a growth plan (computePlanProfile) against the profile of the checkpoint the plan
// actually writes (executeGrowthPlan, then computeNormProfile): depth growth repeats source values, stack drops at
// the seam, expert duplication's noised copies are generated with the executor's own generator and rounding, and
// LLaMA-Pro's zeroed projections get exact zero statistics.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildGrowthPlan, executeGrowthPlan, validateRecipe, type GrowthPlan } from '../../../src/core/growth/index';
import { makeTinyMoe, type TinyWriteOptions } from '../../../src/core/model/tinyMoe';
import { openCheckpoint, type CheckpointSource } from '../../../src/core/safetensors/index';
import { PROFILE_KINDS, type NormProfile, type TensorStatistics, type TensorStatsEntry } from '../../../src/core/stats/types';
import { computeNormProfile } from '../../../src/engine/stats/normProfile';
import { computePlanProfile, type PlanProfileResult } from '../../../src/engine/stats/planProfile';

const tmp = mkdtempSync(join(tmpdir(), 'graft-planprofile-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
async function tiny(o: TinyWriteOptions): Promise<CheckpointSource> {
  const dir = join(tmp, `src-${n++}`);
  await makeTinyMoe(dir, { hidden: 32, intermediate: 48, ...o });
  return openCheckpoint(dir);
}

function plan(src: CheckpointSource, ops: unknown[], seed = 0): GrowthPlan {
  return buildGrowthPlan(src, validateRecipe({ schema: 'graft/recipe@1', seed, ops }));
}

/** Preview and the executed checkpoint's profile, both without the cache. */
async function previewAndExecute(src: CheckpointSource, p: GrowthPlan): Promise<{ preview: PlanProfileResult; executed: Awaited<ReturnType<typeof computeNormProfile>> }> {
  const preview = await computePlanProfile(p, { source: src, cache: false });
  const dest = join(tmp, `out-${n++}`);
  await executeGrowthPlan(p, dest);
  const executed = await computeNormProfile(dest, { cache: false });
  return { preview, executed };
}

function close(a: number | null, b: number | null, rel: number, what: string): void {
  if (a === null || b === null) return assert.equal(a, b, what);
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300), `${what}: ${a} vs ${b}`);
}

function assertProfilesClose(got: NormProfile, want: NormProfile, rel: number): void {
  assert.equal(got.family, want.family);
  assert.deepEqual(got.layers.map((l) => l.layer), want.layers.map((l) => l.layer));
  got.layers.forEach((l, i) => {
    const w = want.layers[i];
    assert.deepEqual(l.counts, w.counts, `layer ${l.layer} counts`);
    for (const k of PROFILE_KINDS) close(l.values[k], w.values[k], rel, `layer ${l.layer} ${k}`);
    assert.equal(l.perExpert?.length, w.perExpert?.length, `layer ${l.layer} experts`);
    l.perExpert?.forEach((v, e) => close(v, w.perExpert![e], rel, `layer ${l.layer} expert ${e}`));
  });
}

function assertStatsClose(got: TensorStatistics, want: TensorStatistics, rel: number, what: string): void {
  for (const k of ['numel', 'count', 'nanCount', 'infCount', 'min', 'max', 'absmax'] as const) assert.equal(got[k], want[k], `${what} ${k}`);
  for (const k of ['rms', 'fro', 'std'] as const) close(got[k], want[k], rel, `${what} ${k}`);
  if (got.mean !== null && want.mean !== null) assert.ok(Math.abs(got.mean - want.mean) <= rel * want.rms!, `${what} mean ${got.mean} vs ${want.mean}`);
}

function assertTensorsClose(got: TensorStatsEntry[], want: TensorStatsEntry[], rel: number): void {
  const byName = new Map(want.map((e) => [e.name, e]));
  assert.equal(got.length, want.length, 'tensor count');
  for (const e of got) {
    const w = byName.get(e.name);
    assert.ok(w, `executed checkpoint lacks ${e.name}`);
    assert.deepEqual(e.shape, w.shape, e.name);
    assertStatsClose(e.stats, w.stats, rel, e.name);
    assert.equal(e.slices?.length, w.slices?.length, `${e.name} slices`);
    e.slices?.forEach((s, i) => assertStatsClose(s, w.slices![i], rel, `${e.name} slice ${i}`));
  }
}

const experts = (p: NormProfile) => p.layers.map((l) => l.values.experts!);

test('interposition ×2: the preview equals the executed profile and repeats each source value twice', async () => {
  const src = await tiny({ family: 'mixtral', layers: 4 });
  const p = plan(src, [{ op: 'depth', method: 'interposition' }]);
  const { preview, executed } = await previewAndExecute(src, p);
  assert.equal(preview.counts.streamed, 0, 'depth growth copies only');
  assert.equal(preview.after.layers.length, 8);
  assertProfilesClose(preview.after, executed.profile, 1e-12);
  assertTensorsClose(preview.afterTensors, executed.tensors, 1e-12);
  for (const l of preview.after.layers) {
    const b = preview.before.layers[Math.floor(l.layer / 2)];
    for (const k of PROFILE_KINDS) close(l.values[k], b.values[k], 1e-12, `layer ${l.layer} ${k}`);
  }
  // The shape survives: rising through depth, a dip at the last layer.
  const e = experts(preview.after);
  assert.ok(e[0] < e[2] && e[2] < e[4] && e[7] < e[5]);
});

test('stack ×2: the whole curve repeats, with a drop at the seam', async () => {
  const src = await tiny({ family: 'qwen3_moe', layers: 4 });
  const p = plan(src, [{ op: 'depth', method: 'stack' }]);
  const { preview, executed } = await previewAndExecute(src, p);
  assertProfilesClose(preview.after, executed.profile, 1e-12);
  const b = experts(preview.before), a = experts(preview.after);
  a.forEach((v, j) => close(v, b[j % 4], 1e-12, `layer ${j}`));
  const seam = a[3] - a[4];
  const steps = b.slice(1).map((v, i) => Math.abs(v - b[i]));
  assert.ok(seam > 0 && seam > Math.max(...steps.slice(0, 2)), `seam ${seam} vs steps ${steps}`);
});

for (const [family, dtype] of [['mixtral', 'F32'], ['olmoe', 'BF16'], ['gpt_oss', 'F32'], ['hf5_fused_moe', 'BF16']] as const) {
  test(`experts ×2, α = 0.01 (${family}, ${dtype}): noised copies generated exactly as written; per-tensor stats match`, async () => {
    const src = await tiny({ family, dtype, layers: 2 });
    const p = plan(src, [{ op: 'experts', alpha: 0.01 }], 7);
    const { preview, executed } = await previewAndExecute(src, p);
    assert.ok(preview.counts.streamed > 0, 'copies are generated');
    assert.ok(preview.counts.fromSource > 0, 'originals reuse source statistics');
    assert.equal(preview.after.layers[0].perExpert?.length, 16);
    assertTensorsClose(preview.afterTensors, executed.tensors, 1e-6);
    assertProfilesClose(preview.after, executed.profile, 1e-6);
    // A copy's RMS is its original's, nudged by the noise: √(1 + α²) to first order.
    for (const l of preview.after.layers) {
      for (let e = 0; e < 8; e++) close(l.perExpert![e + 8], l.perExpert![e], 1e-3, `layer ${l.layer} copy of ${e}`);
    }
  });
}

test('experts ×2 over several chunks per tensor: statistics are bit for bit those of the written checkpoint', async () => {
  // streamStats.ts stages generated bytes into the same chunks computeCheckpointStats reads (reduceFile): if these
  // drift apart, the preview stays within float tolerance but stops being identical.
  const src = await tiny({ family: 'mixtral', dtype: 'BF16', layers: 1, hidden: 64, intermediate: 96 });
  const p = plan(src, [{ op: 'experts', alpha: 0.01 }], 3);
  const preview = await computePlanProfile(p, { source: src, cache: false, chunkElements: 1000, writerChunkBytes: 777 * 2 });
  const dest = join(tmp, `out-${n++}`);
  await executeGrowthPlan(p, dest);
  const executed = await computeNormProfile(dest, { cache: false, chunkElements: 1000 });
  const byName = new Map(executed.tensors.map((e) => [e.name, e]));
  for (const e of preview.afterTensors) assert.deepEqual([e.stats, e.slices], [byName.get(e.name)!.stats, byName.get(e.name)!.slices], e.name);
  assert.deepEqual(preview.after.layers, executed.profile.layers);
});

test('LLaMA-Pro: zeroed projections get exact zero statistics; the preview equals the executed profile', async () => {
  const src = await tiny({ family: 'mixtral', layers: 4 });
  const p = plan(src, [{ op: 'depth', method: 'llama-pro', add: 2 }]);
  const { preview, executed } = await previewAndExecute(src, p);
  assert.ok(p.identityLayers.length === 2);
  assert.equal(preview.counts.streamed, 0);
  assert.ok(preview.counts.zero > 0);
  for (const [name, origin] of Object.entries(preview.origin)) {
    if (origin !== 'zero') continue;
    const e = preview.afterTensors.find((t) => t.name === name)!;
    assert.equal(e.stats.rms, 0);
    assert.equal(e.stats.absmax, 0);
    assert.ok(/o_proj|w2/.test(name), `zeroed ${name}`);
  }
  assertTensorsClose(preview.afterTensors, executed.tensors, 1e-12);
  assertProfilesClose(preview.after, executed.profile, 1e-12);
  for (const j of p.identityLayers) {
    const l = preview.after.layers[j];
    const prev = preview.after.layers[j - 1];
    assert.ok(l.values.experts! < prev.values.experts!, `identity layer ${j}: a third of its expert matrices are zero`);
    close(l.values.experts!, (prev.values.experts! * 2) / 3, 0.25, `identity layer ${j}`);
  }
});

test('a plan built on another checkpoint is refused', async () => {
  const a = await tiny({ family: 'mixtral', layers: 2 });
  const b = await tiny({ family: 'mixtral', layers: 3 });
  await assert.rejects(computePlanProfile(plan(a, [{ op: 'depth', method: 'interposition' }]), { source: b, cache: false }), /does not fit/);
});
