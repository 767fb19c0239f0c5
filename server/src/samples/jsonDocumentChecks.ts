/**
 * Checks on one parsed JSON event document that `JSON.parse` does not make, so that what is
 * replayed is what Elasticsearch would index.
 *
 * - Duplicate keys in one object: Elasticsearch parses documents with Jackson's
 *   `STRICT_DUPLICATE_DETECTION` and rejects such a document ("Duplicate field 'x'"), while
 *   `JSON.parse` silently keeps the last value.
 * - Nesting depth: Jackson's `StreamReadConstraints` refuse documents nested deeper than 1000
 *   arrays/objects ("Document nesting depth … exceeds the maximum allowed (1000)"); beyond that
 *   depth the event is also refused here, so no later step has to walk an unbounded tree.
 *
 * The cost is one pass over the parsed tree and a count of `":` in the line (native substring
 * search); only lines where that count is not conclusive are scanned string by string.
 */

/** Maximum nesting of arrays and objects in one event document (Jackson's default). */
export const MAX_DOCUMENT_DEPTH = 1000;

/**
 * Finds why a parsed document must be refused.
 * @param text the JSON text the document was parsed from (valid JSON).
 * @param doc `JSON.parse(text)`.
 * @returns a message for `path:line: message`, or undefined when the document is acceptable.
 */
export function documentProblem(text: string, doc: object): string | undefined {
  // One iterative pass: count the keys the parsed tree kept and measure its depth.
  let keys = 0;
  const stack: Array<[unknown, number]> = [[doc, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > MAX_DOCUMENT_DEPTH) {
      return `document nesting depth exceeds the maximum allowed (${MAX_DOCUMENT_DEPTH}), as Elasticsearch refuses; the event is skipped`;
    }
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push([x, depth + 1]);
    } else {
      const o = v as Record<string, unknown>;
      for (const k in o) {
        keys++;
        const x = o[k];
        if (typeof x === 'object' && x !== null) stack.push([x, depth + 1]);
      }
    }
  }
  if (writtenKeysMatch(text, keys)) return undefined;
  const name = firstDuplicateKey(text);
  return `duplicate field ${name === undefined ? '' : `'${name}' `}in one JSON object (Elasticsearch rejects such a document); the event is skipped`;
}

/**
 * True when `text` (valid JSON) writes exactly `parsed` keys, i.e. `JSON.parse` dropped none.
 *
 * Fast path: every key is written `"key":` unless whitespace separates the quote from the colon,
 * and `":` can also occur where it is not a key's end (a value starting with `:`, `\":` inside a
 * string), so without `"` followed by whitespace the count of `":` is at least the number of
 * keys written; when it equals the keys parsed, none was dropped. Otherwise the strings are scanned.
 */
const QUOTE_THEN_SPACE = /"[ \t\r\n]/;

function writtenKeysMatch(text: string, parsed: number): boolean {
  let naive = 0;
  for (let i = text.indexOf('":'); i >= 0; i = text.indexOf('":', i + 2)) naive++;
  if (naive === parsed && !QUOTE_THEN_SPACE.test(text)) return true;
  return countWrittenKeys(text) === parsed;
}

/** Number of keys written in `text` (valid JSON): strings followed by optional whitespace and `:`. */
function countWrittenKeys(t: string): number {
  let keys = 0;
  let pos = 0;
  for (;;) {
    const open = t.indexOf('"', pos);
    if (open < 0) return keys;
    // The closing quote: the next `"` preceded by an even number of backslashes.
    let close = t.indexOf('"', open + 1);
    for (;;) {
      if (close < 0) return keys;
      let b = close - 1;
      while (t.charCodeAt(b) === 92) b--;
      if ((close - 1 - b) % 2 === 0) break;
      close = t.indexOf('"', close + 1);
    }
    let k = close + 1;
    let c = t.charCodeAt(k);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = t.charCodeAt(++k);
    if (c === 58) keys++;
    pos = k;
  }
}

/**
 * The first key that occurs twice in one object of `text` (valid JSON), undefined if none.
 * A small scanner, used only on lines already known to hold a duplicate.
 */
function firstDuplicateKey(text: string): string | undefined {
  // Per open container: the keys seen so far (null for arrays).
  const open: Array<Set<string> | null> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '{') open.push(new Set());
    else if (c === '[') open.push(null);
    else if (c === '}' || c === ']') open.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const token = text.slice(i, j + 1);
      let k = j + 1;
      while (k < text.length && ' \t\n\r'.includes(text[k])) k++;
      const keys = open[open.length - 1];
      if (text[k] === ':' && keys) {
        const key = JSON.parse(token) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = j + 1;
      continue;
    }
    i++;
  }
  return undefined;
}
