/**
 * Where the keys and tables of a TOML document are, by line. smol-toml parses values but keeps no
 * positions, so a checker that finds a wrong value (a string where a number belongs, a missing
 * `name`) asks this index for the line to report.
 *
 * Paths are written as the parsed value is reached: `case[1].match[0].events` for the key `events`
 * of the first `[[case.match]]` of the second `[[case]]`. The scan follows TOML's table headers
 * (`[a.b]`, `[[a.b]]`) and key assignments (`a = …`, `"a.b" = …`, `a.b = …`); it skips the bodies of
 * multi-line strings so that a `[[case]]` written inside a query is not taken for a header.
 */

/** 1-based line of each table header and key assignment, by path. */
export type TomlLineIndex = Map<string, number>;

/** Splits a dotted TOML key (`a."b.c".d`) into its parts, without quotes. */
function keyParts(key: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < key.length && (m = re.exec(key)) !== null) {
    parts.push(m[1] ?? m[2] ?? m[3]);
  }
  return parts;
}

/**
 * Indexes a TOML document.
 * @param text the document.
 * @returns the 1-based line of each header and of each key's first line.
 */
export function indexTomlLines(text: string): TomlLineIndex {
  const index: TomlLineIndex = new Map();
  const lines = text.split(/\r\n|\n|\r/);
  // Current element index of each array of tables, by its resolved path (`case`, `case[1].match`).
  const arrayCounts = new Map<string, number>();
  // Current element index by plain dotted name, to resolve `[[case.match]]` under the latest `[[case]]`.
  const currentIndex = new Map<string, number>();
  let table = '';
  let inMultiline: string | undefined;

  const resolve = (parts: string[], isArray: boolean): string => {
    let path = '';
    parts.forEach((part, k) => {
      path = path === '' ? part : `${path}.${part}`;
      const plain = parts.slice(0, k + 1).join('.');
      if (k === parts.length - 1 && isArray) {
        const count = (arrayCounts.get(path) ?? 0) + 1;
        arrayCounts.set(path, count);
        currentIndex.set(plain, count - 1);
        path = `${path}[${count - 1}]`;
      } else if (currentIndex.has(plain) && arrayCounts.has(path)) {
        path = `${path}[${currentIndex.get(plain)}]`;
      }
    });
    return path;
  };

  lines.forEach((line, i) => {
    const lineNumber = i + 1;
    if (inMultiline !== undefined) {
      if (line.includes(inMultiline)) inMultiline = undefined;
      return;
    }
    const arrayHeader = /^\s*\[\[\s*([^\]]+?)\s*\]\]/.exec(line);
    if (arrayHeader) {
      table = resolve(keyParts(arrayHeader[1]), true);
      if (!index.has(table)) index.set(table, lineNumber);
      return;
    }
    const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
    if (header) {
      table = resolve(keyParts(header[1]), false);
      if (!index.has(table)) index.set(table, lineNumber);
      return;
    }
    const assignment = /^\s*((?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=(.*)$/.exec(line);
    if (assignment) {
      const key = keyParts(assignment[1]).join('.');
      const path = table === '' ? key : `${table}.${key}`;
      if (!index.has(path)) index.set(path, lineNumber);
      const rest = assignment[2];
      for (const delimiter of ['"""', "'''"]) {
        if ((rest.split(delimiter).length - 1) % 2 === 1) inMultiline = delimiter;
      }
    }
  });
  return index;
}

/**
 * The line to report for a value: the path's own line, else its nearest indexed ancestor's, else 1.
 * An array element (`…events[2]`) is looked for as `needle` (its text in the file) from its key's line on.
 *
 * @param index from {@link indexTomlLines}.
 * @param text the document (to find array elements).
 * @param path the value's path, e.g. `case[0].match[1].events[2]`.
 * @param needle text of the element to look for on the lines after the key, when the path ends in an index.
 */
export function lineOf(index: TomlLineIndex, text: string, path: string, needle?: string): number {
  let p = path;
  while (p !== '') {
    const found = index.get(p);
    if (found !== undefined) {
      if (needle && p !== path) {
        const lines = text.split(/\r\n|\n|\r/);
        for (let i = found - 1; i < lines.length; i++) if (lines[i].includes(needle)) return i + 1;
      }
      return found;
    }
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut < 0 ? '' : p.slice(0, cut);
  }
  return 1;
}
