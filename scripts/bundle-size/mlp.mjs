// The typical training program that scripts/bundle-size.mjs measures: an MLP that classifies 2-D
// points (two interleaved spirals' worth of clusters), trained with Adam on cross-entropy, evaluated
// under noGrad, every step in a tidy scope. It imports what such a program imports and nothing more,
// so its bundle is core + backend-cpu as a small app ships them.
import { tensor, nn, optim, functional as F, setBackend, tidy, noGrad, manualSeed, randn } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';

await setBackend(cpuBackend());
manualSeed(0);

// 4 clusters of 32 points each, class = cluster
const centers = [[-1, -1], [1, -1], [-1, 1], [1, 1]];
const points = [];
const labels = [];
for (let c = 0; c < centers.length; c++) {
  for (let i = 0; i < 32; i++) {
    points.push([centers[c][0] + 0.3 * Math.sin(7 * i + c), centers[c][1] + 0.3 * Math.cos(5 * i + c)]);
    labels.push(c);
  }
}
const x = tensor(points).add(randn([points.length, 2]).mul(0.05));
const y = tensor(labels, { dtype: 'int32' });

const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 4));
const optimizer = new optim.Adam(model.parameters(), { lr: 0.05 });
const criterion = new nn.CrossEntropyLoss();

let first = NaN;
let last = NaN;
for (let step = 0; step < 60; step++) {
  last = tidy(() => {
    optimizer.zeroGrad();
    const loss = step % 2 === 0 ? criterion.forward(model.forward(x), y) : F.crossEntropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
    return loss.item();
  });
  if (step === 0) first = last;
}
const accuracy = noGrad(() => tidy(() => model.forward(x).argmax(1).eq(y).float().mean().item()));
if (!(last < first / 4) || accuracy < 0.9) throw new Error(`mlp did not learn: loss ${first} -> ${last}, accuracy ${accuracy}`);
export const result = { first, last, accuracy };
