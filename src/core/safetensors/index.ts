// The safetensors layer's public API: everything above reads and writes checkpoints only through these.
export type { CheckpointSource, DType, TensorRef } from './types';
export { DTYPES, alignmentBytes, byteLengthOf, decodeToFloat32, encodeFromFloat32, isDType, type DTypeInfo } from './dtypes';
export { RULES, type RuleId } from './rules';
export { buildHeader, MAX_HEADER_BYTES, parseHeader, type HeaderEntry, type ParsedHeader } from './header';
export { readSafetensorsHeader, sniffSafetensors, type SafetensorsHeader } from './reader';
export { INDEX_NAME, openCheckpoint, readIndex, type IndexFile } from './checkpoint';
export { FilePool, readRange, readTensorBytes, readTensorFloat32, tensorChunks } from './tensorIO';
export { bufferTensor, copyTensor, writeCheckpoint, type OutTensor, type TensorSink, type WriteResult, type WriteSpec } from './writer';
export { writeSparseCheckpoint, type SparseCheckpointInfo, type SparseCheckpointOptions } from './sparseCheckpoint';
