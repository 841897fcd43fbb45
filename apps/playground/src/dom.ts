/** Looking up the page's elements by id, with an error naming any that is missing. */

/**
 * The element `#id`, checked to be of the given kind.
 *
 * @example
 * ```ts
 * const start = byId('pg-start', HTMLButtonElement);
 * ```
 */
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  if (!(el instanceof kind)) throw new Error(`#${id} is a <${el.tagName.toLowerCase()}>, not a ${kind.name}`);
  return el;
}
