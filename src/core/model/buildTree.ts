// CheckpointSource -> ModelTree: detect the family, check the checkpoint against its config, group every tensor
// by role into nodes (layer > attention / norms / router / experts > expert / shared experts / MLP), count.
import { dirname, join } from 'node:path';
import { checkConsistency, classifyTensor, detectFamily, readHiddenSize, readMoeConfig, readTied, type Detection, type MoeConfig } from '../families/index';
import type { CheckpointSource, DType, TensorRef } from '../safetensors/types';
import { computeActive, paramsOf } from './counts';
import type { LayerSummary, ModelTree, NodeKind, TreeNode } from './types';

interface LayerBucket {
  attn: string[];
  norm: string[];
  router: string[];
  experts: Map<number, string[]>;
  fused: string[];
  shared: string[];
  mlp: string[];
  other: string[];
}

const newBucket = (): LayerBucket => ({ attn: [], norm: [], router: [], experts: new Map(), fused: [], shared: [], mlp: [], other: [] });

/** Where config.json was looked for: beside the file or index, or inside the folder. */
export function configPathOf(src: Pick<CheckpointSource, 'root' | 'kind'>): string {
  return src.kind === 'folder' ? join(src.root, 'config.json') : join(dirname(src.root), 'config.json');
}

export function buildModelTree(src: CheckpointSource, opts: { detection?: Detection } = {}): ModelTree {
  const det = opts.detection ?? detectFamily(src.config, src.tensors);
  const t = det.family;
  const configFile = src.config ? configPathOf(src) : undefined;
  const shape = checkConsistency(t, src.config, src.tensors, configFile);
  const numLayers = shape.numLayers;
  const notes = det.note ? [det.note] : [];
  const moe: MoeConfig | null = src.config ? readMoeConfig(t, src.config, configFile) : null;
  const refs = src.tensors;
  const ref = (n: string): TensorRef => refs.get(n)!;

  const layers = new Map<number, LayerBucket>();
  const mtp = new Map<number, string[]>();
  const globals = { embed: [] as string[], final_norm: [] as string[], head: [] as string[], other: [] as string[] };
  const companions = new Map<string, string>();
  for (const name of refs.keys()) {
    const c = classifyTensor(t, name, { numLayers });
    if (c.companion) companions.set(name, c.companion);
    if (c.layer === undefined) {
      const key = c.role === 'embed' || c.role === 'final_norm' || c.role === 'head' ? c.role : 'other';
      globals[key].push(name);
      continue;
    }
    if (c.role === 'mtp') {
      if (!mtp.has(c.layer)) mtp.set(c.layer, []);
      mtp.get(c.layer)!.push(name);
      continue;
    }
    let b = layers.get(c.layer);
    if (!b) layers.set(c.layer, (b = newBucket()));
    switch (c.role) {
      case 'attn': b.attn.push(name); break;
      case 'norm': b.norm.push(name); break;
      case 'router': case 'router_bias': b.router.push(name); break;
      case 'expert':
        if (c.expert === undefined) b.fused.push(name);
        else {
          if (!b.experts.has(c.expert)) b.experts.set(c.expert, []);
          b.experts.get(c.expert)!.push(name);
        }
        break;
      case 'shared_expert': case 'shared_expert_gate': b.shared.push(name); break;
      case 'dense_mlp': b.mlp.push(name); break;
      default: b.other.push(name);
    }
  }

  const pOf = (n: string) => paramsOf(ref(n), companions.get(n));
  const make = (id: string, label: string, kind: NodeKind, tensors: string[], children: TreeNode[] = [], extra: Partial<TreeNode> = {}): TreeNode => {
    const dt = new Set<DType>();
    let params = 0;
    let bytes = 0;
    for (const n of tensors) {
      params += pOf(n);
      bytes += ref(n).byteLength;
      dt.add(ref(n).dtype);
    }
    for (const c of children) {
      if (c.virtual) continue;
      params += c.params;
      bytes += c.bytes;
      for (const d of c.dtypes) dt.add(d);
    }
    return { id, label, kind, children, tensors, params, bytes, dtypes: [...dt].sort(), ...extra };
  };

  // Without config.json the MoE layers are the ones that hold experts.
  const moeLayers = src.config ? shape.moeLayers
    : [...layers].filter(([, b]) => b.experts.size > 0 || b.fused.length > 0).map(([i]) => i).sort((a, b) => a - b);
  const moeSet = new Set(moeLayers);
  let numExperts = moe?.numExperts;
  if (numExperts === undefined && moeLayers.length) {
    const b = layers.get(moeLayers[0])!;
    numExperts = b.fused.length ? ref(b.fused[0]).shape[0] : b.experts.size;
    notes.push(`no config.json: ${numExperts} experts counted from tensors; top-k unknown, so active parameters are not computed`);
  }

  const layerNodes: TreeNode[] = [];
  const summaries: LayerSummary[] = [];
  const oneExpertByLayer = new Map<number, number>();
  for (const i of [...layers.keys()].sort((a, b) => a - b)) {
    const b = layers.get(i)!;
    const id = `layers.${i}`;
    const kids: TreeNode[] = [];
    if (b.attn.length) kids.push(make(`${id}.attention`, 'Attention', 'attention', b.attn));
    if (b.norm.length) kids.push(make(`${id}.norms`, 'Norms', 'norms', b.norm));
    if (b.router.length) kids.push(make(`${id}.router`, 'Router', 'router', b.router, [], { layer: i }));
    let expertsNode: TreeNode | undefined;
    if (b.fused.length) {
      const e = numExperts ?? ref(b.fused[0]).shape[0];
      const virtual = Array.from({ length: e }, (_, x): TreeNode => {
        const dt = new Set(b.fused.map((n) => ref(n).dtype));
        return {
          id: `${id}.experts.${x}`, label: `Expert ${x}`, kind: 'expert', children: [], tensors: [], virtual: true, layer: i, expert: x,
          slices: b.fused.map((n) => ({ tensor: n, axis: 0 as const, index: x })),
          params: b.fused.reduce((s, n) => s + pOf(n) / e, 0),
          bytes: b.fused.reduce((s, n) => s + ref(n).byteLength / e, 0),
          dtypes: [...dt].sort(),
        };
      });
      expertsNode = make(`${id}.experts`, `Experts (${e}, fused)`, 'experts', b.fused, virtual, { layer: i });
    } else if (b.experts.size) {
      const es = [...b.experts.keys()].sort((x, y) => x - y)
        .map((x) => make(`${id}.experts.${x}`, `Expert ${x}`, 'expert', b.experts.get(x)!, [], { layer: i, expert: x }));
      expertsNode = make(`${id}.experts`, `Experts (${es.length})`, 'experts', [], es, { layer: i });
    }
    if (expertsNode) kids.push(expertsNode);
    if (b.shared.length) kids.push(make(`${id}.shared_experts`, 'Shared experts', 'shared_experts', b.shared, [], { layer: i }));
    if (b.mlp.length) kids.push(make(`${id}.mlp`, 'MLP', 'mlp', b.mlp));
    if (b.other.length) kids.push(make(`${id}.other`, 'Other', 'other', b.other));
    const kind: LayerSummary['kind'] = !t.moe && t.id === 'generic' ? 'unknown' : moeSet.has(i) ? 'moe' : 'dense';
    const nExperts = expertsNode ? expertsNode.children.length : 0;
    const label = kind === 'moe' ? `Layer ${i} · MoE (${nExperts} experts)` : kind === 'dense' ? `Layer ${i} · dense` : `Layer ${i}`;
    const node = make(id, label, 'layer', [], kids, { layer: i });
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
  if (globals.embed.length) top.push(make('embeddings', 'Embeddings', 'embeddings', globals.embed));
  top.push(make('layers', `Layers (${numLayers})`, 'layers', [], layerNodes));
  if (globals.final_norm.length) top.push(make('final_norm', 'Final norm', 'final_norm', globals.final_norm));
  if (globals.head.length) top.push(make('head', 'LM head', 'head', globals.head));
  if (mtp.size) {
    const kids = [...mtp.keys()].sort((a, b) => a - b).map((l) => make(`mtp.${l}`, `MTP layer ${l}`, 'mtp_layer', mtp.get(l)!, [], { layer: l }));
    top.push(make('mtp', `Multi-token prediction (${kids.length})`, 'mtp', [], kids));
  }
  if (globals.other.length) top.push(make('other', 'Other', 'other', globals.other));
  const root = make('model', t.label, 'model', [], top);

  const hasHead = globals.head.length > 0;
  const tiedCfg = readTied(t, src.config);
  const tiedEmbeddings = globals.embed.length > 0 && !hasHead;
  if (src.config && t.id !== 'generic' && tiedCfg !== tiedEmbeddings && globals.embed.length > 0) {
    notes.push(hasHead ? `config.json ${t.tieKey} is true but the checkpoint stores an LM head: counted separately`
      : `config.json ${t.tieKey} is false but there is no LM head tensor: treated as tied`);
  }
  const embeddingParams = globals.embed.reduce((s, n) => s + pOf(n), 0);
  const headParams = globals.head.reduce((s, n) => s + pOf(n), 0);
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
  const hidden = readHiddenSize(t, src.config, configFile) ?? (globals.embed[0] ? ref(globals.embed[0]).shape[1] : undefined);
  if (hidden !== undefined) tree.hiddenSize = hidden;
  return tree;
}
