/**
 * The fixture programs written with tensorgrad: micrograd's two scalar expressions (exactly as
 * their `program` text), a two-layer MLP, every optimizer for six steps, gradient clipping, and
 * the seed example's 100 epochs. Each throws a precise report on the first disagreement.
 */
import * as core from '@tensorgrad/core';
import { type Tensor, add, div, mul, neg, pow, relu, sub, tensor, tidy } from '@tensorgrad/core';
import type { CaseTensor, TorchPrograms } from './cases';
import { type Tolerance, assertClose } from './compare';
import { toTensor } from './evaluate';
import { functionalFn } from './ops';

const scalar = async (t: Tensor): Promise<number> => (await t.data())[0]!;

function checkNumber(what: string, got: number, want: number, tol: Tolerance): void {
  assertClose(what, [], [got], [], [want], tol);
}

async function checkTensor(what: string, got: Tensor | null, want: CaseTensor, tol: Tolerance): Promise<void> {
  if (!got) throw new Error(`${what}: no gradient reached it (.grad is null)`);
  assertClose(what, got.shape, await got.data(), want.shape, want.data, tol);
}

/** micrograd's test_sanity_check: `z=2*x+2+x; q=relu(z)+z*x; h=relu(z*z); y=h+q+q*x`. */
export async function scalarSanity(p: TorchPrograms['scalar_sanity'], tol: Tolerance): Promise<void> {
  const x = tensor(p.x, { requiresGrad: true });
  const y = tidy(() => {
    const z = add(add(mul(2, x), 2), x);
    const q = add(relu(z), mul(z, x));
    const h = relu(mul(z, z));
    const y = add(add(h, q), mul(q, x));
    y.backward();
    return y.detach(); // detached: a returned graph would keep its intermediates alive
  });
  try {
    checkNumber('scalar_sanity y', await scalar(y), p.y, tol);
    checkNumber('scalar_sanity x.grad', x.grad ? await scalar(x.grad) : NaN, p.x_grad, tol);
  } finally {
    y.dispose();
    x.grad?.dispose();
    x.dispose();
  }
}

/**
 * micrograd's test_more_ops: `c=a+b; d=a*b+b**3; c=c+c+1; c=c+1+c+(-a); d=d+d*2+relu(b+a);
 * d=d+3*d+relu(b-a); e=c-d; f=e**2; g=f/2; g=g+10/f`.
 */
export async function scalarMoreOps(p: TorchPrograms['scalar_more_ops'], tol: Tolerance): Promise<void> {
  const a = tensor(p.a, { requiresGrad: true });
  const b = tensor(p.b, { requiresGrad: true });
  const g = tidy(() => {
    let c = add(a, b);
    let d = add(mul(a, b), pow(b, 3));
    c = add(add(c, c), 1);
    c = add(add(add(c, 1), c), neg(a));
    d = add(add(d, mul(d, 2)), relu(add(b, a)));
    d = add(add(d, mul(3, d)), relu(sub(b, a)));
    const e = sub(c, d);
    const f = pow(e, 2);
    let g = div(f, 2);
    g = add(g, div(10, f));
    g.backward();
    return g.detach();
  });
  try {
    checkNumber('scalar_more_ops g', await scalar(g), p.g, tol);
    checkNumber('scalar_more_ops a.grad', a.grad ? await scalar(a.grad) : NaN, p.a_grad, tol);
    checkNumber('scalar_more_ops b.grad', b.grad ? await scalar(b.grad) : NaN, p.b_grad, tol);
  } finally {
    for (const t of [g, a.grad, b.grad, a, b]) t?.dispose();
  }
}

/** `loss = cross_entropy(linear(relu(linear(x, W1, b1)), W2, b2), target)`: the loss and every parameter's gradient. */
export async function mlpReluCe(p: TorchPrograms['mlp_relu_ce'], tol: Tolerance): Promise<void> {
  const names = ['W1', 'b1', 'W2', 'b2'] as const;
  const x = toTensor(p.x);
  const target = toTensor(p.target);
  const params = names.map((n) => toTensor(p.params[n], true));
  const [W1, b1, W2, b2] = params;
  const F = {
    linear: functionalFn('linear'),
    relu: functionalFn('relu'),
    crossEntropy: functionalFn('crossEntropy'),
  };
  try {
    const loss = tidy(() => {
      const loss = F.crossEntropy(F.linear(F.relu(F.linear(x, W1, b1)), W2, b2), target);
      loss.backward();
      return loss.detach();
    });
    try {
      checkNumber('mlp_relu_ce loss', await scalar(loss), p.loss, tol);
    } finally {
      loss.dispose();
    }
    for (const [i, n] of names.entries()) await checkTensor(`mlp_relu_ce ${n}.grad`, params[i]!.grad, p.grads[n], tol);
  } finally {
    for (const t of [x, target, ...params.flatMap((q) => [q.grad, q])]) t?.dispose();
  }
}

// ---- nn and optim, looked up at run time: these programs fail (never skip) while core lacks them

interface OptimizerLike {
  step(): void;
  zeroGrad(): void;
}
type OptimizerClass = new (params: Tensor[], options: Record<string, unknown>) => OptimizerLike;
interface ModuleLike {
  forward(...xs: Tensor[]): Tensor;
  parameters(): Tensor[];
  loadStateDict(dict: Record<string, Tensor>): unknown;
  stateDict(): Record<string, Tensor> | Map<string, Tensor>;
}

/** `core.<path>`, or a clear error while core does not export it. */
function exported<T>(path: string): T {
  let v: unknown = core;
  for (const key of path.split('.')) v = v == null ? undefined : (v as Record<string, unknown>)[key];
  if (v === undefined || v === null) throw new Error(`${path} is not exported by @tensorgrad/core; this program needs it`);
  return v as T;
}

const camelCase = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** PyTorch's optimizer keyword arguments as tensorgrad's options: `weight_decay` → `weightDecay`, `betas` stays an array. */
export function optimizerOptions(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [camelCase(k), Array.isArray(v) ? [...v] : v]));
}

/** Six steps of `mean((A @ w - y) ** 2)`: the loss before each step and `w` after it. */
export async function optimizerTrajectory(p: TorchPrograms['optimizers'][number], tol: Tolerance): Promise<void> {
  const Optimizer = exported<OptimizerClass>(`optim.${p.optimizer}`);
  const A = toTensor(p.A);
  const y = toTensor(p.y);
  const w = toTensor(p.w0, true);
  const optimizer = new Optimizer([w], optimizerOptions(p.options));
  try {
    for (let step = 0; step < p.trajectory.length; step++) {
      optimizer.zeroGrad();
      const loss = tidy(() => {
        const loss = A.matmul(w).sub(y).pow(2).mean();
        loss.backward();
        return loss.detach();
      });
      const lossValue = await scalar(loss);
      loss.dispose();
      optimizer.step();
      checkNumber(`${p.optimizer} loss before step ${step + 1}`, lossValue, p.losses[step]!, tol);
      assertClose(`${p.optimizer} w after step ${step + 1}`, w.shape, await w.data(), [p.trajectory[step]!.length], p.trajectory[step]!, tol);
    }
  } finally {
    for (const t of [A, y, w.grad, w]) t?.dispose();
  }
}

/** `clipGradNorm_` on two gradients: the total norm it returns and the clipped gradients. */
export async function clipGradNorm(p: TorchPrograms['clip_grad_norm'], tol: Tolerance): Promise<void> {
  const clip = exported<(params: Tensor[], maxNorm: number, normType?: number) => number | Tensor>('nn.utils.clipGradNorm_');
  const params = p.grads.map((g) => toTensor({ shape: g.shape, data: g.data.map(() => 0) }, true));
  params.forEach((q, i) => (q.grad = toTensor(p.grads[i]!)));
  try {
    const total = tidy(() => {
      const t = clip(params, p.max_norm);
      return typeof t === 'number' ? t : t.detach();
    });
    const totalValue = typeof total === 'number' ? total : await scalar(total);
    if (typeof total !== 'number') total.dispose();
    checkNumber('clipGradNorm_ total norm', totalValue, p.total_norm, tol);
    for (const [i, q] of params.entries()) await checkTensor(`clipGradNorm_ clipped grad ${i}`, q.grad, p.clipped[i]!, tol);
  } finally {
    for (const q of params) {
      q.grad?.dispose();
      q.dispose();
    }
  }
}

/** The seed example of API.md: Linear(1,1), SGD lr 0.01, MSELoss, clipGradNorm_ 1.0, 100 epochs. */
export async function linearRegressionSeed(p: TorchPrograms['linear_regression_seed'], tol: Tolerance): Promise<void> {
  const Linear = exported<new (inFeatures: number, outFeatures: number) => ModuleLike>('nn.Linear');
  const MSELoss = exported<new () => ModuleLike>('nn.MSELoss');
  const SGD = exported<OptimizerClass>('optim.SGD');
  const clip = exported<(params: Tensor[], maxNorm: number) => unknown>('nn.utils.clipGradNorm_');

  const model = new Linear(1, 1);
  model.loadStateDict({ weight: tensor([[p.weight0]]), bias: tensor([p.bias0]) });
  const optimizer = new SGD(model.parameters(), { lr: p.lr });
  const criterion = new MSELoss();
  const xTrain = toTensor(p.x);
  const yTrain = toTensor(p.y);
  const losses: number[] = [];
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    const loss = tidy(() => {
      const loss = criterion.forward(model.forward(xTrain), yTrain);
      optimizer.zeroGrad();
      loss.backward();
      clip(model.parameters(), p.max_norm);
      optimizer.step();
      return loss.detach();
    });
    losses.push(await scalar(loss));
    loss.dispose();
  }
  assertClose('seed example: loss of every epoch', [losses.length], losses, [p.losses.length], p.losses, tol);
  const state = model.stateDict();
  const get = (k: string): Tensor | undefined => (state instanceof Map ? state.get(k) : state[k]);
  const weight = get('weight');
  const bias = get('bias');
  if (!weight || !bias) throw new Error(`seed example: stateDict() has no 'weight'/'bias' (keys: ${[...(state instanceof Map ? state.keys() : Object.keys(state))].join(', ')})`);
  checkNumber('seed example: final weight', await scalar(weight), p.weight, tol);
  checkNumber('seed example: final bias', await scalar(bias), p.bias, tol);
}
