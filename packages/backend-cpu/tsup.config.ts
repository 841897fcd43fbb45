import { defineConfig } from 'tsup';
import { perFileConfigs } from '../../scripts/tsup-per-file';

// ESM: one file per source module (dist/kernels/binary.js, ...), so that a user's bundler keeps
// only the kernels a program reaches (the `rangeKernels` namespace stays an ES namespace); CJS and
// types as one file each.
export default defineConfig(perFileConfigs());
