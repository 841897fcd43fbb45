import { describe, expect, it } from 'vitest';
import { ReusePool } from './storage';

describe('ReusePool', () => {
  it('gives back what was put under the same key, last in first out', () => {
    const pool = new ReusePool<string, Float32Array>(1024);
    const a = new Float32Array(4);
    const b = new Float32Array(4);
    pool.put('f:4', a);
    pool.put('f:4', b);
    expect(pool.heldBytes).toBe(32);
    expect(pool.take('f:4')).toBe(b);
    expect(pool.take('f:4')).toBe(a);
    expect(pool.take('f:4')).toBeUndefined();
    expect(pool.take('f:8')).toBeUndefined();
    expect(pool.heldBytes).toBe(0);
  });

  it('makes room by dropping the keys released longest ago, not the newest', () => {
    const pool = new ReusePool<string, Float32Array>(100);
    const old = new Float32Array(10); // 40 bytes
    const mid = new Float32Array(10);
    const recent = new Float32Array(5); // 20 bytes
    pool.put('old', old);
    pool.put('mid', mid);
    pool.put('old', new Float32Array(2)); // 'old' released again: now newer than 'mid'
    expect(pool.heldBytes).toBe(88);
    pool.put('recent', recent); // 108 > 100: 'mid' (the oldest release) goes, 'old' stays
    expect(pool.take('mid')).toBeUndefined();
    expect(pool.take('recent')).toBe(recent);
    expect(pool.take('old')).toBeDefined();
    expect(pool.take('old')).toBe(old);
    expect(pool.heldBytes).toBe(0);
  });

  it("drops one of the releasing key's own arrays when no other key has any, and never holds more than the limit", () => {
    const pool = new ReusePool<string, Float32Array>(48);
    for (let i = 0; i < 4; i++) pool.put('k', new Float32Array(4)); // the fourth: 64 > 48, one goes
    expect(pool.heldBytes).toBe(48);
    const back = [pool.take('k'), pool.take('k'), pool.take('k'), pool.take('k')];
    expect(back.filter((a) => a !== undefined)).toHaveLength(3);
    expect(back[3]).toBeUndefined();
  });

  it('keeps nothing bigger than its limit, nothing empty, and nothing at all with limit 0', () => {
    const pool = new ReusePool<string, Float32Array>(16);
    pool.put('big', new Float32Array(5));
    pool.put('empty', new Float32Array(0));
    expect(pool.heldBytes).toBe(0);
    const off = new ReusePool<string, Float32Array>(0);
    off.put('k', new Float32Array(1));
    expect(off.take('k')).toBeUndefined();
  });
});
