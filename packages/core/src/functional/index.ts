/**
 * `functional`: stateless neural-network functions built from ops, as `torch.nn.functional`.
 *
 * @example
 * ```ts
 * import { functional as F } from '@tensorgrad/core';
 * const loss = F.crossEntropy(F.linear(x, w, b), labels);
 * ```
 */
export { relu, leakyRelu, gelu, silu, softplus, sigmoid, tanh, type GeluOptions, type SoftplusOptions } from './activation';
export { softmax, logSoftmax } from './softmax';
export { linear } from './linear';
export { layerNorm } from './normalization';
export { embedding } from './embedding';
export { dropout } from './dropout';
export { conv2d, type Conv2dOptions } from './conv';
export { maxPool2d, avgPool2d } from './pooling';
export { type Reduction, type LossOptions } from './reduction';
export { mseLoss, l1Loss, huberLoss, type HuberLossOptions } from './regressionLoss';
export {
  crossEntropy,
  nllLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type NllLossOptions,
  type CrossEntropyOptions,
  type BinaryCrossEntropyWithLogitsOptions,
} from './classificationLoss';
