// Reverse-mode autodiff over the ONNX graph builder: the tape, the primitive ops (each with its VJP beside it),
// composites built from primitives, and the backward walker.
export * from './tape';
export * from './ops/elementwise';
export * from './ops/reduce';
export * from './ops/movement';
export * from './ops/linalg';
export { zeros, reduceTo, shapeTensor } from './ops/shapes';
export * from './composite';
export { grad } from './backward';
