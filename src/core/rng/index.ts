// Reproducible randomness: Philox4x32-10 and the Gaussian noise built on it (see docs/noise.md); whole blocks of
// noise run in a WebAssembly SIMD kernel (noiseKernel.ts, assembled by wasmAsm.ts) with the same bytes.
export { philox4x32 } from './philox';
export { noiseHelpersReady } from './noiseKernel';
export {
  addNormal, addNormalJs, makeStream, normalBlock, normalFromWord, normals, philoxWords, setNoiseThreads, streamId, streamIdHex, uniformWord,
} from './normal';
export type { NoiseStream } from './normal';
