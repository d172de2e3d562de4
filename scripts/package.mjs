// `npm run package`: a production build, then `vsce package --target linux-x64`, from a staging folder that holds
// only what the installed extension runs: the bundles, media, and ONNX Runtime's Linux x64 runtime.
//
// Why a staging folder: everything else is bundled by esbuild, so the vsix needs no node_modules, but vsce's
// `--no-dependencies` drops every top-level node_modules file, and with dependencies it runs `npm list`, which
// trips over @vscode/webview-ui-toolkit's react peer. onnxruntime-node (a native addon, kept external by the
// build) is therefore copied to dist/node_modules/, where the bundle's `require('onnxruntime-node')` finds it.
// Options: --out FILE (default graft-<version>-linux-x64.vsix in the project root), --quiet.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STAGE = join(ROOT, '.cache', 'vsix-stage');
const TARGET = 'linux-x64';
const LIMIT_BYTES = 30 * 1024 * 1024;

const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const outArg = args.indexOf('--out') >= 0 ? args[args.indexOf('--out') + 1] : undefined;
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const out = resolve(outArg ?? join(ROOT, `${manifest.name}-${manifest.version}-${TARGET}.vsix`));

function run(cmd, cmdArgs, cwd = ROOT) {
  const r = spawnSync(cmd, cmdArgs, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    console.error(`package: \`${cmd} ${cmdArgs.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
  return r.stdout;
}

/** Copies `rel` (a file or folder under `from`) to the same relative path under `to`. */
function copy(from, to, rel, filter = () => true) {
  const src = join(from, rel);
  if (!existsSync(src)) throw new Error(`package: missing ${src}`);
  mkdirSync(dirname(join(to, rel)), { recursive: true });
  if (statSync(src).isDirectory()) cpSync(src, join(to, rel), { recursive: true, filter: (p) => statSync(p).isDirectory() || filter(p) });
  else copyFileSync(src, join(to, rel));
}

// 1. Production bundles.
run(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--production']);

// 2. The staging folder.
rmSync(STAGE, { recursive: true, force: true });
mkdirSync(STAGE, { recursive: true });
const staged = { ...manifest };
// Nothing is installed from the registry at install time: dependencies are bundled or vendored below.
for (const key of ['scripts', 'devDependencies', 'dependencies', 'allowScripts', 'bin']) delete staged[key];
writeFileSync(join(STAGE, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);
for (const doc of ['README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md', 'LICENSE.txt']) {
  if (existsSync(join(ROOT, doc))) copy(ROOT, STAGE, doc);
}
for (const name of readdirSync(join(ROOT, 'dist'))) {
  if (/\.(js|css)$/.test(name)) copy(ROOT, STAGE, join('dist', name));
}
if (existsSync(join(ROOT, 'media'))) copy(ROOT, STAGE, 'media');
if (manifest.icon && !existsSync(join(STAGE, manifest.icon))) copy(ROOT, STAGE, manifest.icon);

// ONNX Runtime: the JS of onnxruntime-node and onnxruntime-common (CommonJS build) and this target's binaries.
const nm = join(ROOT, 'node_modules');
const vendor = join(STAGE, 'dist', 'node_modules');
const ortBin = join('bin', 'napi-v6', 'linux', 'x64');
copy(join(nm, 'onnxruntime-node'), join(vendor, 'onnxruntime-node'), 'package.json');
copy(join(nm, 'onnxruntime-node'), join(vendor, 'onnxruntime-node'), 'dist', (p) => p.endsWith('.js'));
copy(join(nm, 'onnxruntime-node'), join(vendor, 'onnxruntime-node'), ortBin);
copy(join(nm, 'onnxruntime-common'), join(vendor, 'onnxruntime-common'), 'package.json');
copy(join(nm, 'onnxruntime-common'), join(vendor, 'onnxruntime-common'), join('dist', 'cjs'), (p) => p.endsWith('.js') || p.endsWith('package.json'));
// The vendored copy must load on its own, outside the project's node_modules.
run(process.execPath, ['-e', `require(${JSON.stringify(join(vendor, 'onnxruntime-node'))}).listSupportedBackends()`], STAGE);

// 3. vsce, with the project's .vscodeignore as the second line of defence.
const vsceArgs = ['package', '--target', TARGET, '--no-dependencies', '--out', out, '--ignoreFile', join(ROOT, '.vscodeignore')];
if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => existsSync(join(ROOT, f)))) vsceArgs.push('--skip-license');
mkdirSync(dirname(out), { recursive: true });
const vsceOut = run(join(ROOT, 'node_modules', '.bin', 'vsce'), vsceArgs, STAGE);
if (!quiet) for (const line of vsceOut.split('\n')) if (/WARNING|DONE/.test(line)) console.log(line.trim());

const size = statSync(out).size;
const mb = (size / 1024 / 1024).toFixed(1);
if (size > LIMIT_BYTES) {
  console.error(`package: ${out} is ${mb} MB, over the ${LIMIT_BYTES / 1024 / 1024} MB limit`);
  process.exit(1);
}
if (!quiet) console.log(`${out}: ${mb} MB (limit ${LIMIT_BYTES / 1024 / 1024} MB)`);
