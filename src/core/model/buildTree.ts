// CheckpointSource -> ModelTree: detect the family, check the checkpoint against its config, group every tensor
// by role into nodes (layer > attention / norms / router / experts > expert / shared experts / MLP), count.
import { dirname, join } from 'node:path';
import {
  checkConsistency, classifyTensors, detectFamily, readHiddenSize, readMoeConfig, readTied, TENSOR_ROLES, type Detection, type MoeConfig,
} from '../families/index';
import type { CheckpointSource, DType, TensorRef } from '../safetensors/types';
import { computeActive, paramsOf } from './counts';
import type { LayerSummary, ModelTree, NodeKind, TreeNode } from './types';

// Tensors are grouped into "slots" (one per node that holds tensors) with no object per tensor: each tensor gets a
// slot number, each slot sums its tensors' parameters and bytes in tensor order (as the nodes always summed them),
// and a counting sort by slot lists every node's tensor names in tensor order.
class Slots {
  n = 0;
  readonly count: Int32Array;
  readonly params: Float64Array;
  readonly bytes: Float64Array;
  /** The first tensor's dtype; `mixed` when another tensor of the slot has a different one. */
  readonly dtype: DType[];
  readonly mixed: Uint8Array;
  /** Tensor indices by slot (after `sort`): slot s holds order[start[s] .. start[s] + count[s]). */
  start: Int32Array = new Int32Array(0);
  order: Int32Array = new Int32Array(0);

  constructor(readonly slotOf: Int32Array) {
    const cap = slotOf.length;
    this.count = new Int32Array(cap);
    this.params = new Float64Array(cap);
    this.bytes = new Float64Array(cap);
    this.dtype = new Array<DType>(cap);
    this.mixed = new Uint8Array(cap);
  }

  open(): number {
    return this.n++;
  }

  add(slot: number, k: number, params: number, ref: TensorRef): void {
    this.slotOf[k] = slot;
    if (this.count[slot]++ === 0) this.dtype[slot] = ref.dtype;
    else if (this.dtype[slot] !== ref.dtype) this.mixed[slot] = 1;
    this.params[slot] += params;
    this.bytes[slot] += ref.byteLength;
  }

  sort(): void {
    const start = new Int32Array(this.n);
    for (let s = 1; s < this.n; s++) start[s] = start[s - 1] + this.count[s - 1];
    const fill = start.slice();
    const order = new Int32Array(this.slotOf.length);
    for (let k = 0; k < this.slotOf.length; k++) order[fill[this.slotOf[k]]++] = k;
    this.start = start;
    this.order = order;
  }

  /** The k-th tensor index of a slot, in tensor order. */
  at(slot: number, j: number): number {
    return this.order[this.start[slot] + j];
  }

  names(slot: number, names: readonly string[]): string[] {
    const n = this.count[slot];
    const out = new Array<string>(n);
    for (let j = 0, o = this.start[slot]; j < n; j++, o++) out[j] = names[this.order[o]];
    return out;
  }

  /** Distinct dtypes of a slot (unsorted). */
  dtypes(slot: number, refs: readonly TensorRef[]): DType[] {
    if (!this.mixed[slot]) return [this.dtype[slot]];
    const out: DType[] = [];
    for (let j = 0, o = this.start[slot]; j < this.count[slot]; j++, o++) addDtype(out, refs[this.order[o]].dtype);
    return out;
  }

  /** Sum of `values` over a slot's tensors, each divided by `div`, in tensor order. */
  sum(slot: number, values: ArrayLike<number>, div = 1): number {
    let s = 0;
    for (let j = 0, o = this.start[slot]; j < this.count[slot]; j++, o++) s += div === 1 ? values[this.order[o]] : values[this.order[o]] / div;
    return s;
  }
}

function addDtype(into: DType[], d: DType): void {
  if (!into.includes(d)) into.push(d);
}

const NONE = -1;
/** Expert indices kept in an array (the rest, never seen in practice, in a map). */
const MAX_ARRAY_EXPERT = 1 << 16;

/** One decoder layer's slots, by role (NONE until a tensor arrives). */
class LayerBucket {
  attn = NONE;
  norm = NONE;
  router = NONE;
  fused = NONE;
  shared = NONE;
  mlp = NONE;
  other = NONE;
  /** Routed experts: indices in the order first seen, and their slots. */
  readonly expertKeys: number[] = [];
  private readonly bySmall: number[] = [];
  private byOther: Map<number, number> | null = null;

  expertSlot(e: number, slots: Slots): number {
    const small = Number.isInteger(e) && e >= 0 && e < MAX_ARRAY_EXPERT;
    let s = small ? this.bySmall[e] : this.byOther?.get(e);
    if (s === undefined) {
      s = slots.open();
      this.expertKeys.push(e);
      if (small) this.bySmall[e] = s;
      else (this.byOther ??= new Map()).set(e, s);
    }
    return s;
  }

  expertSlotOf(e: number): number {
    return Number.isInteger(e) && e >= 0 && e < MAX_ARRAY_EXPERT ? this.bySmall[e] : this.byOther!.get(e)!;
  }
}

/** Where config.json was looked for: beside the file or index, or inside the folder. */
export function configPathOf(src: Pick<CheckpointSource, 'root' | 'kind'>): string {
  return src.kind === 'folder' ? join(src.root, 'config.json') : join(dirname(src.root), 'config.json');
}

export function buildModelTree(src: CheckpointSource, opts: { detection?: Detection } = {}): ModelTree {
  const det = opts.detection ?? detectFamily(src.config, src.tensors);
  const t = det.family;
  const configFile = src.config ? configPathOf(src) : undefined;
  const refs = src.tensors;
  // Names and refs as arrays, filled by forEach (spreading the map's iterators allocates a result per entry).
  const names = new Array<string>(refs.size);
  const vals = new Array<TensorRef>(refs.size);
  let n = 0;
  refs.forEach((r, name) => {
    names[n] = name;
    vals[n++] = r;
  });
  // One classification per tensor, shared with the consistency check (both classify without a layer count).
  const cls = classifyTensors(t, names);
  const shape = checkConsistency(t, src.config, refs, configFile, cls);
  const numLayers = shape.numLayers;
  const notes = det.note ? [det.note] : [];
  const moe: MoeConfig | null = src.config ? readMoeConfig(t, src.config, configFile) : null;

  const roles = TENSOR_ROLES;
  const slots = new Slots(new Int32Array(names.length));
  /** Parameters of each tensor (quantisation companions count as classifyTensor with a layer count says). */
  const paramsAt = new Float64Array(names.length);
  const byteLengths = new Float64Array(names.length);
  const layers = new Map<number, LayerBucket>();
  const mtp = new Map<number, number>();
  const globals = { embed: NONE, final_norm: NONE, head: NONE, other: NONE };
  const hasMtp = !!t.mtp;
  for (let k = 0; k < names.length; k++) {
    const r = vals[k];
    byteLengths[k] = r.byteLength;
    const role = roles[cls.role[k]];
    const layer = cls.layer[k];
    if (Number.isNaN(layer)) {
      const p = (paramsAt[k] = paramsOf(r, cls.companion.size ? cls.companion.get(k) : undefined));
      const key = role === 'embed' || role === 'final_norm' || role === 'head' ? role : 'other';
      if (globals[key] === NONE) globals[key] = slots.open();
      slots.add(globals[key], k, p, r);
      continue;
    }
    // As classifyTensor(t, name, { numLayers }): every tensor of a layer >= numLayers is a bare MTP tensor.
    const pastLayers = hasMtp && layer >= numLayers;
    const p = (paramsAt[k] = paramsOf(r, pastLayers || !cls.companion.size ? undefined : cls.companion.get(k)));
    if (pastLayers || role === 'mtp') {
      let m = mtp.get(layer);
      if (m === undefined) mtp.set(layer, (m = slots.open()));
      slots.add(m, k, p, r);
      continue;
    }
    let b = layers.get(layer);
    if (!b) layers.set(layer, (b = new LayerBucket()));
    let slot: number;
    switch (role) {
      case 'attn': slot = b.attn === NONE ? (b.attn = slots.open()) : b.attn; break;
      case 'norm': slot = b.norm === NONE ? (b.norm = slots.open()) : b.norm; break;
      case 'router': case 'router_bias': slot = b.router === NONE ? (b.router = slots.open()) : b.router; break;
      case 'expert':
        if (cls.hasExpert[k]) slot = b.expertSlot(cls.expert[k], slots);
        else slot = b.fused === NONE ? (b.fused = slots.open()) : b.fused;
        break;
      case 'shared_expert': case 'shared_expert_gate': slot = b.shared === NONE ? (b.shared = slots.open()) : b.shared; break;
      case 'dense_mlp': slot = b.mlp === NONE ? (b.mlp = slots.open()) : b.mlp; break;
      default: slot = b.other === NONE ? (b.other = slots.open()) : b.other;
    }
    slots.add(slot, k, p, r);
  }
  slots.sort();

  // A node: its own tensors' sums (in tensor order) plus its non-virtual children's, in child order.
  const make = (id: string, label: string, kind: NodeKind, slot: number, children: TreeNode[] = [], extra: Partial<TreeNode> = {}): TreeNode => {
    let params = slot === NONE ? 0 : slots.params[slot];
    let bytes = slot === NONE ? 0 : slots.bytes[slot];
    const dt: DType[] = slot === NONE ? [] : slots.dtypes(slot, vals);
    for (const c of children) {
      if (c.virtual) continue;
      params += c.params;
      bytes += c.bytes;
      for (const d of c.dtypes) addDtype(dt, d);
    }
    const tensors = slot === NONE ? [] : slots.names(slot, names);
    return { id, label, kind, children, tensors, params, bytes, dtypes: dt.length > 1 ? dt.sort() : dt, ...extra };
  };

  // Without config.json the MoE layers are the ones that hold experts.
  const moeLayers = src.config ? shape.moeLayers
    : [...layers].filter(([, b]) => b.expertKeys.length > 0 || b.fused !== NONE).map(([i]) => i).sort((a, b) => a - b);
  const moeSet = new Set(moeLayers);
  let numExperts = moe?.numExperts;
  if (numExperts === undefined && moeLayers.length) {
    const b = layers.get(moeLayers[0])!;
    numExperts = b.fused !== NONE ? vals[slots.at(b.fused, 0)].shape[0] : b.expertKeys.length;
    notes.push(`no config.json: ${numExperts} experts counted from tensors; top-k unknown, so active parameters are not computed`);
  }

  // Expert indices repeat in every layer: their text and label are made once (strings are immutable, so shared).
  const expertTexts: { text: string; label: string }[] = [];
  const expertText = (x: number) => {
    const small = Number.isInteger(x) && x >= 0 && x < MAX_ARRAY_EXPERT;
    let e = small ? expertTexts[x] : undefined;
    if (!e) {
      e = { text: `${x}`, label: `Expert ${x}` };
      if (small) expertTexts[x] = e;
    }
    return e;
  };
  const layerNodes: TreeNode[] = [];
  const summaries: LayerSummary[] = [];
  const oneExpertByLayer = new Map<number, number>();
  for (const i of [...layers.keys()].sort((a, b) => a - b)) {
    const b = layers.get(i)!;
    const id = `layers.${i}`;
    const kids: TreeNode[] = [];
    if (b.attn !== NONE) kids.push(make(`${id}.attention`, 'Attention', 'attention', b.attn));
    if (b.norm !== NONE) kids.push(make(`${id}.norms`, 'Norms', 'norms', b.norm));
    if (b.router !== NONE) kids.push(make(`${id}.router`, 'Router', 'router', b.router, [], { layer: i }));
    let expertsNode: TreeNode | undefined;
    if (b.fused !== NONE) {
      const fusedNames = slots.names(b.fused, names);
      const e = numExperts ?? vals[slots.at(b.fused, 0)].shape[0];
      // Every virtual expert has the same share of each fused tensor: summed once, as each of them was.
      const params = slots.sum(b.fused, paramsAt, e);
      const bytes = slots.sum(b.fused, byteLengths, e);
      const dtypes = slots.dtypes(b.fused, vals).sort();
      const virtual = Array.from({ length: e }, (_, x): TreeNode => ({
        id: `${id}.experts.${x}`, label: `Expert ${x}`, kind: 'expert', children: [], tensors: [], virtual: true, layer: i, expert: x,
        slices: fusedNames.map((n) => ({ tensor: n, axis: 0 as const, index: x })),
        params, bytes, dtypes: dtypes.slice(),
      }));
      expertsNode = make(`${id}.experts`, `Experts (${e}, fused)`, 'experts', b.fused, virtual, { layer: i });
    } else if (b.expertKeys.length) {
      const prefix = `${id}.experts.`;
      const es = b.expertKeys.slice().sort((x, y) => x - y).map((x): TreeNode => {
        const slot = b.expertSlotOf(x);
        const dtypes = slots.dtypes(slot, vals);
        const { text, label } = expertText(x);
        return {
          id: prefix + text, label, kind: 'expert', children: [], tensors: slots.names(slot, names),
          params: slots.params[slot], bytes: slots.bytes[slot], dtypes: dtypes.length > 1 ? dtypes.sort() : dtypes, layer: i, expert: x,
        };
      });
      expertsNode = make(`${id}.experts`, `Experts (${es.length})`, 'experts', NONE, es, { layer: i });
    }
    if (expertsNode) kids.push(expertsNode);
    if (b.shared !== NONE) kids.push(make(`${id}.shared_experts`, 'Shared experts', 'shared_experts', b.shared, [], { layer: i }));
    if (b.mlp !== NONE) kids.push(make(`${id}.mlp`, 'MLP', 'mlp', b.mlp));
    if (b.other !== NONE) kids.push(make(`${id}.other`, 'Other', 'other', b.other));
    const kind: LayerSummary['kind'] = !t.moe && t.id === 'generic' ? 'unknown' : moeSet.has(i) ? 'moe' : 'dense';
    const nExperts = expertsNode ? expertsNode.children.length : 0;
    const label = kind === 'moe' ? `Layer ${i} · MoE (${nExperts} experts)` : kind === 'dense' ? `Layer ${i} · dense` : `Layer ${i}`;
    const node = make(id, label, 'layer', NONE, kids, { layer: i });
    layerNodes.push(node);
    const s: LayerSummary = {
      index: i, kind, params: node.params, bytes: node.bytes, dtypes: node.dtypes,
      attentionParams: kids.find((k) => k.kind === 'attention')?.params ?? 0,
    };
    if (expertsNode && nExperts) {
      const one = expertsNode.params / nExperts;
      s.experts = nExperts;
      s.expertParams = one;
      oneExpertByLayer.set(i, one);
    }
    const sh = kids.find((k) => k.kind === 'shared_experts');
    if (sh) s.sharedExpertParams = sh.params;
    const r = kids.find((k) => k.kind === 'router');
    if (r) s.routerParams = r.params;
    summaries.push(s);
  }

  const top: TreeNode[] = [];
  if (globals.embed !== NONE) top.push(make('embeddings', 'Embeddings', 'embeddings', globals.embed));
  top.push(make('layers', `Layers (${numLayers})`, 'layers', NONE, layerNodes));
  if (globals.final_norm !== NONE) top.push(make('final_norm', 'Final norm', 'final_norm', globals.final_norm));
  if (globals.head !== NONE) top.push(make('head', 'LM head', 'head', globals.head));
  if (mtp.size) {
    const kids = [...mtp.keys()].sort((a, b) => a - b).map((l) => make(`mtp.${l}`, `MTP layer ${l}`, 'mtp_layer', mtp.get(l)!, [], { layer: l }));
    top.push(make('mtp', `Multi-token prediction (${kids.length})`, 'mtp', NONE, kids));
  }
  if (globals.other !== NONE) top.push(make('other', 'Other', 'other', globals.other));
  const root = make('model', t.label, 'model', NONE, top);

  const hasHead = globals.head !== NONE;
  const tiedCfg = readTied(t, src.config);
  const tiedEmbeddings = globals.embed !== NONE && !hasHead;
  if (src.config && t.id !== 'generic' && tiedCfg !== tiedEmbeddings && globals.embed !== NONE) {
    notes.push(hasHead ? `config.json ${t.tieKey} is true but the checkpoint stores an LM head: counted separately`
      : `config.json ${t.tieKey} is false but there is no LM head tensor: treated as tied`);
  }
  const embeddingParams = globals.embed === NONE ? 0 : slots.sum(globals.embed, paramsAt);
  const headParams = globals.head === NONE ? 0 : slots.sum(globals.head, paramsAt);
  const expertParams = layerNodes.reduce((s, l) => s + (l.children.find((k) => k.kind === 'experts')?.params ?? 0), 0);
  const mtpParams = top.find((n) => n.kind === 'mtp')?.params ?? 0;
  if (mtpParams) notes.push('multi-token-prediction layers are counted in the total but not as active parameters');
  const topK = moe?.topK;
  const active = computeActive({
    total: root.params, expertParams, mtpParams, embeddingParams, headParams, tiedEmbeddings,
    topK: t.moe ? topK : 0, oneExpertByLayer: moeLayers.map((l) => oneExpertByLayer.get(l) ?? 0),
  });

  const tree: ModelTree = {
    root,
    source: { root: src.root, kind: src.kind, files: src.files.length, hasConfig: src.config !== null },
    family: t.id, familyLabel: t.label, confidence: det.confidence, notes,
    numLayers, moeLayers, mtpLayers: [...mtp.keys()].sort((a, b) => a - b),
    tiedEmbeddings, layers: summaries,
    totals: {
      params: root.params, bytes: root.bytes, tensors: refs.size, dtypes: root.dtypes,
      embeddingParams, headParams, expertParams, active,
    },
  };
  if (t.baseFamily) tree.baseFamily = t.baseFamily;
  if (t.moe) {
    tree.expertLayout = t.moe.expertLayout;
    if (numExperts !== undefined) tree.numExperts = numExperts;
    if (moe) {
      tree.topK = moe.topK;
      tree.numSharedExperts = moe.numSharedExperts;
      tree.scoring = moe.scoring;
      if (moe.normTopK !== undefined) tree.normTopK = moe.normTopK;
      if (moe.nGroup !== undefined) tree.nGroup = moe.nGroup;
      if (moe.topkGroup !== undefined) tree.topkGroup = moe.topkGroup;
    }
  }
  const hidden = readHiddenSize(t, src.config, configFile) ?? (globals.embed !== NONE ? vals[slots.at(globals.embed, 0)].shape[1] : undefined);
  if (hidden !== undefined) tree.hiddenSize = hidden;
  return tree;
}
