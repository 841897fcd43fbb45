import { defineConfig } from 'tsup';
import { perFileConfigs } from '../../scripts/tsup-per-file';

// ESM: one file per source module (dist/nn/linear.js, ...), so that `nn`, `optim`, `functional`
// and `data` stay ES namespaces that a user's bundler can tree-shake; CJS and types as one file each.
export default defineConfig(perFileConfigs());
