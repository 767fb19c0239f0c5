/**
 * "Did you mean" suggestions, in the spirit of Elasticsearch's `StringUtils.findSimilar`
 * (used for unknown pipes, functions and fields): candidates whose Jaro-Winkler similarity to
 * the input is at least 0.7, best first.
 */
export function findSimilar(input: string, candidates: Iterable<string>): string[] {
  const scored: Array<[string, number]> = [];
  const a = input.toLowerCase();
  for (const c of candidates) {
    const s = jaroWinkler(a, c.toLowerCase());
    if (s >= 0.7) scored.push([c, s]);
  }
  scored.sort((x, y) => y[1] - x[1]);
  return scored.map(([c]) => c);
}

/** Formats suggestions the way Elasticsearch does: `, did you mean [x]?` / `, did you mean any of [x, y]?`. */
export function didYouMean(similar: string[]): string {
  if (similar.length === 0) return '';
  return similar.length === 1 ? `, did you mean [${similar[0]}]?` : `, did you mean any of [${similar.join(', ')}]?`;
}

/** Jaro-Winkler similarity in [0, 1]. */
export function jaroWinkler(s1: string, s2: string): number {
  if (s1 === s2) return 1;
  const l1 = s1.length;
  const l2 = s2.length;
  if (l1 === 0 || l2 === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(l1, l2) / 2) - 1);
  const m1 = new Array<boolean>(l1).fill(false);
  const m2 = new Array<boolean>(l2).fill(false);
  let matches = 0;
  for (let i = 0; i < l1; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(l2 - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (!m2[j] && s1[i] === s2[j]) {
        m1[i] = m2[j] = true;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < l1; i++) {
    if (!m1[i]) continue;
    while (!m2[k]) k++;
    if (s1[i] !== s2[k]) t++;
    k++;
  }
  const jaro = (matches / l1 + matches / l2 + (matches - t / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < Math.min(4, l1, l2) && s1[prefix] === s2[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}
