// "Graft: Grow Depth…": method (interposition, stack, LLaMA-Pro, SOLAR, layer map), factor, edges — each choice
// explained in a line (METHOD.md §1) — applied as an undoable edit of the active checkpoint document.
import * as vscode from 'vscode';
import type { DepthOp } from '../../core/growth/index';
import type { CheckpointRegistry } from '../checkpointRegistry';
import { applyGrowth, askNumber, pick, targetDocument } from './growthTarget';

export const GROW_DEPTH = 'graft.growDepth';

export function registerGrowDepth(context: vscode.ExtensionContext, registry: CheckpointRegistry): vscode.Disposable {
  const command = vscode.commands.registerCommand(GROW_DEPTH, async () => {
    const document = targetDocument(registry);
    if (!document) return;
    const op = await askDepthOp(document.shownModel!.numLayers);
    if (op) applyGrowth(document, op);
  });
  context.subscriptions.push(command);
  return command;
}

const TITLE = 'Grow Depth';

async function askDepthOp(n: number): Promise<DepthOp | undefined> {
  const method = await pick<DepthOp['method']>(`${TITLE} (${n} layers): method`, [
    { label: 'Interposition', description: "the paper's method", detail: 'Each layer followed by its copies: l0 l0 l1 l1 … — keeps the layers\' order and norm profile', value: 'interposition' },
    { label: 'Stack', description: 'baseline (StackBERT, G_stack)', detail: 'The whole stack repeated: l0 … ln-1 l0 … ln-1', value: 'stack' },
    { label: 'LLaMA-Pro', description: 'block expansion', detail: 'Insert copies with output projections zeroed: each new block is the identity at start', value: 'llama-pro' },
    { label: 'SOLAR', description: 'depth up-scaling', detail: 'Two copies; drop the last m layers of the first and the first m of the second', value: 'solar' },
    { label: 'Custom layer map', description: 'as mergekit slices', detail: 'Any list of source layers, e.g. 0,0,1,1,2,3', value: 'map' },
  ]);
  if (!method) return undefined;
  if (method === 'interposition' || method === 'stack') {
    const factor = await pick(`${TITLE}: factor`, [2, 3, 4].map((k) => ({ label: `×${k}`, detail: `${k * n} layers: every layer ${k === 2 ? 'twice' : `${k} times`}`, value: k })));
    if (!factor) return undefined;
    const edges = await pick<[number, number] | 'custom'>(`${TITLE}: edges`, [
      { label: 'No edges', detail: 'Every layer grows (default)', value: [0, 0] },
      { label: 'Keep first and last once (1/1)', detail: 'ignore_first = 1, ignore_last = 1', value: [1, 1] },
      { label: 'Keep first 2 and last 2 once (2/2)', detail: "The authors' large run", value: [2, 2] },
      { label: 'Custom…', detail: 'Choose ignore_first and ignore_last', value: 'custom' },
    ]);
    if (!edges) return undefined;
    let [a, b] = edges === 'custom' ? [-1, -1] : edges;
    if (edges === 'custom') {
      const first = await askNumber(`${TITLE}: ignore_first`, { value: 1, prompt: 'Layers at the start kept once', min: 0, max: n, integer: true });
      if (first === undefined) return undefined;
      const last = await askNumber(`${TITLE}: ignore_last`, { value: 1, prompt: 'Layers at the end kept once', min: 0, max: n - first, integer: true });
      if (last === undefined) return undefined;
      [a, b] = [first, last];
    }
    return { op: 'depth', method, factor, ignore_first: a, ignore_last: b };
  }
  if (method === 'llama-pro') {
    const add = await askNumber(`${TITLE}: LLaMA-Pro blocks`, { value: Math.max(1, Math.floor(n / 4)), prompt: `Identity blocks to insert (one after every ⌊${n}/add⌋-th layer)`, min: 1, max: 4 * n, integer: true });
    return add === undefined ? undefined : { op: 'depth', method, add };
  }
  if (method === 'solar') {
    const m = await askNumber(`${TITLE}: SOLAR m`, { value: Math.max(1, Math.floor(n / 4)), prompt: `Layers dropped at the seam from each copy: ${n} → ${2 * n} − 2m layers`, min: 0, max: n - 1, integer: true });
    return m === undefined ? undefined : { op: 'depth', method, m };
  }
  const text = await vscode.window.showInputBox({
    title: `${TITLE}: layer map`, prompt: `Source layer of each new layer, comma-separated (0 … ${n - 1})`, ignoreFocusOut: true,
    value: Array.from({ length: n }, (_, i) => `${i},${i}`).join(','),
    validateInput: (v) => (parseMap(v, n) ? undefined : `comma-separated whole numbers from 0 to ${n - 1}`),
  });
  const map = text === undefined ? undefined : parseMap(text, n);
  return map ? { op: 'depth', method: 'map', map } : undefined;
}

function parseMap(text: string, n: number): number[] | undefined {
  const parts = text.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const map = parts.map(Number);
  return map.length > 0 && map.every((x) => Number.isInteger(x) && x >= 0 && x < n) ? map : undefined;
}
