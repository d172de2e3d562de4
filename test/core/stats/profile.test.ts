// The norm profile from real statistics of fixture checkpoints of each expert layout, and the chart drawn from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { depthProfile, makeTinyMoe } from '../../../src/core/model/tinyMoe';
import { drawNormChart } from '../../../src/core/stats/normChart';
import { profileCsv, profileTable } from '../../../src/core/stats/format';
import { computeNormProfile } from '../../../src/engine/stats/normProfile';

const tmp = mkdtempSync(join(tmpdir(), 'graft-profile-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

for (const family of ['mixtral', 'gpt_oss', 'hf5_fused_moe', 'qwen2_moe', 'deepseek_v3'] as const) {
  test(`${family}: expert profile follows the fixture's depth shape, per expert and per layer`, async () => {
    const dir = join(tmp, family);
    await makeTinyMoe(dir, { family, layers: 5, dtype: 'BF16', std: 0.02 });
    const { profile } = await computeNormProfile(dir, { cache: false });
    assert.equal(profile.family, family);
    const moe = profile.layers.filter((l) => l.values.experts !== null);
    assert.ok(moe.length >= 4);
    for (const l of moe) {
      // Fixture experts are N(0, (0.02·depth·jitter)²): their RMS is that std within sampling error.
      const expected = 0.02 * depthProfile(l.layer, 5);
      assert.ok(Math.abs(l.values.experts! / expected - 1) < 0.05, `layer ${l.layer}: ${l.values.experts} vs ~${expected}`);
      assert.equal(l.perExpert!.length, 8);
      assert.ok(l.perExpert!.every((v) => v !== null && v > 0));
      assert.ok(Math.max(...l.perExpert! as number[]) / Math.min(...l.perExpert! as number[]) > 1.1, 'experts differ');
      assert.ok(l.values.router !== null && l.values.attention !== null && l.values.norms === 1);
    }
    if (family === 'qwen2_moe' || family === 'deepseek_v3') assert.ok(moe.every((l) => l.values.shared !== null));
    const values = moe.map((l) => l.values.experts!);
    assert.ok(values[values.length - 1] < values[values.length - 2], 'dip at the last layer');
    assert.ok(values[0] < values[1], 'rises after the first layer');
  });
}

test('chart, table and CSV render the profile', async () => {
  const dir = join(tmp, 'chart');
  await makeTinyMoe(dir, { family: 'mixtral', layers: 6 });
  const { profile } = await computeNormProfile(dir, { cache: false });
  const { parseHTML } = await import('linkedom');
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const svg = drawNormChart(document.body as unknown as Element, { before: profile, after: profile, kind: 'experts' });
  assert.equal(svg.querySelectorAll('g.series').length, 2);
  assert.equal(svg.querySelectorAll('g.series circle').length, 12);
  assert.match(svg.querySelector('.caption')!.textContent!, /statistics on cpu/);
  assert.match(svg.querySelector('.title')!.textContent!, /Norm profile/);
  assert.ok(svg.querySelectorAll('.x-axis .tick').length >= 5);
  const table = profileTable(profile, ['experts', 'router']);
  assert.equal(table.split('\n').length, 2 + 6);
  const csv = profileCsv(profile, ['experts']).trim().split('\n');
  assert.equal(csv[0], 'model,layer,experts');
  assert.equal(Number(csv[1].split(',')[2]), profile.layers[0].values.experts);
});
