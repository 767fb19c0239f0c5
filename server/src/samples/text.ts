/**
 * Wording of counts in messages and summaries (English).
 */

/**
 * A count with its noun, singular for exactly one: `1 event`, `0 events`, `2 matches`.
 *
 * @param n the count, written as is (no thousands separators).
 * @param one the singular noun.
 * @param many the plural noun; by default the singular with `s` appended.
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
