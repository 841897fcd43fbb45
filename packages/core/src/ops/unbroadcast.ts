import type { Shape } from '../backend';
import { sameShape, unbroadcastAxes } from '../shape';
import type { Tensor } from '../tensor';

/**
 * Sum a gradient that was broadcast from `shape` back down to `shape`: over the leading dims
 * broadcasting added, and over dims that were 1. The identity when nothing was broadcast.
 */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const axes = unbroadcastAxes(g.shape, shape);
  const summed = axes.length > 0 ? g.sum(axes) : g;
  return summed.reshape(shape as number[]);
}
