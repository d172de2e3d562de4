// The one per-chunk reduction step shared by checkpoint statistics (bytes read from a file) and streamed statistics
// (bytes a growth plan's writer emits): both must produce the same numbers for the same bytes, so they run this code.
import { EngineError } from '../../core/errors';
import { decodeToFloat32, type DType } from '../../core/safetensors/index';
import { combineMoments, type Moments } from '../../core/stats/moments';
import type { ChunkReducer } from './chunkReducer';
import { isKernelDType, type ShiftKernel } from './shiftKernel';

/** Reduces `count` elements of `bytes` (dtype `dtype`) and folds them into `acc`. */
export async function reduceChunkInto(
  kernel: ShiftKernel, reducer: ChunkReducer, dtype: DType, bytes: Uint8Array, count: number, acc: Moments,
  where: { file?: string; tensor: string },
): Promise<void> {
  let m: Moments | undefined;
  let shift = acc.count ? acc.mean : NaN;
  if (isKernelDType(dtype)) {
    // Fast path: one host pass forms d = x − k and the min/max; ORT sums d and d².
    const k = Math.fround(Number.isFinite(shift) ? shift : kernel.firstFinite(dtype, bytes, count));
    const pass = kernel.shift(dtype, bytes, count, k);
    if (pass.finite) m = await reducer.reduceDeviations(kernel.out.subarray(0, count), k, pass.min, pass.max);
    shift = k;
  }
  if (!m) {
    // NaN/Inf, tiny or huge values, other dtypes: decode x and let the reducer pick its graphs.
    let x: Float32Array;
    if (dtype === 'F32') {
      x = new Float32Array(bytes.buffer, bytes.byteOffset, count);
    } else {
      try {
        decodeToFloat32(dtype, bytes, kernel.out, count);
      } catch (err) {
        throw new EngineError('stats-decode', `cannot decode ${dtype}: ${(err as Error).message}`, { ...where, rule: 'dtype must convert to float32' }, { cause: err });
      }
      x = kernel.out.subarray(0, count);
    }
    m = await reducer.reduce(x, shift);
  }
  combineMoments(acc, m);
}
