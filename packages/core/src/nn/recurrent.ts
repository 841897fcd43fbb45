/**
 * Recurrent layers, as `torch.nn.RNN`, `LSTM`, `GRU` and their cells: PyTorch's gate order
 * (LSTM i, f, g, o; GRU r, z, n), initialisation (U(±1/√hidden) for every weight and bias) and
 * state-dict keys (`weight_ih_l0`, `bias_hh_l1_reverse`, ...). The input projection of a whole
 * sequence is one matmul per layer and direction; each time step then adds one `h · W_hhᵀ`.
 */
import * as F from '../functional/index';
import { isGradEnabled } from '../autograd';
import { zeros } from '../creation';
import { launchMany, needsGrad, record, releaseOwned } from '../op';
import { cat, combineBlocks, padBack, stack } from '../ops/shape';
import { fmt } from '../shape';
import { Tensor } from '../tensor';
import { checkBool, checkChoice, checkInt, checkNumber, describe, positionalOptions } from '../validate';
import { uniform } from './init';
import { checkSize } from './linear';
import { Module } from './module';

type Kind = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
const GATES: Record<Kind, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

interface CellWeights {
  wih: Tensor;
  whh: Tensor;
  bih: Tensor | null;
  bhh: Tensor | null;
}

// one time step from the input projection `xw` (x·W_ihᵀ, plus b_ih unless `xBias` is given:
// the cells pass it, so that the fused LSTM cell adds it) and the state
function step(kind: Kind, xw: Tensor, h: Tensor, c: Tensor | null, w: CellWeights, xBias: Tensor | null = null): [Tensor, Tensor | null] {
  if (kind === 'LSTM') return lstmGates(xw, F.linear(h, w.whh), c!, xBias, w.bhh);
  if (xBias) xw = xw.add(xBias);
  let hw = F.linear(h, w.whh);
  if (w.bhh) hw = hw.add(w.bhh);
  if (kind === 'GRU') {
    const [xr, xz, xn] = xw.chunk(3, -1) as [Tensor, Tensor, Tensor];
    const [hr, hz, hn] = hw.chunk(3, -1) as [Tensor, Tensor, Tensor];
    const r = xr.add(hr).sigmoid();
    const z = xz.add(hz).sigmoid();
    const n = xn.add(r.mul(hn)).tanh();
    return [n.add(z.mul(h.sub(n))), null]; // (1 − z)·n + z·h
  }
  const pre = xw.add(hw);
  return [kind === 'RNN_RELU' ? pre.relu() : pre.tanh(), null];
}

// the gate arithmetic of an LSTM step, composed of tensor ops (differentiable to any order)
function composedLstm(pre: Tensor, c: Tensor): [Tensor, Tensor] {
  const [i, f, g, o] = pre.chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  const cNext = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
  return [o.sigmoid().mul(cNext.tanh()), cNext];
}

// the gradient of an LSTM step as tensor ops on pre and c, for a backward that is itself recorded
function recordedLstmBackward(pre: Tensor, c: Tensor, dh: Tensor | null, dc: Tensor | null): Tensor[] {
  const [pi, pf, pg, po] = pre.chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  const [i, f, g, o] = [pi.sigmoid(), pf.sigmoid(), pg.tanh(), po.sigmoid()];
  const tc = f.mul(c).add(i.mul(g)).tanh();
  const oneMinusSq = (t: Tensor) => t.mul(t).neg().add(1);
  const sigmoidSlope = (t: Tensor) => t.mul(t.neg().add(1));
  const fromH = dh ? dh.mul(o).mul(oneMinusSq(tc)) : null;
  const dcTotal = fromH && dc ? dc.add(fromH) : (fromH ?? dc!);
  const dGates = cat(
    [dcTotal.mul(g).mul(sigmoidSlope(i)), dcTotal.mul(c).mul(sigmoidSlope(f)), dcTotal.mul(i).mul(oneMinusSq(g)), dh ? dh.mul(tc).mul(sigmoidSlope(o)) : dcTotal.mul(0)],
    -1,
  );
  return [dGates, dcTotal.mul(f)];
}

/**
 * `[h', c']` of an LSTM step from the gate pre-activations `xg + hg + xb + hb` (`[n, 4h]`, i f g o;
 * biases `[4h]` or null) and the cell state `c` (`[n, h]`): the backend's fused `lstmCell` kernel
 * where it has one, one pass instead of a dozen ops each way. h' and c' are each recorded as a
 * function of the five inputs, so the graph sums what flows back from both; the backward is the
 * fused `lstmCellBackward`, or, while a backward is itself recorded (`createGraph`), the composed formula.
 * @internal Exported for the tests.
 */
export function lstmGates(xg: Tensor, hg: Tensor, c: Tensor, xb: Tensor | null, hb: Tensor | null): [Tensor, Tensor] {
  const b = xg._backend();
  if (!b.kernels.lstmCell || !b.kernels.lstmCellBackward || xg.ndim !== 2 || xg.numel() === 0) {
    let pre = xg.add(hg);
    if (xb) pre = pre.add(xb);
    if (hb) pre = pre.add(hb);
    return composedLstm(pre, c);
  }
  const [h, cNext, act] = launchMany('lstmCell', b, c.shape, 'float32', (k) => k.lstmCell!(xg._info(), hg._info(), c._info(), xb?._info() ?? null, hb?._info() ?? null), [c.shape, c.shape, xg.shape], 2) as [
    Tensor,
    Tensor,
    Tensor,
  ];
  const inputs = [xg, hg, c, ...(xb ? [xb] : []), ...(hb ? [hb] : [])];
  const backward = (dh: Tensor | null, dc: Tensor | null): (Tensor | null)[] => {
    let dGates: Tensor;
    let dC: Tensor;
    if (isGradEnabled()) {
      // createGraph: the composed formula, so that higher orders work
      let pre = xg.add(hg);
      if (xb) pre = pre.add(xb);
      if (hb) pre = pre.add(hb);
      [dGates, dC] = recordedLstmBackward(pre, c, dh, dc) as [Tensor, Tensor];
    } else {
      [dGates, dC] = launchMany('lstmCellBackward', b, xg.shape, 'float32', (k) => k.lstmCellBackward!(act._info(), c._info(), cNext._info(), dh?._info() ?? null, dc?._info() ?? null), [xg.shape, c.shape]) as [Tensor, Tensor];
    }
    // both biases add to every row of the gates: one column sum is the gradient of each
    const biases = [xb, hb].filter((t): t is Tensor => t !== null);
    const dBias = biases.some((t) => t.requiresGrad) ? dGates.sum(0) : null;
    const biasGrads = biases.map((t) => (t.requiresGrad ? dBias : null));
    return [dGates, dGates, dC, ...biasGrads];
  };
  if (!needsGrad(inputs)) {
    releaseOwned(null); // the gates' activations (no backward will read them)
    return [h, cNext];
  }
  // h' and c' recorded as the two halves of one placeholder [n, 2h], through the blocks mechanism
  // narrow uses: the engine gathers both gradients into the placeholder's, so one backward (one
  // lstmCellBackward, one bias sum) serves both instead of one each, and no gradient is added twice
  const [n, hidden] = c.shape as [number, number];
  const pair = xg._constant(0, [n, 2 * hidden]);
  record('lstmCell', pair, inputs, (g) => backward(g.narrow(1, 0, hidden), g.narrow(1, hidden, hidden)));
  // the backward reads c': changing c' in place afterwards must throw, as for a saved output
  if (pair._node) Object.assign(pair._node, { output: cNext, outVersion: cNext._version });
  for (const [t, begin] of [[h, [0, 0]], [cNext, [0, hidden]]] as const) {
    const size = [n, hidden];
    record('narrow', t, [pair], (g) => [padBack(pair, g, begin, size)]);
    if (t._node) t._node.slice = { begin, size, combine: combineBlocks };
  }
  return [h, cNext];
}

function project(x: Tensor, w: CellWeights, withBias = true): Tensor {
  const xw = F.linear(x, w.wih);
  return w.bih && withBias ? xw.add(w.bih) : xw;
}

/** Options of {@link RNN}, {@link LSTM} and {@link GRU}, PyTorch's arguments after the two sizes. */
export interface RNNOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** `RNN` only: `'tanh'` or `'relu'` (default `'tanh'`). */
  nonlinearity?: 'tanh' | 'relu';
  /** Learn `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
  /** Input and output are `[batch, seq, feature]` instead of `[seq, batch, feature]` (default false). */
  batchFirst?: boolean;
  /** Dropout on each layer's output except the last, in training mode (default 0). */
  dropout?: number;
  /** Run a second direction backwards and concatenate (default false). */
  bidirectional?: boolean;
}

abstract class RNNBase extends Module {
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Stacked layers. */
  readonly numLayers: number;
  /** Whether the parameters include biases. */
  readonly bias: boolean;
  /** `[batch, seq, feature]` input and output. */
  readonly batchFirst: boolean;
  /** Dropout between layers (training mode). */
  readonly dropout: number;
  /** Two directions. */
  readonly bidirectional: boolean;

  protected constructor(private readonly kind: Kind, private readonly layerName: string, inputSize: number, hiddenSize: number, o: Record<string, unknown>) {
    super();
    checkSize(layerName, 'inputSize', inputSize);
    checkSize(layerName, 'hiddenSize', hiddenSize);
    if (hiddenSize < 1) throw new Error(`${layerName}: hiddenSize must be positive, got ${hiddenSize}`);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = checkInt(layerName, 'numLayers', o.numLayers ?? 1, 1);
    this.bias = checkBool(layerName, 'bias', o.bias ?? true);
    this.batchFirst = checkBool(layerName, 'batchFirst', o.batchFirst ?? false);
    this.dropout = checkNumber(layerName, 'dropout', o.dropout ?? 0);
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new Error(`${layerName}: dropout should be a number in [0, 1], got ${this.dropout}`);
    this.bidirectional = checkBool(layerName, 'bidirectional', o.bidirectional ?? false);
    const gates = GATES[kind] * hiddenSize;
    const k = 1 / Math.sqrt(hiddenSize);
    const dirs = this.bidirectional ? 2 : 1;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const inSize = l === 0 ? inputSize : hiddenSize * dirs;
        this.registerParameter(`weight_ih${sfx}`, uniform([gates, inSize], k));
        this.registerParameter(`weight_hh${sfx}`, uniform([gates, hiddenSize], k));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, uniform([gates], k));
          this.registerParameter(`bias_hh${sfx}`, uniform([gates], k));
        }
      }
    }
  }

  private weights(l: number, d: number): CellWeights {
    const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
    const self = this as unknown as Record<string, Tensor | undefined>;
    return { wih: self[`weight_ih${sfx}`]!, whh: self[`weight_hh${sfx}`]!, bih: self[`bias_ih${sfx}`] ?? null, bhh: self[`bias_hh${sfx}`] ?? null };
  }

  /** Runs the layers; `state` is `[h0, c0]` (c0 null except for LSTM), each `[layers·dirs, N, H]` or null. */
  protected run(input: Tensor, h0: Tensor | null, c0: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const op = `${this.layerName}.forward`;
    if (!(input instanceof Tensor)) throw new Error(`${op}: input must be a Tensor, got ${describe(input)}`);
    if (input.ndim !== 2 && input.ndim !== 3) throw new Error(`${op}: expected input of 2 (unbatched) or 3 dims, got shape ${fmt(input.shape)}`);
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new Error(`${op}: input.size(-1) must be equal to inputSize. Expected ${this.inputSize}, got ${input.shape[input.ndim - 1]} (input of shape ${fmt(input.shape)})`);
    }
    const batched = input.ndim === 3;
    let x = batched ? (this.batchFirst ? input.transpose(0, 1) : input) : input.unsqueeze(1); // [L, N, In]
    const [seq, n] = x.shape as [number, number];
    const dirs = this.bidirectional ? 2 : 1;
    const stateShape = [this.numLayers * dirs, n, this.hiddenSize];
    const checkState = (name: string, t: Tensor | null): Tensor => {
      if (t === null) return zeros(stateShape);
      if (!(t instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${describe(t)}`);
      const s = batched ? t : t.ndim === 2 ? t.unsqueeze(1) : t;
      if (s.ndim !== 3 || s.shape.some((d, i) => d !== stateShape[i])) {
        const want = batched ? stateShape : [stateShape[0], stateShape[2]];
        throw new Error(`${op}: expected ${name} of shape ${fmt(want as number[])}, got ${fmt(t.shape)}`);
      }
      return s;
    };
    const h = checkState('hx', h0);
    const c = this.kind === 'LSTM' ? checkState('cx', c0) : null;
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const w = this.weights(l, d);
        const xw = project(x, w); // [L, N, G]: the whole sequence at once
        const idx = l * dirs + d;
        let hs = h.index(idx);
        let cs = c ? c.index(idx) : null;
        const steps: Tensor[] = new Array(seq);
        for (let s = 0; s < seq; s++) {
          const t = d === 0 ? s : seq - 1 - s;
          [hs, cs] = step(this.kind, xw.index(t), hs, cs, w);
          steps[t] = hs;
        }
        outs.push(stack(steps, 0));
        hN.push(hs);
        if (cs) cN.push(cs);
      }
      x = dirs === 1 ? outs[0]! : cat(outs, 2);
      if (this.dropout > 0 && this.training && l < this.numLayers - 1) x = F.dropout(x, this.dropout, true);
    }
    let out = x;
    let hOut = stack(hN, 0);
    let cOut = c ? stack(cN, 0) : null;
    if (!batched) {
      out = out.squeeze(1);
      hOut = hOut.squeeze(1);
      cOut = cOut ? cOut.squeeze(1) : null;
    } else if (this.batchFirst) out = out.transpose(0, 1);
    return [out, hOut, cOut];
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.numLayers !== 1 ? `, numLayers=${this.numLayers}` : ''}${this.bias ? '' : ', bias=false'}${this.batchFirst ? ', batchFirst=true' : ''}${this.dropout ? `, dropout=${this.dropout}` : ''}${this.bidirectional ? ', bidirectional=true' : ''}`;
  }
}

/**
 * An Elman RNN, `h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)` (or relu), as `torch.nn.RNN`.
 * `forward(input, h0?)` returns `[output, hN]`: input `[L, N, inputSize]` (`[N, L, ...]` with
 * `batchFirst`, `[L, inputSize]` unbatched), output `[L, N, dirs·hiddenSize]`, hN `[numLayers·dirs, N, hiddenSize]`.
 *
 * @example
 * ```ts
 * const rnn = new nn.RNN(10, 20, { numLayers: 2 });
 * const [out, h] = rnn.forward(randn([5, 3, 10])); // [5, 3, 20], [2, 3, 20]
 * ```
 */
export class RNN extends RNNBase {
  /** `'tanh'` or `'relu'`. */
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options?: RNNOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers: number, nonlinearity?: 'tanh' | 'relu', bias?: boolean, batchFirst?: boolean, dropout?: number, bidirectional?: boolean, options?: RNNOptions);
  constructor(inputSize: number, hiddenSize: number, ...rest: unknown[]) {
    const o = positionalOptions('RNN', rest, ['numLayers', 'nonlinearity', 'bias', 'batchFirst', 'dropout', 'bidirectional']);
    const nonlinearity = checkChoice('RNN', 'nonlinearity', o.nonlinearity ?? 'tanh', ['tanh', 'relu']);
    super(nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', 'RNN', inputSize, hiddenSize, o);
    this.nonlinearity = nonlinearity;
  }

  /** Run the sequence; returns `[output, hN]`. @example `const [out, h] = rnn.forward(x, h0)` */
  forward(input: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const [out, h] = this.run(input, h0, null);
    return [out, h];
  }
}

/** Options of {@link LSTM} and {@link GRU}: those of {@link RNN} but `nonlinearity`. */
export type LSTMOptions = Omit<RNNOptions, 'nonlinearity'>;

/**
 * A long short-term memory layer, as `torch.nn.LSTM` (gates i, f, g, o). `forward(input, [h0, c0]?)`
 * returns `[output, [hN, cN]]`, shapes as {@link RNN}.
 *
 * @example
 * ```ts
 * const lstm = new nn.LSTM(10, 20, { numLayers: 2, batchFirst: true });
 * const [out, [h, c]] = lstm.forward(randn([3, 5, 10])); // out [3, 5, 20]
 * ```
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options?: LSTMOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers: number, bias?: boolean, batchFirst?: boolean, dropout?: number, bidirectional?: boolean, options?: LSTMOptions);
  constructor(inputSize: number, hiddenSize: number, ...rest: unknown[]) {
    const o = positionalOptions('LSTM', rest, ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'projSize']);
    if ((o.projSize ?? 0) !== 0) throw new Error(`LSTM: projSize ${describe(o.projSize)} is not supported; only 0`);
    super('LSTM', 'LSTM', inputSize, hiddenSize, o);
  }

  /** Run the sequence; returns `[output, [hN, cN]]`. @example `const [out, [h, c]] = lstm.forward(x, [h0, c0])` */
  forward(input: Tensor, state: readonly [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    if (state !== null && (!Array.isArray(state) || state.length !== 2)) {
      throw new Error(`LSTM.forward: the initial state must be [h0, c0], got ${describe(state)}`);
    }
    const [out, h, c] = this.run(input, state ? state[0] : null, state ? state[1] : null);
    return [out, [h, c!]];
  }
}

/**
 * A gated recurrent unit layer, as `torch.nn.GRU` (gates r, z, n). `forward(input, h0?)` returns
 * `[output, hN]`, shapes as {@link RNN}.
 *
 * @example
 * ```ts
 * const gru = new nn.GRU(10, 20);
 * const [out, h] = gru.forward(randn([5, 3, 10]));
 * ```
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options?: LSTMOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers: number, bias?: boolean, batchFirst?: boolean, dropout?: number, bidirectional?: boolean, options?: LSTMOptions);
  constructor(inputSize: number, hiddenSize: number, ...rest: unknown[]) {
    super('GRU', 'GRU', inputSize, hiddenSize, positionalOptions('GRU', rest, ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional']));
  }

  /** Run the sequence; returns `[output, hN]`. @example `const [out, h] = gru.forward(x)` */
  forward(input: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const [out, h] = this.run(input, h0, null);
    return [out, h];
  }
}

/** Options of the cells. */
export interface RNNCellOptions {
  /** Learn `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
  /** `RNNCell` only: `'tanh'` or `'relu'` (default `'tanh'`). */
  nonlinearity?: 'tanh' | 'relu';
}

abstract class CellBase extends Module {
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** `[gates·H, inputSize]`. */
  weight_ih: Tensor;
  /** `[gates·H, H]`. */
  weight_hh: Tensor;
  /** `[gates·H]`, or null without bias. */
  bias_ih: Tensor | null;
  /** `[gates·H]`, or null without bias. */
  bias_hh: Tensor | null;

  protected constructor(private readonly kind: Kind, private readonly cellName: string, inputSize: number, hiddenSize: number, bias: boolean) {
    super();
    checkSize(cellName, 'inputSize', inputSize);
    checkSize(cellName, 'hiddenSize', hiddenSize);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const gates = GATES[kind] * hiddenSize;
    const k = 1 / Math.sqrt(hiddenSize);
    this.registerParameter('weight_ih', uniform([gates, inputSize], k));
    this.registerParameter('weight_hh', uniform([gates, hiddenSize], k));
    this.registerParameter('bias_ih', bias ? uniform([gates], k) : null);
    this.registerParameter('bias_hh', bias ? uniform([gates], k) : null);
    this.weight_ih = (this as unknown as { weight_ih: Tensor }).weight_ih;
    this.weight_hh = (this as unknown as { weight_hh: Tensor }).weight_hh;
    this.bias_ih = (this as unknown as { bias_ih: Tensor | null }).bias_ih;
    this.bias_hh = (this as unknown as { bias_hh: Tensor | null }).bias_hh;
  }

  /** One step from input `x` and state `h` (and `c` for an LSTM), unbatched or batched. */
  protected cell(x: Tensor, h: Tensor | null, c: Tensor | null): [Tensor, Tensor | null] {
    const op = `${this.cellName}.forward`;
    if (!(x instanceof Tensor)) throw new Error(`${op}: input must be a Tensor, got ${describe(x)}`);
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new Error(`${op}: expected input of shape [N, ${this.inputSize}] or [${this.inputSize}], got ${fmt(x.shape)}`);
    }
    const batched = x.ndim === 2;
    const xb = batched ? x : x.unsqueeze(0);
    const shape = [xb.shape[0]!, this.hiddenSize];
    const state = (name: string, t: Tensor | null): Tensor => {
      if (t === null) return zeros(shape);
      const s = batched ? t : t.unsqueeze(0);
      if (!(t instanceof Tensor) || s.ndim !== 2 || s.shape[0] !== shape[0] || s.shape[1] !== shape[1]) {
        throw new Error(`${op}: expected ${name} of shape ${fmt(batched ? shape : [this.hiddenSize])}, got ${t instanceof Tensor ? fmt(t.shape) : describe(t)}`);
      }
      return s;
    };
    const w: CellWeights = { wih: this.weight_ih, whh: this.weight_hh, bih: this.bias_ih, bhh: this.bias_hh };
    const [hNext, cNext] = step(this.kind, project(xb, w, false), state('hx', h), this.kind === 'LSTM' ? state('cx', c) : null, w, w.bih);
    return batched ? [hNext, cNext] : [hNext.squeeze(0), cNext ? cNext.squeeze(0) : null];
  }
}

/**
 * One step of an Elman RNN, as `torch.nn.RNNCell(inputSize, hiddenSize, bias, nonlinearity)`.
 *
 * @example
 * ```ts
 * const cell = new nn.RNNCell(10, 20);
 * let h = cell.forward(randn([3, 10]));     // [3, 20]
 * h = cell.forward(randn([3, 10]), h);
 * ```
 */
export class RNNCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options?: RNNCellOptions);
  constructor(inputSize: number, hiddenSize: number, bias: boolean, nonlinearity?: 'tanh' | 'relu', options?: RNNCellOptions);
  constructor(inputSize: number, hiddenSize: number, ...rest: unknown[]) {
    const o = positionalOptions('RNNCell', rest, ['bias', 'nonlinearity']);
    const nl = checkChoice('RNNCell', 'nonlinearity', o.nonlinearity ?? 'tanh', ['tanh', 'relu']);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', 'RNNCell', inputSize, hiddenSize, checkBool('RNNCell', 'bias', o.bias ?? true));
  }

  /** The next hidden state. @example `h = cell.forward(x, h)` */
  forward(x: Tensor, h: Tensor | null = null): Tensor {
    return this.cell(x, h, null)[0];
  }
}

/**
 * One step of an LSTM, as `torch.nn.LSTMCell(inputSize, hiddenSize, bias)`: `forward(x, [h, c]?)` returns `[h', c']`.
 *
 * @example
 * ```ts
 * const cell = new nn.LSTMCell(10, 20);
 * let [h, c] = cell.forward(randn([3, 10]));
 * [h, c] = cell.forward(randn([3, 10]), [h, c]);
 * ```
 */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options?: Omit<RNNCellOptions, 'nonlinearity'>);
  constructor(inputSize: number, hiddenSize: number, bias: boolean, options?: Omit<RNNCellOptions, 'nonlinearity'>);
  constructor(inputSize: number, hiddenSize: number, ...rest: unknown[]) {
    const o = positionalOptions('LSTMCell', rest, ['bias']);
    super('LSTM', 'LSTMCell', inputSize, hiddenSize, checkBool('LSTMCell', 'bias', o.bias ?? true));
  }

  /** The next `[h, c]`. @example `[h, c] = cell.forward(x, [h, c])` */
  forward(x: Tensor, state: readonly [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    if (state !== null && (!Array.isArray(state) || state.length !== 2)) throw new Error(`LSTMCell.forward: the state must be [h, c], got ${describe(state)}`);
    const [h, c] = this.cell(x, state ? state[0] : null, state ? state[1] : null);
    return [h, c!];
  }
}

/**
 * One step of a GRU, as `torch.nn.GRUCell(inputSize, hiddenSize, bias)`.
 *
 * @example
 * ```ts
 * const cell = new nn.GRUCell(10, 20);
 * const h = cell.forward(randn([3, 10]));
 * ```
 */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options?: Omit<RNNCellOptions, 'nonlinearity'>);
  constructor(inputSize: number, hiddenSize: number, bias: boolean, options?: Omit<RNNCellOptions, 'nonlinearity'>);
  constructor(inputSize: number, hiddenSize: number, ...rest: unknown[]) {
    const o = positionalOptions('GRUCell', rest, ['bias']);
    super('GRU', 'GRUCell', inputSize, hiddenSize, checkBool('GRUCell', 'bias', o.bias ?? true));
  }

  /** The next hidden state. @example `h = cell.forward(x, h)` */
  forward(x: Tensor, h: Tensor | null = null): Tensor {
    return this.cell(x, h, null)[0];
  }
}
