// Reproducible randomness: Philox4x32-10 and the Gaussian noise built on it (see docs/noise.md).
export { philox4x32 } from './philox';
export { addNormal, makeStream, normalBlock, normals, philoxWords, streamId, streamIdHex, uniformWord } from './normal';
export type { NoiseStream } from './normal';
