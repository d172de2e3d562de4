// `node scripts/e2e-setup.mjs`: prepares everything the end-to-end tests and `npm start` need, idempotently,
// under .e2e/ (gitignored): Debian packages, a project-local code-server, and the packaged extension installed
// into .e2e/ext. Each step leaves a stamp, so a warm run only hashes the sources (well under a second).
// Quiet unless something fails (then the failing command's output is printed); --verbose narrates.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const E2E = join(ROOT, '.e2e');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_PREFIX = join(E2E, 'code-server');
export const CODE_SERVER_BIN = join(CODE_SERVER_PREFIX, 'bin', 'code-server');
export const EXTENSIONS_DIR = join(E2E, 'ext');
export const VSIX = join(E2E, 'graft.vsix');
export const CHROMIUM = '/usr/bin/chromium';

const APT_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config'];
// What the packaged extension is built from: any change here repackages and reinstalls it.
const EXTENSION_INPUTS = ['src', 'webview', 'media', 'package.json', '.vscodeignore', 'scripts/build.mjs', 'scripts/package.mjs'];

const verbose = process.argv.includes('--verbose');
const say = (msg) => { if (verbose) console.log(`e2e-setup: ${msg}`); };

export class SetupError extends Error {}

/** Runs a command with its output captured; on failure throws with that output, so failures are never silent. */
function sh(cmd, args, opts = {}) {
  say(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts, env: { ...process.env, ...opts.env } });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new SetupError(`\`${cmd} ${args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`}):\n${out}`);
  }
  return r.stdout;
}

function stamp(name) { return join(E2E, `.${name}.stamp`); }
function stampIs(name, value) { return existsSync(stamp(name)) && readFileSync(stamp(name), 'utf8') === value; }
function writeStamp(name, value) { writeFileSync(stamp(name), value); }

/** Debian packages: chromium drives the tests; the -dev packages let code-server's native modules build. */
export function ensureAptPackages() {
  const missing = APT_PACKAGES.filter((p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout !== 'install ok installed');
  if (missing.length === 0) return;
  say(`installing ${missing.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (install().status === 0) return;
  sh('apt-get', ['update'], { env });
  sh('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
}

/** code-server from npm into .e2e/code-server, following the offline recipe (shared/ENVIRONMENT.md). */
export function ensureCodeServer() {
  if (stampIs('code-server', CODE_SERVER_VERSION) && existsSync(CODE_SERVER_BIN)) return;
  say(`installing code-server ${CODE_SERVER_VERSION} (about a minute)`);
  rmSync(CODE_SERVER_PREFIX, { recursive: true, force: true });
  mkdirSync(CODE_SERVER_PREFIX, { recursive: true });
  const tmp = join(E2E, 'tmp');
  mkdirSync(tmp, { recursive: true });
  // Run npm from .e2e so the project's .npmrc and package.json stay out of it.
  sh('npm', ['install', '-g', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', CODE_SERVER_PREFIX, `code-server@${CODE_SERVER_VERSION}`], { cwd: E2E });
  // @vscode/ripgrep downloads its binary from GitHub at install time: seed its cache with Debian's rg instead.
  const rgCache = join(tmp, 'vscode-ripgrep-cache-1.15.11');
  mkdirSync(rgCache, { recursive: true });
  sh('tar', ['czf', join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', '/usr/bin', 'rg']);
  const pkg = join(CODE_SERVER_PREFIX, 'lib', 'node_modules', 'code-server');
  // postinstall.sh reads the Node major version from npm's user agent, which only `npm install` sets.
  const npmVersion = sh('npm', ['--version'], { cwd: E2E }).trim();
  const env = {
    TMPDIR: tmp, npm_config_yes: 'true', npm_config_unsafe_perm: 'true',
    npm_config_user_agent: `npm/${npmVersion} node/${process.version} ${process.platform} ${process.arch}`,
  };
  sh('sh', ['./postinstall.sh'], { cwd: pkg, env });
  sh('npm', ['rebuild', 'argon2'], { cwd: pkg, env });
  rmSync(tmp, { recursive: true, force: true });
  writeStamp('code-server', CODE_SERVER_VERSION);
}

function hashInputs() {
  const h = createHash('sha256');
  const visit = (p) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) visit(join(p, name));
    } else {
      h.update(relative(ROOT, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  for (const input of EXTENSION_INPUTS) visit(join(ROOT, input));
  return h.digest('hex');
}

/** Builds and packages the extension when its sources changed, and installs it into .e2e/ext. */
export function ensureExtension({ force = false } = {}) {
  const hash = hashInputs();
  if (!force && stampIs('extension', hash) && existsSync(VSIX) && existsSync(EXTENSIONS_DIR)) return false;
  say('packaging and installing the extension');
  sh(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--out', VSIX, '--quiet'], { cwd: ROOT });
  installVsix(VSIX);
  writeStamp('extension', hash);
  return true;
}

/** `--install-extension` is the only way code-server takes an extension: copying a folder is not picked up. */
export function installVsix(vsix) {
  rmSync(EXTENSIONS_DIR, { recursive: true, force: true });
  const userData = join(E2E, 'install-user-data');
  sh(CODE_SERVER_BIN, ['--user-data-dir', userData, '--extensions-dir', EXTENSIONS_DIR, '--install-extension', vsix, '--force'], {
    env: { XDG_CONFIG_HOME: join(E2E, 'xdg-config'), XDG_DATA_HOME: join(E2E, 'xdg-data') },
  });
}

export function ensureAll(opts) {
  mkdirSync(E2E, { recursive: true });
  ensureAptPackages();
  ensureCodeServer();
  return ensureExtension(opts);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  try {
    ensureAll({ force: process.argv.includes('--force') });
    say(`ready in ${Date.now() - t0} ms`);
  } catch (err) {
    console.error(`e2e-setup: ${err instanceof SetupError ? err.message : err?.stack ?? err}`);
    process.exit(1);
  }
}
