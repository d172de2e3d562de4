// buildGrowthPlan: checkpoint + recipe → GrowthPlan, without reading a tensor byte. Depth is a map of output layers
// to source layers, width a map of output experts to (source expert, copy), upcycling a map of experts to the dense
// MLP; every output tensor is named through the family table and given its source and transform.
import { createHash } from 'node:crypto';
import { PlanError } from '../errors';
import {
  attnOutProjTensorNames, classifyTensor, detectFamily, expectedTensors, expertTensorName, globalTensorName, layerTensorName,
  moeLayerIndices, readInt, readMoeConfig, readNumLayers, renameTensor, routerTensorName, sharedExpertGateTensorName, sharedExpertTensorName,
  type FamilyTable, type MatrixKind, type MoeConfig, type TensorClass,
} from '../families/index';
import { streamIdHex } from '../rng/index';
import { DTYPES, type CheckpointSource, type TensorRef } from '../safetensors/index';
import { rewriteDepthConfig, rewriteWidthConfig, upcycleConfig, type Changes } from './configRewrite';
import { composeSlots, depthSlots, type LayerSlot } from './layerMaps';
import { makePlacement, type Placement } from './placement';
import { recipeHash, type ExpertsOp, type Recipe, type UpcycleOp } from './recipe';
import type { GrowthPlan, NoiseSpec, ParamCounts, PlanTensor, ScaleSpec, SlicePiece, Transform } from './types';
import { combine, depthVerdict, upcycleVerdict, widthVerdict } from './verdict';

export interface BuildOptions {
  /** Recipe file, for error messages. */
  recipeFile?: string;
}

const numelOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface Src { ref: TensorRef; cls: TensorClass; order: number }

class Builder {
  readonly out: PlanTensor[] = [];
  readonly scales: Record<string, ScaleSpec> = {};
  readonly notes: string[] = [];

  constructor(readonly src: CheckpointSource, readonly t: FamilyTable, readonly seed: number) {}

  ref(name: string): TensorRef | undefined {
    return this.src.tensors.get(name);
  }

  scale(id: string, spec: Omit<ScaleSpec, 'std' | 'mean'>): string {
    if (!this.scales[id]) this.scales[id] = { ...spec, std: null, mean: null };
    return id;
  }

  noise(alpha: number, scale: string, outName: string): NoiseSpec {
    return { alpha, scale, sigma: null, seed: this.seed, stream: streamIdHex(outName) };
  }

  push(p: Omit<PlanTensor, 'byteLength'> & { byteLength?: number }): void {
    const byteLength = p.byteLength ?? (numelOf(p.shape) * DTYPES[p.dtype].bits) / 8;
    this.out.push({ ...p, byteLength });
  }
}

function checkNoisable(ref: TensorRef, cls: TensorClass, alpha: number): void {
  if (alpha === 0) return;
  if (cls.companion || !DTYPES[ref.dtype].float32) {
    throw new PlanError('plan', `noise needs float weights; ${ref.dtype}${cls.companion ? ' (quantised, with scale companions)' : ''} cannot take it: use alpha 0 or dequantise first`, { tensor: ref.name, file: ref.file, rule: 'noise on quantised tensor' });
  }
}

/** σ scopes for an expert tensor's copies (METHOD.md §2 and the `sigma` option). */
function expertScale(b: Builder, op: ExpertsOp, ref: TensorRef, cls: TensorClass, srcLayer: number, numExperts: number, e: number | null): string {
  const t = b.t;
  const m = cls.matrix!;
  const isBias = m.endsWith('_bias');
  const fused = e !== null && cls.fused;
  const rowElems = fused ? numelOf(ref.shape.slice(1)) : numelOf(ref.shape);
  const one = (name: string, start: number, count: number) => ({ tensor: name, start, count });
  if (op.sigma === 'tensor' || isBias && !fused && op.sigma === 'expert') {
    const region = fused ? one(ref.name, e! * rowElems, rowElems) : one(ref.name, 0, rowElems);
    return b.scale(`${op.sigma}:${ref.name}${fused ? `#${e}` : ''}`, { mode: op.sigma, ddof: op.sigma === 'tensor' ? 0 : 1, regions: [region] });
  }
  // gate and up together (Megatron stores them as one matrix), down alone; biases with their own kind.
  const group: MatrixKind[] = m === 'gate' || m === 'up' ? ['gate', 'up'] : [m];
  if (op.sigma === 'expert') {
    if (fused) return b.scale(`expert:${ref.name}#${e}`, { mode: 'expert', ddof: 1, regions: [one(ref.name, e! * rowElems, rowElems)] });
    const regions = group.map((k) => b.ref(expertTensorName(t, srcLayer, cls.expert!, k))).filter((r): r is TensorRef => !!r)
      .map((r) => one(r.name, 0, numelOf(r.shape)));
    return b.scale(`expert:${srcLayer}:${cls.expert}:${group.join('+')}`, { mode: 'expert', ddof: 1, regions });
  }
  if (cls.fused) return b.scale(`layer:${ref.name}`, { mode: 'layer', ddof: 1, regions: [one(ref.name, 0, numelOf(ref.shape))] });
  const regions = [];
  for (let x = 0; x < numExperts; x++) {
    for (const k of group) {
      const r = b.ref(expertTensorName(t, srcLayer, x, k));
      if (r) regions.push(one(r.name, 0, numelOf(r.shape)));
    }
  }
  return b.scale(`layer:${srcLayer}:${group.join('+')}`, { mode: 'layer', ddof: 1, regions });
}

function wholeScale(b: Builder, ref: TensorRef, mode: ScaleSpec['mode'], ddof: 0 | 1): string {
  return b.scale(`${mode}:${ref.name}`, { mode, ddof, regions: [{ tensor: ref.name, start: 0, count: numelOf(ref.shape) }] });
}

/** Rows of `ref` (axis 0 of length E) laid out per the placement; copies noised. Consecutive plain rows merge. */
function slicePieces(b: Builder, ref: TensorRef, place: Placement, alpha: number, scaleOf: (e: number) => string, outName: string): SlicePiece[] {
  const pieces: SlicePiece[] = [];
  place.inverse.forEach(([e, c], at) => {
    const prev = pieces[pieces.length - 1];
    if (c === 0 || alpha === 0) {
      if (prev && !prev.noise && prev.rows[1] === e && prev.at + (prev.rows[1] - prev.rows[0]) === at) prev.rows[1] = e + 1;
      else pieces.push({ rows: [e, e + 1], at });
    } else {
      pieces.push({ rows: [e, e + 1], at, noise: b.noise(alpha, scaleOf(e), outName) });
    }
  });
  return pieces;
}

function isDown(cls: TensorClass): boolean {
  return cls.matrix === 'down' || cls.matrix === 'down_bias';
}

export function buildGrowthPlan(src: CheckpointSource, recipe: Recipe, opts: BuildOptions = {}): GrowthPlan {
  const config = src.config;
  const configFile = `${src.root}/config.json`;
  if (!config) throw new PlanError('plan', 'growth needs config.json beside the weights', { file: configFile, rule: 'config required' });
  const det = detectFamily(config, src.tensors);
  const t = det.family;
  const n = readNumLayers(t, config, configFile);
  const moe = readMoeConfig(t, config, configFile);
  const moeSrc = new Set(moeLayerIndices(t, config, n, configFile));
  const mtpCount = t.mtp ? readInt(config, t.mtp.countKey, configFile, { optional: true, min: 0 }) ?? 0 : 0;
  const widthOp = recipe.ops.find((o): o is ExpertsOp => o.op === 'experts');
  const upOp = recipe.ops.find((o): o is UpcycleOp => o.op === 'upcycle');
  if (t.id === 'generic' && (widthOp || upOp)) throw new PlanError('plan', `no family table fits this checkpoint (${det.note ?? 'generic'}): only depth growth is available`, { key: 'model_type', file: configFile });
  if (widthOp && !moe) throw new PlanError('plan', `experts: ${t.label} is dense; upcycle it to MoE first`, { key: 'ops', file: opts.recipeFile });
  if (upOp && moe) throw new PlanError('plan', `upcycle: ${t.label} is already MoE (use an experts op to add experts)`, { key: 'ops', file: opts.recipeFile });
  if (widthOp && moe && moeSrc.size === 0) throw new PlanError('plan', 'experts: the config has no sparse layers', { key: t.moe!.expertCountKey, file: configFile });

  const changes: Changes = [];
  const verdicts = [];
  let outTable = t;
  let cfg: Record<string, unknown> = { ...config };
  let outMoeSrc = moeSrc;
  if (upOp) {
    const u = upcycleConfig(t, cfg, upOp.experts, upOp.topk, changes, configFile);
    outTable = u.table;
    cfg = u.config;
    outMoeSrc = new Set(Array.from({ length: n }, (_, i) => i));
    verdicts.push(upcycleVerdict(upOp));
  }
  let slots: LayerSlot[] = Array.from({ length: n }, (_, i) => ({ src: i, identity: false }));
  let depthOps = 0;
  for (const op of recipe.ops) {
    if (op.op !== 'depth') continue;
    slots = composeSlots(slots, depthSlots(op, slots.length));
    depthOps++;
  }
  if (depthOps) {
    cfg = rewriteDepthConfig(outTable, cfg, slots, outMoeSrc, changes, configFile);
    verdicts.push(depthVerdict(slots, n));
  }
  const n2 = slots.length;

  let place: Placement | null = null;
  let E = moe?.numExperts ?? 0;
  let E2 = E;
  if (widthOp && moe) {
    const groups = moe.nGroup ?? 1;
    place = makePlacement(E, widthOp.factor, groups, widthOp.placement);
    E2 = E * widthOp.factor;
    cfg = rewriteWidthConfig(t, cfg, widthOp.factor, widthOp.keep_topk, changes);
    verdicts.push(widthVerdict(widthOp, moe, config.topk_method === 'noaux_tc'));
  }
  if (upOp) { E = 1; E2 = upOp.experts; }

  // Source tensors by layer; globals split around the layers so the output reads embed → layers → norm/head.
  const byLayer = new Map<number, Src[]>();
  const head: Src[] = [];
  const tail: Src[] = [];
  const mtp: Src[] = [];
  let order = 0;
  let seenLayer = false;
  for (const ref of src.tensors.values()) {
    const cls = classifyTensor(t, ref.name, { numLayers: n });
    const s = { ref, cls, order: order++ };
    if (cls.layer === undefined) (seenLayer ? tail : head).push(s);
    else if (cls.layer >= n) {
      if (cls.role !== 'mtp') throw new PlanError('plan', `tensor is at layer ${cls.layer} but ${t.layerCountKey} is ${n}`, { tensor: ref.name, file: ref.file, key: t.layerCountKey });
      mtp.push({ ...s, cls: classifyTensor(t, ref.name) });
      seenLayer = true;
    } else {
      seenLayer = true;
      let list = byLayer.get(cls.layer);
      if (!list) byLayer.set(cls.layer, (list = []));
      list.push(s);
    }
  }
  for (let l = 0; l < n; l++) if (!byLayer.has(l)) throw new PlanError('plan', `source layer ${l} has no tensors`, { key: t.layerCountKey, file: configFile });

  const b = new Builder(src, t, recipe.seed);
  const global = (s: Src) => {
    const role = s.cls.role;
    const name = upOp && (role === 'embed' || role === 'final_norm' || role === 'head') ? globalTensorName(outTable, role) : s.ref.name;
    b.push({ name, dtype: s.ref.dtype, shape: [...s.ref.shape], source: s.ref, transform: { op: 'copy' }, role });
  };
  head.forEach(global);

  const emitLayer = (list: Src[], srcLayer: number, outLayer: number, identity: boolean, sparse: boolean) => {
    const attnOut = new Set(identity ? attnOutProjTensorNames(t, srcLayer) : []);
    const experts: PlanTensor[] = [];
    const mark = b.out.length;
    for (const s of list) {
      const { ref, cls } = s;
      const zeroed = identity && !cls.companion && (attnOut.has(ref.name) || (isDown(cls) && (cls.role === 'expert' || cls.role === 'shared_expert' || cls.role === 'dense_mlp')));
      const base = { dtype: ref.dtype, source: ref, role: cls.role, layer: outLayer, sourceLayer: srcLayer };
      if (upOp && cls.role === 'dense_mlp') {
        emitUpcycled(b, upOp, outTable, s, outLayer, srcLayer, zeroed, experts);
        continue;
      }
      const rename = (to: { expert?: number }) => (upOp ? layerTensorName(outTable, outLayer, cls.relative!) : renameTensor(t, ref.name, { layer: outLayer, ...to }));
      if (!(widthOp && place && sparse && (cls.role === 'expert' || cls.role === 'router' || cls.role === 'router_bias'))) {
        b.push({ ...base, name: rename({}), shape: [...ref.shape], transform: zeroed ? { op: 'zero' } : { op: 'copy' } });
        continue;
      }
      const alpha = zeroed ? 0 : widthOp.alpha;
      checkNoisable(ref, cls, alpha);
      if (cls.role === 'expert' && cls.expert !== undefined) {
        for (let c = 0; c < widthOp.factor; c++) {
          const e2 = place.index(cls.expert, c);
          const name = rename({ expert: e2 });
          const transform: Transform = zeroed ? { op: 'zero' } : c === 0 || alpha === 0 ? { op: 'copy' }
            : { op: 'noise', noise: b.noise(alpha, expertScale(b, widthOp, ref, cls, srcLayer, E, null), name) };
          experts.push({ ...base, name, shape: [...ref.shape], byteLength: ref.byteLength, transform, expert: e2, sourceExpert: cls.expert, copy: c });
        }
        continue;
      }
      const name = rename({});
      if (ref.shape[0] !== E) throw new PlanError('plan', `axis 0 is ${ref.shape[0]}, expected the ${E} experts`, { tensor: ref.name, file: ref.file, rule: `${cls.role} rows = experts` });
      const shape = [E2, ...ref.shape.slice(1)];
      if (zeroed || (cls.role === 'router_bias' && widthOp.zero_router_bias)) {
        b.push({ ...base, name, shape, transform: { op: 'zero' } });
        continue;
      }
      const scaleOf = cls.role === 'expert'
        ? (e: number) => expertScale(b, widthOp, ref, cls, srcLayer, E, e)
        : () => wholeScale(b, ref, 'router', widthOp.sigma === 'tensor' ? 0 : 1);
      b.push({ ...base, name, shape, transform: { op: 'slice', pieces: slicePieces(b, ref, place, alpha, scaleOf, name) } });
    }
    if (upOp && list.some((s) => s.cls.role === 'dense_mlp')) emitUpcycleExtras(b, upOp, outTable, list, outLayer, srcLayer);
    experts.sort((x, y) => x.expert! - y.expert!);
    b.out.push(...experts);
    if (b.out.length === mark) throw new PlanError('plan', `layer ${srcLayer} produced no tensors`, { key: t.layerCountKey });
  };

  slots.forEach((s, j) => emitLayer(byLayer.get(s.src)!, s.src, j, s.identity, moeSrc.has(s.src)));
  // DeepSeek MTP layers sit after the decoder layers: renumber them, and widen them like every sparse layer.
  const mtpLayers = [...new Set(mtp.map((s) => s.cls.layer!))].sort((x, y) => x - y);
  for (const l of mtpLayers) emitLayer(mtp.filter((s) => s.cls.layer === l), l, n2 + (l - n), false, true);
  if (mtpLayers.length !== mtpCount && mtpLayers.length) b.notes.push(`${mtpLayers.length} MTP layers on disk, config says ${mtpCount}`);
  tail.forEach(global);

  const outMoe: MoeConfig | null = widthOp && moe ? { ...moe, numExperts: E2, topK: widthOp.keep_topk ? moe.topK : moe.topK * widthOp.factor }
    : upOp ? { numExperts: upOp.experts, topK: upOp.topk, scoring: 'softmax', numSharedExperts: 0 } : moe;
  const moeOutLayers = slots.map((s, j) => (outMoeSrc.has(s.src) ? j : -1)).filter((j) => j >= 0);
  const before = countParams(src, t, n, moe, moeSrc);
  const after = countOut(b.out, outMoe);
  const verdict = verdicts.length ? combine(verdicts) : { preserved: true, reasons: ['no op changes the model'] };
  const plan: GrowthPlan = {
    schema: 'graft/plan@1',
    recipe,
    recipeHash: recipeHash(recipe),
    source: { root: src.root, family: t.id, numLayers: n, headerSha256: sourceHeaderHash(src), files: [...src.files] },
    family: outTable.id,
    config: cfg,
    configChanges: changes,
    layerMap: slots.map((s) => s.src),
    identityLayers: slots.map((s, j) => (s.identity ? j : -1)).filter((j) => j >= 0),
    moeLayers: moeOutLayers,
    experts: outMoe ? { before: upOp ? 0 : E, after: outMoe.numExperts, topKBefore: upOp ? 0 : moe!.topK, topKAfter: outMoe.topK } : null,
    sigmaMode: widthOp ? widthOp.sigma : null,
    tensors: b.out,
    scales: b.scales,
    before,
    after,
    counts: tally(b.out),
    functionPreserved: verdict,
    notes: [...(det.note ? [det.note] : []), ...b.notes],
  };
  checkAgainstTable(plan, src, t, outTable);
  return plan;
}

function emitUpcycled(b: Builder, op: UpcycleOp, target: FamilyTable, s: Src, outLayer: number, srcLayer: number, zeroed: boolean, experts: PlanTensor[]): void {
  const { ref, cls } = s;
  const m = cls.matrix!;
  if (m !== 'gate' && m !== 'up' && m !== 'down') throw new PlanError('plan', `upcycle: MLP tensor of kind ${m} has no expert counterpart`, { tensor: ref.name, file: ref.file });
  checkNoisable(ref, cls, op.alpha + op.drop_ratio);
  const routerName = routerTensorName(target, outLayer);
  const stat = op.drop_ratio > 0 || op.alpha > 0 ? wholeScale(b, ref, 'dense', 0) : '';
  const channels = m === 'down' ? ref.shape[1] : ref.shape[0];
  for (let e = 0; e < op.experts; e++) {
    const name = expertTensorName(target, outLayer, e, m);
    const noise = op.alpha > 0 && e > 0 ? b.noise(op.alpha, stat, name) : undefined;
    let transform: Transform;
    if (zeroed) transform = { op: 'zero' };
    else if (op.drop_ratio > 0) {
      transform = {
        op: 'drop', axis: m === 'down' ? 1 : 0, channels, count: Math.round(op.drop_ratio * channels), seed: b.seed,
        channelStream: `${routerName}#expert${e}`, scale: stat, mean: null, std: null, stream: streamIdHex(name), ...(noise ? { noise } : {}),
      };
    } else transform = noise ? { op: 'noise', noise } : { op: 'copy' };
    experts.push({ name, dtype: ref.dtype, shape: [...ref.shape], byteLength: ref.byteLength, source: ref, transform, role: 'expert', layer: outLayer, sourceLayer: srcLayer, expert: e, sourceExpert: 0, copy: e });
  }
}

function emitUpcycleExtras(b: Builder, op: UpcycleOp, target: FamilyTable, list: Src[], outLayer: number, srcLayer: number): void {
  const gate = list.find((s) => s.cls.role === 'dense_mlp' && s.cls.matrix === 'gate') ?? list.find((s) => s.cls.role === 'dense_mlp')!;
  const hidden = gate.cls.matrix === 'down' ? gate.ref.shape[0] : gate.ref.shape[1];
  const dtype = gate.ref.dtype;
  const name = routerTensorName(target, outLayer);
  const transform: Transform = op.router_init === 'normal' && op.router_std > 0
    ? { op: 'init', mean: 0, std: op.router_std, seed: b.seed, stream: streamIdHex(name) }
    : { op: 'zero' };
  b.push({ name, dtype, shape: [op.experts, hidden], source: null, transform, role: 'router', layer: outLayer, sourceLayer: srcLayer });
  const m = target.moe!;
  // Qwen2-MoE always has a shared expert: width 0 and a zero gate, so it adds nothing.
  if (m.sharedExpert && m.sharedIntermediateKey) {
    for (const k of ['gate', 'up', 'down'] as const) {
      if (!m.sharedExpert[k]) continue;
      b.push({ name: sharedExpertTensorName(target, outLayer, k), dtype, shape: k === 'down' ? [hidden, 0] : [0, hidden], source: null, transform: { op: 'zero' }, role: 'shared_expert', layer: outLayer, sourceLayer: srcLayer });
    }
    if (m.sharedExpertGate) b.push({ name: sharedExpertGateTensorName(target, outLayer), dtype, shape: [1, hidden], source: null, transform: { op: 'zero' }, role: 'shared_expert_gate', layer: outLayer, sourceLayer: srcLayer });
  }
}

function sourceHeaderHash(src: CheckpointSource): string {
  // The tensor table (names, dtypes, shapes, byte ranges per file) identifies the source's layout.
  const h = createHash('sha256');
  for (const r of src.tensors.values()) h.update(`${r.name}\0${r.dtype}\0${r.shape.join(',')}\0${r.file.split('/').pop()}\0${r.offset}\0${r.byteLength}\n`);
  return h.digest('hex');
}

function activeOf(params: number, expertParamsByLayer: Map<number, number>, moe: MoeConfig | null): number {
  if (!moe) return params;
  let inactive = 0;
  for (const p of expertParamsByLayer.values()) inactive += p * (1 - moe.topK / moe.numExperts);
  return Math.round(params - inactive);
}

function countParams(src: CheckpointSource, t: FamilyTable, n: number, moe: MoeConfig | null, _moeSet: Set<number>): ParamCounts {
  let params = 0;
  let bytes = 0;
  const ex = new Map<number, number>();
  for (const r of src.tensors.values()) {
    const k = numelOf(r.shape);
    params += k;
    bytes += r.byteLength;
    const cls = classifyTensor(t, r.name, { numLayers: n });
    const c2 = cls.role === 'mtp' ? classifyTensor(t, r.name) : cls;
    if (c2.role === 'expert' && !c2.companion) ex.set(c2.layer!, (ex.get(c2.layer!) ?? 0) + k);
  }
  return { params, activeParams: activeOf(params, ex, moe), bytes };
}

function countOut(ts: PlanTensor[], moe: MoeConfig | null): ParamCounts {
  let params = 0;
  let bytes = 0;
  const ex = new Map<number, number>();
  for (const p of ts) {
    const k = numelOf(p.shape);
    params += k;
    bytes += p.byteLength;
    if (p.role === 'expert' && !/_(scale_inv|scale|blocks|scales)$/.test(p.name)) ex.set(p.layer!, (ex.get(p.layer!) ?? 0) + k);
  }
  return { params, activeParams: activeOf(params, ex, moe), bytes };
}

function tally(ts: PlanTensor[]): GrowthPlan['counts'] {
  const c = { tensors: ts.length, copied: 0, zeroed: 0, noised: 0, sliced: 0, initialised: 0, dropped: 0 };
  for (const p of ts) {
    const tr = p.transform;
    if (tr.op === 'copy') c.copied++;
    else if (tr.op === 'zero') c.zeroed++;
    else if (tr.op === 'noise') c.noised++;
    else if (tr.op === 'init') c.initialised++;
    else if (tr.op === 'drop') c.dropped++;
    else {
      c.sliced++;
      if (tr.pieces.some((x) => x.noise)) c.noised++;
    }
  }
  return c;
}

/** When the source matches its family's expected tensors, the output must match the output family's: a self-check. */
function checkAgainstTable(plan: GrowthPlan, src: CheckpointSource, t: FamilyTable, outTable: FamilyTable): void {
  if (t.id === 'generic') return;
  let srcOk = false;
  try {
    srcOk = expectedTensors(t, src.config!).every((x) => {
      const r = src.tensors.get(x.name);
      return r && r.shape.length === x.shape.length && r.shape.every((d, i) => d === x.shape[i]);
    });
  } catch {
    srcOk = false;
  }
  if (!srcOk) {
    plan.notes.push('source tensors differ from the family table\'s expectation: output checked by construction only');
    return;
  }
  const out = new Map(plan.tensors.map((p) => [p.name, p]));
  let want;
  try {
    want = expectedTensors(outTable, plan.config);
  } catch (e) {
    // e.g. a zero-width Qwen2-MoE shared expert, which transformers accepts but the family reader does not.
    plan.notes.push(`output not checked against the ${outTable.label} table: ${(e as Error).message}`);
    return;
  }
  for (const x of want) {
    const p = out.get(x.name);
    if (!p || p.shape.length !== x.shape.length || !p.shape.every((d, i) => d === x.shape[i])) {
      throw new PlanError('plan', `internal check: the grown config implies ${x.name} [${x.shape.join(', ')}] but the plan has ${p ? `[${p.shape.join(', ')}]` : 'no such tensor'}`, { tensor: x.name, rule: 'plan matches family table' });
    }
  }
  if (want.length !== plan.tensors.length) plan.notes.push(`plan has ${plan.tensors.length} tensors, the family table expects ${want.length} (extra tensors kept as in the source)`);
}
