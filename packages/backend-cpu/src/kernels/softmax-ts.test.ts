import { describe, expect, it, vi } from 'vitest';
import { expectSoftmaxKernels } from '../testing';
import { attentionSoftmaxRange, softmaxBackwardRange } from './softmax';
import { wasmSoftmax } from '../wasm/elementwise';

// as where WebAssembly SIMD is missing: the TypeScript loops run
vi.mock('../wasm/elementwise', async (original) => ({ ...(await original<object>()), wasmSoftmax: () => false, wasmSoftmaxBackward: () => false }));

describe('attention softmax and softmax gradient in TypeScript (no WebAssembly SIMD)', () => {
  it('matches a float64 reference on every width, causal or not, and on NaN and ±∞', () => {
    expect(wasmSoftmax(new Float32Array(4), new Float32Array(4), 4, 1, false, 1, 0, 1)).toBe(false);
    expectSoftmaxKernels(attentionSoftmaxRange, softmaxBackwardRange);
  });
});
