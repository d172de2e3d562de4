// Every rule a safetensors file, index or write request can break, with its stable error code. One table so the
// CLI's --json output, the tests and the docs all agree on the wording; `fail` builds the typed error.
import { SafetensorsError, type ErrorDetails } from '../errors';

export const RULES = {
  fileTooSmall: ['safetensors.file_too_small', 'file must hold at least the 8-byte header length'],
  headerTooLarge: ['safetensors.header_too_large', 'header length must be at most 100,000,000 bytes'],
  headerPastEnd: ['safetensors.header_past_end', 'header must fit inside the file'],
  invalidUtf8: ['safetensors.invalid_utf8', 'header must be valid UTF-8'],
  invalidJson: ['safetensors.invalid_json', 'header must be valid JSON'],
  headerNotObject: ['safetensors.header_not_object', 'header must be a JSON object starting with "{"'],
  duplicateName: ['safetensors.duplicate_name', 'names in a JSON object must be unique'],
  badEntry: ['safetensors.bad_entry', 'tensor entry must be {dtype: string, shape: int[], data_offsets: [int, int]} and nothing else'],
  unknownDtype: ['safetensors.unknown_dtype', 'dtype must be one of the 22 safetensors dtypes'],
  badShape: ['safetensors.bad_shape', 'shape must be a list of non-negative integers'],
  badMetadata: ['safetensors.bad_metadata', '__metadata__ must map strings to strings'],
  numelOverflow: ['safetensors.numel_overflow', 'element count and byte length must fit in 2^53'],
  subByteAlignment: ['safetensors.sub_byte_alignment', 'numel × bits of a sub-byte dtype must be a multiple of 8'],
  offsetsReversed: ['safetensors.offsets_reversed', 'data_offsets must have begin <= end'],
  offsetsOutOfBounds: ['safetensors.offsets_out_of_bounds', 'data_offsets must lie inside the data section'],
  offsetsHole: ['safetensors.offsets_hole', 'tensors must be contiguous from 0: no hole between tensors'],
  offsetsOverlap: ['safetensors.offsets_overlap', 'tensors must not overlap'],
  trailingBytes: ['safetensors.trailing_bytes', 'data section must end where the last tensor ends'],
  byteLengthMismatch: ['safetensors.byte_length_mismatch', 'end - begin must equal numel × dtype size'],
  shortRead: ['safetensors.short_read', 'file ended before the requested bytes'],
  notConvertible: ['safetensors.not_convertible', 'dtype has no float32 conversion'],
  // Sharded checkpoints and folders.
  indexInvalid: ['safetensors.index_invalid', 'index must be {metadata?: {total_size: int}, weight_map: {tensor: shard file}}'],
  indexShardPath: ['safetensors.index_shard_path', 'shard files must be plain names inside the index folder'],
  indexMissingShard: ['safetensors.index_missing_shard', 'every shard named by the index must exist'],
  indexTensorMissing: ['safetensors.index_tensor_missing', 'every tensor in the index must be in its shard'],
  indexExtraTensor: ['safetensors.index_extra_tensor', 'every shard tensor must be in the index, mapped to that shard'],
  indexTotalSize: ['safetensors.index_total_size', 'metadata.total_size must equal the sum of tensor bytes'],
  duplicateAcrossFiles: ['safetensors.duplicate_across_files', 'a tensor name may appear in only one file'],
  noSafetensors: ['safetensors.none_found', 'a checkpoint needs at least one .safetensors file'],
  notSafetensors: ['safetensors.not_safetensors', 'path must be a .safetensors file, an index or a folder'],
  badConfig: ['safetensors.bad_config', 'config.json must be a JSON object'],
  // Writing.
  destExists: ['safetensors.dest_exists', 'destination must not exist unless overwrite is set'],
  badOutTensor: ['safetensors.bad_out_tensor', 'output tensors need a unique name, a known dtype and byteLength = numel × size'],
  writeLength: ['safetensors.write_length', 'a tensor must write exactly byteLength bytes'],
  badExtraFile: ['safetensors.bad_extra_file', 'extra files need a plain, unused name and one of from/content'],
} as const satisfies Record<string, readonly [string, string]>;

export type RuleId = keyof typeof RULES;

/** A SafetensorsError for `rule`, with the message saying what was found and `details` naming where. */
export function fail(rule: RuleId, found: string, details: Omit<ErrorDetails, 'rule'> = {}, cause?: unknown): SafetensorsError {
  const [code, text] = RULES[rule];
  return new SafetensorsError(code, `${text}: ${found}`, { ...details, rule: text }, cause === undefined ? undefined : { cause });
}
