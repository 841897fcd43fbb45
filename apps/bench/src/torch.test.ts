import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { probeTorch, SERVE_PY, TORCH_SETTINGS, torchCommand } from './torch';

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
});
