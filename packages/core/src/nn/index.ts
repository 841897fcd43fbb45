/**
 * Neural-network layers, as `torch.nn`: {@link Module}, the layers, the losses, and `utils` for
 * gradient clipping. Parameters are tensors marked with {@link Parameter}.
 *
 * @example
 * ```ts
 * import { nn } from '@tensorgrad/core';
 * const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
 * ```
 */
export { Module, type LoadStateDictOptions, type LoadStateDictResult } from './module';
export { Parameter, Buffer, isParameter, isBuffer } from './parameter';
export { Linear, type LinearOptions } from './linear';
export { Sequential, ModuleList, ModuleDict } from './container';
export { ReLU, Tanh, Sigmoid, GELU, SiLU, Softmax, LeakyReLU, type InplaceOptions, type LeakyReLUOptions } from './activation';
export {
  Flatten,
  Dropout,
  Embedding,
  LayerNorm,
  Conv2d,
  MaxPool2d,
  Conv1d,
  AvgPool2d,
  AdaptiveAvgPool2d,
  Identity,
  type Conv1dOptions,
  type AvgPool2dOptions,
  type LayerNormOptions,
  type Conv2dOptions,
  type DropoutOptions,
  type EmbeddingOptions,
  type MaxPool2dOptions,
} from './layers';
export {
  MSELoss,
  L1Loss,
  HuberLoss,
  CrossEntropyLoss,
  NLLLoss,
  BCEWithLogitsLoss,
  type CrossEntropyLossOptions,
  type BCEWithLogitsLossOptions,
} from './loss';
export { BatchNorm1d, BatchNorm2d, GroupNorm, RMSNorm, type BatchNormOptions, type GroupNormOptions, type RMSNormOptions } from './normalization';
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RNNOptions, type LSTMOptions, type RNNCellOptions } from './recurrent';
export * as utils from './utils';
export { MultiheadAttention, TransformerEncoderLayer, TransformerEncoder, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions, type TransformerEncoderLayerOptions, type TransformerEncoderForwardOptions, type TransformerEncoderOptions } from './transformer';
export * as init from './init';
