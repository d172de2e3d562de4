// The first vertical slice in a real VS Code (code-server + chromium): open the demo checkpoint in Graft's editor
// and check its numbers against buildModelTree computed here; walk the Checkpoint tree down to an expert's tensors
// and back from the webview; open a malformed file and see the error in the editor and as a notification.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { buildModelTree, type ModelTree, type TreeNode } from '../../src/core/model/index';
import { openCheckpoint, type CheckpointSource } from '../../src/core/safetensors/index';
import { formatBytes, formatCount, formatShape } from '../../src/protocol';
import { ROOT, findFiles, quickOpen, runCommand, screenshot, startVsCode, webview, type VsCode } from './codeServer';
import type { Page } from 'playwright-core';

const DEMO = join(ROOT, 'demo', 'tiny-mixtral');

describe('Graft in VS Code (code-server)', { timeout: 240_000 }, () => {
  let vscode: VsCode;
  let workspace: string;
  let source: CheckpointSource;
  let model: ModelTree;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'graft-e2e-ws-'));
    cpSync(DEMO, join(workspace, 'tiny-mixtral'), { recursive: true });
    // A header length that points far past the end of the file.
    mkdirSync(join(workspace, 'broken'));
    const bad = Buffer.alloc(16);
    bad.writeBigUInt64LE(1_000_000n, 0);
    bad.write('{"a":', 8);
    writeFileSync(join(workspace, 'broken', 'broken.safetensors'), bad);
    source = await openCheckpoint(join(workspace, 'tiny-mixtral'));
    model = buildModelTree(source);
    vscode = await startVsCode(workspace);
  });

  // A failing UI step is easiest to understand from a picture of the workbench at that moment.
  afterEach(async (t) => {
    if ((t as { passed?: boolean }).passed === false && vscode) await screenshot(vscode.page, `e2e-failed-${t.name.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
  });

  after(async () => {
    await vscode?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  test('the demo checkpoint opens in the Graft editor with its numbers', async () => {
    const { page } = vscode;
    await quickOpen(page, 'tiny-mixtral/model.safetensors');
    const view = webview(page);
    await view.locator('[data-testid=summary]').waitFor({ timeout: 30_000 });
    const card = (field: string) => view.locator(`.card[data-field="${field}"]`);
    const t = model.totals;
    assert.ok(t.active, 'the demo has a config, so active parameters are known');
    const expected: Record<string, [number | undefined, string]> = {
      layers: [model.numLayers, String(model.numLayers)],
      experts: [model.numExperts, String(model.numExperts)],
      topk: [model.topK, String(model.topK)],
      params: [t.params, formatCount(t.params)],
      active: [t.active.withEmbeddings, formatCount(t.active.withEmbeddings)],
      bytes: [t.bytes, formatBytes(t.bytes)],
    };
    for (const [field, [exact, text]] of Object.entries(expected)) {
      assert.equal(await card(field).getAttribute('data-value'), String(exact), `${field} exact value`);
      assert.equal(await card(field).locator('.card-value').textContent(), text, `${field} as shown`);
    }
    assert.equal(await card('family').locator('.card-value').textContent(), model.familyLabel);
    assert.match((await card('active').locator('.card-sub').textContent()) ?? '', new RegExp(formatCount(t.active.withoutEmbeddings)));
    assert.deepEqual(await card('dtypes').locator('.tag').allTextContents(), t.dtypes);
    // The listing: one row per layer under the (expanded) Layers row.
    for (const layer of model.layers) await view.locator(`.row[data-node-id="${layerNode(model, layer.index).id}"]`).waitFor();
    await screenshot(page, 'e2e-1-editor');
  });

  test('the Checkpoint tree reaches an expert\'s tensors, and selection goes both ways', async () => {
    const { page } = vscode;
    const layer0 = layerNode(model, 0);
    const experts = layer0.children.find((c) => c.kind === 'experts')!;
    const expert = experts.children[1];
    const header = page.locator('.pane-header', { hasText: 'Checkpoint' }).first();
    const pane = page.locator('.pane', { has: header });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    // The tree is a virtual list: give it the explorer's height by folding the folders section above it.
    const folders = page.locator('.explorer-viewlet .pane-header').first();
    if ((await folders.getAttribute('aria-expanded')) === 'true') await folders.click();
    const row = (label: string) => pane.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(label)}$`) }) }).first();
    await row(layer0.label).waitFor({ timeout: 15_000 });
    for (const label of [layer0.label, experts.label, expert.label]) {
      await row(label).click();
      await page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row(label).elementHandle(), { timeout: 10_000 });
    }
    // The expert's tensors, each with shape, dtype and size in its description.
    for (const name of expert.tensors) {
      const ref = source.tensors.get(name)!;
      const desc = `${formatShape(ref.shape)} · ${ref.dtype} · ${formatBytes(ref.byteLength)}`;
      await pane.locator('.monaco-list-row', { hasText: name.split('.').slice(-2).join('.') }).filter({ hasText: desc }).first().waitFor({ timeout: 10_000 });
    }
    // Tree → editor: the expert (the last clicked) is highlighted in the webview.
    const view = webview(page);
    await view.locator(`.row.selected[data-node-id="${expert.id}"]`).waitFor({ timeout: 10_000 });
    await screenshot(page, 'e2e-2-tree');
    // Editor → tree: clicking another layer in the webview selects it in the tree.
    const layer1 = layerNode(model, 1);
    await view.locator(`.row[data-node-id="${layer1.id}"]`).click();
    await pane.locator('.monaco-list-row.selected', { has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(layer1.label)}$`) }) }).waitFor({ timeout: 10_000 });
    // ...and the webview lists that layer's parts (it expanded on click).
    await view.locator(`.row[data-node-id="${layer1.children[0].id}"]`).waitFor({ timeout: 10_000 });
    await screenshot(page, 'e2e-2b-reveal');
  });

  test('a malformed file shows a clear error in the editor and as a notification', async () => {
    const { page } = vscode;
    await runCommand(page, 'View: Close All Editors');
    await quickOpen(page, 'broken/broken.safetensors');
    const view = webview(page);
    await view.locator('[data-testid=error]').waitFor({ timeout: 30_000 });
    const message = (await view.locator('[data-testid=error-message]').textContent()) ?? '';
    assert.match(message, /header/i, message);
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Cannot open broken.safetensors' });
    await toast.waitFor({ timeout: 10_000 });
    await toast.locator('.monaco-button', { hasText: 'Show Log' }).waitFor();
    await screenshot(page, 'e2e-3-error');
  });

  test('"Graft: Open Checkpoint Folder…" opens a folder\'s checkpoint in the Graft editor', async () => {
    const { page } = vscode;
    // code-server's simple folder dialog sometimes drops a keystroke or a click while it validates the path under load;
    // the whole pick is tried twice, and a failed try leaves a screenshot.
    for (let attempt = 1; ; attempt++) {
      try {
        await openFolderThroughDialog(page, join(workspace, 'tiny-mixtral'));
        break;
      } catch (err) {
        await screenshot(page, `e2e-4-open-folder-failed-${attempt}`);
        if (attempt >= 2) throw err;
        await page.keyboard.press('Escape');
      }
    }
    const view = webview(page);
    assert.equal(await view.locator('.card[data-field="params"]').getAttribute('data-value'), String(model.totals.params));
  });

  test('activation is logged and quick', async (t) => {
    const logs = findFiles(vscode.dir, 'Graft.log');
    assert.ok(logs.length > 0, 'the Graft log channel has a file');
    const text = logs.map((f) => readFileSync(f, 'utf8')).join('\n');
    const m = /Graft activated in ([\d.]+) ms/.exec(text);
    assert.ok(m, text);
    const ms = Number(m[1]);
    t.diagnostic(`activation: ${ms} ms (${/\(bundle load.*\)/.exec(text)?.[0] ?? ''})`);
    // The target is < 100 ms (shared/TARGETS.md). On a machine busy with other work, timings say little: judge them
    // only when the load average leaves the cores free.
    const load = loadavg()[0] / cpus().length;
    if (ms >= 100 && load > 1.5) t.diagnostic(`not judged: load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
    else assert.ok(ms < 100, `activation took ${ms} ms`);
    // The webview reports script errors and CSP violations to this log: there must be none.
    assert.doesNotMatch(text, /Webview of .*:/, 'webview errors were logged');
  });
});

function layerNode(model: ModelTree, index: number): TreeNode {
  const layers = model.root.children.find((c) => c.kind === 'layers')!;
  return layers.children.find((c) => c.layer === index)!;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function openFolderThroughDialog(page: Page, folder: string): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'Graft: Open Checkpoint Folder…');
  // code-server's folder picker is VS Code's simple dialog: a path in the quick input.
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  // The dialog first steps into a folder it is given; its OK button (the command's openLabel) then accepts it. It
  // lists its start folder asynchronously and may overwrite what was typed meanwhile: type again until it sticks and
  // the list shows the folder's inside (its sibling "broken" no longer offered).
  const name = folder.split('/').pop()!;
  const inside = () => page.evaluate((n: string) => {
    const value = (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value ?? '';
    const rows = [...document.querySelectorAll('.quick-input-list .monaco-list-row')].map((r) => r.textContent ?? '');
    return { typed: value.endsWith(`${n}/`), ready: value.endsWith(`${n}/`) && !rows.some((r) => r.includes('broken')) };
  }, name);
  const until = Date.now() + 20_000;
  for (;;) {
    const st = await inside();
    if (st.ready) break;
    if (Date.now() > until) throw new Error(`the folder dialog did not step into ${folder}`);
    if (!st.typed) await input.fill(`${folder}/`);
    await page.waitForTimeout(300);
  }
  const ok = page.locator('.quick-input-widget .monaco-button', { hasText: 'Open Checkpoint' });
  // While it is still validating the path, the dialog ignores OK: press until it closes.
  for (let i = 0; i < 15 && (await ok.isVisible()); i++) {
    await ok.click({ timeout: 2_000 }).catch(() => undefined);
    await ok.waitFor({ state: 'hidden', timeout: 1_000 }).catch(() => undefined);
  }
  await webview(page).locator('[data-testid=summary]').waitFor({ timeout: 20_000 });
}
