// `npm test`: typecheck, lint, then every test file under test/ with node's test runner (TypeScript via tsx).
// --unit skips the end-to-end tests in a real VS Code (test/e2e); --no-check skips typecheck and lint;
// extra arguments filter test files by substring.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, mkdtempSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const noCheck = args.includes('--no-check');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function run(cmd, cmdArgs, env = {}) {
  console.log(`\n> ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!noCheck && filters.length === 0) {
  run('npx', ['tsc', '-p', '.', '--noEmit']);
  run('npx', ['eslint', 'src', 'webview', 'test', 'scripts', 'bench']);
}

let files = walk('test').map((f) => relative('.', f)).sort();
if (unitOnly) files = files.filter((f) => !f.startsWith(join('test', 'e2e')));
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (!unitOnly && files.some((f) => f.startsWith(join('test', 'e2e')))) {
  // The e2e tests need the packaged extension and a local code-server; both are set up idempotently.
  run('node', ['scripts/e2e-setup.mjs']);
}
// ORT writes a cache under XDG_CACHE_HOME: keep tests from touching the user's.
const cache = mkdtempSync(join(tmpdir(), 'graft-test-cache-'));
// A per-test timeout turns a hang into a failure that names the test, well inside CI's limit.
run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=600000', ...files], { XDG_CACHE_HOME: cache, GRAFT_TEST: '1' });
