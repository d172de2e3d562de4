// The "Checkpoint" view in the explorer: the active Graft editor's model tree (embeddings, layers, attention, router,
// experts, shared experts, head) down to its tensors. Selecting a node highlights it in the editor; the editor asks
// the tree to reveal what the user clicks there.
import * as vscode from 'vscode';
import type { TreeNode } from '../core/model/index';
import { formatBytes, formatCount, formatShape, type NodeKind, type NodeOrigin, type TensorView } from '../protocol';
import type { CheckpointDocument } from './checkpointDocument';
import type { CheckpointRegistry, TreeRevealer } from './checkpointRegistry';
import { Disposable } from './dispose';
import { log } from './log';
import { shortNames } from './treeLabels';

export type CheckpointElement =
  | { kind: 'node'; node: TreeNode; parent: CheckpointElement | undefined }
  | { kind: 'tensor'; tensor: TensorView; label: string; parent: CheckpointElement & { kind: 'node' } };

const ICONS: Record<NodeKind, string> = {
  model: 'package', embeddings: 'symbol-array', layers: 'layers', layer: 'layers', attention: 'eye', norms: 'symbol-ruler',
  router: 'git-compare', experts: 'organization', expert: 'person', shared_experts: 'pinned', mlp: 'symbol-method',
  final_norm: 'symbol-ruler', head: 'output', mtp: 'debug-step-over', mtp_layer: 'layers', other: 'question',
};

/** Menus' `when` clauses key on these (e.g. "Grow Depth…" on `graft.layer`). */
export function contextValueOf(element: CheckpointElement): string {
  return element.kind === 'tensor' ? 'graft.tensor' : `graft.${element.node.kind}${element.node.virtual ? '.virtual' : ''}`;
}

export class CheckpointTreeProvider extends Disposable implements vscode.TreeDataProvider<CheckpointElement>, TreeRevealer {
  static readonly viewId = 'graft.checkpointTree';

  static register(context: vscode.ExtensionContext, registry: CheckpointRegistry): vscode.Disposable {
    const provider = new CheckpointTreeProvider(registry);
    context.subscriptions.push(provider);
    return provider;
  }

  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<CheckpointElement | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly view: vscode.TreeView<CheckpointElement>;
  private document: CheckpointDocument | undefined;
  private documentSubscription: vscode.Disposable | undefined;
  /** Node elements by id: element identity for reveal() and getParent(). */
  private byId = new Map<string, CheckpointElement & { kind: 'node' }>();
  private roots: CheckpointElement[] = [];

  private constructor(private readonly registry: CheckpointRegistry) {
    super();
    this.view = this._register(vscode.window.createTreeView(CheckpointTreeProvider.viewId, { treeDataProvider: this, showCollapseAll: true }));
    this._register(this.view.onDidChangeSelection((e) => this.selected(e.selection)));
    this._register(registry.onDidChangeActive((doc) => this.show(doc)));
    this._register(registry.setRevealer(this));
    this._register({ dispose: () => this.documentSubscription?.dispose() });
    this.show(registry.activeDocument);
  }

  getTreeItem(element: CheckpointElement): vscode.TreeItem {
    return element.kind === 'node' ? nodeItem(element.node) : tensorItem(element);
  }

  getChildren(element?: CheckpointElement): CheckpointElement[] {
    if (!element) return this.roots;
    if (element.kind === 'tensor') return [];
    const nodes = element.node.children.map((child) => this.byId.get(child.id)!);
    const tensors = this.document?.tensorsOf(element.node.id) ?? [];
    const labels = shortNames(tensors.map((t) => t.name));
    return [...nodes, ...tensors.map((tensor, i): CheckpointElement => ({ kind: 'tensor', tensor, label: labels[i], parent: element }))];
  }

  getParent(element: CheckpointElement): CheckpointElement | undefined {
    return element.parent;
  }

  async reveal(document: CheckpointDocument, nodeId: string): Promise<boolean> {
    if (document !== this.document) this.show(document);
    const element = this.byId.get(nodeId);
    if (!element) return false;
    await this.view.reveal(element, { select: true, focus: false, expand: true });
    return true;
  }

  private show(document: CheckpointDocument | undefined): void {
    if (document !== this.document) {
      this.documentSubscription?.dispose();
      this.document = document;
      const subs = document ? [document.onDidChangeState(() => this.rebuild()), document.onDidChangeEdits(() => this.rebuild())] : [];
      this.documentSubscription = { dispose: () => subs.forEach((s) => s.dispose()) };
    }
    this.rebuild();
  }

  private rebuild(): void {
    this.byId = new Map();
    this.roots = [];
    const state = this.document?.state;
    const pending = this.document?.edits.applied().length ?? 0;
    this.view.description = this.document ? `${this.document.title}${pending ? ` (${pending} pending growth edit${pending === 1 ? '' : 's'})` : ''}` : undefined;
    if (!state) {
      this.view.message = undefined;
    } else if (state.kind === 'error') {
      this.view.message = `Cannot read ${this.document!.title}: ${state.error.message}`;
    } else {
      this.view.message = undefined;
      const index = (node: TreeNode, parent: CheckpointElement | undefined): CheckpointElement & { kind: 'node' } => {
        const element = { kind: 'node' as const, node, parent };
        this.byId.set(node.id, element);
        node.children.forEach((c) => index(c, element));
        return element;
      };
      // The model node itself is the view's description; its children are the roots.
      this.roots = (this.document!.shownModel ?? state.model).root.children.map((c) => index(c, undefined));
    }
    this._onDidChangeTreeData.fire(undefined);
  }

  private selected(selection: readonly CheckpointElement[]): void {
    const first = selection[0];
    if (!first || !this.document) return;
    const node = first.kind === 'node' ? first.node : first.parent.node;
    try {
      this.registry.selectInEditor(this.document, node.id);
    } catch (err) {
      log().error(`Selecting ${node.id} in the editor failed: ${err}`);
    }
  }
}

function nodeItem(node: TreeNode): vscode.TreeItem {
  const hasChildren = node.children.length > 0 || node.tensors.length > 0 || (node.slices?.length ?? 0) > 0;
  const collapsed = node.kind === 'layers' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
  const item = new vscode.TreeItem(node.label, hasChildren ? collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.iconPath = node.origin ? originIcon(node.origin) : new vscode.ThemeIcon(ICONS[node.kind] ?? 'circle-outline');
  item.contextValue = contextValueOf({ kind: 'node', node, parent: undefined });
  item.description = `${node.origin ? `${node.origin.text} · ` : ''}${formatCount(node.params)} · ${formatBytes(node.bytes)}${node.dtypes.length ? ` · ${node.dtypes.join(', ')}` : ''}`;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(node.label)}** — ${node.kind.replace('_', ' ')}\n\n`);
  md.appendMarkdown(`Parameters: ${node.params.toLocaleString('en-US')} (${formatCount(node.params)})  \n`);
  md.appendMarkdown(`Size: ${node.bytes.toLocaleString('en-US')} bytes (${formatBytes(node.bytes)})  \n`);
  if (node.dtypes.length) md.appendMarkdown(`Dtypes: ${node.dtypes.join(', ')}  \n`);
  if (node.virtual) md.appendMarkdown(`\n$(info) A slice of fused tensors: its parameters are counted by its parent.`);
  if (node.origin) md.appendMarkdown(`\n\n$(diff-added) New (pending growth edit): ${escapeMd(node.origin.text)}. Written on Save.`);
  item.tooltip = md;
  return item;
}

/** New nodes of a pending growth: one icon and colour per kind of origin (the same colours as git decorations). */
function originIcon(origin: NodeOrigin): vscode.ThemeIcon {
  switch (origin.change) {
    case 'copied': return new vscode.ThemeIcon('copy', new vscode.ThemeColor('gitDecoration.addedResourceForeground'));
    case 'noised': return new vscode.ThemeIcon('sparkle', new vscode.ThemeColor('gitDecoration.modifiedResourceForeground'));
    case 'zeroed': return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('gitDecoration.untrackedResourceForeground'));
  }
}

function tensorItem(element: CheckpointElement & { kind: 'tensor' }): vscode.TreeItem {
  const t = element.tensor;
  const item = new vscode.TreeItem(element.label, vscode.TreeItemCollapsibleState.None);
  item.id = `${element.parent.node.id}#${t.name}`;
  item.iconPath = new vscode.ThemeIcon('symbol-field');
  item.contextValue = contextValueOf(element);
  item.description = `${formatShape(t.shape)} · ${t.dtype} · ${formatBytes(t.bytes)}`;
  const md = new vscode.MarkdownString();
  md.appendCodeblock(t.name, 'text');
  md.appendMarkdown(`Shape: ${formatShape(t.shape)}  \nDtype: ${t.dtype}  \nParameters: ${t.params.toLocaleString('en-US')}  \nSize: ${t.bytes.toLocaleString('en-US')} bytes (${formatBytes(t.bytes)})`);
  item.tooltip = md;
  return item;
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|]/g, '\\$&');
}
