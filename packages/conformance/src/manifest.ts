/** The manifest of what a backend declares it cannot run, and how a test name is matched against it. */

/**
 * What a backend cannot run. `skip` names a case (`'conv2d/s2p0'`), an op (`'conv2d'`, every case
 * of it), or a group prefix (`'programs/optimizers'`), each with the reason. A case not named here
 * must pass: failing is never the same as unsupported.
 *
 * @example
 * ```ts
 * const supports = { skip: { 'conv2d/s2p0': 'strided conv2d lands in 0.2', max_pool2d: 'no pooling kernel yet' } };
 * ```
 */
export interface SupportManifest {
  /** Case name, op, or name prefix → why the backend cannot run it. A bare list means "no reason given". */
  readonly skip?: Readonly<Record<string, string>> | readonly string[];
}

/** The manifest's entries as `[key, reason]` pairs. */
export function skipEntries(manifest: SupportManifest | undefined): [string, string][] {
  const skip = manifest?.skip;
  if (!skip) return [];
  if (Array.isArray(skip)) return (skip as readonly string[]).map((k) => [k, 'declared unsupported by the backend']);
  return Object.entries(skip as Record<string, string>);
}

/** Whether `key` names this test: its full name, its op, or a `/`-separated prefix of its name. */
export function skipMatches(key: string, name: string, op: string): boolean {
  return key === name || key === op || name.startsWith(`${key}/`);
}

/**
 * The reason the manifest gives for skipping the test `name` of `op`, or null when it must run.
 *
 * @example
 * ```ts
 * skipReason({ skip: { conv2d: 'no kernel' } }, 'conv2d/s1p1', 'conv2d'); // 'no kernel'
 * ```
 */
export function skipReason(manifest: SupportManifest | undefined, name: string, op: string): string | null {
  for (const [key, reason] of skipEntries(manifest)) if (skipMatches(key, name, op)) return reason;
  return null;
}
