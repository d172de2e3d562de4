// `npm start`: build and package the extension, install it into the project-local code-server (.e2e/), and serve
// a workspace holding the demo checkpoint (demo/) on 127.0.0.1. Prints the URL to open; runs until Ctrl-C.
// Options: --port N (default 8080, or the next free one), --folder PATH (another workspace).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { CODE_SERVER_BIN, E2E, EXTENSIONS_DIR, ROOT, SetupError, ensureAll } from './e2e-setup.mjs';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const folder = resolve(option('--folder') ?? join(ROOT, 'demo'));

function portIsFree(port) {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}

async function choosePort() {
  const wanted = Number(option('--port') ?? process.env.PORT ?? 8080);
  for (let p = wanted; p < wanted + 50; p++) if (await portIsFree(p)) return p;
  throw new SetupError(`no free port in ${wanted}..${wanted + 49}`);
}

try {
  if (!existsSync(folder)) throw new SetupError(`no folder ${folder} (the demo checkpoint lives in demo/)`);
  console.log('Preparing code-server and the extension (the first run installs code-server: about two minutes)…');
  ensureAll();
  const port = await choosePort();
  const userData = join(E2E, 'start-user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  const settings = join(userData, 'User', 'settings.json');
  if (!existsSync(settings)) writeFileSync(settings, `${JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'files.autoSave': 'off' }, null, 2)}\n`);
  const logFile = join(E2E, 'start.log');
  const log = openSync(logFile, 'a');
  const server = spawn(CODE_SERVER_BIN, [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--user-data-dir', userData, '--extensions-dir', EXTENSIONS_DIR,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', folder,
  ], {
    detached: true, stdio: ['ignore', log, log],
    env: { ...process.env, XDG_CONFIG_HOME: join(E2E, 'xdg-config'), XDG_DATA_HOME: join(E2E, 'xdg-data') },
  });
  let stopping = false;
  const stop = () => {
    stopping = true;
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.on('exit', (code, signal) => {
    if (stopping) {
      console.log('Stopped.');
      process.exit(0);
    }
    console.error(`code-server exited (${signal ?? code}); see ${logFile}`);
    process.exit(code || 1);
  });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  while (!(await fetch(`${url}healthz`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) {
      stop();
      throw new SetupError(`code-server did not answer on ${url} within a minute; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`\nGraft is running in VS Code (code-server) at:\n\n    ${url}\n`);
  console.log(`Workspace: ${folder}`);
  console.log('Open tiny-mixtral/model.safetensors, or run "Graft: Open Checkpoint Folder…" from the Command Palette.');
  console.log(`Server log: ${logFile}. Press Ctrl-C to stop.`);
} catch (err) {
  console.error(`start: ${err instanceof SetupError ? err.message : err?.stack ?? err}`);
  process.exit(1);
}
