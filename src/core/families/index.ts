// Public API of the family tables: detection, classification, config readers, name builders.
export type { DenseLayerRule, ExpertLayout, FamilyId, FamilyTable, MatrixKind, MoeSpec, MtpSpec, TensorClass, TensorRole } from './types';
export { FAMILIES, familyForArchitecture, familyForModelType, getFamily } from './registry';
export { detectFamily, type Detection, type TensorNames } from './detect';
export { classifyTensor, classifyTensors, COMPANION_SUFFIXES, TENSOR_ROLES, type TensorClasses } from './classify';
export { moeLayerIndices, readHiddenSize, readInt, readMoeConfig, readNumLayers, readTied, type Config, type MoeConfig } from './config';
export { checkConsistency, type CheckedShape } from './consistency';
export {
  attnOutProjTensorNames, denseMlpTensorName, expertMatrices, expertTensorName, fusedExpertTensorName, globalTensorName, layerPrefix,
  layerTensorName, renameTensor, routerBiasTensorNames, routerTensorName, sharedExpertGateTensorName, sharedExpertTensorName, splitLayerName,
} from './names';
export { fusedHf5Variant } from './hf5Fused';
export { genericTable } from './generic';
export { validateFamilyTable } from './validate';
export { expectedTensors, type ExpectedTensor } from './shapes';
