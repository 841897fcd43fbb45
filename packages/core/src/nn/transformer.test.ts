import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { nn, randn, setBackend, tensor, type Tensor } from '../index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

/*
 * Reference values from PyTorch 1.13 (Debian's python3-torch), printed by this script:
 *
 * import torch, json, math
 * torch.set_printoptions(precision=7)
 * def fill(m):
 *     c = 0
 *     with torch.no_grad():
 *         for k, t in m.state_dict().items():
 *             n = t.numel()
 *             t.copy_(torch.tensor([0.5*math.sin(1.3*(c+i)+0.2) for i in range(n)]).reshape(t.shape)); c += n
 * def inp(*shape, ph=0.0):
 *     n = math.prod(shape)
 *     return torch.tensor([math.cos(0.7*i+ph) for i in range(n)]).reshape(shape)
 * r = lambda t: [round(v, 6) for v in t.detach().flatten().tolist()]
 * out = {}
 * m = torch.nn.MultiheadAttention(8, 2)
 * out['mha_keys'] = [[k, list(v.shape)] for k, v in m.state_dict().items()]
 * fill(m)
 * q = inp(3, 2, 8); k = inp(4, 2, 8, ph=1.0); v = inp(4, 2, 8, ph=2.0)
 * am = torch.tensor([[j > i + 1 for j in range(4)] for i in range(3)])
 * kpm = torch.tensor([[False]*4, [False, False, False, True]])
 * o, w = m(q, k, v, key_padding_mask=kpm, attn_mask=am)
 * out['mha_out'] = r(o); out['mha_w'] = r(w)
 * o.sum().backward()
 * out['mha_grad_in_proj_weight'] = r(m.in_proj_weight.grad)
 * for nf in [False, True]:
 *     layer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True, norm_first=nf)
 *     if not nf: out['layer_keys'] = [[k, list(v.shape)] for k, v in layer.state_dict().items()]
 *     fill(layer); layer.eval()
 *     x = inp(2, 3, 8)
 *     out['layer_out_nf' if nf else 'layer_out'] = r(layer(x))
 * enc = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16), 2)
 * out['enc_keys'] = [[k, list(v.shape)] for k, v in enc.state_dict().items()]
 * print(json.dumps(out))
 */

// every state-dict tensor, in order, filled from one counter c: 0.5·sin(1.3·c + 0.2) (the script's fill)
function fill(m: nn.Module): void {
  let c = 0;
  const dict: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(m.stateDict())) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    dict[k] = tensor(Array.from({ length: n }, (_, i) => 0.5 * Math.sin(1.3 * (c + i) + 0.2)), { shape: t.shape });
    c += n;
  }
  m.loadStateDict(dict);
}

// cos(0.7·i + ph) over the flattened index (the script's inp)
function inp(shape: number[], ph = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, (_, i) => Math.cos(0.7 * i + ph)), { shape });
}

function expectClose(t: Tensor, want: number[], tol = 1e-4): void {
  const got = Array.from(t.dataSync());
  expect(got.length).toBe(want.length);
  const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i]!)));
  expect(worst).toBeLessThan(tol);
}

const keysOf = (m: nn.Module) => Object.entries(m.stateDict()).map(([k, t]) => `${k}:${t.shape.join(',')}`);

const MHA_OUT = [
  -0.448917, -0.036657, 1.218869, -0.75632, -0.791741, 0.844604, -0.16245, 0.134169,
  -0.37538, -0.089292, 1.204388, -0.687437, -0.854544, 0.846184, -0.10142, 0.064115,
  -0.448753, -0.002342, 1.180206, -0.747256, -0.763247, 0.80357, -0.144906, 0.155518,
  -0.46185, 0.086109, 1.094064, -0.739058, -0.686303, 0.709044, -0.115795, 0.217382,
  -0.542753, 0.139621, 1.114928, -0.815979, -0.620864, 0.712544, -0.18516, 0.291708,
  -0.514519, 0.117764, 1.111215, -0.789957, -0.646347, 0.715114, -0.16256, 0.263782,
];
const MHA_W = [
  0.566738, 0.433262, 0.0, 0.0, 0.344381, 0.371721, 0.283898, 0.0,
  0.217803, 0.295658, 0.28708, 0.199458, 0.56315, 0.43685, 0.0, 0.0,
  0.36815, 0.367837, 0.264013, 0.0, 0.289659, 0.36118, 0.349162, 0.0,
];
const MHA_GRAD_IN_PROJ_WEIGHT = [
  -0.023351, -0.005609, 0.014772, 0.028205, 0.028373, 0.015197, -0.005127, -0.023039,
  0.16417, 0.06145, -0.070171, -0.168789, -0.188023, -0.118827, 0.006256, 0.128396,
  -0.160842, -0.063336, 0.063958, 0.161171, 0.182583, 0.118123, -0.001892, -0.121017,
  0.01629, 0.009611, -0.001588, -0.01204, -0.016829, -0.013704, -0.004133, 0.007381,
  -0.122277, -0.051805, 0.043032, 0.11763, 0.136905, 0.091792, 0.003507, -0.086427,
  0.158807, 0.073454, -0.046445, -0.144501, -0.174595, -0.122575, -0.012905, 0.102834,
  -0.055899, -0.030608, 0.009079, 0.044496, 0.058985, 0.045733, 0.010972, -0.028949,
  -0.09609, -0.039113, 0.036259, 0.094578, 0.108416, 0.071263, 0.000595, -0.070353,
  0.411419, 0.280303, 0.017356, -0.253754, -0.405519, -0.366563, -0.155206, 0.129146,
  -0.070688, -0.039364, 0.010473, 0.055384, 0.074248, 0.058192, 0.014767, -0.035603,
  -0.262813, -0.183202, -0.017429, 0.156542, 0.256888, 0.236416, 0.104754, -0.076176,
  0.09556, 0.038663, -0.036417, -0.09437, -0.107939, -0.070743, -0.000275, 0.070322,
  0.043094, 0.014137, -0.021469, -0.046978, -0.050392, -0.030106, 0.004339, 0.036744,
  -0.100152, -0.087235, -0.03329, 0.036311, 0.088835, 0.099578, 0.063488, -0.002461,
  -0.171617, -0.094652, 0.026829, 0.135692, 0.180737, 0.140778, 0.034609, -0.087837,
  0.290058, 0.191475, 0.002838, -0.187134, -0.289094, -0.255088, -0.101111, 0.100421,
  -0.095091, -0.048196, 0.021366, 0.08088, 0.102354, 0.07569, 0.013427, -0.05515,
  -0.946596, -0.479774, 0.212694, 0.805129, 1.018898, 0.753464, 0.133664, -0.549,
  -0.411336, -0.208482, 0.092425, 0.349862, 0.442754, 0.327412, 0.058083, -0.238563,
  0.726533, 0.368236, -0.163247, -0.617953, -0.782026, -0.5783, -0.10259, 0.421369,
  0.696892, 0.052937, -0.615915, -0.995093, -0.906263, -0.391203, 0.307845, 0.862109,
  -0.260035, -0.019753, 0.22982, 0.371304, 0.338159, 0.145972, -0.114868, -0.321684,
  -0.83601, -0.063505, 0.738868, 1.19374, 1.087177, 0.469298, -0.369299, -1.034209,
  -0.187228, -0.014222, 0.165473, 0.267343, 0.243478, 0.105101, -0.082706, -0.231616,
];
const LAYER_OUT = [
  -0.10318, -0.612895, 0.220767, 0.348882, 1.165487, -0.431561, -0.010627, -0.436529,
  -0.083951, -0.639735, 0.173797, 0.359031, 1.130098, -0.423307, 0.02345, -0.472761,
  -0.088192, -0.637133, 0.160587, 0.365584, 1.110631, -0.397381, 0.040046, -0.533211,
  -0.130718, -0.624497, 0.196108, 0.361033, 1.060601, -0.358641, 0.045278, -0.605247,
  -0.1702, -0.563644, 0.273908, 0.354003, 1.086585, -0.328799, 0.001964, -0.661539,
  -0.195105, -0.504415, 0.353335, 0.342517, 1.117492, -0.324982, -0.066713, -0.655519,
];
const LAYER_OUT_NORM_FIRST = [
  0.107683, -0.081451, 2.81179, -0.891956, -3.51721, 0.22869, 0.645167, -0.495186,
  -0.164117, 0.175482, 3.426826, -0.278659, -3.09211, 0.260731, 0.170779, -1.175213,
  -0.769242, -0.022555, 3.693214, 0.279546, -2.433848, 0.704354, 0.124202, -1.635488,
  -1.505206, -0.521299, 3.491929, 0.467317, -1.771408, 1.353596, 0.470959, -1.605965,
  -1.966549, -1.176227, 2.928265, 0.267111, -1.496077, 1.954576, 1.112155, -1.203661,
  -1.996053, -1.64267, 2.247378, -0.275074, -1.67205, 2.215035, 1.723309, -0.543921,
];

describe('MultiheadAttention', () => {
  it("has PyTorch's state-dict keys, shapes and init", () => {
    const m = new nn.MultiheadAttention(8, 2);
    expect(keysOf(m)).toEqual(["in_proj_weight:24,8", "in_proj_bias:24", "out_proj.weight:8,8", "out_proj.bias:8"]);
    expect(m.out_proj).toBeInstanceOf(nn.Linear);
    expect(Array.from(m.in_proj_bias!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(m.out_proj.bias!.dataSync()).every((v) => v === 0)).toBe(true);
    const bound = Math.sqrt(6 / (8 + 24)); // xavier_uniform_ on [3E, E]
    const w = Array.from(m.in_proj_weight.dataSync());
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(bound / 2);
    expect(keysOf(new nn.MultiheadAttention(8, 2, { bias: false }))).toEqual(['in_proj_weight:24,8', 'out_proj.weight:8,8']);
  });

  it('matches PyTorch with a bool attnMask, a keyPaddingMask and averaged weights, and in the gradient', () => {
    const m = new nn.MultiheadAttention(8, 2);
    fill(m);
    const q = inp([3, 2, 8]), k = inp([4, 2, 8], 1), v = inp([4, 2, 8], 2);
    const attnMask = tensor(Array.from({ length: 12 }, (_, x) => x % 4 > Math.floor(x / 4) + 1), { shape: [3, 4], dtype: 'bool' });
    const keyPaddingMask = tensor([[false, false, false, false], [false, false, false, true]], { dtype: 'bool' });
    const [out, w] = m.forward(q, k, v, { keyPaddingMask, attnMask });
    expect(out.shape).toEqual([3, 2, 8]);
    expect(w!.shape).toEqual([2, 3, 4]);
    expectClose(out, MHA_OUT);
    expectClose(w!, MHA_W);
    out.sum().backward();
    expectClose(m.in_proj_weight.grad!, MHA_GRAD_IN_PROJ_WEIGHT);

    // PyTorch's positional order (keyPaddingMask, needWeights, attnMask) gives the same
    const [out2, none] = m.forward(q, k, v, keyPaddingMask, false, attnMask);
    expect(none).toBeNull();
    expectClose(out2, MHA_OUT);
    // a float mask is added: -inf where the bool mask is true is the same mask
    const floatMask = tensor(Array.from(attnMask.dataSync()).map((b) => (b ? Number.NEGATIVE_INFINITY : 0)), { shape: [3, 4] });
    expectClose(m.forward(q, k, v, { keyPaddingMask, attnMask: floatMask })[0], MHA_OUT);
    // a 3-D [N·numHeads, L, S] mask repeating the 2-D one
    const mask3 = tensor(Array.from({ length: 4 }, () => Array.from(attnMask.dataSync())).flat(), { shape: [4, 3, 4], dtype: 'bool' });
    expectClose(m.forward(q, k, v, { keyPaddingMask, attnMask: mask3 })[0], MHA_OUT);
  });

  it('handles batchFirst, unbatched input and per-head weights consistently', () => {
    const m = new nn.MultiheadAttention(8, 2);
    fill(m);
    const q = inp([3, 2, 8]), k = inp([4, 2, 8], 1), v = inp([4, 2, 8], 2);
    const [out, w] = m.forward(q, k, v, { averageAttnWeights: false });
    expect(w!.shape).toEqual([2, 2, 3, 4]);
    expectClose(w!.mean(1), Array.from(m.forward(q, k, v)[1]!.dataSync()), 1e-6);

    const bf = new nn.MultiheadAttention(8, 2, { batchFirst: true });
    bf.loadStateDict(m.stateDict());
    const [outBf] = bf.forward(q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1));
    expect(outBf.shape).toEqual([2, 3, 8]);
    expectClose(outBf.transpose(0, 1), Array.from(out.dataSync()), 1e-6);

    const [outU, wU] = m.forward(q.index(null, 1), k.index(null, 1), v.index(null, 1));
    expect(outU.shape).toEqual([3, 8]);
    expect(wU!.shape).toEqual([3, 4]);
    expectClose(outU, Array.from(out.index(null, 1).dataSync()), 1e-6);
  });

  it('drops attention weights in training mode only', () => {
    const m = new nn.MultiheadAttention(8, 2, { dropout: 0.5 });
    const x = randn([5, 1, 8]);
    const w = m.forward(x, x, x, { averageAttnWeights: false })[1]!;
    expect(Array.from(w.dataSync()).some((v) => v === 0)).toBe(true);
    m.eval();
    const [a] = m.forward(x, x, x);
    const [b] = m.forward(x, x, x);
    expect(a.tolist()).toEqual(b.tolist());
  });

  it('throws on bad arguments', () => {
    expect(() => new nn.MultiheadAttention(8, 3)).toThrow(/divisible by numHeads/);
    expect(() => new nn.MultiheadAttention(8, 2, { batchfirst: true } as never)).toThrow(/unknown option 'batchfirst'/);
    expect(() => new nn.MultiheadAttention(8, 2, { kdim: 4 })).toThrow(/not supported/);
    const m = new nn.MultiheadAttention(8, 2);
    const x = randn([3, 2, 8]);
    expect(() => m.forward(x, x, x, { needWeight: false } as never)).toThrow(/unknown option 'needWeight'/);
    expect(() => m.forward(x, x, x, { attnMask: zeros2([2, 3]) })).toThrow(/attnMask must be \[L, S\]/);
    expect(() => m.forward(x, x, x, { keyPaddingMask: zeros2([3, 2]) })).toThrow(/keyPaddingMask must be \[N, S\]/);
  });
});

function zeros2(shape: number[]): Tensor {
  return tensor(new Array(shape[0]! * shape[1]!).fill(false), { shape, dtype: 'bool' });
}

describe('TransformerEncoderLayer', () => {
  it("has PyTorch's submodule names and state-dict keys", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    expect(keysOf(layer)).toEqual(["self_attn.in_proj_weight:24,8", "self_attn.in_proj_bias:24", "self_attn.out_proj.weight:8,8", "self_attn.out_proj.bias:8", "linear1.weight:16,8", "linear1.bias:16", "linear2.weight:8,16", "linear2.bias:8", "norm1.weight:8", "norm1.bias:8", "norm2.weight:8", "norm2.bias:8"]);
    expect(layer.namedChildren().map(([n]) => n)).toEqual(['self_attn', 'linear1', 'dropout', 'linear2', 'norm1', 'norm2', 'dropout1', 'dropout2']);
    expect(keysOf(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, bias: false }))).toEqual([
      'self_attn.in_proj_weight:24,8', 'self_attn.out_proj.weight:8,8', 'linear1.weight:16,8', 'linear2.weight:8,16', 'norm1.weight:8', 'norm2.weight:8',
    ]);
  });

  it('matches PyTorch post-norm and normFirst in eval mode with batchFirst', () => {
    for (const [normFirst, want] of [[false, LAYER_OUT], [true, LAYER_OUT_NORM_FIRST]] as const) {
      const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, normFirst });
      fill(layer);
      layer.eval();
      const y = layer.forward(inp([2, 3, 8]));
      expect(y.shape).toEqual([2, 3, 8]);
      expectClose(y, want);
    }
  });

  it('passes masks to self-attention, gelu works, and dropout is active in training', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, activation: 'gelu' });
    const x = randn([3, 2, 8]);
    layer.eval();
    const kpm = tensor([[false, false, true], [false, false, false]], { dtype: 'bool' });
    const y = layer.forward(x, null, { srcKeyPaddingMask: kpm });
    expect(y.shape).toEqual([3, 2, 8]);
    expect(y.tolist()).toEqual(layer.forward(x, null, kpm).tolist());
    expect(y.tolist()).not.toEqual(layer.forward(x).tolist());
    layer.train();
    expect(layer.forward(x).tolist()).not.toEqual(layer.forward(x).tolist());
  });

  it('throws on bad arguments', () => {
    expect(() => new nn.TransformerEncoderLayer(8, 3)).toThrow(/divisible by numHeads/);
    expect(() => new nn.TransformerEncoderLayer(8, 2, { dimFeedForward: 16 } as never)).toThrow(/unknown option 'dimFeedForward'/);
    expect(() => new nn.TransformerEncoderLayer(8, 2, { activation: 'tanh' } as never)).toThrow(/activation must be one of 'relu', 'gelu'/);
  });
});

describe('TransformerEncoder', () => {
  it("stacks copies with PyTorch's keys, identical starting weights, and runs them in order", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const enc = new nn.TransformerEncoder(layer, 2);
    expect(keysOf(enc)).toEqual(["layers.0.self_attn.in_proj_weight:24,8", "layers.0.self_attn.in_proj_bias:24", "layers.0.self_attn.out_proj.weight:8,8", "layers.0.self_attn.out_proj.bias:8", "layers.0.linear1.weight:16,8", "layers.0.linear1.bias:16", "layers.0.linear2.weight:8,16", "layers.0.linear2.bias:8", "layers.0.norm1.weight:8", "layers.0.norm1.bias:8", "layers.0.norm2.weight:8", "layers.0.norm2.bias:8", "layers.1.self_attn.in_proj_weight:24,8", "layers.1.self_attn.in_proj_bias:24", "layers.1.self_attn.out_proj.weight:8,8", "layers.1.self_attn.out_proj.bias:8", "layers.1.linear1.weight:16,8", "layers.1.linear1.bias:16", "layers.1.linear2.weight:8,16", "layers.1.linear2.bias:8", "layers.1.norm1.weight:8", "layers.1.norm1.bias:8", "layers.1.norm2.weight:8", "layers.1.norm2.bias:8"]);
    const sd = enc.stateDict();
    for (const [k, t] of Object.entries(layer.stateDict())) {
      expect(sd[`layers.0.${k}`]!.tolist()).toEqual(t.tolist());
      expect(sd[`layers.1.${k}`]!.tolist()).toEqual(t.tolist());
    }
    // copies, not the same tensors
    const l0 = enc.layers.at(0) as nn.TransformerEncoderLayer;
    expect(l0.linear1.weight).not.toBe(layer.linear1.weight);
    expect(l0.linear1.weight).not.toBe((enc.layers.at(1) as nn.TransformerEncoderLayer).linear1.weight);

    enc.eval();
    layer.eval();
    const x = randn([4, 2, 8]);
    expectClose(enc.forward(x), Array.from(layer.forward(layer.forward(x)).dataSync()), 1e-5);

    const withNorm = new nn.TransformerEncoder(layer, 1, { norm: new nn.LayerNorm(8) });
    expect(keysOf(withNorm).slice(-2)).toEqual(['norm.weight:8', 'norm.bias:8']);
    withNorm.eval();
    expectClose(withNorm.forward(x), Array.from(new nn.LayerNorm(8).forward(layer.forward(x)).dataSync()), 1e-5);
    expect(keysOf(new nn.TransformerEncoder(layer, 1, new nn.LayerNorm(8))).slice(-1)).toEqual(['norm.bias:8']);
  });

  it('throws on bad arguments', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    expect(() => new nn.TransformerEncoder(layer, 2, { nrom: null } as never)).toThrow(/unknown option 'nrom'/);
    expect(() => new nn.TransformerEncoder(new nn.Linear(2, 2) as never, 2)).toThrow(/TransformerEncoderLayer/);
  });
});
