// Everything that reads checkpoints, in one module that CheckpointDocument imports on first use: the safetensors
// reader, the family tables and the model tree stay out of activation (the bundle evaluates them lazily).
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { buildModelTree, findNode, paramsOf, type ModelTree } from '../core/model/index';
import { INDEX_NAME, openCheckpoint, readIndex, type CheckpointSource } from '../core/safetensors/index';
import type { TensorView } from '../protocol';

export { INDEX_NAME };

export interface ReadCheckpoint {
  source: CheckpointSource;
  model: ModelTree;
}

export async function readCheckpoint(path: string): Promise<ReadCheckpoint> {
  const source = await openCheckpoint(await checkpointPathFor(path));
  return { source, model: buildModelTree(source) };
}

/**
 * One shard of a sharded checkpoint stands for the whole: its folder's index is opened instead when the index
 * names it, so the family, layer counts and totals are the model's, not a fragment's.
 */
async function checkpointPathFor(path: string): Promise<string> {
  if (!path.endsWith('.safetensors')) return path;
  const dir = dirname(path);
  let indexes: string[];
  try {
    indexes = (await readdir(dir)).filter((n) => n.endsWith('.safetensors.index.json'));
  } catch {
    return path;
  }
  if (indexes.length !== 1) return path;
  try {
    const index = await readIndex(join(dir, indexes[0]));
    return index.shards.includes(basename(path)) ? index.path : path;
  } catch {
    return path; // A broken index is reported when it is opened itself; the shard alone is still readable.
  }
}

/** The tensors a node holds directly (for fused layouts, a virtual expert's slices), with header facts. */
export function tensorViews({ source, model }: ReadCheckpoint, nodeId: string): TensorView[] | undefined {
  const node = findNode(model.root, nodeId);
  if (!node) return undefined;
  const views: TensorView[] = [];
  for (const name of node.tensors) {
    const ref = source.tensors.get(name);
    if (ref) views.push({ name, dtype: ref.dtype, shape: ref.shape, params: paramsOf(ref), bytes: ref.byteLength });
  }
  for (const slice of node.slices ?? []) {
    const ref = source.tensors.get(slice.tensor);
    if (!ref || ref.shape.length === 0 || ref.shape[0] === 0) continue;
    const shape = ref.shape.slice(1);
    views.push({ name: `${slice.tensor}[${slice.index}]`, dtype: ref.dtype, shape, params: paramsOf({ shape, dtype: ref.dtype }), bytes: ref.byteLength / ref.shape[0] });
  }
  return views;
}
