/**
 * `einsum` by contraction into permutes, reshapes and batched matmuls: diagonals are taken
 * first, labels no later operand needs are summed, then the operands are contracted left to
 * right, two at a time, each pair by one batched `matmul`. Gradients come from the composition.
 */
import type { Backend } from '../backend';
import { commonBackend } from '../op';
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { describe } from '../validate';
import { cast } from './cast';
import { indexSelect } from './indexing';
import { iota } from './more';
import { checkTensor } from './operand';
import { matmul } from './matmul';

// A label is a number: 0-51 for A-Z and a-z, 52 + j for the j-th dim the ellipsis covers
// (counted in the broadcast ellipsis of every operand, right-aligned).
const ELLIPSIS_BASE = 52;

function labelOf(ch: string): number {
  const c = ch.charCodeAt(0);
  return c >= 65 && c <= 90 ? c - 65 : c - 97 + 26;
}

function nameOf(label: number): string {
  if (label >= ELLIPSIS_BASE) return `...[${label - ELLIPSIS_BASE}]`;
  return String.fromCharCode(label < 26 ? 65 + label : 97 + label - 26);
}

interface Term {
  /** The letters before the ellipsis, then after it (labels). */
  readonly before: number[];
  readonly after: number[];
  readonly ellipsis: boolean;
}

// one operand's (or the output's) subscripts, checked: letters and at most one '...'
function parseTerm(text: string, offset: number, what: string): Term {
  const before: number[] = [];
  const after: number[] = [];
  let ellipsis = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '.') {
      if (text.slice(i, i + 3) !== '...') {
        throw new Error(`einsum: found '.' for ${what} that is not part of any ellipsis ('...') at index ${offset + i} of the equation`);
      }
      if (ellipsis) throw new Error(`einsum: found more than one ellipsis ('...') for ${what}`);
      ellipsis = true;
      i += 2;
      continue;
    }
    if (!/[a-zA-Z]/.test(ch)) {
      throw new Error(`einsum: invalid subscript ${JSON.stringify(ch)} given at index ${offset + i} in the equation string; subscripts must be letters in [a-zA-Z], '...', ',' and '->'`);
    }
    (ellipsis ? after : before).push(labelOf(ch));
  }
  return { before, after, ellipsis };
}

/** A tensor with one label per dim. */
interface Labelled {
  t: Tensor;
  labels: number[];
}

/**
 * Einstein summation, as `torch.einsum`: each operand's dims are named by letters; letters in
 * the output (after `->`) are kept in that order, the others are summed. Without `->` the output
 * is the letters that appear exactly once, in alphabetical order (capitals first). `...` stands
 * for the dims not named (they broadcast, and lead an implicit output); a letter repeated within
 * one operand takes its diagonal (`ii->i`, the trace `ii->`). Any number of operands, contracted
 * left to right; a letter of size 1 broadcasts against the same letter elsewhere.
 *
 * @example
 * ```ts
 * einsum('bhqd,bhkd->bhqk', q, k); // attention scores
 * einsum('ii->', m);               // trace
 * einsum('i,j->ij', a, b);         // outer product
 * ```
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  if (typeof equation !== 'string') throw new Error(`einsum: the equation must be a string such as 'ij,jk->ik', got ${describe(equation)}`);
  // torch.einsum also takes the operands as one list
  if (operands.length === 1 && Array.isArray(operands[0])) operands = operands[0] as unknown as Tensor[];
  operands.forEach((t, i) => checkTensor('einsum', `operand ${i}`, t));
  if (operands.length === 0) throw new Error('einsum: must provide at least one operand');
  const b = commonBackend('einsum', operands);

  // ---- parse
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  if (arrow >= 0 && eq.indexOf('->', arrow + 2) >= 0) throw new Error(`einsum: the equation ${JSON.stringify(equation)} has more than one '->'`);
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const pieces = lhs.split(',');
  if (pieces.length !== operands.length) {
    throw new Error(`einsum: the equation ${JSON.stringify(equation)} has ${pieces.length} operand${pieces.length === 1 ? '' : 's'}, but ${operands.length} tensor${operands.length === 1 ? ' was' : 's were'} given; pass one tensor per comma-separated term`);
  }
  let offset = 0;
  const terms = pieces.map((p, i) => {
    const term = parseTerm(p, offset, `operand ${i}`);
    offset += p.length + 1;
    return term;
  });

  // ---- the ellipsis: how many dims each operand's covers, and their broadcast sizes
  const ellipsisDims = terms.map((term, i) => {
    const t = operands[i]!;
    const named = term.before.length + term.after.length;
    if (!term.ellipsis && named !== t.ndim) {
      throw new Error(`einsum: the number of subscripts in the equation (${named}) does not match the number of dimensions (${t.ndim}) for operand ${i} (shape ${fmt(t.shape)}) and no ellipsis was given`);
    }
    if (term.ellipsis && named > t.ndim) {
      throw new Error(`einsum: the number of subscripts in the equation (${named}) is more than the number of dimensions (${t.ndim}) for operand ${i} (shape ${fmt(t.shape)})`);
    }
    return term.ellipsis ? t.ndim - named : 0;
  });
  const ellipsisRank = Math.max(0, ...ellipsisDims);
  const anyEllipsis = terms.some((t) => t.ellipsis);

  // ---- each operand labelled, with the size of every label checked across operands
  const sizes = new Map<number, number>();
  const labelled: Labelled[] = terms.map((term, i) => {
    const t = operands[i]!;
    const e = ellipsisDims[i]!;
    const middle = Array.from({ length: e }, (_, j) => ELLIPSIS_BASE + ellipsisRank - e + j);
    const labels = [...term.before, ...middle, ...term.after];
    labels.forEach((l, d) => {
      const n = t.shape[d]!;
      const seen = sizes.get(l);
      if (seen === undefined || seen === 1) sizes.set(l, n);
      else if (n !== seen && n !== 1) {
        const own = labels.indexOf(l) !== d;
        throw new Error(
          own
            ? `einsum: subscript ${nameOf(l)} is repeated for operand ${i} (shape ${fmt(t.shape)}) but the sizes don't match, ${n} != ${seen}`
            : `einsum: subscript ${nameOf(l)} has size ${n} for operand ${i} (shape ${fmt(t.shape)}), which does not broadcast with the size ${seen} seen before`,
        );
      }
    });
    return { t, labels };
  });

  // ---- the output's labels
  let output: number[];
  const counts = new Map<number, number>();
  for (const { labels } of labelled) for (const l of labels) if (l < ELLIPSIS_BASE) counts.set(l, (counts.get(l) ?? 0) + 1);
  const ellipsisLabels = Array.from({ length: ellipsisRank }, (_, j) => ELLIPSIS_BASE + j);
  if (arrow >= 0) {
    const term = parseTerm(eq.slice(arrow + 2), arrow + 2, 'the output');
    if (term.ellipsis && !anyEllipsis) throw new Error(`einsum: the output subscripts have an ellipsis ('...') but no input operand has one`);
    output = [...term.before, ...(term.ellipsis ? ellipsisLabels : []), ...term.after];
    const letters = [...term.before, ...term.after];
    letters.forEach((l, i) => {
      if (letters.indexOf(l) !== i) throw new Error(`einsum: output subscript ${nameOf(l)} appears more than once in the output`);
      if (!counts.has(l)) throw new Error(`einsum: output subscript ${nameOf(l)} does not appear in the equation for any input operand`);
    });
  } else {
    const once = [...counts.entries()].filter(([, c]) => c === 1).map(([l]) => l).sort((x, y) => x - y);
    output = [...ellipsisLabels, ...once];
  }

  // ---- diagonals, then contract left to right
  const ops = labelled.map((o) => diagonals(b, o));
  let acc = ops[0]!;
  for (let i = 1; i <= ops.length; i++) {
    // the labels kept past this step: the output's and those of the operands still to come
    const later = new Set<number>(output);
    for (let j = i + 1; j < ops.length; j++) for (const l of ops[j]!.labels) later.add(l);
    if (i === ops.length) {
      acc = sumLabels(acc, (l) => !later.has(l));
      break;
    }
    const next = ops[i]!;
    const keepA = new Set<number>([...later, ...next.labels]);
    const keepB = new Set<number>([...later, ...acc.labels]);
    acc = contract(sumLabels(acc, (l) => !keepA.has(l)), sumLabels(next, (l) => !keepB.has(l)), later, sizes);
  }

  // ---- into the output's order; labels of size 1 that broadcast elsewhere are expanded
  const perm = output.map((l) => acc.labels.indexOf(l));
  let out = perm.some((p, i) => p !== i) ? acc.t.permute(perm) : acc.t;
  const want = output.map((l) => sizes.get(l)!);
  if (want.some((n, i) => n !== out.shape[i])) out = out.expand(want);
  // matmul works in float32: integer operands give integers back (exact below 2^24)
  const dtype = operands.some((t) => t.dtype === 'float32') ? 'float32' : out.dtype === 'bool' ? 'bool' : 'int32';
  if (out.dtype !== dtype) out = cast(out, dtype);
  return out === operands[0] ? out.reshape(out.shape) : out;
}

// An operand whose repeated labels are replaced by their diagonal (`ii` → `i`).
function diagonals(b: Backend, o: Labelled): Labelled {
  let { t, labels } = o;
  for (;;) {
    const d = labels.findIndex((l, i) => labels.indexOf(l) !== i); // the second occurrence
    if (d < 0) return { t, labels };
    const first = labels.indexOf(labels[d]!);
    const n = t.shape[first]!;
    // move the second occurrence next to the first, merge the two dims, pick i·(n+1)
    const order = t.shape.map((_, i) => i).filter((i) => i !== d);
    order.splice(first + 1, 0, d);
    const moved = t.permute(order);
    const shape = moved.shape.slice();
    shape.splice(first, 2, n * n);
    t = indexSelect(moved.reshape(shape), first, iota(b, n, 0, n + 1));
    labels = labels.filter((_, i) => i !== d);
  }
}

// Sum over the labels `drop` picks.
function sumLabels(o: Labelled, drop: (label: number) => boolean): Labelled {
  const axes = o.labels.map((l, i) => (drop(l) ? i : -1)).filter((i) => i >= 0);
  if (axes.length === 0) return o;
  const t = o.t.dtype === 'float32' ? o.t : cast(o.t, 'int32');
  return { t: t.sum(axes), labels: o.labels.filter((_, i) => !axes.includes(i)) };
}

function product(ls: readonly number[], sizes: ReadonlyMap<number, number>): number {
  return ls.reduce((n, l) => n * sizes.get(l)!, 1);
}

// `a` and `b` contracted over the labels they share that `keep` lacks: one batched matmul of
// [batch, freeA, summed] by [batch, summed, freeB], shared labels expanded to their full size.
function contract(a: Labelled, b: Labelled, keep: ReadonlySet<number>, sizes: ReadonlyMap<number, number>): Labelled {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const freeA = a.labels.filter((l) => !inB.has(l));
  const freeB = b.labels.filter((l) => !inA.has(l));
  const arrange = (o: Labelled, order: number[]): Tensor => {
    const perm = order.map((l) => o.labels.indexOf(l));
    let t = perm.some((p, i) => p !== i) ? o.t.permute(perm) : o.t;
    const full = order.map((l) => (inA.has(l) && inB.has(l) ? sizes.get(l)! : t.shape[order.indexOf(l)]!));
    if (full.some((n, i) => n !== t.shape[i])) t = t.expand(full);
    return t;
  };
  const size = (ls: number[], o: Labelled): number => ls.reduce((n, l) => n * (inA.has(l) && inB.has(l) ? sizes.get(l)! : o.t.shape[o.labels.indexOf(l)]!), 1);
  const nb = product(batch, sizes);
  const ns = product(summed, sizes);
  const left = arrange(a, [...batch, ...freeA, ...summed]).reshape([nb, size(freeA, a), ns]);
  const right = arrange(b, [...batch, ...summed, ...freeB]).reshape([nb, ns, size(freeB, b)]);
  const prod = matmul(left, right);
  const shape = [
    ...batch.map((l) => sizes.get(l)!),
    ...freeA.map((l) => a.t.shape[a.labels.indexOf(l)]!),
    ...freeB.map((l) => b.t.shape[b.labels.indexOf(l)]!),
  ];
  return { t: prod.reshape(shape), labels: [...batch, ...freeA, ...freeB] };
}
