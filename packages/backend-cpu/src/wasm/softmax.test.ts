import { describe, expect, it } from 'vitest';
import { attentionSoftmaxRange, softmaxBackwardRange } from '../kernels/softmax';
import { expectSoftmaxKernels } from '../testing';
import { wasmSoftmax } from './elementwise';

describe('attention softmax and softmax gradient on WebAssembly SIMD', () => {
  it('runs on the WebAssembly kernel here', () => {
    expect(wasmSoftmax(new Float32Array(4), new Float32Array(4), 4, 1, false, 1, 0, 1)).toBe(true);
  });
  it('matches a float64 reference on every width, causal or not, and on NaN and ±∞', () => {
    expectSoftmaxKernels(attentionSoftmaxRange, softmaxBackwardRange);
  });
});
