// The pending growth: the list of applied edits (with undo / redo buttons that run VS Code's own undo and redo) and
// the plan preview — layers, experts, top-k, parameters, active parameters and bytes before → after, how many
// tensors are copied, zeroed or noised, and whether the grown model computes the same function (and why not).
import { formatBytes, formatCount, type BeforeAfter, type GrowthPreview, type ToWebview } from '../src/protocol.js';
import { h, icon } from './dom.js';
import { host } from './host.js';
import { button, tag } from './toolkit.js';

type EditsMessage = Extract<ToWebview, { type: 'edits/show' }>;

export function renderPending(m: EditsMessage): HTMLElement {
  const actions = h('div', { class: 'pending-actions' });
  const undo = button('Undo', () => host.send({ type: 'edits/undo' }), 'secondary');
  const redo = button('Redo', () => host.send({ type: 'edits/redo' }), 'secondary');
  undo.dataset.testid = 'undo';
  redo.dataset.testid = 'redo';
  if (!m.applied.length) undo.setAttribute('disabled', '');
  if (!m.redoable.length) redo.setAttribute('disabled', '');
  actions.append(undo, redo);
  const list = h('ol', { class: 'pending-list', 'data-testid': 'pending-list' },
    ...m.applied.map((label) => h('li', { class: 'pending-edit' }, icon('diff-added'), h('span', {}, label))),
    ...m.redoable.map((label) => h('li', { class: 'pending-edit undone', title: 'Undone: Redo applies it again' }, icon('discard'), h('span', {}, label))),
  );
  const status = m.applied.length
    ? m.dirty ? 'Unsaved: Save writes the grown checkpoint to a new folder (the source is never overwritten).' : 'Saved.'
    : 'No growth edits. Right-click a layer (here or in the Checkpoint tree) to grow depth or experts.';
  return h('section', { class: 'pending', 'data-testid': 'pending' },
    h('header', { class: 'pending-head' }, h('h2', {}, 'Pending changes'), m.applied.length && m.dirty ? tag('unsaved') : null, actions),
    m.applied.length || m.redoable.length ? list : null,
    h('p', { class: 'hint' }, status),
    m.preview ? renderPreview(m.preview) : null,
  );
}

function renderPreview(p: GrowthPreview): HTMLElement {
  const rows: [string, string, BeforeAfter | null, (n: number) => string][] = [
    ['layers', 'Layers', p.layers, String],
    ['experts', 'Experts', p.experts, String],
    ['topk', 'Top-k', p.topK, String],
    ['params', 'Parameters', p.params, formatCount],
    ['active', 'Active parameters', p.activeParams, formatCount],
    ['bytes', 'Size', p.bytes, formatBytes],
  ];
  const table = h('div', { class: 'preview-grid' });
  for (const [field, label, v, fmt] of rows) {
    if (!v) continue;
    const changed = v.before !== v.after;
    table.append(h('div', { class: `preview-row${changed ? ' changed' : ''}`, 'data-field': field, 'data-before': String(v.before), 'data-after': String(v.after) },
      h('span', { class: 'preview-label' }, label),
      h('span', { class: 'num' }, fmt(v.before)), icon('arrow-right'), h('span', { class: 'num after' }, fmt(v.after)),
      h('span', { class: 'delta' }, changed ? ratio(v) : 'unchanged')));
  }
  const c = p.counts;
  const f = p.functionPreserved;
  return h('div', { class: 'preview', 'data-testid': 'preview' },
    h('h3', {}, 'Plan preview'),
    table,
    h('p', { class: 'counts', 'data-testid': 'counts' }, `${c.tensors} output tensors: ${c.copied} copied, ${c.zeroed} zeroed, ${c.noised} noised.`),
    h('div', { class: `verdict ${f.preserved ? 'yes' : 'no'}`, 'data-testid': 'function-preserved', 'data-value': String(f.preserved) },
      icon(f.preserved ? 'pass' : 'warning'),
      h('span', {}, f.preserved ? 'Function preserved: the grown model computes the same outputs.' : 'Function not preserved: expect a loss jump that continued training recovers.'),
    ),
    f.reasons.length ? h('ul', { class: 'reasons' }, ...f.reasons.map((r) => h('li', {}, r))) : null,
    p.notes.length ? h('ul', { class: 'notes' }, ...p.notes.map((n) => h('li', {}, n))) : null,
  );
}

function ratio(v: BeforeAfter): string {
  return v.before > 0 ? `×${(v.after / v.before).toFixed(2)}` : `+${v.after}`;
}
