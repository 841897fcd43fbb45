/**
 * The fused LSTM cell: the gate arithmetic of one time step (`torch.nn.LSTMCell` after its two
 * matrix products) and its gradient, one pass over each row instead of a dozen tensor ops.
 * Rows are independent, so any split of `[0, rows)` into ranges gives the result of one call.
 * The sigmoids and tanhs are the unary kernels', run over the range at once in the outputs
 * themselves (WebAssembly SIMD where the engine has it): the cell equals its composition from
 * those ops, and the activations no longer dominate it (`Math.exp` and `Math.tanh` per element
 * took 424 µs a call at [97, 204], a time-series LSTM's cell).
 */
import { binaryPlan, binaryRange } from './binary';
import { unaryRange } from './unary';

/**
 * Checks the shapes of an lstmCell call and returns the hidden size `h`: the gates `[n, 4h]`
 * (both of one shape), `c` `[n, h]`, each bias `[4h]` or null; throws naming `op` and the shapes otherwise.
 *
 * @example
 * ```ts
 * lstmCellHidden('lstmCell', [3, 80], [3, 80], [3, 20], [80], null); // 20
 * ```
 */
export function lstmCellHidden(
  op: string,
  inputGates: readonly number[],
  hiddenGates: readonly number[],
  c: readonly number[],
  inputBias: readonly number[] | null,
  hiddenBias: readonly number[] | null,
): number {
  const biasOk = (b: readonly number[] | null) => b === null || (b.length === 1 && b[0] === inputGates[1]);
  const sameGates = hiddenGates.length === 2 && hiddenGates[0] === inputGates[0] && hiddenGates[1] === inputGates[1];
  if (inputGates.length !== 2 || c.length !== 2 || inputGates[0] !== c[0] || inputGates[1] !== 4 * c[1]! || !sameGates || !biasOk(inputBias) || !biasOk(hiddenBias)) {
    const f = (s: readonly number[] | null) => (s === null ? 'null' : `[${s.join(',')}]`);
    throw new Error(`${op}: expected gates [n, 4·h] (both), a cell state [n, h] and biases [4·h] or null, got gates ${f(inputGates)} and ${f(hiddenGates)}, c ${f(c)}, biases ${f(inputBias)} and ${f(hiddenBias)}`);
  }
  return c[1]!;
}

/**
 * Checks that `cNext` and the output gradients of an lstmCellBackward call (`dh`, `dc`: shapes,
 * or null) have the cell state's `n` elements; throws naming the shapes otherwise.
 *
 * @example
 * ```ts
 * lstmCellBackwardCheck(60, 60, { shape: [3, 20] }, null); // passes
 * ```
 */
export function lstmCellBackwardCheck(n: number, nNext: number, dh: { readonly shape: readonly number[] } | null, dc: { readonly shape: readonly number[] } | null): void {
  const size = (t: { readonly shape: readonly number[] }) => t.shape.reduce((a, b) => a * b, 1);
  if (nNext !== n || (dh !== null && size(dh) !== n) || (dc !== null && size(dc) !== n)) {
    const f = (t: { readonly shape: readonly number[] } | null) => (t === null ? 'null' : `[${t.shape.join(',')}]`);
    throw new Error(`lstmCellBackward: cNext, dh and dc need the cell state's ${n} elements, got cNext of ${nNext}, dh ${f(dh)}, dc ${f(dc)}`);
  }
}

/**
 * Rows `[start, end)` of one LSTM step: with the gate pre-activations
 * `xg + hg + xb + hb` (`xg`, `hg` `[rows, 4·hidden]` in PyTorch's order i, f, g, o; the biases
 * `[4·hidden]` or null) and the cell state `c` (`[rows, hidden]`), writes
 * `outC = σ(f)·c + σ(i)·tanh(g)`, `outH = σ(o)·tanh(outC)`, and the activated gates
 * `outAct = [σ(i), σ(f), tanh(g), σ(o)]` (`[rows, 4·hidden]`) that the backward reads.
 *
 * @example
 * ```ts
 * const outH = new Float32Array(1), outC = new Float32Array(1), act = new Float32Array(4);
 * lstmCellRange(new Float32Array([0, 0, 1, 0]), new Float32Array(4), null, null, new Float32Array([2]), outH, outC, act, 1, 0, 1);
 * // outC = 0.5·2 + 0.5·tanh(1) ≈ 1.381, outH = 0.5·tanh(1.381) ≈ 0.440, act ≈ [0.5, 0.5, 0.762, 0.5]
 * ```
 */
export function lstmCellRange(
  xg: Float32Array,
  hg: Float32Array,
  xb: Float32Array | null,
  hb: Float32Array | null,
  c: Float32Array,
  outH: Float32Array,
  outC: Float32Array,
  outAct: Float32Array,
  hidden: number,
  start: number,
  end: number,
): void {
  const width = 4 * hidden;
  const s0 = start * hidden;
  const s1 = end * hidden;
  // the summed pre-activations, by the binary add kernel as the composed adds sum them
  const rows = outAct.length / width || 0; // 0 for no hidden units (0 / 0)
  binaryRange('add', xg, hg, outAct, binaryPlan([rows, width], [rows, width], [rows, width]), start * width, end * width);
  for (const b of [xb, hb]) if (b !== null) binaryRange('add', outAct, b, outAct, binaryPlan([rows, width], [width], [rows, width]), start * width, end * width);
  for (let r = start; r < end; r++) outC.set(outAct.subarray(r * width + 2 * hidden, r * width + 3 * hidden), r * hidden); // g, for its tanh
  // σ over all the gates (g's is overwritten below), tanh over g in outC
  unaryRange('sigmoid', outAct, outAct, start * width, end * width);
  unaryRange('tanh', outC, outC, s0, s1);
  for (let r = start; r < end; r++) {
    const g0 = r * width;
    for (let j = 0, s = r * hidden; j < hidden; j++, s++) {
      const g = (outAct[g0 + 2 * hidden + j] = outC[s]!);
      // from the stored (float32) activations, so that the backward sees what the forward used;
      // c' into outH too, for its tanh
      outH[s] = outC[s] = outAct[g0 + hidden + j]! * c[s]! + outAct[g0 + j]! * g;
    }
  }
  unaryRange('tanh', outH, outH, s0, s1);
  for (let r = start; r < end; r++) for (let j = 0, o = r * width + 3 * hidden; j < hidden; j++) outH[r * hidden + j] *= outAct[o + j]!;
}

/**
 * Rows `[start, end)` of the gradient of {@link lstmCellRange} from its activated gates `act`,
 * its input `c` and its output `cNext`: given `dh` and `dc`, the gradients of `h'` and `c'` (null:
 * zero), writes `outGates` (`[rows, 4·hidden]`) and `outC` (`[rows, hidden]`), the gradients of
 * the gate pre-activations and of `c`.
 *
 * @example
 * ```ts
 * const dG = new Float32Array(4), dC = new Float32Array(1);
 * const act = new Float32Array([0.5, 0.5, Math.tanh(1), 0.5]);
 * lstmCellBackwardRange(act, new Float32Array([2]), new Float32Array([1 + 0.5 * Math.tanh(1)]), null, new Float32Array([1]), dG, dC, 1, 0, 1);
 * // dC = σ(f) = 0.5; dG = [tanh(1)·0.25, 2·0.25, 0.5·(1 − tanh²(1)), 0]
 * ```
 */
export function lstmCellBackwardRange(
  act: Float32Array,
  c: Float32Array,
  cNext: Float32Array,
  dh: Float32Array | null,
  dc: Float32Array | null,
  outGates: Float32Array,
  outC: Float32Array,
  hidden: number,
  start: number,
  end: number,
): void {
  // tanh(c') as the forward took it, in outC until each element's gradient replaces it
  if (dh !== null) unaryRange('tanh', cNext, outC, start * hidden, end * hidden);
  for (let r = start; r < end; r++) {
    const g0 = r * 4 * hidden;
    const s0 = r * hidden;
    for (let j = 0; j < hidden; j++) {
      const gi = g0 + j;
      const gf = gi + hidden;
      const gg = gf + hidden;
      const go = gg + hidden;
      const i = act[gi]!;
      const f = act[gf]!;
      const g = act[gg]!;
      const o = act[go]!;
      let dcTotal = dc === null ? 0 : dc[s0 + j]!;
      let dO = 0;
      if (dh !== null) {
        const tc = outC[s0 + j]!;
        const dhj = dh[s0 + j]!;
        dcTotal += dhj * o * (1 - tc * tc);
        dO = dhj * tc * o * (1 - o);
      }
      outGates[gi] = dcTotal * g * i * (1 - i);
      outGates[gf] = dcTotal * c[s0 + j]! * f * (1 - f);
      outGates[gg] = dcTotal * i * (1 - g * g);
      outGates[go] = dO;
      outC[s0 + j] = dcTotal * f;
    }
  }
}
