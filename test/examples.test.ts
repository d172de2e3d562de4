// The recipes in examples/ stay valid: each parses and plans on the demo checkpoint with the layer map it promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGrowthPlan, parseRecipe } from '../src/core/growth/index';
import { openCheckpoint } from '../src/core/safetensors/index';

const root = join(__dirname, '..');
const expected: Record<string, { layerMap: number[]; experts: number; topK: number }> = {
  'interposition.yaml': { layerMap: [0, 0, 1, 1, 2, 2, 3, 3], experts: 8, topK: 2 },
  'stack.yaml': { layerMap: [0, 1, 2, 3, 0, 1, 2, 3], experts: 8, topK: 2 },
  'experts.yaml': { layerMap: [0, 1, 2, 3], experts: 16, topK: 4 },
  'orthogonal-growth.yaml': { layerMap: [0, 0, 1, 1, 2, 2, 3, 3], experts: 16, topK: 4 },
  'mergekit-slices.yaml': { layerMap: [0, 1, 2, 1, 2, 3], experts: 8, topK: 2 },
};

for (const [file, want] of Object.entries(expected)) {
  test(`examples/${file} plans on the demo checkpoint`, async () => {
    const path = join(root, 'examples', file);
    const recipe = parseRecipe(readFileSync(path, 'utf8'), path);
    const plan = buildGrowthPlan(await openCheckpoint(join(root, 'demo', 'tiny-mixtral')), recipe, { recipeFile: path });
    assert.deepEqual(plan.layerMap, want.layerMap);
    assert.equal(plan.experts?.after, want.experts);
    assert.equal(plan.experts?.topKAfter, want.topK);
  });
}
