/**
 * Kernels that move elements: permute, expand and slice (one strided read), pad, concat
 * (four inputs per kernel), gather, and scatterAdd (written gather-style; past 2^27
 * compare-adds it costs more than the host loop and runs there).
 */
import { numel, stridesOf, type KernelTable } from '@tensorgrad/core';
import type { Arg, Dispatch } from '../dispatch';
import { broadcastStrides, collapse, divisors } from '../plan';
import * as src from '../sources';

// past this many compare-adds a device scatterAdd costs more than the host loop
const SCATTER_BUDGET = 1 << 27;

/** The data-movement part of the kernel table. */
export function layoutKernels(d: Dispatch): Pick<KernelTable, 'permute' | 'expand' | 'slice' | 'pad' | 'concat' | 'gather' | 'scatterAdd'> {
  const cpu = d.storage.cpu.kernels;
  return {
    permute(xi, perm) {
      const x = d.input(xi);
      const shape = perm.map((p) => x.shape[p]!);
      if (d.onHostSide([x], numel(shape))) return d.host(shape, x.dtype, [x], 'permute', ([a]) => cpu.permute(a!, perm));
      const xs = stridesOf(x.shape);
      return d.strided(x, collapse(shape, [perm.map((p) => xs[p]!)], [0]), shape, 'permute');
    },

    expand(xi, shape) {
      const x = d.input(xi);
      if (d.onHostSide([x], numel(shape))) return d.host(shape, x.dtype, [x], 'expand', ([a]) => cpu.expand(a!, shape));
      return d.strided(x, collapse(shape, [broadcastStrides(x.shape, shape)], [0]), shape, 'expand');
    },

    slice(xi, begin, size) {
      const x = d.input(xi);
      if (d.onHostSide([x], numel(size))) return d.host(size, x.dtype, [x], 'slice', ([a]) => cpu.slice(a!, begin, size));
      const xs = stridesOf(x.shape);
      const off = begin.reduce((o, b, dim) => o + b * xs[dim]!, 0);
      return d.strided(x, collapse(size, [xs], [off]), size, 'slice');
    },

    pad(xi, padding, value) {
      const x = d.input(xi);
      const shape = x.shape.map((len, dim) => len + padding[dim]![0] + padding[dim]![1]);
      const n = numel(shape);
      if (d.onHostSide([x], n) || x.shape.length === 0) return d.host(shape, x.dtype, [x], 'pad', ([a]) => cpu.pad(a!, padding, value));
      const rank = x.shape.length;
      return d.kernel(
        `pad:${rank}`,
        () => src.padSource(rank),
        [n],
        shape,
        x.dtype,
        [x, new Float32Array([value]), ...divisors(shape), ...padding.map((p) => p[0]), ...x.shape, ...stridesOf(x.shape)],
        'pad',
      );
    },

    concat(xis, axis) {
      const xs = xis.map((t) => d.input(t));
      const dtype = xs[0]!.dtype;
      const shape = [...xs[0]!.shape];
      shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
      const n = numel(shape);
      if (d.onHostSide(xs, n)) return d.host(shape, dtype, xs, 'concat', (infos) => cpu.concat(infos, axis));
      const outer = numel(shape.slice(0, axis));
      // [tensor, width] pairs, empty inputs left out, joined four at a time
      let parts = xs.filter((x) => numel(x.shape) > 0).map((x) => ({ x, w: numel(x.shape) / outer, temp: false }));
      while (parts.length > 4) {
        const group = parts.slice(0, 4);
        const w = group.reduce((s, p) => s + p.w, 0);
        const joined = d.kernel('concat:4', () => src.concatSource(4), [outer * w], [outer, w], dtype, [...group.map((p) => p.x), w, ...group.map((p) => p.w)], 'concat');
        for (const p of group) if (p.temp) d.drop(p.x);
        parts = [{ x: d.own(joined), w, temp: true }, ...parts.slice(4)];
      }
      const k = parts.length;
      const out =
        k === 1
          ? d.copy(parts[0]!.x, shape, dtype, 'concat')
          : d.kernel(`concat:${k}`, () => src.concatSource(k), [n], shape, dtype, [...parts.map((p) => p.x), numel(shape.slice(axis)), ...parts.map((p) => p.w)], 'concat');
      for (const p of parts) if (p.temp) d.drop(p.x);
      return out;
    },

    gather(xi, axis, ii) {
      const x = d.input(xi);
      const index = d.input(ii);
      const n = numel(index.shape);
      if (d.onHostSide([x, index], n) || x.shape.length === 0) {
        return d.host(index.shape, x.dtype, [x, index], 'gather', ([a, i]) => cpu.gather(a!, axis, i!));
      }
      const rank = x.shape.length;
      const xs = stridesOf(x.shape);
      const s = xs.map((v, dim) => (dim === axis ? 0 : v));
      return d.kernel(`gather:${rank}`, () => src.gatherSource(rank), [n], index.shape, x.dtype, [x, index, ...divisors(index.shape), ...s, xs[axis]!], 'gather');
    },

    scatterAdd(shape, axis, ii, si) {
      const index = d.input(ii);
      const source = d.input(si);
      const n = numel(shape);
      const J = index.shape[axis] ?? 1;
      if (d.onHostSide([index, source], n) || shape.length === 0 || n * J > SCATTER_BUDGET) {
        return d.host(shape, 'float32', [index, source], 'scatterAdd', ([i, s]) => cpu.scatterAdd(shape, axis, i!, s!));
      }
      const rank = shape.length;
      const is = stridesOf(index.shape);
      const args: Arg[] = [
        index,
        source,
        ...divisors(shape),
        ...shape.map((_, dim) => (dim === axis ? 1 : 0)),
        ...index.shape.map((len, dim) => (dim === axis ? 1 << 30 : len)),
        ...is.map((v, dim) => (dim === axis ? 0 : v)),
        is[axis]!,
        J,
      ];
      return d.kernel(`scatterAdd:${rank}`, () => src.scatterAddSource(rank), [n], shape, 'float32', args, 'scatterAdd');
    },
  };
}
