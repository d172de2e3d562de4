// A growth plan seen as a checkpoint that does not exist yet: its output tensors (name, dtype, shape, byte length)
// and its config, so buildModelTree can draw the grown model before a byte is written (the editor's preview).
import type { CheckpointSource, TensorRef } from '../safetensors/index';
import type { GrowthPlan } from './types';

/** The planned output as a CheckpointSource. Its refs point at no file (`file` is empty): read headers, never bytes. */
export function planToSource(plan: GrowthPlan): CheckpointSource {
  const tensors = new Map<string, TensorRef>();
  let offset = 0;
  for (const t of plan.tensors) {
    tensors.set(t.name, { name: t.name, dtype: t.dtype, shape: [...t.shape], file: '', offset, byteLength: t.byteLength });
    offset += t.byteLength;
  }
  return { root: plan.source.root, kind: 'folder', config: plan.config, tensors, files: [], metadata: new Map(), totalBytes: offset };
}
