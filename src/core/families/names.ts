// Name builders: the only way code outside this folder spells a tensor name. Growth renames through these
// (renameTensor for "same tensor, other layer/expert"), so a table change reaches every user at once.
import { FamilyError } from '../errors';
import { classifyTensor, splitLayerPrefix } from './classify';
import type { FamilyTable, MatrixKind } from './types';

function missing(t: FamilyTable, what: string): FamilyError {
  return new FamilyError('family', `family "${t.id}" has no ${what}`, { key: what });
}

function checkIndex(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new FamilyError('family', `${what} index must be an integer >= 0, got ${n}`, { key: what });
}

export function layerPrefix(t: FamilyTable, layer: number): string {
  checkIndex('layer', layer);
  return t.layerPrefix.replace('{i}', String(layer));
}

export function layerTensorName(t: FamilyTable, layer: number, relative: string): string {
  return layerPrefix(t, layer) + relative;
}

/** Splits a per-layer name into its layer and the part after the layer prefix; null for global names. */
export function splitLayerName(t: FamilyTable, name: string): { layer: number; relative: string } | null {
  const m = splitLayerPrefix(t, name);
  return m ? { layer: m[0], relative: m[1] } : null;
}

export function globalTensorName(t: FamilyTable, role: 'embed' | 'final_norm' | 'head'): string {
  const n = role === 'embed' ? t.embed : role === 'final_norm' ? t.finalNorm : t.head;
  if (!n) throw missing(t, `${role} name`);
  return n;
}

export function attnOutProjTensorNames(t: FamilyTable, layer: number): string[] {
  if (!t.attnOutProj) throw missing(t, 'attention output projection');
  return [t.attnOutProj, ...(t.attnOutBias ? [t.attnOutBias] : [])].map((r) => layerTensorName(t, layer, r));
}

export function routerTensorName(t: FamilyTable, layer: number): string {
  if (!t.moe) throw missing(t, 'router');
  return layerTensorName(t, layer, t.moe.router);
}

/** Router bias / correction bias names ([E] each); empty when the family has none. */
export function routerBiasTensorNames(t: FamilyTable, layer: number): string[] {
  return (t.moe?.routerBias ?? []).map((b) => layerTensorName(t, layer, b));
}

/** One routed expert's matrix in the per-expert layout (`companion`: a quantisation suffix such as `_scale_inv`). */
export function expertTensorName(t: FamilyTable, layer: number, expert: number, matrix: MatrixKind, companion = ''): string {
  const m = t.moe;
  if (!m) throw missing(t, 'experts');
  if (m.expertLayout !== 'per-expert') {
    throw new FamilyError('family', `family "${t.id}" stores experts fused (${m.expertLayout}): use fusedExpertTensorName`, { key: 'expertLayout' });
  }
  const tpl = m.experts[matrix];
  if (!tpl) throw missing(t, `expert matrix "${matrix}"`);
  checkIndex('expert', expert);
  return layerTensorName(t, layer, tpl.replace('{e}', String(expert)) + companion);
}

/** The fused [E, ...] tensor of one matrix in the fused layouts. */
export function fusedExpertTensorName(t: FamilyTable, layer: number, matrix: MatrixKind, companion = ''): string {
  const m = t.moe;
  if (!m) throw missing(t, 'experts');
  if (m.expertLayout === 'per-expert') {
    throw new FamilyError('family', `family "${t.id}" stores one tensor per expert: use expertTensorName`, { key: 'expertLayout' });
  }
  const tpl = m.experts[matrix];
  if (!tpl) throw missing(t, `fused expert tensor "${matrix}"`);
  return layerTensorName(t, layer, tpl + companion);
}

/** Every expert-matrix kind the family stores (gate/up/down, or gate_up/down and biases when fused). */
export function expertMatrices(t: FamilyTable): MatrixKind[] {
  return Object.keys(t.moe?.experts ?? {}) as MatrixKind[];
}

export function sharedExpertTensorName(t: FamilyTable, layer: number, matrix: MatrixKind): string {
  const tpl = t.moe?.sharedExpert?.[matrix];
  if (!tpl) throw missing(t, `shared expert matrix "${matrix}"`);
  return layerTensorName(t, layer, tpl);
}

export function sharedExpertGateTensorName(t: FamilyTable, layer: number): string {
  const tpl = t.moe?.sharedExpertGate;
  if (!tpl) throw missing(t, 'shared expert gate');
  return layerTensorName(t, layer, tpl);
}

export function denseMlpTensorName(t: FamilyTable, layer: number, matrix: MatrixKind): string {
  const tpl = t.denseMlp?.[matrix];
  if (!tpl) throw missing(t, `dense MLP matrix "${matrix}"`);
  return layerTensorName(t, layer, tpl);
}

/**
 * The same tensor at another layer and/or expert index: `model.layers.3.mlp.experts.5.up_proj.weight` with
 * {layer: 7, expert: 12} becomes `model.layers.7.mlp.experts.12.up_proj.weight`. Throws when the tensor has no
 * layer (or no expert index) to change.
 */
export function renameTensor(t: FamilyTable, name: string, to: { layer?: number; expert?: number }): string {
  const cls = classifyTensor(t, name);
  if (cls.layer === undefined || cls.relative === undefined) {
    throw new FamilyError('family', `tensor is not per-layer, it cannot move to another layer`, { tensor: name, rule: 'rename' });
  }
  let relative = cls.relative;
  if (to.expert !== undefined) {
    if (cls.expert === undefined || !cls.matrix) {
      throw new FamilyError('family', `tensor is not one expert's matrix, it has no expert index to change`, { tensor: name, rule: 'rename' });
    }
    const tpl = t.moe!.experts[cls.matrix]!;
    checkIndex('expert', to.expert);
    relative = tpl.replace('{e}', String(to.expert)) + (cls.companion ?? '');
  }
  return layerTensorName(t, to.layer ?? cls.layer, relative);
}
