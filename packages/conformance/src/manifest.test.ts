import { describe, expect, it } from 'vitest';
import { skipEntries, skipReason } from './manifest';

describe('the support manifest', () => {
  const manifest = { skip: { 'conv2d/s2p0': 'no strided conv yet', max_pool2d: 'no pooling kernel', 'optim.Adam': 'later' } };

  it('skips a case named exactly, with its reason', () => {
    expect(skipReason(manifest, 'conv2d/s2p0', 'conv2d')).toBe('no strided conv yet');
  });

  it('runs the other cases of an op when only one case is named', () => {
    expect(skipReason(manifest, 'conv2d/s1p1', 'conv2d')).toBeNull();
  });

  it('skips every case of an op named by its PyTorch name', () => {
    expect(skipReason(manifest, 'max_pool2d/k2s2', 'max_pool2d')).toBe('no pooling kernel');
    expect(skipReason(manifest, 'programs/optimizers/Adam(lr=0.1)', 'optim.Adam')).toBe('later');
  });

  it('matches a name prefix only at a / boundary', () => {
    expect(skipReason({ skip: { programs: 'none' } }, 'programs/mlp_relu_ce', 'programs/mlp_relu_ce')).toBe('none');
    expect(skipReason({ skip: { sum: 'x' } }, 'summary', 'other')).toBeNull();
  });

  it('accepts a bare list of names', () => {
    expect(skipEntries({ skip: ['gelu'] })).toEqual([['gelu', 'declared unsupported by the backend']]);
    expect(skipReason({ skip: ['gelu'] }, 'gelu/3x5', 'gelu')).not.toBeNull();
  });

  it('runs everything without a manifest', () => {
    expect(skipReason(undefined, 'add/3x4+4', 'add')).toBeNull();
  });
});
