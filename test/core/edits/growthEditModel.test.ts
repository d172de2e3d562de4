// The document's edit flow without VS Code: growth ops → plan → grown tree with origins; undo/redo; save through
// the real executor; an aborted save leaves no destination and the document dirty; the exported recipe is one
// that `graft grow --recipe` accepts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { GrowthEditModel, type PlanRunner } from '../../../src/core/edits/growthEditModel';
import { growthLabel } from '../../../src/core/edits/growthLabels';
import { recipeText } from '../../../src/core/edits/recipeExport';
import { buildGrowthPlan, executeGrowthPlan, parseRecipe, type ExpertsOp } from '../../../src/core/growth/index';
import { buildModelTree, type TreeNode } from '../../../src/core/model/index';
import { openCheckpoint } from '../../../src/core/safetensors/index';

const ROOT = resolve(__dirname, '..', '..', '..');
const DEMO = join(ROOT, 'demo', 'tiny-mixtral');
const tmp = mkdtempSync(join(tmpdir(), 'graft-edits-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function model(): Promise<GrowthEditModel> {
  const source = await openCheckpoint(DEMO);
  return new GrowthEditModel(source, buildModelTree(source), 0);
}

const run: PlanRunner = async (recipe, dest, signal) => {
  const m = await model();
  await executeGrowthPlan(buildGrowthPlan(m.source, recipe), dest, { signal });
};

const layersOf = (root: TreeNode) => root.children.find((c) => c.kind === 'layers')!.children;
const EXPERTS: ExpertsOp = { op: 'experts', factor: 2, alpha: 0.01, sigma: 'tensor', keep_topk: false, zero_router_bias: false, placement: 'grouped' };

test('depth ×2 by interposition: 8 layers, every second one a marked copy; undo/redo move the preview', async () => {
  const m = await model();
  assert.equal(m.pending(), undefined);
  const { label } = m.apply({ op: 'depth', method: 'interposition', factor: 2, ignore_first: 0, ignore_last: 0 });
  assert.equal(label, 'Grow depth ×2 (interposition)');
  const p = m.pending()!;
  assert.equal(p.model.numLayers, 8);
  assert.deepEqual(p.preview.layers, { before: 4, after: 8 });
  assert.deepEqual(p.preview.layerMap, [0, 0, 1, 1, 2, 2, 3, 3]);
  const layers = layersOf(p.model.root);
  assert.deepEqual(layers.map((l) => l.origin?.text), [undefined, 'copy of layer 0', undefined, 'copy of layer 1', undefined, 'copy of layer 2', undefined, 'copy of layer 3']);
  assert.equal(p.preview.functionPreserved.preserved, false);
  assert.ok(p.preview.params.after > p.preview.params.before);
  assert.ok(m.edits.dirty);
  assert.ok(m.edits.undo());
  assert.equal(m.pending(), undefined);
  assert.equal(m.shown().model.numLayers, 4);
  assert.ok(!m.edits.dirty);
  assert.ok(m.edits.redo());
  assert.equal(m.shown().model.numLayers, 8);
});

test('experts ×2: 16 experts, top-k 4, copies marked noised; an op that does not apply is refused', async () => {
  const m = await model();
  assert.equal(m.apply(EXPERTS).label, 'Grow experts ×2 (α 0.01, top-k ×2)');
  const p = m.pending()!;
  assert.deepEqual(p.preview.experts, { before: 8, after: 16 });
  assert.deepEqual(p.preview.topK, { before: 2, after: 4 });
  assert.equal(p.model.numExperts, 16);
  const experts = layersOf(p.model.root)[0].children.find((c) => c.kind === 'experts')!.children;
  assert.equal(experts.length, 16);
  const marked = experts.filter((e) => e.origin);
  assert.equal(marked.length, 8);
  assert.ok(marked.every((e) => e.origin!.change === 'noised' && /copy of expert \d+ \+ noise/.test(e.origin!.text)));
  // A second experts op is refused (grow once, then grow the result); nothing is pushed.
  assert.throws(() => m.apply(EXPERTS), /more than one experts op/);
  assert.equal(m.ops().length, 1);
  assert.equal(growthLabel({ ...EXPERTS, keep_topk: true }), 'Grow experts ×2 (α 0.01, keep top-k)');
});

test('save writes the grown model and marks saved; an aborted save leaves no destination and stays dirty', async () => {
  const m = await model();
  m.apply({ op: 'depth', method: 'interposition', factor: 2, ignore_first: 0, ignore_last: 0 });
  // Aborted mid-write: the executor's temp folder is removed, the destination never appears.
  const aborted = join(tmp, 'aborted');
  const ac = new AbortController();
  const slowRun: PlanRunner = async (recipe, dest, signal) => {
    const src = (await model()).source;
    await executeGrowthPlan(buildGrowthPlan(src, recipe), dest, {
      signal, chunkBytes: 4096,
      onProgress: (p) => { if (p.phase === 'write' && p.done > 0) ac.abort(); },
    });
  };
  await assert.rejects(m.save(aborted, slowRun, ac.signal));
  assert.ok(!existsSync(aborted));
  assert.deepEqual(readdirSync(tmp).filter((n) => n.startsWith('aborted')), []);
  assert.ok(m.edits.dirty);
  const dest = join(tmp, 'grown');
  await m.save(dest, run);
  assert.ok(!m.edits.dirty);
  const out = await openCheckpoint(dest);
  assert.equal(buildModelTree(out).numLayers, 8);
  assert.ok(existsSync(join(dest, 'graft-recipe.yaml')));
});

test('backup and restore: the recipe brings the pending edits back', async () => {
  const m = await model();
  m.apply({ op: 'depth', method: 'stack', factor: 2, ignore_first: 1, ignore_last: 1 });
  const text = recipeText(m.recipe(), 'json');
  const again = await model();
  again.restore(parseRecipe(text));
  assert.equal(again.edits.applied()[0].label, 'Grow depth ×2 (stack, edges 1/1)');
  assert.ok(again.edits.dirty);
  assert.deepEqual(again.pending()!.preview.layerMap, [0, 1, 2, 1, 2, 3]);
});

test('the exported recipe (YAML and JSON) is accepted by `graft grow --recipe`', async () => {
  const m = await model();
  m.apply({ op: 'depth', method: 'interposition', factor: 2, ignore_first: 0, ignore_last: 0 });
  m.apply(EXPERTS);
  const yaml = join(tmp, 'recipe.yaml');
  const json = join(tmp, 'recipe.json');
  writeFileSync(yaml, recipeText(m.recipe(), 'yaml', DEMO));
  writeFileSync(json, recipeText(m.recipe(), 'json'));
  assert.deepEqual(parseRecipe(recipeText(m.recipe(), 'yaml')), m.recipe());
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'graft.js'), 'grow', DEMO, '--recipe', yaml, '-o', join(tmp, 'cli-out'), '--json'], {
    encoding: 'utf8', env: { ...process.env, GRAFT_FROM_SOURCE: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(buildModelTree(await openCheckpoint(join(tmp, 'cli-out'))).numExperts, 16);
  const p = spawnSync(process.execPath, [join(ROOT, 'bin', 'graft.js'), 'plan', DEMO, '--recipe', json, '--json'], { encoding: 'utf8', env: { ...process.env, GRAFT_FROM_SOURCE: '1' } });
  assert.equal(p.status, 0, p.stderr);
  assert.equal(JSON.parse(p.stdout).layerMap.length, 8);
});
