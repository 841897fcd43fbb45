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
export { layerNorm, rmsNorm, groupNorm, batchNorm, normalize, type BatchNormOptions, type NormalizeOptions } from './normalization';
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from './attention';
export { pad, type PadOptions } from './pad';
export { embedding, oneHot } from './embedding';
export { dropout } from './dropout';
export { conv1d, conv2d, type Conv1dOptions, type Conv2dOptions } from './conv';
export { maxPool2d, avgPool2d, adaptiveAvgPool2d } from './pooling';
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
