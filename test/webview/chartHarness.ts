// A static page hosting the chart app outside VS Code: the app bundled as the panel would bundle it (esbuild,
// browser, iife), charts.css, and the three themes' VS Code variables, served over http on localhost (a file://
// page has an opaque origin, which would taint the PNG export's canvas) and driven by headless Debian chromium.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BODY_CLASS, themeStylesheet, type ThemeName } from './vscodeThemes';

const ROOT = resolve(__dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';

async function bundle(): Promise<string> {
  const out = await esbuild.build({
    stdin: {
      contents: "import { mountChartApp } from './webview/charts/chartApp.ts';\n(window as any).graftCharts = { mountChartApp };\n",
      resolveDir: ROOT, loader: 'ts', sourcefile: 'chart-harness-entry.ts',
    },
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022', write: false, logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

function page(css: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Graft norm charts</title>
<style>${themeStylesheet()}
html, body { margin: 0; }
body { padding: 16px 20px; }
#root { width: 880px; }
${css}</style></head>
<body class="vscode-light"><div id="root"></div>
<script>/* tsx compiles the test with keepNames: functions passed to page.evaluate call its __name helper. */
window.__name = (f) => f;</script>
<script src="/app.js"></script></body></html>`;
}

export interface Harness {
  browser: Browser;
  url: string;
  newPage(theme: ThemeName): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const js = await bundle();
  const html = page(readFileSync(resolve(ROOT, 'webview/charts/charts.css'), 'utf8'));
  const server: Server = createServer((req, res) => {
    if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  return {
    browser,
    url,
    async newPage(theme) {
      const p = await browser.newPage({ viewport: { width: 920, height: 720 }, deviceScaleFactor: 1 });
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(e.message));
      await p.goto(url);
      await p.waitForFunction(() => 'graftCharts' in window);
      await p.evaluate((cls) => { document.body.className = cls; }, BODY_CLASS[theme]);
      (p as unknown as { pageErrors: string[] }).pageErrors = errors;
      return p;
    },
    async close() {
      await browser.close();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** Mounts the app in the page with `data` and records what it emits on window.__exports / window.__states. */
export async function mount(p: Page, data: unknown, initialState?: unknown): Promise<void> {
  await p.evaluate(([d, s]) => {
    const w = window as any;
    w.__exports = [];
    w.__states = [];
    w.app?.dispose();
    w.app = w.graftCharts.mountChartApp(document.getElementById('root'), {
      onExport: (kind: string, out: string) => w.__exports.push({ kind, data: out }),
      onStateChange: (state: unknown) => w.__states.push(state),
      initialState: s,
    });
    w.app.update(d);
  }, [data, initialState] as const);
}

export async function lastExport(p: Page, kind: string): Promise<string> {
  await p.waitForFunction((k) => (window as any).__exports.some((e: { kind: string }) => e.kind === k), kind);
  return p.evaluate((k) => (window as any).__exports.filter((e: { kind: string }) => e.kind === k).pop().data as string, kind);
}
