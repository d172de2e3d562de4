// Statistics of a tensor whose bytes are produced rather than read: a TensorSink that stages whatever a writer
// emits (growth plans' noise, slices, init, drop) into the shift kernel's input buffer and reduces it exactly as
// computeCheckpointStats reduces a file: the same chunk boundaries (chunks of `chunkElements` from the start of each
// slice), the same shift (the running mean, else the chunk's first finite value), the same kernel pass and ORT
// graphs, the same float64 Chan combine. A preview's statistics therefore equal those of the written checkpoint.
import { EngineError, throwIfAborted } from '../../core/errors';
import { DTYPES, type DType, type TensorSink } from '../../core/safetensors/index';
import { finalizeStats } from '../../core/stats/finalize';
import { combineMoments, emptyMoments, type Moments } from '../../core/stats/moments';
import type { TensorStatsEntry } from '../../core/stats/types';
import type { ChunkReducer } from './chunkReducer';
import { reduceChunkInto } from './chunkStep';
import { ShiftKernel } from './shiftKernel';

export interface StreamedTensor {
  name: string;
  dtype: DType;
  shape: number[];
  byteLength: number;
  /** Recorded in the entry (where its values come from). */
  file: string;
  /** Equal contiguous axis-0 slices to report (1 = the whole tensor only); must divide the element count. */
  slices: number;
  /** Emits the tensor's bytes, in order, in chunks of whole elements. */
  write(sink: TensorSink): Promise<void>;
}

export class StreamStatsReducer {
  private readonly kernel: ShiftKernel;

  constructor(private readonly reducer: ChunkReducer, readonly chunkElements: number) {
    this.kernel = new ShiftKernel(chunkElements, chunkElements * 8);
  }

  /** Runs `t.write` into a reducing sink; returns the tensor's statistics (and per-slice statistics). */
  async reduce(t: StreamedTensor, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<TensorStatsEntry> {
    const size = DTYPES[t.dtype].bits / 8;
    if (!Number.isInteger(size)) throw new EngineError('stats-decode', `${t.dtype} elements are not whole bytes`, { tensor: t.name, rule: 'dtype must convert to float32' });
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const S = t.slices > 1 && numel % t.slices === 0 ? t.slices : 1;
    const parts = Array.from({ length: S }, emptyMoments);
    const sliceBytes = t.byteLength / S;
    const chunkBytes = this.chunkElements * size;
    const buf = this.kernel.input(0);
    let slice = 0;
    let inSlice = 0; // bytes of the current slice already reduced
    let fill = 0; // bytes staged in buf
    let total = 0;
    const flush = async () => {
      await this.reduceChunk(t, buf.subarray(0, fill), fill / size, parts[slice]);
      onBytes?.(fill);
      inSlice += fill;
      fill = 0;
      if (inSlice === sliceBytes) {
        slice++;
        inSlice = 0;
      }
    };
    const sink: TensorSink = {
      write: async (chunk) => {
        throwIfAborted(signal);
        total += chunk.length;
        if (total > t.byteLength) throw new EngineError('stats-stream', `writer emitted more than ${t.byteLength} bytes`, { tensor: t.name, rule: 'tensor byte length' });
        for (let pos = 0; pos < chunk.length; ) {
          const want = Math.min(chunkBytes, sliceBytes - inSlice);
          const n = Math.min(want - fill, chunk.length - pos);
          buf.set(chunk.subarray(pos, pos + n), fill);
          fill += n;
          pos += n;
          if (fill === want) await flush();
        }
      },
    };
    await t.write(sink);
    if (total !== t.byteLength || fill !== 0) throw new EngineError('stats-stream', `writer emitted ${total} of ${t.byteLength} bytes`, { tensor: t.name, rule: 'tensor byte length' });
    const whole = parts.reduce((a, m) => combineMoments(a, m), emptyMoments());
    const entry: TensorStatsEntry = { name: t.name, dtype: t.dtype, shape: [...t.shape], file: t.file, stats: finalizeStats(whole, numel) };
    if (S > 1) entry.slices = parts.map((m) => finalizeStats(m, numel / S));
    return entry;
  }

  // The same per-chunk step as checkpointStats.ts, on staged bytes.
  private reduceChunk(t: StreamedTensor, bytes: Uint8Array, count: number, acc: Moments): Promise<void> {
    return reduceChunkInto(this.kernel, this.reducer, t.dtype, bytes, count, acc, { tensor: t.name });
  }
}
