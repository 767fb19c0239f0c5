/**
 * "Did you mean" suggestions as Elasticsearch makes them (`StringUtils.findSimilar`, used for unknown
 * pipes, functions and columns): candidates whose normalised Levenshtein similarity
 * `1 - distance / max(length)` to the input is at least 0.5, most similar first (ties keep input order).
 * Example from Elasticsearch's VerifierTests: `pib` → `[pid, ppid]`.
 */
export function findSimilar(input: string, candidates: Iterable<string>, ignoreCase = false): string[] {
  const norm = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  const a = norm(input);
  const scored: Array<[string, number]> = [];
  for (const c of candidates) {
    const b = norm(c);
    const max = Math.max(a.length, b.length);
    if (max === 0) continue;
    const similarity = 1 - levenshtein(a, b) / max;
    if (similarity >= 0.5) scored.push([c, similarity]);
  }
  scored.sort((x, y) => y[1] - x[1]);
  return scored.map(([c]) => c);
}

/** Formats suggestions the way Elasticsearch does: `, did you mean [x]?` / `, did you mean any of [x, y]?`. */
export function didYouMean(similar: string[]): string {
  if (similar.length === 0) return '';
  return similar.length === 1 ? `, did you mean [${similar[0]}]?` : `, did you mean any of [${similar.join(', ')}]?`;
}

/** Edit distance (insertions, deletions, substitutions) between two strings, by UTF-16 unit. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Optimal string alignment distance (Damerau–Levenshtein without overlapping edits): the number of
 * deleted, inserted or replaced characters and swapped neighbours that turn `a` into `b`, by
 * UTF-16 unit. `process.nmae` → `process.name` is 1 (one swap), where Levenshtein counts 2.
 *
 * @param max stop early: any distance above `max` is returned as `max + 1`.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = cur;
  }
  return Math.min(prev[b.length], max + 1);
}
