/**
 * Optimizers and learning-rate schedules, as `torch.optim`. Update rules are PyTorch 1.13's, step for step.
 *
 * @example
 * ```ts
 * import { optim } from '@tensorgrad/core';
 * const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 10, gamma: 0.5 });
 * ```
 */
export {
  Optimizer,
  type BaseOptions,
  type ParamGroup,
  type ParamGroupInput,
  type Params,
  type ParamState,
  type ParamUpdate,
  type OptimizerStateDict,
} from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, AdamW, type AdamOptions, type AdamResolvedOptions } from './adam';
export { RMSprop, type RMSpropOptions, type RMSpropResolvedOptions } from './rmsprop';
export { Adagrad, type AdagradOptions, type AdagradResolvedOptions } from './adagrad';
export { Adadelta, type AdadeltaOptions, type AdadeltaResolvedOptions } from './adadelta';
export * as lrScheduler from './lr-scheduler';
