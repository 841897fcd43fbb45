import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PYTHON, probeTorch, SERVE_PY, TORCH_SETTINGS, torchCommand } from './torch';

describe('the PyTorch systems', () => {
  it('run serve.py with their thread settings', () => {
    expect(existsSync(SERVE_PY)).toBe(true);
    const [python, args] = torchCommand('torch-2');
    expect(python).toMatch(/python3$/);
    expect(args.slice(1)).toEqual(['--torch-threads', String(TORCH_SETTINGS['torch-2'].torchThreads), '--blas-threads', String(TORCH_SETTINGS['torch-2'].blasThreads), '--name', 'torch-2']);
    expect(TORCH_SETTINGS['torch-1']).toEqual({ torchThreads: 1, blasThreads: 1 });
  });

  it('say clearly why they are skipped when the interpreter is missing', () => {
    const probe = probeTorch('/nonexistent/python3');
    expect(probe.ok).toBe(false);
    expect(!probe.ok && probe.reason).toMatch(/^\/nonexistent\/python3 cannot run \(ENOENT\)/);
  });

  /** serve.py's info, run with `env` added to this process's environment. */
  const serveInfo = (env: Record<string, string>): Record<string, string> => {
    const r = spawnSync(PYTHON, [SERVE_PY, '--torch-threads', '1', '--blas-threads', '1'], { input: '{"info": true}\n', encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
    const lines = r.stdout.trim().split('\n');
    return (JSON.parse(lines[lines.length - 1]!) as { info: Record<string, string> }).info;
  };
  const flags = existsSync('/proc/cpuinfo') ? new Set((/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').split(/\s+/)) : new Set<string>();
  const hasTorch = probeTorch().ok;

  // OpenBLAS 0.3.21 took a Sapphire-Rapids-class Xeon for a Prescott (SSE3) and ran at a quarter speed
  it.skipIf(!hasTorch || process.env['OPENBLAS_CORETYPE'] !== undefined || !(flags.has('avx2') && flags.has('fma')))('run OpenBLAS on kernels that use the vector units the processor has, and say which', () => {
    const core = serveInfo({})['openblas core'];
    expect(core).toBeDefined();
    expect(core).not.toMatch(/^(Prescott|Core2|Penryn|Dunnington|Nehalem|Atom|Katmai|Coppermine|Northwood|Banias|unknown) /i);
  });

  it.skipIf(!hasTorch)('leave an OPENBLAS_CORETYPE the caller set alone', () => {
    expect(serveInfo({ OPENBLAS_CORETYPE: 'Nehalem' })['openblas core']).toBe('Nehalem (OPENBLAS_CORETYPE=Nehalem from the caller)');
  });
});
