export { softmax, logSoftmax } from './softmax';
