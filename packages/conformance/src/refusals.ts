/**
 * Inputs refused before anything runs, on the backend under test: the error names the op and
 * the value, and the backend's counts are exactly as before (no phantom tensor, no NaN bytes).
 */
import { type Backend, ones, tensor, zeros } from '@tensorgrad/core';

function expectThrow(what: string, fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    if (!message.test(m)) throw new Error(`${what}: threw "${m}", expected ${String(message)}`);
    return;
  }
  throw new Error(`${what}: did not throw`);
}

/** float64, a too-large shape and a rank over 64 are refused with the backend's memory unchanged. */
export async function refusedLeaveNothing(backend: Backend): Promise<void> {
  const before = backend.memory();
  expectThrow("tensor([1, 2], { dtype: 'float64' })", () => tensor([1, 2], { dtype: 'float64' as never }), /tensor: dtype "float64" is not supported/);
  expectThrow('zeros([1e6, 1e6])', () => zeros([1e6, 1e6]), /full: shape \[1000000,1000000\] is too large: 1000000000000 elements/);
  expectThrow('zeros of rank 65', () => zeros(Array.from({ length: 65 }, () => 1)), /at most 64 dimensions, got 65/);
  const after = backend.memory();
  if (after.tensors !== before.tensors || after.bytes !== before.bytes) {
    throw new Error(`refused inputs changed memory() on '${backend.name}': ${JSON.stringify(before)} before, ${JSON.stringify(after)} after`);
  }
  // and the backend still works, its counts finite
  const t = ones([3]).mul(2);
  const v = Array.from(await t.data());
  t.dispose();
  if (v.join() !== '2,2,2') throw new Error(`after refusals: ones([3]).mul(2) gave ${v.join()}`);
  if (!Number.isFinite(backend.memory().bytes)) throw new Error(`memory().bytes is ${backend.memory().bytes} on '${backend.name}'`);
}
