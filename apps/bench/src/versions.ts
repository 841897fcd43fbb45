/** Versions and machine facts for the report, read without loading the libraries themselves. */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, release, type } from 'node:os';

const require = createRequire(import.meta.url);

/** The version of an installed package, resolved from `from` (a package name) or from apps/bench. */
export function packageVersion(name: string, from?: string): string {
  try {
    const req = from === undefined ? require : createRequire(require.resolve(`${from}/package.json`));
    return (req(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** A field of `lscpu`'s output (`Model name`, `Thread(s) per core`), or undefined. */
export function lscpuField(output: string, field: string): string | undefined {
  const line = output.split('\n').find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1).trim() || undefined;
}

export function machine(): { cpu: string; cores: number; threadsPerCore?: string; node: string; v8: string; os: string } {
  const lscpu = run('lscpu', []);
  const threadsPerCore = lscpuField(lscpu, 'Thread(s) per core');
  return {
    cpu: lscpuField(lscpu, 'Model name') ?? cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    ...(threadsPerCore ? { threadsPerCore } : {}),
    node: process.versions.node,
    v8: process.versions.v8,
    os: `${type()} ${release()}`,
  };
}

export function versions(): Record<string, string> {
  const commit = run('git', ['rev-parse', '--short', 'HEAD']);
  // the bench's own report does not count: a run right after another would always find it changed
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no', '--', ':(top)', ':(top,exclude)docs/benchmarks.md']) !== '';
  return {
    tensorgrad: `${packageVersion('@tensorgrad/core')} (git ${commit || 'unknown'}${dirty ? ', with uncommitted changes' : ''})`,
    '@tensorflow/tfjs': packageVersion('@tensorflow/tfjs'),
    '@tensorflow/tfjs-core': packageVersion('@tensorflow/tfjs-core', '@tensorflow/tfjs'),
    '@tensorflow/tfjs-backend-cpu': packageVersion('@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs'),
    '@tensorflow/tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'),
    'gpu.js': packageVersion('gpu.js', '@tensorgrad/backend-gpujs'),
  };
}
