// A real VS Code for end-to-end tests: the project-local code-server (scripts/e2e-setup.mjs) with the packaged
// extension, in its own session and temp folders, driven by Debian's chromium through playwright-core.
// One server and one browser per test file; stop() ends both process groups by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');

export interface VsCode {
  page: Page;
  url: string;
  /** The server's temp folder (user data, logs). */
  dir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Ends a detached child's whole process group: TERM, then KILL if it lingers. */
async function killGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000));
  if ((await Promise.race([exited, timer])) === 'timeout') {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
}

/** Starts code-server on `workspace` and a headless chromium on it; resolves once the workbench is up. */
export async function startVsCode(workspace: string): Promise<VsCode> {
  // The setup script (plain ESM, shared with `npm start`) is idempotent: seconds when warm.
  const s = await import('../../scripts/e2e-setup.mjs');
  s.ensureAll();
  const dir = mkdtempSync(join(tmpdir(), 'graft-e2e-'));
  const userData = join(dir, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': false,
    'window.commandCenter': false,
  }));
  const port = await freePort();
  const log = openSync(join(dir, 'code-server.log'), 'a');
  let server: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  const stop = async () => {
    await context?.close().catch(() => undefined);
    await killGroup(server);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // detached: its own session and process group (setsid), so stop() reaches the server's children too.
    server = spawn(s.CODE_SERVER_BIN, [
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--user-data-dir', userData, '--extensions-dir', s.EXTENSIONS_DIR,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', workspace,
    ], {
      detached: true, stdio: ['ignore', log, log],
      env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'), XDG_CACHE_HOME: join(dir, 'cache') },
    });
    const url = `http://127.0.0.1:${port}/`;
    await waitFor('code-server /healthz', async () => (await fetch(`${url}healthz`)).ok, 30_000);
    context = await chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: s.CHROMIUM, headless: true, viewport: { width: 1400, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await page.locator('.monaco-workbench .part.editor').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 30_000 });
    return { page, url, dir, stop };
  } catch (err) {
    const tail = existsSync(join(dir, 'code-server.log')) ? readFileSync(join(dir, 'code-server.log'), 'utf8').slice(-3000) : '';
    await stop();
    throw new Error(`${(err as Error).message}\ncode-server log:\n${tail}`);
  }
}

/** Runs a command from the palette (F1), by its title as the palette shows it. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Opens a workspace file through Quick Open (Ctrl+P), by a path fragment that picks it alone. */
export async function quickOpen(page: Page, path: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(path);
  // Wait for the search result itself: until the search answers, the list shows recently opened files.
  const name = path.split('/').pop()!;
  const dir = path.split('/').slice(-2, -1)[0] ?? '';
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).filter({ hasText: dir }).first().click();
}

/** The content of the visible webview (custom editors nest the page in an inner frame). */
export function webview(page: Page): FrameLocator {
  return page.locator('iframe.webview.ready:visible').first().contentFrame().frameLocator('iframe#active-frame');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Every file under `dir` whose name is `name` (the extension's log lives in a dated folder). */
export function findFiles(dir: string, name: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.isFile() && e.name === name) out.push(join(d, e.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}
