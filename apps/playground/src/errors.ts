/** The page's error banner: every failure (a backend that does not start, a bad setting) is shown there, and logged. */

/** The message of an error, with its cause's when it has one. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Show `e` in the page's error banner (`#error`) under `where`, and log it with console.error.
 *
 * @example
 * ```ts
 * showError('playground', new Error('the worker backend failed to start: …'));
 * ```
 */
export function showError(where: string, e: unknown): void {
  const text = `${where}: ${messageOf(e)}`;
  console.error(text);
  const banner = document.getElementById('error');
  if (!banner) return;
  const line = document.createElement('div');
  line.textContent = text;
  banner.append(line);
  banner.hidden = false;
}

/** Empty the error banner. */
export function clearErrors(): void {
  const banner = document.getElementById('error');
  if (!banner) return;
  banner.replaceChildren();
  banner.hidden = true;
}
