/** The seed example of API.md, exactly: fit y = 2x with one Linear layer, printing the loss each epoch. */
import { tensor, nn, optim, setBackend } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';
await setBackend(cpuBackend());

const model = new nn.Linear(1, 1);
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
const criterion = new nn.MSELoss();
const xTrain = tensor([[1], [2], [3], [4]]);
const yTrain = tensor([[2], [4], [6], [8]]);
for (let epoch = 0; epoch < 100; epoch++) {
  const loss = criterion.forward(model.forward(xTrain), yTrain);
  optimizer.zeroGrad();
  loss.backward();
  nn.utils.clipGradNorm_(model.parameters(), 1.0);
  optimizer.step();
  console.log(`Epoch [${epoch + 1}/100], Loss: ${loss.item().toFixed(4)}`);
}
