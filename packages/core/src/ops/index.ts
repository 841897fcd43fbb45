export * from './unary';
export * from './binary';
export * from './compare';
export { sum, mean, max, min, logsumexp, variance as var, argmax, argmin, type Dim } from './reduce';
export { matmul } from './matmul';
export * from './shape';
export { indexSelect, gather } from './indexing';
export { cast } from './cast';
export { unbroadcast } from './unbroadcast';
