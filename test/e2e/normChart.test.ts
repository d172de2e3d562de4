// The norm-chart panel in a real VS Code (code-server + chromium), one server for the file: "Graft: Show Norm
// Profile" on the demo checkpoint draws its 4 layers with the provider named; a pending Grow Depth ×2
// (interposition) edit overlays the grown model's 8 layers; the chart follows the Light and Dark themes
// (screenshots); a PNG export goes through the host's save dialog; the panel comes back after a reload with its view.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { ARTIFACTS, ROOT, findFiles, quickOpen, runCommand, screenshot, startVsCode, webview, type VsCode } from './codeServer';

const DEMO = join(ROOT, 'demo', 'tiny-mixtral');

/** The frame of the chart panel's page where `selector` matches (the editor's webview is another frame, and a
 *  reloaded webview is a new one), polled until it appears. */
async function chartFrame(page: Page, selector = 'main#charts', timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      if (await f.locator(selector).count().catch(() => 0)) return f;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no norm-chart webview shows ${selector}`);
}

/** Answers one quick pick of a multi-step command: waits for its title, then picks the row with `label`. */
async function pickStep(page: Page, title: RegExp, label: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 15_000 });
  await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().click();
}

/** Switches the colour theme as a user does: Preferences: Color Theme, then the theme's row. (Rewriting settings.json
 *  is not reliable here: code-server's watcher picks up some writes and misses others.) */
async function setColorTheme(page: Page, theme: string): Promise<void> {
  // Not runCommand: its first row for this text can be "Browse Color Themes in Marketplace".
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>Preferences: Color Theme');
  await page.getByRole('option', { name: /^Preferences: Color Theme\b/ }).first().click();
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Modern' }).first().waitFor({ timeout: 10_000 });
  await page.locator('.quick-input-widget input').fill(theme);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

describe('Norm chart panel in VS Code (code-server)', { timeout: 240_000 }, () => {
  let vscode: VsCode;
  let workspace: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'graft-e2e-charts-'));
    cpSync(DEMO, join(workspace, 'tiny-mixtral'), { recursive: true });
    vscode = await startVsCode(workspace);
    // In a browser VS Code auto-saves after a delay by default, and saving a grown checkpoint asks where to write:
    // the pending edit must stay pending here. The toggle turns the web default (afterDelay) off.
    await runCommand(vscode.page, 'File: Toggle Auto Save');
  });

  afterEach(async (t) => {
    if ((t as { passed?: boolean }).passed === false && vscode) {
      const name = `e2e-failed-${t.name.replace(/\W+/g, '-').slice(0, 60)}`;
      await screenshot(vscode.page, name).catch(() => undefined);
      // The logs go with the server's temp folder: keep the extension's and the extension host's.
      const logs = [...findFiles(vscode.dir, 'Graft.log'), ...findFiles(vscode.dir, 'exthost.log'), ...findFiles(vscode.dir, 'remoteexthost.log')];
      writeFileSync(join(ARTIFACTS, `${name}.log`), logs.map((f) => `== ${f}\n${readFileSync(f, 'utf8')}`).join('\n'));
    }
  });

  after(async () => {
    await vscode?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  test('Show Norm Profile draws the demo\'s 4 layers and names the provider', async () => {
    const { page } = vscode;
    await quickOpen(page, 'tiny-mixtral/model.safetensors');
    await webview(page).locator('[data-testid=summary]').waitFor({ timeout: 30_000 });
    await runCommand(page, 'Graft: Show Norm Profile');
    const chart = await chartFrame(page, 'main#charts[data-layers="4"] svg.graft-profile', 60_000);
    assert.equal(await chart.locator('g.series[data-series=before] circle').count(), 4);
    assert.match((await chart.locator('[data-testid=chart-caption]').textContent()) ?? '', /^statistics on cpu/);
    assert.match((await chart.locator('svg.graft-profile text.caption').textContent()) ?? '', /statistics on cpu/);
    assert.match((await chart.locator('[data-testid=chart-title]').textContent()) ?? '', /tiny-mixtral/);
    // A tooltip on hover over a layer point.
    const box = await chart.locator('g.series[data-series=before] circle').nth(1).boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await chart.locator('.graft-chart-tooltip:not([hidden])').waitFor({ timeout: 5_000 });
  });

  test('a pending Grow Depth ×2 (interposition) edit overlays 8 layers', async () => {
    const { page } = vscode;
    await runCommand(page, 'Graft: Grow Depth');
    await pickStep(page, /method/, 'Interposition');
    await pickStep(page, /factor/, '×2');
    await pickStep(page, /edges/, 'No edges');
    const chart = await chartFrame(page, 'main#charts[data-state=overlay][data-after-layers="8"]', 60_000);
    assert.equal(await chart.locator('g.series[data-series=after] circle').count(), 8);
    assert.match((await chart.locator('[data-testid=chart-status]').textContent()) ?? '', /after: Grow depth ×2 \(interposition\)/);
  });

  test('the chart follows the Light and Dark themes', async () => {
    const { page } = vscode;
    // The picker lists "Light Modern" and "Dark Modern" (settings.json then says "Default Light Modern" / "Default Dark Modern").
    for (const [theme, cls, name] of [['Light Modern', 'vscode-light', 'chart-vscode-light'], ['Dark Modern', 'vscode-dark', 'chart-vscode-dark']] as const) {
      await setColorTheme(page, theme);
      const chart = await chartFrame(page);
      await chart.locator(`body.${cls} main#charts svg`).waitFor({ timeout: 30_000 });
      // The theme's colours reach the chart through charts.css (the SVG background is the editor's).
      const bg = await chart.evaluate(() => getComputedStyle(document.querySelector('.graft-charts')!).getPropertyValue('--vscode-editor-background').trim());
      assert.ok(bg.length > 0, `${theme}: the webview has the theme's variables`);
      await page.mouse.move(5, 5);
      await page.waitForTimeout(300);
      await screenshot(page, name);
    }
  });

  test('PNG export is written where the save dialog says', async () => {
    const { page } = vscode;
    const chart = await chartFrame(page);
    await chart.locator('.graft-charts-export button[data-export=png]').click();
    // code-server's save dialog is VS Code's simple file dialog: a quick input holding the suggested path.
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    // The dialog fills in the folder first and the suggested name a moment later.
    await page.waitForFunction(() => /\.png$/.test(document.querySelector<HTMLInputElement>('.quick-input-widget input')?.value ?? ''), undefined, { timeout: 10_000 });
    const suggested = await input.inputValue();
    assert.match(suggested, /tiny-mixtral-norms-experts\.png$/);
    await page.keyboard.press('Enter');
    const file = join(workspace, 'tiny-mixtral', 'tiny-mixtral-norms-experts.png');
    const deadline = Date.now() + 15_000;
    while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok(existsSync(file), 'the PNG was written');
    assert.deepEqual([...readFileSync(file).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  test('after a reload the panel comes back with its view', async () => {
    const { page } = vscode;
    let chart = await chartFrame(page);
    await chart.locator('.graft-charts-segmented button[data-view=heatmap]').click();
    await chart.locator('.graft-charts-figure[data-view=heatmap] svg').waitFor({ timeout: 10_000 });
    // Reload Window shuts the workbench down cleanly, so the webview's saved state is stored before it reloads.
    const loaded = page.waitForEvent('load', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await loaded;
    await page.locator('.monaco-workbench .part.editor').waitFor({ timeout: 60_000 });
    // Restored by the panel serializer from the webview's saved state, view included.
    chart = await chartFrame(page, 'main#charts .graft-charts-figure[data-view=heatmap] svg', 60_000);
    assert.match((await chart.locator('[data-testid=chart-caption]').textContent()) ?? '', /^statistics on cpu/);
    // Nothing in the chart webview failed or was blocked by its CSP along the way.
    const text = findFiles(vscode.dir, 'Graft.log').map((f) => readFileSync(f, 'utf8')).join('\n');
    assert.doesNotMatch(text, /Norm chart webview:|Norm chart: rejected/);
  });
});
