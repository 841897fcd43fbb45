/** Reading small index tensors on the host, to check them before they reach a kernel. */
import type { Tensor } from '../tensor';

/**
 * The values of `t` when its backend reads synchronously, else null (the check is then skipped,
 * as it would stall a device that only reads back asynchronously).
 */
export function hostValues(t: Tensor): ArrayLike<number> | null {
  const b = t._backend();
  if (!b.readSync || !b.supports.syncRead) return null;
  return t.dataSync();
}
