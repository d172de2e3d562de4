// Execution providers. ORT never falls back on its own (even with ['webgpu', 'cpu']): callers try the provider
// they want, catch, and retry on CPU; every result records which provider produced it and why it fell back.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Ort } from './ort';

export type ProviderChoice = 'auto' | 'cpu' | 'webgpu' | 'cuda';
export type Provider = 'cpu' | 'webgpu' | 'cuda';
export const PROVIDER_CHOICES: readonly ProviderChoice[] = ['auto', 'cpu', 'webgpu', 'cuda'];

export function isProviderChoice(s: unknown): s is ProviderChoice {
  return typeof s === 'string' && (PROVIDER_CHOICES as readonly string[]).includes(s);
}

/** Where onnxruntime-node keeps its native libraries for this platform. */
function ortBinDir(): string | undefined {
  try {
    const pkg = require.resolve('onnxruntime-node/package.json');
    return join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/** The CUDA provider is not bundled: it exists only after `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node`. */
export function cudaInstalled(): boolean {
  const dir = ortBinDir();
  if (!dir) return false;
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(join(dir, lib));
}

/** Why a provider cannot even be tried here, or undefined when it can. */
export function unavailableReason(ort: Ort, p: Provider): string | undefined {
  if (p === 'cpu') return undefined;
  const listed = ort.listSupportedBackends().find((b) => b.name === p);
  if (!listed) return `onnxruntime-node ${ort.env.versions.common} has no ${p} backend on ${process.platform}-${process.arch}`;
  if (p === 'cuda' && !cudaInstalled()) return 'CUDA provider libraries are not installed (ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node)';
  return undefined;
}

/** The providers to try, in order, for a choice; the last is always cpu. */
export function candidates(choice: ProviderChoice): Provider[] {
  switch (choice) {
    case 'cpu': return ['cpu'];
    case 'webgpu': return ['webgpu', 'cpu'];
    case 'cuda': return ['cuda', 'cpu'];
    case 'auto': return cudaInstalled() ? ['cuda', 'webgpu', 'cpu'] : ['webgpu', 'cpu'];
  }
}
