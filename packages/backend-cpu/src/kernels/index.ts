/**
 * Range kernels: plain functions over typed arrays that write output elements `[start, end)`
 * into a caller-given array. A thread pool can split any of them by range over shared memory and
 * call the very same functions; each documents what its range counts.
 */
export type { ElementArray } from './types';
export { broadcastPlan, broadcastStrides, collapseDims, contiguousStrides, planOffset, sizeOf, type StridedPlan } from './strides';
export { unaryOutDType, unaryRange } from './unary';
export { binaryOutDType, binaryPlan, binaryRange } from './binary';
export { wherePlan, whereRange } from './where';
export { reduceOutDType, reducePlan, reduceRange, type ReducePlan } from './reduce';
export { gemm } from './gemm';
export { matmulColumnsFit, matmulColumnsRange, matmulPlan, matmulPrepack, matmulPrepackedRange, matmulRange, type MatmulPlan } from './matmul';
export { concatPlan, concatRange, expandPlan, padPlan, padRange, permutePlan, slicePlan, stridedCopyRange, type ConcatPlan, type PadPlan } from './layout';
export { gatherPlan, gatherRange, scatterAddRange, scatterLines, type GatherPlan } from './gather';
export { castRange } from './cast';
export { fillRange } from './fill';
export { normalRange, uniformRange } from './random';
export { attentionSoftmaxRange, attentionSoftmaxShape, crossEntropyBackwardRange, crossEntropyRange, crossEntropyShape, logSoftmaxRange, softmaxBackwardRange, softmaxRange } from './softmax';
export { conv2dBackwardInputRange, conv2dBackwardWeightRange, conv2dOutShape, conv2dPlan, conv2dRange, type Conv2dPlan } from './conv';
export { erf } from './erf';
export { maxPool2dIndicesRange, maxPool2dRange, pool2dPlan, type Pool2dPlan } from './pool';
export { adamStepRange, sgdStepRange } from './optim';
export { activationBackwardRange, activationOp, geluBackwardRange, geluRange, geluTanh, layerNormBackwardRange, layerNormBackwardRows, layerNormParamGradRange, layerNormRange, layerNormRows, sameSizes } from './activation';
export { lstmCellBackwardCheck, lstmCellBackwardRange, lstmCellHidden, lstmCellRange } from './lstm';
export { cumsumRange, linePlan, sortRange, type LinePlan } from './scan';
