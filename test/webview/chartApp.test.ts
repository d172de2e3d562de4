// The norm-chart webview app in headless chromium: the profile line, the interposition and stack overlays, hover
// tooltips, the kind selector, state in and out, the heatmap, and the three exports. Screenshots for the three
// VS Code themes go to test-artifacts/ for a human look. Skips when /usr/bin/chromium is missing.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { NormProfile } from '../../src/core/stats/types';
import { CHROMIUM, lastExport, mount, startHarness, type Harness } from './chartHarness';
import { expectedProfileCsv, interposition, sourceProfile, stack } from './profileFixtures';
import type { ThemeName } from './vscodeThemes';

const ARTIFACTS = resolve(__dirname, '../../test-artifacts');
const GROW = 'Grow depth ×2 (interposition)';

interface Pt { cx: number; cy: number }

/** Circle centres of one series, in drawing order (= layer order). */
function seriesPoints(p: Page, series: 'before' | 'after'): Promise<Pt[]> {
  return p.$$eval(`.graft-profile g[data-series="${series}"] circle`, (cs) => cs.map((c) => ({ cx: +c.getAttribute('cx')!, cy: +c.getAttribute('cy')! })));
}

/** Hovers the SVG point (cx, cy) and returns the tooltip text. */
async function hoverPoint(p: Page, pt: Pt): Promise<string> {
  const box = (await p.locator('.graft-charts-figure > svg').boundingBox())!;
  await p.mouse.move(box.x + pt.cx + 1, box.y + pt.cy - 1);
  const tip = p.locator('.graft-chart-tooltip');
  await tip.waitFor({ state: 'visible' });
  return (await tip.textContent()) ?? '';
}

describe('norm chart app (webview/charts)', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed` }, () => {
  let h: Harness;
  let src: NormProfile;
  const pages: Page[] = [];
  const open = async (theme: ThemeName = 'light') => { const p = await h.newPage(theme); pages.push(p); return p; };

  before(async () => {
    const s = await sourceProfile();
    src = s.profile;
    console.log(`# source profile: ${s.origin}; ${src.layers.length} layers`);
    h = await startHarness();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    for (const p of pages) assert.deepEqual((p as unknown as { pageErrors: string[] }).pageErrors, [], 'no uncaught page errors');
    await h?.close();
  });

  test('the source profile has one point per layer, and hovering shows its value and count', async () => {
    const p = await open();
    await mount(p, { before: src });
    const pts = await seriesPoints(p, 'before');
    assert.equal(pts.length, src.layers.length);
    // The curve rises from the first layer into the middle of the stack (paper Figure 2).
    const mid = pts[Math.floor(pts.length / 2)];
    assert.ok(pts[0].cy > mid.cy, 'first layer sits below the middle layers');
    const text = await hoverPoint(p, pts[1]);
    assert.match(text, /source · layer 1/);
    assert.ok(text.includes(src.layers[1].values.experts!.toPrecision(4)), text);
    assert.ok(text.includes(`${src.layers[1].counts.experts} expert matrices`), text);
    await p.mouse.move(2, 2);
    await p.locator('.graft-chart-tooltip').waitFor({ state: 'hidden' });
  });

  test('interposition ×2: the overlay has 2× the points, the legend names the edit, the source sits between its copies', async () => {
    const p = await open();
    const g = interposition(src, 2);
    await mount(p, { before: src, after: g.after, pendingLabel: GROW, layerMap: g.layerMap });
    const b = await seriesPoints(p, 'before'), a = await seriesPoints(p, 'after');
    assert.equal(b.length, src.layers.length);
    assert.equal(a.length, 2 * src.layers.length);
    b.forEach((pt, i) => {
      assert.ok(Math.abs(pt.cx - (a[2 * i].cx + a[2 * i + 1].cx) / 2) < 0.01, `source layer ${i} centred on its copies`);
      assert.ok(Math.abs(pt.cy - a[2 * i].cy) < 0.01 && Math.abs(pt.cy - a[2 * i + 1].cy) < 0.01, 'copies keep the value');
    });
    const legend = await p.locator('.graft-profile .legend').textContent();
    assert.ok(legend?.includes(`source · ${src.layers.length} layers`), legend ?? '');
    assert.ok(legend?.includes(`after: ${GROW} · ${2 * src.layers.length} layers`), legend ?? '');
    assert.equal(await p.locator('.graft-profile .seam').count(), 0, 'interposition has no seam');
    // Each legend sample has its curve's colour and dash.
    const sample = (i: number) => p.locator('.graft-profile .legend line').nth(i);
    const curve = (s: string) => p.locator(`.graft-profile g[data-series="${s}"] path`);
    assert.equal(await sample(0).getAttribute('stroke'), await curve('before').getAttribute('stroke'));
    assert.equal(await sample(1).getAttribute('stroke'), await curve('after').getAttribute('stroke'));
    assert.equal(await sample(0).getAttribute('stroke-dasharray'), await curve('before').getAttribute('stroke-dasharray'));
    const text = await hoverPoint(p, a[3]);
    assert.match(text, /after: Grow depth ×2 \(interposition\) · layer 3/);
    assert.match(text, /copy ofsource layer 1/);
    assert.ok(text.includes(src.layers[1].values.experts!.toPrecision(4)), text);
  });

  test('stack ×2: the curve repeats and drops at the marked seam', async () => {
    const p = await open();
    const g = stack(src, 2);
    await mount(p, { before: src, after: g.after, pendingLabel: 'Grow depth ×2 (stack)', layerMap: g.layerMap });
    const a = await seriesPoints(p, 'after');
    const n = src.layers.length;
    assert.equal(a.length, 2 * n);
    // Stack repeats the whole curve: output layer j sits at the height of source layer j mod n.
    for (let j = n; j < 2 * n; j++) assert.ok(Math.abs(a[j].cy - a[j - n].cy) < 1e-6, `layer ${j} repeats layer ${j - n}`);
    // SVG y grows downwards: a drop in value is a rise in cy. The source profile ends higher than it starts (it rises
    // with depth), so the seam, where the last layer is followed by the first again, is a drop of exactly that rise.
    const seamStep = a[n].cy - a[n - 1].cy;
    assert.ok(seamStep > 0, 'the value drops at the seam');
    assert.ok(Math.abs(seamStep - (a[0].cy - a[n - 1].cy)) < 1e-6, `seam step ${seamStep} is the first-to-last rise of the source`);
    const seam = p.locator('.graft-profile line.seam');
    assert.equal(await seam.count(), 1);
    const x = Number(await seam.getAttribute('x1'));
    assert.ok(x > a[n - 1].cx && x < a[n].cx, 'the seam rule lies between the last layer of the first copy and the first of the second');
  });

  test('the kind selector switches data, disables kinds without data, and reports the state', async () => {
    const p = await open();
    await mount(p, { before: src });
    const disabled = await p.$$eval('select.graft-charts-kind option', (os) => os.filter((o) => (o as HTMLOptionElement).disabled).map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(disabled, ['shared'], 'mixtral has no shared experts');
    const expertsY = (await seriesPoints(p, 'before')).map((q) => q.cy);
    await p.selectOption('select.graft-charts-kind', 'attention');
    assert.equal(await p.locator('.graft-charts-figure').getAttribute('data-kind'), 'attention');
    assert.match((await p.locator('.graft-profile text.title').textContent()) ?? '', /attention projections/);
    const attn = await seriesPoints(p, 'before');
    assert.equal(attn.length, src.layers.length);
    assert.notDeepEqual(attn.map((q) => q.cy), expertsY);
    const text = await hoverPoint(p, attn[2]);
    assert.ok(text.includes(src.layers[2].values.attention!.toPrecision(4)), text);
    assert.deepEqual(await p.evaluate(() => (window as any).__states), [{ kind: 'attention', view: 'profile' }]);
  });

  test('setState from the host applies a stored state and falls back on a bad one, without echoing it', async () => {
    const p = await open();
    await mount(p, { before: src }, { kind: 'router', view: 'profile' });
    assert.equal(await p.locator('.graft-charts-figure').getAttribute('data-kind'), 'router');
    await p.evaluate(() => (window as any).app.setState({ kind: 'nonsense', view: 42 }));
    assert.equal(await p.locator('.graft-charts-figure').getAttribute('data-kind'), 'experts');
    await p.evaluate(() => (window as any).app.setState({ kind: 'shared', view: 'heatmap' }));
    // 'shared' has no data here: the first kind with data is drawn; the heatmap is shown.
    assert.equal(await p.locator('.graft-charts-figure').getAttribute('data-view'), 'heatmap');
    assert.deepEqual(await p.evaluate(() => (window as any).app.getState()), { kind: 'shared', view: 'heatmap' });
    assert.deepEqual(await p.evaluate(() => (window as any).__states), []);
  });

  test('the heatmap shows every (layer, expert) of both models on one scale, with tooltips', async () => {
    const p = await open();
    const g = interposition(src, 2);
    await mount(p, { before: src, after: g.after, pendingLabel: GROW, layerMap: g.layerMap });
    await p.click('button[data-view="heatmap"]');
    const experts = src.layers[0].perExpert!.length;
    assert.equal(await p.locator('.graft-heatmap g[data-series="before"] rect.cell').count(), src.layers.length * experts);
    assert.equal(await p.locator('.graft-heatmap g[data-series="after"] rect.cell').count(), 2 * src.layers.length * experts);
    // A copy has its original's colour: after layer 2k+1, expert e == source layer k, expert e.
    const fill = (series: string, i: number) => p.locator(`.graft-heatmap g[data-series="${series}"] rect.cell`).nth(i).getAttribute('fill');
    assert.equal(await fill('after', (2 * 1 + 1) * experts + 5), await fill('before', 1 * experts + 5));
    assert.notEqual(await fill('before', 0), await fill('before', 2 * experts), 'layers differ in colour');
    await p.locator('.graft-heatmap g[data-series="before"] rect.cell').nth(2 * experts + 3).hover();
    const tip = p.locator('.graft-chart-tooltip');
    await tip.waitFor({ state: 'visible' });
    const text = (await tip.textContent()) ?? '';
    assert.match(text, /source · layer 2 · expert 3/);
    assert.ok(text.includes(src.layers[2].perExpert![3]!.toPrecision(4)), text);
    assert.equal(await p.locator('select.graft-charts-kind').isDisabled(), true, 'the heatmap is per routed expert');
    assert.deepEqual(await p.evaluate(() => (window as any).__states), [{ kind: 'experts', view: 'heatmap' }]);
  });

  test('CSV export is exact, SVG export parses with resolved colours, PNG export is a real PNG', async () => {
    const p = await open('dark');
    const g = interposition(src, 2);
    await mount(p, { before: src, after: g.after, pendingLabel: GROW, layerMap: g.layerMap });
    await p.click('button[data-export="csv"]');
    assert.equal(await lastExport(p, 'csv'), expectedProfileCsv(src, g.after, 'experts'));

    await p.click('button[data-export="svg"]');
    const svg = await lastExport(p, 'svg');
    assert.ok(svg.startsWith('<?xml'));
    const parsed = await p.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const paint = [...doc.querySelectorAll('[fill], [stroke]')].flatMap((e) => [e.getAttribute('fill') ?? '', e.getAttribute('stroke') ?? '']);
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        root: doc.documentElement.localName,
        seriesPaths: doc.querySelectorAll('g.series path').length,
        circles: doc.querySelectorAll('g.series circle').length,
        unresolved: paint.filter((v) => v.includes('var(') || v === 'currentColor').length,
        transient: doc.querySelectorAll('.graft-transient').length,
        background: doc.querySelector('svg > rect')?.getAttribute('fill'),
      };
    }, svg);
    assert.equal(parsed.error, null);
    assert.equal(parsed.root, 'svg');
    assert.equal(parsed.seriesPaths, 2);
    assert.equal(parsed.circles, 3 * src.layers.length);
    assert.equal(parsed.unresolved, 0, 'every theme colour is inlined');
    assert.equal(parsed.transient, 0, 'no hover chrome in the file');
    assert.equal(parsed.background, 'rgb(30, 30, 30)', 'Dark+ editor background');

    await p.click('button[data-export="png"]');
    const png = await lastExport(p, 'png');
    assert.ok(png.startsWith('data:image/png;base64,'));
    const bytes = Buffer.from(png.slice('data:image/png;base64,'.length), 'base64');
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const [w, hgt] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
    const size = await p.$eval('.graft-charts-figure > svg', (s) => [+s.getAttribute('width')!, +s.getAttribute('height')!]);
    assert.deepEqual([w, hgt], [2 * size[0], 2 * size[1]], 'rendered at 2×');
    assert.ok(bytes.length > 5000, `PNG has content (${bytes.length} bytes)`);
    writeFileSync(resolve(ARTIFACTS, 'chart-export-dark.png'), bytes);
    writeFileSync(resolve(ARTIFACTS, 'chart-export-dark.svg'), svg);
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as ThemeName[]) {
    test(`screenshots: ${theme} theme`, async () => {
      const p = await open(theme);
      const g = interposition(src, 2);
      await mount(p, { before: src, after: g.after, pendingLabel: GROW, layerMap: g.layerMap });
      const a = await seriesPoints(p, 'after');
      await hoverPoint(p, a[5]);
      await p.locator('#root').screenshot({ path: resolve(ARTIFACTS, `chart-${theme}-interposition.png`) });
      const s = stack(src, 2);
      await mount(p, { before: src, after: s.after, pendingLabel: 'Grow depth ×2 (stack)', layerMap: s.layerMap });
      await p.locator('#root').screenshot({ path: resolve(ARTIFACTS, `chart-${theme}-stack.png`) });
      await mount(p, { before: src, after: g.after, pendingLabel: GROW, layerMap: g.layerMap }, { kind: 'experts', view: 'heatmap' });
      await p.locator('.graft-heatmap g[data-series="after"] rect.cell').nth(13).hover();
      await p.locator('#root').screenshot({ path: resolve(ARTIFACTS, `chart-${theme}-heatmap.png`) });
      if (theme !== 'light') return;
      // A narrow panel: the chart follows the width, and the legend moves into the plot instead of over the title.
      await mount(p, { before: src, after: g.after, pendingLabel: GROW, layerMap: g.layerMap });
      await p.evaluate(() => { document.getElementById('root')!.style.width = '480px'; });
      await p.waitForFunction(() => Number(document.querySelector('.graft-charts-figure > svg')?.getAttribute('width')) < 500);
      await p.locator('#root').screenshot({ path: resolve(ARTIFACTS, 'chart-light-narrow.png') });
    });
  }
});
