import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { manualSeed, randn, tensor } from '../creation';
import * as nn from '../nn/index';
import * as optim from '../optim/index';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { type Checkpoint, deserialize, deserializeCheckpoint, load, loadCheckpoint, save, serialize } from './index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };
beforeAll(async () => {
  await setBackend(cpuBackend());
  manualSeed(1);
});

function trained(): { model: nn.Linear; opt: optim.AdamW } {
  const model = new nn.Linear(3, 2);
  const opt = new optim.AdamW([{ params: [model.weight], weightDecay: 0.1 }, { params: [model.bias!], weightDecay: 0 }], { lr: 1e-2, betas: [0.9, 0.95] });
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    model.forward(randn([4, 3])).square().mean().backward();
    opt.step();
  }
  return { model, opt };
}

describe('checkpoints: a model, an optimizer and numbers in one safetensors file', () => {
  it('save / loadCheckpoint give back the nesting, the numbers and the tensors; training resumes identically', () => {
    const { model, opt } = trained();
    const path = join(mkdtempSync(join(tmpdir(), 'tg-ck-')), 'ckpt.safetensors');
    save({ model: model.stateDict(), optimizer: opt.stateDict() as unknown as Checkpoint, iter: 3, best: Infinity, config: { name: 'gpt', sizes: [4, 128] } }, path);
    const ck = loadCheckpoint(path);
    expect([ck.iter, ck.best, ck.config]).toEqual([3, Infinity, { name: 'gpt', sizes: [4, 128] }]);
    const model2 = new nn.Linear(3, 2);
    model2.loadStateDict(ck.model as Record<string, Tensor>);
    const opt2 = new optim.AdamW([{ params: [model2.weight], weightDecay: 0.1 }, { params: [model2.bias!], weightDecay: 0 }], { lr: 1e-2, betas: [0.9, 0.95] });
    opt2.loadStateDict(ck.optimizer as never);
    expect(opt2.paramGroups.map((g) => g.weightDecay)).toEqual([0.1, 0]);
    const x = randn([4, 3]);
    for (const [m, o] of [[model, opt], [model2, opt2]] as const) {
      o.zeroGrad();
      m.forward(x).square().mean().backward();
      o.step();
    }
    expect(Array.from(model2.weight.dataSync())).toEqual(Array.from(model.weight.dataSync()));
    // the tensors are in the tensor table under dotted names, readable by PyTorch's load_file
    expect(Object.keys(load(path))).toEqual(expect.arrayContaining(['model.weight', 'model.bias']));
  });

  it('a plain state dict is written as before (no checkpoint metadata) and reads back as one', () => {
    const bytes = serialize({ w: tensor([1, 2]) });
    expect(new TextDecoder().decode(bytes)).not.toContain('tensorgrad.checkpoint');
    expect(Object.keys(deserializeCheckpoint(bytes))).toEqual(['w']);
    expect(Object.keys(deserialize(serialize({ a: { b: tensor([1]) }, n: 1 })))).toEqual(['a.b']);
  });

  it('refuses what a checkpoint cannot hold, naming the path', () => {
    expect(() => serialize({ model: { w: tensor([1]) }, f: (() => 1) as never })).toThrow(/serialize: 'f' is a function/);
    expect(() => serialize({ 'a.b': tensor([1]), a: { b: tensor([2]) } })).toThrow(/two tensors of the checkpoint get the name 'a.b'/);
    const loop: Record<string, unknown> = { n: 1 };
    loop.self = loop;
    expect(() => serialize(loop as never)).toThrow(/'self' refers back to itself/);
  });
});
