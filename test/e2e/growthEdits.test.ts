// Growth as document edits in a real VS Code (code-server + chromium): right-click a layer in the Checkpoint tree →
// "Grow Depth…" → interposition ×2; the editor and the tree show 8 layers with the copies marked; undo → 4, redo → 8;
// Save writes a sibling folder, once (checked with `graft inspect --json` and `graft diff --json`); then "Grow
// Experts…" on the source: 16 experts, top-k 4, each copy's noise std ≈ α·σ of its original.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { CheckpointDiff } from '../../src/core/growth/diff';
import { FilePool, openCheckpoint, readTensorFloat32 } from '../../src/core/safetensors/index';
import { ROOT, findFiles, quickOpen, runCommand, screenshot, startVsCode, webview, type VsCode } from './codeServer';

const DEMO = join(ROOT, 'demo', 'tiny-mixtral');

function graft(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'graft.js'), ...args], { encoding: 'utf8', env: { ...process.env, GRAFT_FROM_SOURCE: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function std(x: Float32Array): number {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  return Math.sqrt(ss / x.length);
}

async function pickItem(page: Page, text: string): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/** Answers the simple save dialog (code-server) with a full path. */
export async function answerSaveDialog(page: Page, path: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(path);
  await page.waitForFunction((p) => (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value === p, path);
  await page.keyboard.press('Enter');
}

describe('growth edits in VS Code (code-server)', { timeout: 300_000 }, () => {
  let vscode: VsCode;
  let workspace: string;
  let out: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'graft-e2e-grow-'));
    out = mkdtempSync(join(tmpdir(), 'graft-e2e-out-'));
    cpSync(DEMO, join(workspace, 'tiny-mixtral'), { recursive: true });
    vscode = await startVsCode(workspace);
  });

  afterEach(async (t) => {
    if ((t as { passed?: boolean }).passed === false && vscode) await screenshot(vscode.page, `e2e-grow-failed-${t.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
  });

  after(async () => {
    await vscode?.stop();
    for (const d of [workspace, out]) if (d) rmSync(d, { recursive: true, force: true });
  });

  test('Grow Depth… from the tree: 8 layers with copies marked; undo → 4, redo → 8; Save writes a new folder', async (t) => {
    const { page } = vscode;
    await quickOpen(page, 'tiny-mixtral/model.safetensors');
    const view = webview(page);
    await view.locator('[data-testid=summary]').waitFor({ timeout: 30_000 });
    const header = page.locator('.pane-header', { hasText: 'Checkpoint' }).first();
    const pane = page.locator('.pane', { has: header });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const folders = page.locator('.explorer-viewlet .pane-header').first();
    if ((await folders.getAttribute('aria-expanded')) === 'true') await folders.click();
    const layerRow = pane.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: /^Layer 1\b/ }) }).first();
    await layerRow.waitFor({ timeout: 15_000 });
    await layerRow.click({ button: 'right' });
    await chooseContextItem(page, 'Grow Depth…');
    await pickItem(page, 'Interposition');
    await pickItem(page, '×2');
    await pickItem(page, 'No edges');
    const layers = view.locator('.card[data-field="layers"]');
    await view.locator('.card[data-field="layers"][data-value="8"]').waitFor({ timeout: 15_000 });
    assert.equal(await view.locator('[data-testid=pending-list] .pending-edit:not(.undone)').allTextContents().then((t) => t.map((x) => x.trim())).then((t) => t.join('|')), 'Grow depth ×2 (interposition)');
    assert.equal(await view.locator('.row.new[data-node-id] [data-testid=origin]').count(), 4);
    assert.equal(await view.locator('.preview-row[data-field="layers"]').getAttribute('data-after'), '8');
    assert.equal(await view.locator('[data-testid=function-preserved]').getAttribute('data-value'), 'false');
    // The tree shows the new layers with where they come from.
    await pane.locator('.monaco-list-row', { hasText: 'copy of layer 3' }).first().waitFor({ timeout: 10_000 });
    // The editor tab is dirty.
    await page.locator('.tab.dirty', { hasText: 'model.safetensors' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'e2e-grow-1-depth');
    // Undo / redo from the pending list's buttons (VS Code's own undo).
    await view.locator('[data-testid=undo]').click();
    await view.locator('.card[data-field="layers"][data-value="4"]').waitFor({ timeout: 10_000 });
    await page.locator('.tab.dirty', { hasText: 'model.safetensors' }).waitFor({ state: 'detached', timeout: 10_000 });
    await view.locator('[data-testid=redo]').click();
    await view.locator('.card[data-field="layers"][data-value="8"]').waitFor({ timeout: 10_000 });
    assert.equal(await layers.getAttribute('data-value'), '8');
    // Save: asks for a new folder, writes it in the worker, opens it. The dialog proposes a sibling of the source
    // folder, <workspace>/tiny-mixtral-grown: accept it with OK.
    const src = join(workspace, 'tiny-mixtral');
    const srcFiles = readdirSync(src).sort();
    const dest = join(workspace, 'tiny-mixtral-grown');
    await view.locator('[data-testid=summary]').click();
    await page.keyboard.press('Control+S');
    const ok = page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' });
    await ok.waitFor({ timeout: 15_000 });
    assert.equal(await dialogValue(page, dest), dest);
    await screenshot(page, 'e2e-grow-1b-save-dialog');
    await ok.click();
    // VS Code clears the dirty mark only once the save resolved (after the write and the opening of the new folder).
    await page.locator('.tab.dirty').first().waitFor({ state: 'detached', timeout: 60_000 });
    // One dialog only: nothing asks again after the save.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await page.locator('.quick-input-widget').isVisible(), false, 'no second save dialog');
    // The written folder is open in the Graft editor.
    await page.locator('.tab.active', { hasText: 'tiny-mixtral-grown' }).waitFor({ timeout: 10_000 });
    await view.locator('.card[data-field="layers"][data-value="8"]').waitFor({ timeout: 15_000 });
    await screenshot(page, 'e2e-grow-2-saved');
    const saves = findFiles(vscode.dir, 'Graft.log').flatMap((f) => readFileSync(f, 'utf8').split('\n')).filter((l) => /save|Wrote/i.test(l));
    t.diagnostic(`Graft log: ${saves.join(' ⏎ ')}`);
    assert.deepEqual(readdirSync(src).sort(), srcFiles, 'the source folder is untouched');
    const inspect = graft('inspect', dest, '--json');
    assert.equal(inspect.status, 0, inspect.stdout + inspect.stderr);
    assert.equal(JSON.parse(inspect.stdout).tree.numLayers, 8);
    const diff = graft('diff', src, dest, '--json');
    assert.equal(diff.status, 0, diff.stdout + diff.stderr);
    const added = (JSON.parse(diff.stdout) as CheckpointDiff).added.map((t) => Number(/^model\.layers\.(\d+)\./.exec(t.name)?.[1]));
    assert.deepEqual([...new Set(added)].sort(), [4, 5, 6, 7], 'the added tensors are those of layers 4–7');
  });

  test('Grow Experts… from the tree: 16 experts, top-k 4; Save; copies carry noise of std α·σ', async () => {
    const { page } = vscode;
    await runCommand(page, 'View: Close All Editors');
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('tiny-mixtral/model.safetensors');
    await page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-description', { hasText: /^tiny-mixtral$/ }) }).first().click();
    const view = webview(page);
    await view.locator('.card[data-field="layers"][data-value="4"]').waitFor({ timeout: 30_000 });
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Checkpoint' }) });
    const row = (re: RegExp) => pane.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: re }) }).first();
    await row(/^Layer 0\b/).click();
    await row(/^Experts \(8\)/).click({ button: 'right', timeout: 15_000 });
    await chooseContextItem(page, 'Grow Experts…');
    await pickItem(page, '×2');
    await pickItem(page, 'Scale top-k');
    const alpha = page.locator('.quick-input-widget input');
    await alpha.fill('0.01');
    await page.keyboard.press('Enter');
    await view.locator('.card[data-field="experts"][data-value="16"]').waitFor({ timeout: 15_000 });
    assert.equal(await view.locator('.card[data-field="topk"]').getAttribute('data-value'), '4');
    await row(/^Experts \(16\)/).waitFor({ timeout: 10_000 });
    await screenshot(page, 'e2e-grow-3-experts');
    const dest = join(workspace, 'tiny-mixtral-grown-2');
    await view.locator('[data-testid=summary]').click();
    await page.keyboard.press('Control+S');
    const ok = page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' });
    await ok.waitFor({ timeout: 15_000 });
    assert.equal(await dialogValue(page, dest), dest);
    await ok.click();
    await page.locator('.tab.dirty').first().waitFor({ state: 'detached', timeout: 60_000 });
    await page.locator('.tab.active', { hasText: 'tiny-mixtral-grown-2' }).waitFor({ timeout: 10_000 });
    await view.locator('.card[data-field="experts"][data-value="16"]').waitFor({ timeout: 15_000 });
    await screenshot(page, 'e2e-grow-4-experts-saved');
    const inspect = graft('inspect', dest, '--json');
    assert.equal(inspect.status, 0, inspect.stdout + inspect.stderr);
    const tree = JSON.parse(inspect.stdout).tree;
    assert.equal(tree.numExperts, 16);
    assert.equal(tree.topK, 4);
    const diff = graft('diff', join(workspace, 'tiny-mixtral'), dest, '--json');
    assert.equal(diff.status, 0, diff.stdout + diff.stderr);
    const d = JSON.parse(diff.stdout) as CheckpointDiff;
    assert.ok(d.added.some((t) => t.name === 'model.layers.3.block_sparse_moe.experts.15.w2.weight'), 'expert 15 is added');
    // graft diff lists added tensors without values: compare each copy (expert 8+i, grouped placement) with its
    // original by hand. Per tensor, std(copy − original) / (α·std(original)) is 1 up to sampling error ≈ 1/√(2n).
    const a = await openCheckpoint(join(workspace, 'tiny-mixtral'));
    const b = await openCheckpoint(dest);
    const pool = new FilePool();
    try {
      let checked = 0;
      for (const [name, ref] of b.tensors) {
        const m = /^(model\.layers\.\d+\.block_sparse_moe\.experts\.)(\d+)(\..*)$/.exec(name);
        if (!m || Number(m[2]) < 8) continue;
        const orig = await readTensorFloat32(pool, a.tensors.get(`${m[1]}${Number(m[2]) - 8}${m[3]}`)!);
        const copy = await readTensorFloat32(pool, ref);
        const ratio = std(copy.map((x, i) => x - orig[i])) / (0.01 * std(orig));
        const tol = 6 / Math.sqrt(2 * orig.length);
        assert.ok(Math.abs(ratio - 1) < tol, `${name}: std(copy − original) / (α·σ) = ${ratio.toFixed(4)}, want 1 ± ${tol.toFixed(4)}`);
        checked++;
      }
      assert.equal(checked, 4 * 8 * 3, 'every added expert tensor was checked');
    } finally {
      await pool.close();
    }
  });
});

/** The simple file dialog fills its path input a moment after it appears: wait (up to 10 s) for `want`, then return what it shows. */
async function dialogValue(page: Page, want: string): Promise<string> {
  const input = page.locator('.quick-input-widget input');
  const until = Date.now() + 10_000;
  let value = await input.inputValue();
  while (value !== want && Date.now() < until) {
    await page.waitForTimeout(100);
    value = await input.inputValue();
  }
  return value;
}

/** Picks an item of the open context menu. A click that lands while the menu is still settling is sometimes ignored
 *  (the item stays highlighted, the menu open): then the highlighted item is chosen with Enter. */
async function chooseContextItem(page: Page, label: string): Promise<void> {
  const item = page.locator('.context-view .action-label', { hasText: label });
  await item.waitFor({ timeout: 15_000 });
  await item.hover();
  await item.click();
  const menu = page.locator('.context-view .monaco-menu');
  for (let i = 0; i < 3; i++) {
    await page.waitForTimeout(500);
    if (!(await menu.isVisible())) return;
    await page.keyboard.press('Enter');
  }
}
