/**
 * The character-level data of nanoGPT's `shakespeare_char`: the vocabulary is the sorted set of
 * characters in the text, the first 90% trains and the last 10% validates, and a batch is `batchSize`
 * random windows of `blockSize` characters with the targets shifted by one.
 *
 * @example
 * ```ts
 * const data = CharData.fromText(readFileSync('input.txt', 'utf8'));
 * const { x, y } = data.batch('train', 12, 64);
 * ```
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Tensor, nextSeed, tensor } from '@tensorgrad/core';

/** tinyshakespeare, shipped with the app (see data/README.md for its source). */
export const SHAKESPEARE_PATH = fileURLToPath(new URL('../data/tinyshakespeare.txt', import.meta.url));

/** Which part of the text a batch is drawn from. */
export type Split = 'train' | 'val';

/** A text split into train and val token ids over its character vocabulary. */
export class CharData {
  /** The vocabulary: character i has token id i. */
  readonly chars: string[];
  readonly train: Int32Array;
  readonly val: Int32Array;
  private readonly ids: Map<string, number>;

  constructor(chars: readonly string[], train: Int32Array, val: Int32Array) {
    this.chars = chars.slice();
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
    this.train = train;
    this.val = val;
  }

  /** Vocabulary from the text's characters (sorted by code point), split 90/10. */
  static fromText(text: string, trainFraction = 0.9): CharData {
    const chars = [...new Set(text)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const ids = new Map(chars.map((c, i) => [c, i]));
    const all = Int32Array.from(text, (c) => ids.get(c)!);
    const n = Math.floor(trainFraction * all.length);
    return new CharData(chars, all.slice(0, n), all.slice(n));
  }

  /** tinyshakespeare as nanoGPT's `prepare.py` splits it: 65 characters, 1,003,854 / 111,540 tokens. */
  static shakespeare(): CharData {
    return CharData.fromText(readFileSync(SHAKESPEARE_PATH, 'utf8'));
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  /** Token ids of `text`; throws naming a character outside the vocabulary. */
  encode(text: string): number[] {
    return Array.from(text, (c) => {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`encode: the character ${JSON.stringify(c)} is not in the vocabulary of ${this.chars.length} characters`);
      return id;
    });
  }

  /** The text of token ids. */
  decode(ids: Iterable<number>): string {
    let s = '';
    for (const id of ids) s += this.chars[id] ?? '';
    return s;
  }

  /** `batchSize` windows at offsets drawn from the seeded generator: inputs x and next-character targets y, [B, T] int32. */
  batch(split: Split, batchSize: number, blockSize: number): { x: Tensor; y: Tensor } {
    const data = split === 'train' ? this.train : this.val;
    if (data.length <= blockSize) throw new Error(`batch: the ${split} split has ${data.length} tokens, too few for blockSize ${blockSize}`);
    const offsets = Array.from({ length: batchSize }, () => nextSeed() % (data.length - blockSize));
    return this.windows(split, offsets, blockSize);
  }

  /** The windows starting at `offsets` of a split (what `batch` draws), for fixed batches. */
  windows(split: Split, offsets: readonly number[], blockSize: number): { x: Tensor; y: Tensor } {
    const data = split === 'train' ? this.train : this.val;
    const x = new Int32Array(offsets.length * blockSize);
    const y = new Int32Array(offsets.length * blockSize);
    offsets.forEach((o, b) => {
      x.set(data.subarray(o, o + blockSize), b * blockSize);
      y.set(data.subarray(o + 1, o + 1 + blockSize), b * blockSize);
    });
    return { x: tensor(x, { dtype: 'int32' }).view(offsets.length, blockSize), y: tensor(y, { dtype: 'int32' }).view(offsets.length, blockSize) };
  }
}
