// The transformers >= 5 fused-expert layout: any MoE family saved by transformers 5 stores its routed experts as
// `<block>experts.gate_up_proj` [E, 2I, H] (gate rows, then up rows) and `<block>experts.down_proj` [E, H, I], with the
// sparse block under `mlp.` (Mixtral's `block_sparse_moe.` is renamed). The config keys stay the base family's,
// so this table is derived from the base family's, not written out.
import { qwen3Moe } from './qwen3Moe';
import type { FamilyTable, MatrixKind, MoeSpec } from './types';

function moveBlock(name: string, from: string, to: string): string {
  return name.startsWith(from) ? to + name.slice(from.length) : name;
}

function moveAll(t: Partial<Record<MatrixKind, string>> | undefined, from: string, to: string): Partial<Record<MatrixKind, string>> | undefined {
  if (!t) return undefined;
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, moveBlock(v, from, to)])) as Partial<Record<MatrixKind, string>>;
}

/** The fused variant of an MoE family, with its sparse block under `blockPrefix` (default `mlp.`). */
export function fusedHf5Variant(base: FamilyTable, blockPrefix = 'mlp.'): FamilyTable {
  const moe = base.moe;
  if (!moe) throw new Error(`fusedHf5Variant: ${base.id} is not an MoE family`);
  const from = moe.blockPrefix;
  const fusedMoe: MoeSpec = {
    ...moe,
    expertLayout: 'fused-hf5',
    blockPrefix,
    router: moveBlock(moe.router, from, blockPrefix),
    routerBias: moe.routerBias?.map((b) => moveBlock(b, from, blockPrefix)),
    experts: { gate_up: `${blockPrefix}experts.gate_up_proj`, down: `${blockPrefix}experts.down_proj` },
    sharedExpert: moveAll(moe.sharedExpert, from, blockPrefix),
    sharedExpertGate: moe.sharedExpertGate && moveBlock(moe.sharedExpertGate, from, blockPrefix),
  };
  if (!fusedMoe.routerBias) delete fusedMoe.routerBias;
  if (!fusedMoe.sharedExpert) delete fusedMoe.sharedExpert;
  if (!fusedMoe.sharedExpertGate) delete fusedMoe.sharedExpertGate;
  return {
    ...base,
    id: 'hf5_fused_moe',
    label: `${base.label} (transformers 5 fused experts)`,
    moe: fusedMoe,
    baseFamily: base.baseFamily ?? base.id,
  };
}

/** The registry's stand-alone entry: Qwen3-MoE keys, the most common base of this layout. */
export const hf5FusedMoe: FamilyTable = fusedHf5Variant(qwen3Moe);
