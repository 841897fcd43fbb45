/**
 * PyTorch as benchmark systems: `torch-1` and `torch-2` are ../torch/serve.py run by Debian's
 * python3 (`/usr/bin/python3` with python3-torch 1.13 and libopenblas0-pthread; a `python3` on
 * PATH may be a pyenv one without torch), speaking the Node children's JSON-line protocol.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The interpreter that has torch (overridable with `TENSORGRAD_BENCH_PYTHON`). */
export const PYTHON = process.env['TENSORGRAD_BENCH_PYTHON'] ?? '/usr/bin/python3';

/** A PyTorch system's thread settings. */
export interface TorchSettings {
  /** `torch.set_num_threads` (intra-op OpenMP threads). */
  readonly torchThreads: number;
  /** `OPENBLAS_NUM_THREADS` (OpenBLAS's own pthreads; it ignores `set_num_threads`). */
  readonly blasThreads: number;
}

/**
 * The settings of each PyTorch system. `torch-1` is one core (OpenBLAS pinned to one thread too:
 * left alone it uses every core even at `set_num_threads(1)`), compared with backend-cpu.
 * `torch-2`, compared with backend-worker, is PyTorch's best setting on two cores, measured
 * here (2-core AMD EPYC, torch 1.13, OpenBLAS 0.3.21 pthread, serve.py run by hand on the cases'
 * definitions, 8-sample medians; several runs where two numbers are given; a shared, noisy VM):
 *
 *   torch threads / OpenBLAS threads    1/1          1/2              2/1          2/2
 *   GPT iteration (ms)                  49, 62, 67   43, 44, 54, 113  55, 58       127, 209
 *   GPT generation (ms per token)       1.30–1.71    1.18–2.11        1.61, 1.94   5.1, 6.5
 *   makemore MLP step (ms)              0.16         0.16–0.37        0.30, 0.31   0.16, 0.23
 *   MNIST Net step (ms)                 51, 64, 74   54, 56, 58, 64   43, 267      46, 386
 *   MLP step, batch 64 (ms)             0.99–1.08    0.53–0.97        0.78, 19.8   18.4, 20.1
 *   LSTM step (ms)                      767          797              773          16,655
 *
 * Two OpenMP threads (2/x) spin and collapse whenever the other core is busy (19.8 ms for a
 * 1 ms MLP step, 16 s for a 0.8 s LSTM step), and 2/2 oversubscribes the two cores; 1 torch
 * thread with 2 OpenBLAS threads (the products on both cores, the rest on one) is the fastest or
 * within noise of it on every case, so `torch-2` is 1/2.
 */
export const TORCH_SETTINGS: Readonly<Record<'torch-1' | 'torch-2', TorchSettings>> = {
  'torch-1': { torchThreads: 1, blasThreads: 1 },
  'torch-2': { torchThreads: 1, blasThreads: 2 },
};

/** serve.py, beside this app's src/ and dist/. */
export const SERVE_PY = fileURLToPath(new URL('../torch/serve.py', import.meta.url));

/**
 * The command line of a PyTorch system's child process.
 *
 * @example
 * ```ts
 * torchCommand('torch-2'); // ['/usr/bin/python3', ['…/torch/serve.py', '--torch-threads', '1', '--blas-threads', '2', '--name', 'torch-2']]
 * ```
 */
export function torchCommand(name: 'torch-1' | 'torch-2'): [string, string[]] {
  const s = TORCH_SETTINGS[name];
  return [PYTHON, [SERVE_PY, '--torch-threads', String(s.torchThreads), '--blas-threads', String(s.blasThreads), '--name', name]];
}

/**
 * Whether {@link PYTHON} exists and imports torch: its version, or why not (said once, and the
 * PyTorch systems are skipped).
 *
 * @example
 * ```ts
 * const probe = probeTorch();
 * if (!probe.ok) console.error(probe.reason);
 * ```
 */
export function probeTorch(python = PYTHON): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error !== undefined) return { ok: false, reason: `${python} cannot run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  if (r.status !== 0) {
    const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
    return { ok: false, reason: `${python} has no torch (${last || `exit code ${r.status}`}): apt-get install python3-torch libopenblas0-pthread` };
  }
  return { ok: true, version: r.stdout.trim() };
}
