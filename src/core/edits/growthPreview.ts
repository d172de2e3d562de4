// The pending model of a document with growth edits: the plan of the applied ops, the grown model's tree (drawn
// from the plan's output tensors and config, before a byte is written) with new layers and experts marked by where
// they come from, and the before → after numbers the editor shows.
import { buildGrowthPlan, planToSource, RECIPE_SCHEMA, validateRecipe, type GrowthOp, type GrowthPlan, type Recipe } from '../growth/index';
import { buildModelTree, type ModelTree, type NodeOrigin, type TreeNode } from '../model/index';
import type { CheckpointSource } from '../safetensors/index';

export interface BeforeAfter {
  before: number;
  after: number;
}

/** What the editor's plan preview shows: plain JSON (it crosses to the webview). */
export interface GrowthPreview {
  layers: BeforeAfter;
  experts: BeforeAfter | null;
  topK: BeforeAfter | null;
  params: BeforeAfter;
  activeParams: BeforeAfter;
  bytes: BeforeAfter;
  counts: { tensors: number; copied: number; zeroed: number; noised: number };
  functionPreserved: { preserved: boolean; reasons: string[] };
  /** Output layer j is a copy of source layer layerMap[j]. */
  layerMap: number[];
  notes: string[];
}

export interface PendingModel {
  recipe: Recipe;
  plan: GrowthPlan;
  /** The grown model, with `origin` on new layers and experts. */
  model: ModelTree;
  /** The grown model as a source (header facts only): what the tree lists as a node's tensors. */
  source: CheckpointSource;
  preview: GrowthPreview;
}

/** A validated recipe of `ops` (throws PlanError naming the rule an op combination breaks). */
export function recipeOf(ops: readonly GrowthOp[], seed: number, name?: string): Recipe {
  return validateRecipe({ schema: RECIPE_SCHEMA, ...(name ? { name } : {}), seed, ops: ops.map((o) => ({ ...o })) });
}

/** Plans `ops` on `source` and draws the result; throws (PlanError) when the ops do not apply to this checkpoint. */
export function pendingModel(source: CheckpointSource, ops: readonly GrowthOp[], seed: number): PendingModel {
  const recipe = recipeOf(ops, seed);
  const plan = buildGrowthPlan(source, recipe);
  const grown = planToSource(plan);
  const model = buildModelTree(grown);
  markOrigins(model, plan);
  return { recipe, plan, model, source: grown, preview: previewOf(plan, model) };
}

export function previewOf(plan: GrowthPlan, model: ModelTree): GrowthPreview {
  const e = plan.experts;
  return {
    layers: { before: plan.source.numLayers, after: plan.layerMap.length },
    experts: e ? { before: e.before, after: e.after } : null,
    topK: e ? { before: e.topKBefore, after: e.topKAfter } : null,
    params: { before: plan.before.params, after: plan.after.params },
    activeParams: { before: plan.before.activeParams, after: plan.after.activeParams },
    bytes: { before: plan.before.bytes, after: plan.after.bytes },
    counts: { tensors: plan.counts.tensors, copied: plan.counts.copied, zeroed: plan.counts.zeroed, noised: plan.counts.noised },
    functionPreserved: { preserved: plan.functionPreserved.preserved, reasons: [...plan.functionPreserved.reasons] },
    layerMap: [...plan.layerMap],
    notes: [...plan.notes, ...model.notes],
  };
}

interface ExpertSource {
  source: number | 'mlp';
  copy: boolean;
  noised: boolean;
}

/** Marks new layers (a second or later occurrence of a source layer; LLaMA-Pro's zeroed blocks) and new experts. */
export function markOrigins(model: ModelTree, plan: GrowthPlan): void {
  const identity = new Set(plan.identityLayers);
  const seen = new Set<number>();
  const layerOrigin = new Map<number, NodeOrigin>();
  plan.layerMap.forEach((src, j) => {
    if (identity.has(j)) layerOrigin.set(j, { change: 'zeroed', sourceLayer: src, text: `copy of layer ${src}, output zeroed (identity at start)` });
    else if (seen.has(src)) layerOrigin.set(j, { change: 'copied', sourceLayer: src, text: `copy of layer ${src}` });
    seen.add(src);
  });
  const experts = expertSources(plan);
  const visit = (node: TreeNode) => {
    if (node.kind === 'layer' && node.layer !== undefined) {
      const o = layerOrigin.get(node.layer);
      if (o) node.origin = o;
    } else if (node.kind === 'expert' && node.layer !== undefined && node.expert !== undefined) {
      const s = experts.get(node.layer)?.get(node.expert);
      if (s && (s.copy || s.noised)) {
        const of = s.source === 'mlp' ? 'the dense MLP' : `expert ${s.source}`;
        node.origin = { change: s.noised ? 'noised' : 'copied', sourceLayer: plan.layerMap[node.layer], sourceExpert: s.source, text: `copy of ${of}${s.noised ? ' + noise' : ''}` };
      }
    }
    node.children.forEach(visit);
  };
  visit(model.root);
}

/** Output layer → output expert → where it comes from, from the plan's expert tensors (per-expert or fused rows). */
function expertSources(plan: GrowthPlan): Map<number, Map<number, ExpertSource>> {
  const upcycle = plan.recipe.ops.some((o) => o.op === 'upcycle');
  const out = new Map<number, Map<number, ExpertSource>>();
  const put = (layer: number, expert: number, source: number, copy: boolean, noised: boolean) => {
    let m = out.get(layer);
    if (!m) out.set(layer, (m = new Map()));
    const prev = m.get(expert);
    const src: number | 'mlp' = upcycle ? 'mlp' : source;
    m.set(expert, { source: src, copy: upcycle || copy || (prev?.copy ?? false), noised: noised || (prev?.noised ?? false) });
  };
  for (const t of plan.tensors) {
    if (t.layer === undefined || t.role !== 'expert') continue;
    const tr = t.transform;
    if (t.expert !== undefined) {
      const noised = tr.op === 'noise' || tr.op === 'drop' || (tr.op === 'slice' && tr.pieces.some((p) => p.noise));
      put(t.layer, t.expert, t.sourceExpert ?? t.expert, (t.copy ?? 0) > 0, noised);
    } else if (tr.op === 'slice') {
      // A fused [E, …] tensor: each piece moves source rows to output rows; a source row seen twice is a copy.
      const firstSeen = new Set<number>();
      const pieces = [...tr.pieces].sort((a, b) => a.at - b.at);
      for (const p of pieces) {
        for (let r = p.rows[0]; r < p.rows[1]; r++) {
          const outRow = p.at + (r - p.rows[0]);
          put(t.layer, outRow, r, firstSeen.has(r) || !!p.noise, !!p.noise);
          firstSeen.add(r);
        }
      }
    }
  }
  return out;
}
