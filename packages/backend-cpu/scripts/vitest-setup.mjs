// vitest global setup: compile src/wasm/*.wat first, so that tests importing src find the
// generated module even in a clone that was never built.
import { buildWasm } from './build-wasm.mjs';

export default async function setup() {
  await buildWasm();
}
