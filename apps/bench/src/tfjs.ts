/**
 * TensorFlow.js 4.22 as a benchmark system: the union package `@tensorflow/tfjs` (its CommonJS
 * build registers the gradients; `@tensorflow/tfjs-core` alone does not) on its `cpu` backend, or
 * on `@tensorflow/tfjs-backend-wasm` (XNNPACK). Only this module loads them, and only in the
 * child process of a TF.js system.
 *
 * The models use the ops `tf.layers` uses (`tf.fused.matMul` / `tf.fused.conv2d` with bias and
 * ReLU folded in), `tf.losses.softmaxCrossEntropy`, and an optimizer's `minimize` inside
 * `tf.tidy`, then `dataSync()` of the loss, so that every step has finished when it is timed.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ElementwiseOp } from './cases';
import { CNN_LR, CNN_MOMENTUM, initValues, labels, MLP_LR, MLP_SIZES, tokens, uniform } from './data';
import { inputCache, type System } from './systems';

type TF = typeof import('@tensorflow/tfjs');
type Tensor = import('@tensorflow/tfjs').Tensor;
type Variable = import('@tensorflow/tfjs').Variable;

const require = createRequire(import.meta.url);

/**
 * Points tfjs-backend-wasm at its installed `.wasm` files. Only the SIMD build gets a real path:
 * in Node the backend turns threads off, so it must pick `tfjs-backend-wasm-simd.wasm`, and if it
 * picked another build that build would fail to load (and `setBackend('wasm')` with it).
 */
function pointAtSimdBuild(): string {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const simd = join(dist, 'tfjs-backend-wasm-simd.wasm');
  const elsewhere = join(dist, 'this-benchmark-runs-only-the-simd-build.wasm');
  wasm.setWasmPaths({
    'tfjs-backend-wasm.wasm': elsewhere,
    'tfjs-backend-wasm-simd.wasm': simd,
    'tfjs-backend-wasm-threaded-simd.wasm': elsewhere,
  });
  return simd;
}

/**
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` kernel, so a conv net cannot train on it
 * as installed. This registers one that runs the backend's own `Conv3DBackpropFilterV2` kernel
 * (C++, in the same .wasm) on the NHWC tensors viewed as depth-1 volumes: the same result.
 */
function registerConv2dFilterGradient(tf: TF): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm');
  if (conv3d === undefined) throw new Error('tfjs-wasm: neither Conv2DBackpropFilter nor Conv3DBackpropFilterV2 is registered for wasm');
  type Info = { dataId: object; shape: number[]; dtype: string };
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend, attrs }: { inputs: Record<string, Info>; backend: unknown; attrs: Record<string, unknown> }) => {
      const { x, dy } = inputs as { x: Info; dy: Info };
      const strides = attrs['strides'] as number | [number, number];
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      if (attrs['dataFormat'] !== undefined && attrs['dataFormat'] !== 'NHWC') throw new Error('tfjs-wasm Conv2DBackpropFilter shim: NHWC only');
      const filterShape = attrs['filterShape'] as number[];
      const dw = conv3d.kernelFunc({
        inputs: { x: { ...x, shape: [x.shape[0]!, 1, ...x.shape.slice(1)] }, dy: { ...dy, shape: [dy.shape[0]!, 1, ...dy.shape.slice(1)] } },
        backend,
        attrs: { strides: [1, sh, sw], pad: attrs['pad'], filterShape: [1, ...filterShape] },
      } as never) as Info;
      return { ...dw, shape: filterShape };
    }) as never,
  });
}

/** A TF.js system on the `cpu` or the `wasm` backend. */
export async function tfjsSystem(kind: 'cpu' | 'wasm'): Promise<System> {
  const { log, warn } = console;
  console.log = console.warn = () => {}; // its hint to install tfjs-node, printed as it starts in Node
  let tf: TF;
  let wasmFile = '';
  try {
    tf = require('@tensorflow/tfjs') as TF;
    if (kind === 'wasm') {
      wasmFile = pointAtSimdBuild();
      require('@tensorflow/tfjs-backend-wasm'); // registers the backend with the tfjs-core that tfjs uses
    }
    if (!(await tf.setBackend(kind))) throw new Error(`tfjs-${kind}: tf.setBackend('${kind}') failed${kind === 'wasm' ? ' (the SIMD build did not load)' : ''}`);
    await tf.ready();
    tf.tensor1d([0]).dispose(); // the cpu backend prints its hint on its first write
  } finally {
    console.log = log;
    console.warn = warn;
  }
  if (tf.getBackend() !== kind) throw new Error(`tfjs-${kind}: the backend is '${tf.getBackend()}'`);
  if (kind === 'wasm') registerConv2dFilterGradient(tf);
  const simd = kind === 'wasm' ? String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : 'n/a';
  const threads = kind === 'wasm' ? String(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) : 'n/a';

  const input = inputCache((values) => tf.tensor1d(values));
  const uniformVariable = (shape: number[], fanIn: number, seed: number): Variable => {
    const bound = 1 / Math.sqrt(fanIn); // PyTorch's default bound for Linear and Conv2d
    return tf.variable(tf.tensor(uniform(shape.reduce((a, b) => a * b, 1), seed, -bound, bound), shape));
  };
  /**
   * Variables from the bench's deterministic initialisation (PyTorch's names and layouts, as
   * tensorgrad and PyTorch get them): linear weights transposed from `[out, in]` to TF.js's
   * `[in, out]`, other tensors (an embedding table, biases) as they are.
   */
  const initialised = (key: string, params: [name: string, shape: number[], linear?: 'linear'][]): Variable[] =>
    initValues('fan-in', key, params.map(([n, s]) => [n, s] as const)).map((v, i) => {
      const [, shape, linear] = params[i]!;
      return tf.variable(linear ? tf.tidy(() => tf.transpose(tf.tensor2d(v, shape as [number, number]))) : tf.tensor(v, shape));
    });
  const trainer = (optimizer: import('@tensorflow/tfjs').Optimizer, vars: Variable[], loss: () => import('@tensorflow/tfjs').Scalar) => () => {
    const cost = tf.tidy(() => optimizer.minimize(loss, true, vars)!);
    const value = cost.dataSync()[0]!;
    cost.dispose();
    return value;
  };

  return {
    info: () => ({
      library: `TensorFlow.js ${tf.version.tfjs}`,
      backend: kind === 'wasm' ? `wasm (XNNPACK), SIMD ${simd}, threads ${threads}` : 'cpu (plain JS)',
      ...(kind === 'wasm'
        ? {
            wasmFile: wasmFile.split('/').pop()!,
            shim: 'Conv2DBackpropFilter registered for wasm over its Conv3DBackpropFilterV2 kernel (the package lacks it)',
          }
        : {}),
    }),
    matmul(n) {
      const a = tf.tensor2d(uniform(n * n, 1), [n, n]);
      const b = tf.tensor2d(uniform(n * n, 2), [n, n]);
      return () => tf.matMul(a, b).dispose();
    },
    elementwise(op: ElementwiseOp, n) {
      const a = input(n, 0);
      if (op === 'add') {
        const b = input(n, 1);
        return () => tf.add(a, b).dispose();
      }
      return op === 'relu' ? () => tf.relu(a).dispose() : () => tf.exp(a).dispose();
    },
    mlpStep(batch) {
      const [i, h1, h2, o] = MLP_SIZES;
      // the same weights as tensorgrad's and PyTorch's nn.Sequential (names 0, 2, 4)
      const [w1, b1, w2, b2, w3, b3] = initialised('mlp', [
        ['0.weight', [h1, i], 'linear'], ['0.bias', [h1]], ['2.weight', [h2, h1], 'linear'], ['2.bias', [h2]], ['4.weight', [o, h2], 'linear'], ['4.bias', [o]],
      ]) as [Variable, Variable, Variable, Variable, Variable, Variable];
      const x = tf.tensor2d(uniform(batch * i, 3, 0, 1), [batch, i]);
      const y = tf.oneHot(tf.tensor1d(labels(batch), 'int32'), o);
      return trainer(tf.train.sgd(MLP_LR), [w1, b1, w2, b2, w3, b3], () => {
        const a1 = tf.fused.matMul({ a: x, b: w1, bias: b1, activation: 'relu' });
        const a2 = tf.fused.matMul({ a: a1, b: w2, bias: b2, activation: 'relu' });
        const logits = tf.fused.matMul({ a: a2, b: w3, bias: b3 });
        return tf.losses.softmaxCrossEntropy(y, logits) as import('@tensorflow/tfjs').Scalar;
      });
    },
    cnnStep(batch) {
      // apps/train/src/models.ts's cnn() in TF.js's NHWC layout; dropout 0.25 in training mode
      const k1 = uniformVariable([3, 3, 1, 8], 9, 31);
      const c1 = uniformVariable([8], 9, 32);
      const k2 = uniformVariable([3, 3, 8, 16], 72, 33);
      const c2 = uniformVariable([16], 72, 34);
      const w = uniformVariable([16 * 7 * 7, 10], 16 * 7 * 7, 35);
      const b = uniformVariable([10], 16 * 7 * 7, 36);
      const x = tf.tensor4d(uniform(batch * 28 * 28, 4, 0, 1), [batch, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d(labels(batch), 'int32'), 10);
      return trainer(tf.train.momentum(CNN_LR, CNN_MOMENTUM), [k1, c1, k2, c2, w, b], () => {
        let h: Tensor = tf.fused.conv2d({ x, filter: k1 as unknown as import('@tensorflow/tfjs').Tensor4D, strides: 1, pad: 'same', bias: c1, activation: 'relu' });
        h = tf.maxPool(h as import('@tensorflow/tfjs').Tensor4D, 2, 2, 'valid');
        h = tf.fused.conv2d({ x: h as import('@tensorflow/tfjs').Tensor4D, filter: k2 as unknown as import('@tensorflow/tfjs').Tensor4D, strides: 1, pad: 'same', bias: c2, activation: 'relu' });
        h = tf.maxPool(h as import('@tensorflow/tfjs').Tensor4D, 2, 2, 'valid');
        h = tf.dropout(tf.reshape(h, [batch, 16 * 7 * 7]), 0.25);
        const logits = tf.fused.matMul({ a: h as import('@tensorflow/tfjs').Tensor2D, b: w as unknown as import('@tensorflow/tfjs').Tensor2D, bias: b });
        return tf.losses.softmaxCrossEntropy(y, logits) as import('@tensorflow/tfjs').Scalar;
      });
    },
    makemoreStep(w) {
      // makemore part 2's MLP: gather the context's embeddings, tanh hidden layer, softmax cross-entropy
      const [table, w1, b1, w2, b2] = initialised('makemore', [
        ['C.weight', [w.vocab, w.embed]], ['l1.weight', [w.hidden, w.context * w.embed], 'linear'], ['l1.bias', [w.hidden]], ['l2.weight', [w.vocab, w.hidden], 'linear'], ['l2.bias', [w.vocab]],
      ]) as [Variable, Variable, Variable, Variable, Variable];
      const x = tf.tensor1d(tokens(w.batch * w.context, w.seed, w.vocab), 'int32');
      const y = tf.oneHot(tf.tensor1d(tokens(w.batch, w.seed + 1, w.vocab), 'int32'), w.vocab);
      return trainer(tf.train.sgd(w.lr), [table, w1, b1, w2, b2], () => {
        const e = tf.reshape(tf.gather(table, x), [w.batch, w.context * w.embed]) as import('@tensorflow/tfjs').Tensor2D;
        const hidden = tf.tanh(tf.fused.matMul({ a: e, b: w1 as unknown as import('@tensorflow/tfjs').Tensor2D, bias: b1 }));
        const logits = tf.fused.matMul({ a: hidden as import('@tensorflow/tfjs').Tensor2D, b: w2 as unknown as import('@tensorflow/tfjs').Tensor2D, bias: b2 });
        return tf.losses.softmaxCrossEntropy(y, logits) as import('@tensorflow/tfjs').Scalar;
      });
    },
    close: async () => {
      tf.disposeVariables();
    },
  };
}
