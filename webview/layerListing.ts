// The layer/expert listing: the model tree as rows (embeddings, layers > attention, norms, router, experts > expert,
// head), each with a d3 bar of its parameters relative to its largest sibling. Children render when a row is
// first expanded (a 100-layer, 256-expert model stays light); a node's own tensors are fetched from the host.
import { scaleLinear, select } from 'd3';
import { checkTensorViews, formatBytes, formatCount, formatShape, type ModelTree, type NodeKind, type TreeNode } from '../src/protocol.js';
import { h, icon } from './dom.js';
import { host, reportError, saveState, type ViewState } from './host.js';

const ICONS: Record<NodeKind, string> = {
  model: 'package', embeddings: 'symbol-array', layers: 'layers', layer: 'layers', attention: 'eye', norms: 'symbol-ruler',
  router: 'git-compare', experts: 'organization', expert: 'person', shared_experts: 'pinned', mlp: 'symbol-method',
  final_norm: 'symbol-ruler', head: 'output', mtp: 'debug-step-over', mtp_layer: 'layers', other: 'question',
};

/** New nodes of a pending growth (the Checkpoint tree uses the same icons). */
const ORIGIN_ICONS: Record<NonNullable<TreeNode['origin']>['change'], string> = { copied: 'copy', noised: 'sparkle', zeroed: 'circle-slash' };

export class LayerListing {
  readonly element: HTMLElement;
  private readonly rows = new Map<string, HTMLElement>();
  private readonly parents = new Map<string, TreeNode | undefined>();
  private readonly nodes = new Map<string, TreeNode>();
  private readonly expanded: Set<string>;
  private selected: string | undefined;

  constructor(private readonly model: ModelTree, state: ViewState) {
    const index = (node: TreeNode, parent: TreeNode | undefined) => {
      this.nodes.set(node.id, node);
      this.parents.set(node.id, parent);
      node.children.forEach((c) => index(c, node));
    };
    model.root.children.forEach((c) => index(c, undefined));
    const layers = model.root.children.find((c) => c.kind === 'layers');
    this.expanded = new Set(state.expanded.length ? state.expanded : layers ? [layers.id] : []);
    const body = h('div', { class: 'rows', role: 'tree', 'aria-label': 'Layers and experts' });
    body.append(header());
    this.appendRows(body, model.root.children, 0);
    this.element = h('section', { class: 'structure', 'data-testid': 'structure' }, h('h2', {}, 'Structure'), body);
    if (state.selected) this.select(state.selected, { scroll: false });
  }

  /** Highlights a node (expanding its ancestors) and scrolls to it; false when the model has no such node. */
  select(id: string, opts: { scroll?: boolean } = {}): boolean {
    if (!this.nodes.has(id)) return false;
    for (let p = this.parents.get(id); p; p = this.parents.get(p.id)) if (!this.expanded.has(p.id)) this.toggle(p.id);
    this.rows.get(this.selected ?? '')?.classList.remove('selected');
    this.rows.get(this.selected ?? '')?.setAttribute('aria-selected', 'false');
    this.selected = id;
    const row = this.rows.get(id);
    row?.classList.add('selected');
    row?.setAttribute('aria-selected', 'true');
    if (opts.scroll !== false) row?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    this.persist();
    return true;
  }

  private appendRows(container: HTMLElement, nodes: TreeNode[], depth: number): void {
    const max = Math.max(1, ...nodes.map((n) => n.params));
    const bar = scaleLinear().domain([0, max]).range([0, 100]);
    for (const node of nodes) {
      const row = this.row(node, depth, bar(node.params));
      const group = h('div', { class: 'group', role: 'group', 'data-parent': node.id });
      container.append(row, group);
      if (this.expanded.has(node.id)) this.fill(node, group, depth + 1);
    }
  }

  private row(node: TreeNode, depth: number, barWidth: number): HTMLElement {
    const expandable = node.children.length > 0 || node.tensors.length > 0 || (node.slices?.length ?? 0) > 0;
    const open = this.expanded.has(node.id);
    const chevron = expandable ? icon(open ? 'chevron-down' : 'chevron-right') : h('span', { class: 'chevron-space' });
    chevron.classList.add('chevron');
    const origin = node.origin;
    const name = h('span', { class: 'name' }, chevron, icon(origin ? ORIGIN_ICONS[origin.change] : ICONS[node.kind] ?? 'circle-outline'), h('span', { class: 'label' }, node.label),
      origin ? h('span', { class: `badge origin-${origin.change}`, 'data-testid': 'origin', title: `New (pending growth edit): ${origin.text}` }, origin.text) : null);
    name.style.setProperty('--depth', String(depth));
    const params = h('span', { class: 'params', title: `${node.params.toLocaleString('en-US')} parameters` });
    const svg = select(params).append('svg').attr('class', 'param-bar').attr('viewBox', '0 0 100 6').attr('preserveAspectRatio', 'none');
    svg.append('rect').attr('class', 'track').attr('width', 100).attr('height', 6);
    svg.append('rect').attr('class', `fill kind-${node.kind}`).attr('width', Math.max(node.params > 0 ? 1 : 0, barWidth)).attr('height', 6);
    params.append(h('span', { class: 'num' }, formatCount(node.params)));
    const row = h('div', {
      class: `row kind-${node.kind}${node.virtual ? ' virtual' : ''}${origin ? ` new origin-${origin.change}` : ''}`, role: 'treeitem', tabindex: '0',
      'data-node-id': node.id, 'aria-expanded': expandable ? String(open) : undefined, 'aria-selected': 'false',
      // The editor's right-click menu (package.json "webview/context") keys on webviewSection: Grow Depth… on layers.
      'data-vscode-context': JSON.stringify({ webviewSection: node.kind, nodeId: node.id, preventDefaultContextMenuItems: true }),
    },
    name,
    h('span', { class: 'kind' }, this.kindLabel(node)),
    params,
    h('span', { class: 'bytes num', title: `${node.bytes.toLocaleString('en-US')} bytes` }, formatBytes(node.bytes)),
    h('span', { class: 'dtypes' }, node.dtypes.join(', ')),
    );
    const activate = (toggle: boolean) => {
      if (toggle && expandable) this.toggle(node.id);
      this.select(node.id, { scroll: false });
      host.request({ type: 'node/reveal', nodeId: node.id }).catch((err: Error) => reportError(`reveal ${node.id}: ${err.message}`));
    };
    row.addEventListener('click', () => activate(true));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        activate(true);
      }
    });
    this.rows.set(node.id, row);
    return row;
  }

  private kindLabel(node: TreeNode): string {
    if (node.kind === 'layer' && node.layer !== undefined) {
      const kind = this.model.layers.find((l) => l.index === node.layer)?.kind;
      return kind === 'moe' ? 'MoE layer' : kind === 'dense' ? 'dense layer' : 'layer';
    }
    if (node.kind === 'experts') return `${node.children.length} experts`;
    return node.virtual ? `${node.kind} (slice)` : node.kind.replace('_', ' ');
  }

  private toggle(id: string): void {
    const node = this.nodes.get(id);
    const row = this.rows.get(id);
    const group = row?.nextElementSibling as HTMLElement | null;
    if (!node || !row || !group) return;
    const open = !this.expanded.has(id);
    if (open) this.expanded.add(id);
    else this.expanded.delete(id);
    row.setAttribute('aria-expanded', String(open));
    row.querySelector('.chevron')?.classList.replace(open ? 'codicon-chevron-right' : 'codicon-chevron-down', open ? 'codicon-chevron-down' : 'codicon-chevron-right');
    if (open && group.childElementCount === 0) this.fill(node, group, depthOf(row) + 1);
    group.hidden = !open;
    this.persist();
  }

  private fill(node: TreeNode, group: HTMLElement, depth: number): void {
    group.hidden = false;
    this.appendRows(group, node.children, depth);
    if (node.tensors.length > 0 || (node.slices?.length ?? 0) > 0) void this.fillTensors(node, group, depth);
  }

  private async fillTensors(node: TreeNode, group: HTMLElement, depth: number): Promise<void> {
    const list = h('div', { class: 'tensors', 'data-tensors-of': node.id });
    group.append(list);
    try {
      const reply = await host.request({ type: 'node/tensors', nodeId: node.id });
      for (const t of checkTensorViews(reply.value)) {
        const name = h('span', { class: 'name' }, h('span', { class: 'chevron-space' }), icon('symbol-field'),
          h('code', { class: 'label', title: t.name }, t.name), h('span', { class: 'shape' }, formatShape(t.shape)));
        name.style.setProperty('--depth', String(depth));
        list.append(h('div', { class: 'row tensor', 'data-tensor': t.name },
          name,
          h('span', { class: 'kind' }, 'tensor'),
          h('span', { class: 'params num', title: `${t.params.toLocaleString('en-US')} parameters` }, formatCount(t.params)),
          h('span', { class: 'bytes num', title: `${t.bytes.toLocaleString('en-US')} bytes` }, formatBytes(t.bytes)),
          h('span', { class: 'dtypes' }, t.dtype),
        ));
      }
    } catch (err) {
      list.append(h('div', { class: 'row tensor error-row' }, `Cannot list tensors: ${(err as Error).message}`));
    }
  }

  private persist(): void {
    saveState({ expanded: [...this.expanded], selected: this.selected });
  }
}

function depthOf(row: HTMLElement): number {
  return Number((row.querySelector('.name') as HTMLElement | null)?.style.getPropertyValue('--depth') || 0);
}

function header(): HTMLElement {
  return h('div', { class: 'row head', 'aria-hidden': 'true' },
    h('span', { class: 'name' }, 'Name'), h('span', { class: 'kind' }, 'Kind'), h('span', { class: 'params' }, 'Parameters'),
    h('span', { class: 'bytes' }, 'Size'), h('span', { class: 'dtypes' }, 'Dtypes'));
}
