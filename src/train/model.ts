// Loading a Hugging Face checkpoint into the training engine's parameter order, and writing parameters back
// in the checkpoint's own dtypes (safetensors + config.json), through the core safetensors and family layers.
import { detectFamily, type FamilyTable } from '../core/families/index';
import { FilePool, byteLengthOf, encodeFromFloat32, openCheckpoint, readTensorFloat32, bufferTensor, writeCheckpoint, type DType, type CheckpointSource } from '../core/safetensors/index';
import { FamilyError, TrainError } from '../core/errors';
import { modelConfigFromHf, type ModelConfig } from '../engine/model/config';
import { paramSpecs, type ParamSpec } from '../engine/model/params';

export interface LoadedModel {
  source: CheckpointSource;
  family: FamilyTable;
  cfg: ModelConfig;
  specs: ParamSpec[];
  /** Float32 values in `specs` order. */
  params: Float32Array[];
  /** On-disk dtype per parameter (written back the same way). */
  dtypes: DType[];
}

export async function loadModel(path: string, signal?: AbortSignal): Promise<LoadedModel> {
  const source = await openCheckpoint(path, { signal });
  if (!source.config) throw new FamilyError('config', 'the checkpoint has no config.json', { file: source.root, rule: 'config.json needed to build the model' });
  const family = detectFamily(source.config, source.tensors).family;
  const cfg = modelConfigFromHf(family, source.config, source.root);
  const specs = paramSpecs(cfg);
  const pool = new FilePool();
  try {
    const params: Float32Array[] = [];
    const dtypes: DType[] = [];
    for (const s of specs) {
      const ref = source.tensors.get(s.name);
      if (!ref) throw new FamilyError('family', `the ${family.label} model needs tensor ${s.name}, which the checkpoint lacks`, { file: source.root, tensor: s.name, rule: 'every parameter present' });
      if (ref.shape.length !== s.shape.length || ref.shape.some((d, i) => d !== s.shape[i])) {
        throw new FamilyError('family', `tensor has shape [${ref.shape}], the config implies [${s.shape}]`, { file: ref.file, tensor: s.name, rule: 'shape matches config' });
      }
      params.push(await readTensorFloat32(pool, ref));
      dtypes.push(ref.dtype);
    }
    return { source, family, cfg, specs, params, dtypes };
  } finally {
    await pool.close();
  }
}

/** Writes `params` as a Hugging Face checkpoint (config.json + safetensors, original dtypes). */
export async function saveModel(dest: string, model: Pick<LoadedModel, 'source' | 'specs' | 'dtypes'>, params: Float32Array[], opts: { metadata?: Record<string, string>; signal?: AbortSignal } = {}): Promise<void> {
  if (params.length !== model.specs.length) throw new TrainError('train/save', `${params.length} parameters for ${model.specs.length} specs`, { file: dest, rule: 'one array per parameter' });
  const tensors = model.specs.map((s, i) => {
    const n = params[i].length;
    const bytes = new Uint8Array(byteLengthOf(model.dtypes[i], s.shape, { tensor: s.name }));
    encodeFromFloat32(model.dtypes[i], params[i], bytes, n);
    return bufferTensor(s.name, model.dtypes[i], s.shape, bytes);
  });
  await writeCheckpoint(dest, { tensors, config: model.source.config, metadata: { format: 'pt', ...opts.metadata }, overwrite: true, signal: opts.signal });
}
