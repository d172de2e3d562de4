// Imported first by extension.ts, so this runs before any other module of the bundle. Activation time is what
// VS Code's "Running Extensions" reports as code loading plus the activate call: the bundle's evaluation (from
// here until extension.ts's own body runs) plus activate() itself. The wait in between (VS Code preparing the
// extension context) is not ours and is not counted.
export const bundleLoadStart = performance.now();

let bundleLoadedAt: number | undefined;

/** Called by extension.ts's top level, once every module of the bundle has been evaluated. */
export function markBundleLoaded(): void {
  bundleLoadedAt ??= performance.now();
}

export interface ActivationTiming {
  /** Evaluating the bundle, ms. */
  load: number;
  /** The activate() call, ms. */
  activate: number;
  total: number;
}

export function activationTiming(activateStart: number, activateEnd: number): ActivationTiming {
  const load = (bundleLoadedAt ?? activateStart) - bundleLoadStart;
  const activate = activateEnd - activateStart;
  return { load, activate, total: load + activate };
}
