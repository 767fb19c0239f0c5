/** Removes positions and written forms (`span`, `nameSpan`, `categorySpan`, `runsSpan`, `raw`) so trees compare by meaning. */
export function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'span' || k === 'nameSpan' || k === 'categorySpan' || k === 'runsSpan' || k === 'raw') continue;
      if (v === undefined) continue;
      out[k] = strip(v);
    }
    return out;
  }
  return node;
}
