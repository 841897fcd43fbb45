import { describe, expect, it, vi } from 'vitest';
import { expectLstmKernels } from '../testing';
import { wasmActivation } from '../wasm/elementwise';
import { lstmCellBackwardRange, lstmCellRange } from './lstm';

// as where WebAssembly SIMD is missing: the TypeScript loops run
vi.mock('../wasm/elementwise', async (original) => ({ ...(await original<object>()), wasmActivation: () => false, wasmBinary: () => false }));

describe('the fused LSTM cell in TypeScript (no WebAssembly SIMD)', () => {
  it('follows torch.nn.LSTMCell (biases or none, any split of the rows)', () => {
    expect(wasmActivation('tanh', new Float32Array(1), new Float32Array(1), 0, 1)).toBe(false);
    expectLstmKernels(lstmCellRange, lstmCellBackwardRange);
  });
});
