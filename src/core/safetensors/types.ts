// The contract between the safetensors layer and everything above it (families, growth, statistics, training).
// Implementations live beside this file; nothing above reads safetensors bytes any other way.

/** The 22 dtypes of the safetensors format, spelled as in its headers. */
export type DType =
  | 'BOOL' | 'U8' | 'I8' | 'U16' | 'I16' | 'U32' | 'I32' | 'U64' | 'I64'
  | 'F16' | 'BF16' | 'F32' | 'F64' | 'C64'
  | 'F8_E4M3' | 'F8_E5M2' | 'F8_E8M0' | 'F8_E4M3FNUZ' | 'F8_E5M2FNUZ'
  | 'F4' | 'F6_E2M3' | 'F6_E3M2';

/** One tensor of one file, lazily: where its bytes are, never the bytes themselves. */
export interface TensorRef {
  name: string;
  dtype: DType;
  shape: number[];
  /** Absolute path of the .safetensors file holding it. */
  file: string;
  /** Absolute byte offset of the tensor's first byte in `file` (header included). */
  offset: number;
  /** Byte length of the tensor's data. */
  byteLength: number;
}

/** A checkpoint: one file, a sharded index, or a Hugging Face folder. */
export interface CheckpointSource {
  /** The folder (or file) the user opened. */
  root: string;
  /** How it was opened. */
  kind: 'file' | 'index' | 'folder';
  /** config.json parsed, or null when absent. */
  config: Record<string, unknown> | null;
  /** Every tensor by name, in file order (files in index/shard order). */
  tensors: Map<string, TensorRef>;
  /** The .safetensors files, in order. */
  files: string[];
  /** `__metadata__` of each file, by absolute path. */
  metadata: Map<string, Record<string, string>>;
  /** Total tensor bytes. */
  totalBytes: number;
}
