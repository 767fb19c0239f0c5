/**
 * Reading exception files: Kibana's exception-list export (`.ndjson`, as Security → Rules → Shared
 * exception lists → Export writes it) and the hand-written TOML file kept beside a rule
 * (`*.exceptions.toml`). The README ("Exceptions") documents both.
 *
 * Kibana export: one JSON object per line. Lines with `entries` are exception items; the line of the
 * list itself (`list_id`, `type`, no `entries`) and the closing summary
 * (`exported_exception_list_count`, …) are read past.
 *
 * Hand-written TOML: one `[[exception]]` table per item with `name`, optional `os_types` and
 * `expire_time`, and `entries` as in Kibana (`field`, `operator` default "included", `type` default
 * "match", `value`); entries may be written inline or as `[[exception.entries]]` tables.
 */
import { promises as fs } from 'node:fs';
import { parse as parseToml, TomlError } from 'smol-toml';
import { describeFsError } from '../samples/fsErrors';
import { isTable, tomlErrorMessage } from '../samples/ruleFile';
import { indexTomlLines, lineOf, type TomlLineIndex } from '../ruletests/tomlLines';
import { ExceptionFormatError, readItem, type ExceptionItem } from './exceptionItem';

/** A problem of an exception file: 1-based line, and a message. */
export interface ExceptionFileProblem {
  file: string;
  line: number;
  message: string;
}

/** The items read from one or more files, and the problems found (an item with a problem is left out). */
export interface ExceptionFileResult {
  items: ExceptionItem[];
  problems: ExceptionFileProblem[];
}

/**
 * Parses the text of a Kibana exception-list export.
 * @param text NDJSON text.
 * @param file recorded in items and problems.
 */
export function parseKibanaExport(text: string, file: string): ExceptionFileResult {
  const result: ExceptionFileResult = { items: [], problems: [] };
  // A list's own line or the export summary: the file is an export, even of an empty list.
  let exportLines = 0;
  text.split(/\r\n|\n|\r/).forEach((lineText, i) => {
    const line = i + 1;
    if (lineText.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch (e) {
      result.problems.push({ file, line, message: `invalid JSON: ${(e as Error).message}` });
      return;
    }
    if (!isTable(value)) {
      result.problems.push({ file, line, message: 'not a JSON object' });
      return;
    }
    if (value.entries === undefined) {
      // The list's own line, or the export summary.
      if (value.list_id !== undefined || value.exported_exception_list_count !== undefined) exportLines++;
      return;
    }
    try {
      result.items.push(readItem(value, { file, line }, `item on line ${line}`));
    } catch (e) {
      if (!(e instanceof ExceptionFormatError)) throw e;
      result.problems.push({ file, line, message: e.message });
    }
  });
  if (result.items.length === 0 && result.problems.length === 0 && exportLines === 0) {
    result.problems.push({ file, line: 0, message: NO_ITEMS });
  }
  return result;
}

/** For a file that holds no exception item: most likely not the file meant (a sample log, say). */
const NO_ITEMS =
  'no exception items found (a Kibana exception-list export has lines with `entries`; a .toml exception file has `[[exception]]` tables), so none would apply';

/**
 * Parses a hand-written exception file (TOML, `[[exception]]` tables).
 * @param text the TOML text.
 * @param file recorded in items and problems.
 */
export function parseExceptionToml(text: string, file: string): ExceptionFileResult {
  const result: ExceptionFileResult = { items: [], problems: [] };
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    result.problems.push({ file, line: e instanceof TomlError ? e.line : 1, message: tomlErrorMessage(e) });
    return result;
  }
  const index = indexTomlLines(text);
  for (const key of Object.keys(doc)) {
    if (key !== 'exception') result.problems.push({ file, line: lineOf(index, text, key), message: `unknown key \`${key}\` (items are \`[[exception]]\` tables)` });
  }
  const items = doc.exception;
  if (items === undefined) {
    if (result.problems.length === 0) result.problems.push({ file, line: 0, message: NO_ITEMS });
    return result;
  }
  if (!Array.isArray(items)) {
    result.problems.push({ file, line: lineOf(index, text, 'exception'), message: '`exception` must be an array of tables (`[[exception]]`)' });
    return result;
  }
  items.forEach((raw: unknown, i: number) => {
    const line = lineOf(index, text, `exception[${i}]`);
    if (!isTable(raw)) {
      result.problems.push({ file, line, message: 'each `[[exception]]` must be a table' });
      return;
    }
    try {
      result.items.push(readItem(raw, { file, line }, `exception ${i + 1}`));
    } catch (e) {
      if (!(e instanceof ExceptionFormatError)) throw e;
      result.problems.push({ file, line: e.entry === undefined ? line : entryLine(index, text, i, e.entry, line), message: e.message });
    }
  });
  return result;
}

/**
 * The 1-based line of entry `entry` of item `item`: its `[[exception.entries]]` header, or where
 * it starts in an inline `entries = [ … ]` array, else `fallback` (the item's line).
 */
function entryLine(index: TomlLineIndex, text: string, item: number, entry: number, fallback: number): number {
  const table = index.get(`exception[${item}].entries[${entry}]`);
  if (table !== undefined) return table;
  const key = index.get(`exception[${item}].entries`);
  if (key === undefined) return fallback;
  return inlineArrayElementLines(text, key)[entry] ?? key;
}

/**
 * The 1-based line where each element of the inline array assigned on line `keyLine` starts
 * (`key = [ a, { … },\n b ]`), found by a scan that skips strings and comments.
 */
function inlineArrayElementLines(text: string, keyLine: number): number[] {
  const starts: number[] = [];
  let line = 1;
  let i = 0;
  for (; i < text.length && line < keyLine; i++) if (text[i] === '\n') line++;
  i = text.indexOf('=', i) + 1;
  if (i === 0) return starts;
  let depth = 0; // Brackets and braces open since the `=`.
  let expectElement = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (c === '#') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (depth === 1 && expectElement && c !== ']' && c !== ',') {
      starts.push(line);
      expectElement = false;
    }
    if (c === '"' || c === "'") {
      // A string: skip to its closing quote (basic strings have escapes; triple quotes span lines).
      const quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      let j = i + quote.length;
      while (j < text.length && !text.startsWith(quote, j)) {
        if (c === '"' && text[j] === '\\') j++;
        else if (text[j] === '\n') line++;
        j++;
      }
      i = j + quote.length - 1;
      continue;
    }
    if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectElement = c === '[';
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth <= 0) break;
    } else if (c === ',' && depth === 1) expectElement = true;
  }
  return starts;
}

/**
 * Reads exception files: `.toml` as a hand-written file, anything else as a Kibana export (NDJSON).
 * @param paths the files, as given.
 * @returns all items in file order, and every problem (an unreadable file is one problem at line 0).
 */
export async function readExceptionFiles(paths: readonly string[]): Promise<ExceptionFileResult> {
  const all: ExceptionFileResult = { items: [], problems: [] };
  for (const path of paths) {
    let text: string;
    try {
      text = await fs.readFile(path, 'utf8');
    } catch (e) {
      all.problems.push({ file: path, line: 0, message: describeFsError(e) });
      continue;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const read = /\.toml$/i.test(path) ? parseExceptionToml(text, path) : parseKibanaExport(text, path);
    all.items.push(...read.items);
    all.problems.push(...read.problems);
  }
  return all;
}

/** `file:line: message` (`file: message` for line 0). */
export function formatExceptionProblem(p: ExceptionFileProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.message}`;
}
