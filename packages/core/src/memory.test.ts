import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, DataId } from './backend';
import { tensor } from './creation';
import { setBackend } from './registry';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

// a garbage collection on demand, as `node --expose-gc` gives
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Let FinalizationRegistry callbacks run: they are queued as tasks after a collection. */
const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

/**
 * The CPU backend with an asynchronous read, as a GPU's: the values arrive a few event-loop
 * turns later. Storage freed before the read completes makes the read throw.
 */
function slowReadingBackend(): Backend & { disposedWhileReading: number } {
  const cpu = cpuBackend();
  const reading = new Set<DataId>();
  const disposed = new Set<DataId>();
  const backend = {
    ...cpu,
    name: 'slow-read',
    disposedWhileReading: 0,
    async read(id: DataId) {
      reading.add(id);
      try {
        for (let i = 0; i < 4; i++) await turn();
        if (disposed.has(id)) throw new Error('slow-read: read of storage that was freed while the read was in flight');
        return cpu.read(id);
      } finally {
        reading.delete(id);
      }
    },
    dispose(id: DataId) {
      if (reading.has(id)) backend.disposedWhileReading++;
      disposed.add(id);
      cpu.dispose(id);
    },
  };
  return backend;
}

describe('reading a tensor nobody else references', () => {
  const backend = slowReadingBackend();
  beforeAll(async () => {
    await setBackend(backend);
  });
  afterAll(async () => {
    await setBackend(cpuBackend());
  });

  it('keeps the tensor alive until `await t.data()` completes, through a garbage collection', async () => {
    for (let round = 0; round < 5; round++) {
      const reading = tensor([1, 2, 3]).mul(2).add(1).data();
      // nothing references the tensors any more: collect them while the read is in flight
      gc();
      await turn();
      gc();
      expect(Array.from(await reading)).toEqual([3, 5, 7]);
    }
    expect(backend.disposedWhileReading).toBe(0);
  });

  it('frees the storage once the read is done, even when the tensor was disposed during it', async () => {
    const t = tensor([4, 5]).mul(1);
    const before = backend.memory().tensors;
    const reading = t.data();
    t.dispose();
    expect(backend.memory().tensors).toBe(before); // still held by the read
    expect(Array.from(await reading)).toEqual([4, 5]);
    expect(backend.memory().tensors).toBe(before - 1);
  });
});

describe('a tensor changed in place', () => {
  it('frees, once collected, the storage it holds now, and leaves alone the slot of the one it held before', async () => {
    const backend = cpuBackend();
    await setBackend(backend);
    gc();
    await turn();
    const before = backend.memory().tensors;
    for (let round = 0; round < 20; round++) {
      ((x) => x.add_(1))(tensor([1, 2, 3])); // moves the tensor to new storage: its first storage and slot are free now
    }
    const kept = tensor([7, 8]); // takes one of the freed slots
    for (let i = 0; i < 3; i++) {
      gc();
      await turn();
    }
    // a collected tensor that still pointed at its first slot would have freed `kept`'s storage
    expect(Array.from(await kept.data())).toEqual([7, 8]);
    expect(backend.memory().tensors).toBe(before + 1);
  });
});
