// onnxruntime-node is loaded on first use, never at import time: the extension's activation must not pay for
// (or fail on) the native binary. Everything in src/engine reaches ORT through `loadOrt()`.
import type * as OrtModule from 'onnxruntime-node';
import { EngineError } from '../core/errors';

export type Ort = typeof OrtModule;

let loaded: Promise<Ort> | undefined;

/** Loads onnxruntime-node once per process (dynamic import). */
export function loadOrt(): Promise<Ort> {
  loaded ??= import('onnxruntime-node').then(
    (m) => ((m as { default?: Ort }).default ?? m) as Ort,
    (err: unknown) => {
      loaded = undefined;
      throw new EngineError('ort-load', `cannot load onnxruntime-node: ${(err as Error)?.message ?? err}`, { rule: 'onnxruntime-node must be installed' }, { cause: err });
    },
  );
  return loaded;
}

/** True once `loadOrt()` has been called in this process (tests check activation stays lazy). */
export function ortRequested(): boolean {
  return loaded !== undefined;
}
