import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/command';
import { main } from '../../src/cli/main';
import { makeTinyMoe } from '../../src/core/model/index';

const dir = mkdtempSync(join(tmpdir(), 'graft-inspect-'));
const model = join(dir, 'tiny');
after(() => rmSync(dir, { recursive: true, force: true }));
before(async () => {
  await makeTinyMoe(model, { family: 'deepseek_v3', layers: 4, mtpLayers: 1, seed: 1 });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), signal: new AbortController().signal, tty: false };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('graft inspect', () => {
  it('prints a collapsed summary', async () => {
    const r = await run('inspect', model);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /family\s+DeepSeek-V3 \[deepseek_v3\], from config/);
    assert.match(r.out, /layers\s+4 \(MoE: 1-3\) \+ MTP 4/);
    assert.match(r.out, /experts\s+8 routed, top-2, sigmoid, renormalised, 1 shared, 4 groups, top 2/);
    assert.match(r.out, /active\s+[\d,]+ \(.*\) with input embedding and LM head; [\d,]+ \(.*\) without/);
    assert.match(r.out, /\n {2}0 {8}dense/);
    assert.match(r.out, /\n {2}1-3 {6}MoE {4}8 experts × .* each\n/);
    assert.match(r.out, /Multi-token prediction \(1\)/);
  });

  it('--tensors lists every tensor with dtype, shape and bytes', async () => {
    const r = await run('inspect', model, '--tensors');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /model\.layers\.1\.mlp\.gate\.e_score_correction_bias\s+F32\s+\[8\]\s+32\n/);
    assert.match(r.out, /model\.embed_tokens\.weight\s+F32\s+\[259, 64\]\s+66,304\n/);
    const json = JSON.parse((await run('inspect', model, '--json')).out);
    assert.match(r.out, new RegExp(`\\n${json.tree.totals.tensors} tensors, `));
  });

  it('--json prints the model tree', async () => {
    const r = await run('inspect', join(model, 'model.safetensors'), '--json', '--tensors');
    assert.equal(r.code, 0, r.err);
    const body = JSON.parse(r.out);
    assert.equal(body.tree.family, 'deepseek_v3');
    assert.equal(body.tree.source.kind, 'file');
    assert.deepEqual(body.tree.moeLayers, [1, 2, 3]);
    assert.equal(body.tensors.length, body.tree.totals.tensors);
    assert.equal(body.tree.root.children.find((c: { id: string }) => c.id === 'layers').children.length, 4);
  });

  it('exit codes: usage 2, missing file 3, inconsistent config 3 (message names the key)', async () => {
    assert.equal((await run('inspect')).code, 2);
    const missing = await run('inspect', join(dir, 'nope'));
    assert.equal(missing.code, 3);
    assert.match(missing.err, /graft inspect: .*nope/);
    const bad = join(dir, 'bad');
    await makeTinyMoe(bad, { family: 'mixtral', layers: 2, configOverrides: {} });
    writeFileSync(join(bad, 'config.json'), JSON.stringify({ model_type: 'mixtral', num_hidden_layers: 2, num_local_experts: 5, num_experts_per_tok: 2 }));
    const r = await run('inspect', bad);
    assert.equal(r.code, 3);
    assert.match(r.err, /num_local_experts/);
    const j = await run('inspect', bad, '--json');
    assert.equal(JSON.parse(j.out).error.key, 'num_local_experts');
  });

  it('runs as the bin from source', () => {
    const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'graft.js'), 'inspect', model], {
      env: { ...process.env, GRAFT_FROM_SOURCE: '1' }, encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /DeepSeek-V3/);
  });
});
