import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { randn, setBackend } from '@tensorgrad/core';
import { workerBackend } from './index';

describe('workerBackend options', () => {
  it('refuses an option it does not know, by name, instead of ignoring it', () => {
    expect(() => workerBackend({ thread: 2 } as never)).toThrow(/workerBackend: unknown option 'thread' \(did you mean 'threads'\?\); accepted options: threads, splitThreshold, poolBytes, workerUrl/);
    expect(() => workerBackend(null as never)).toThrow(/options must be an object, got null/);
    expect(() => workerBackend({ workerUrl: 3 } as never)).toThrow(/workerUrl must be a string or a URL, got number/);
    expect(() => workerBackend({ threads: 1, poolBytes: -1 })).toThrow(/workerBackend: poolBytes must be a non-negative integer, got -1/);
  });

  it('starts its threads from workerUrl, given as a file path or a URL', async () => {
    const built = fileURLToPath(new URL('../dist/worker.js', import.meta.url));
    for (const workerUrl of [built, new URL('../dist/worker.js', import.meta.url)]) {
      const b = workerBackend({ threads: 2, splitThreshold: 0, workerUrl });
      await setBackend(b);
      randn([64, 64]).add(1).dataSync();
      expect(b._stats().workerChunks).toBeGreaterThan(0);
      await b.close();
    }
  });

  it('refuses a workerUrl with no file there, naming the path', () => {
    expect(() => workerBackend({ threads: 2, workerUrl: '/nonexistent/worker.js' })).toThrow(/workerUrl: there is no file at \/nonexistent\/worker\.js/);
    expect(() => workerBackend({ threads: 2, workerUrl: new URL('file:///nonexistent/w.js') })).toThrow(/no file at \/nonexistent\/w\.js/);
  });
});
