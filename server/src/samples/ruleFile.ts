/**
 * Reading a rule from disk: a `.eql` file (the whole file is the query) or a detection-rules `.toml`
 * file (the query is the string `query` of the `[rule]` table, as in the `elastic/detection-rules`
 * repository's `rules/**\/*.toml`).
 *
 * For a TOML rule the query's position inside the file is kept, character by character, so a
 * diagnostic found in the query is reported at the TOML file's own line and column.
 */
import { promises as fs } from 'node:fs';
import { parse as parseToml, TomlError } from 'smol-toml';
import { describeInvalidUtf8, detectUnsupportedEncoding, firstInvalidUtf8 } from './encoding';
import { describeFsError } from './fsErrors';
import { lineColumnAt } from './textPosition';

/** A rule read from a file. */
export interface RuleSource {
  /** The path as given. */
  path: string;
  /** `eql` for a query file, `toml` for a detection-rules file. */
  format: 'eql' | 'toml';
  /** The whole file text (a UTF-8 byte order mark removed). Lines and columns are counted in it. */
  fileText: string;
  /** The EQL query text, as `analyze` receives it. */
  query: string;
  /** The rule's `[rule] name`, when the TOML file has one. */
  name?: string;
  /**
   * How Kibana runs the rule, from a detection-rules TOML file's `[rule]` table: `timestamp_override`
   * (the `_eql/search` `timestamp_field`), `event_category_override` (`event_category_field`) and
   * `tiebreaker_field`, and the `index` patterns the rule searches. Absent for `.eql` files and
   * for keys the rule does not set.
   */
  options?: RuleReplayOptions;
  /**
   * Maps a 0-based UTF-16 offset into `query` (0 … `query.length`) to the 0-based UTF-16 offset of
   * the same character in `fileText`. A character written as a TOML escape (`\n`, `\u00e9`) maps to
   * the backslash that starts the escape.
   */
  toFileOffset(queryOffset: number): number;
}

/** The replay options a detection rule sets (dotted field names). */
export interface RuleReplayOptions {
  timestampField?: string;
  eventCategoryField?: string;
  tiebreakerField?: string;
  /** The `index` array: index patterns (each may be a comma list), as written; see `indexPatterns.ts`. */
  index?: string[];
}

/** The options of a `[rule]` table: non-empty strings only (for `index`, its non-empty strings). */
function ruleReplayOptions(rule: Record<string, unknown>): RuleReplayOptions | undefined {
  const text = (key: string): string | undefined => (typeof rule[key] === 'string' && (rule[key] as string).trim() !== '' ? (rule[key] as string).trim() : undefined);
  const options: RuleReplayOptions = {};
  const timestampField = text('timestamp_override');
  const eventCategoryField = text('event_category_override');
  const tiebreakerField = text('tiebreaker_field');
  if (timestampField) options.timestampField = timestampField;
  if (eventCategoryField) options.eventCategoryField = eventCategoryField;
  if (tiebreakerField) options.tiebreakerField = tiebreakerField;
  const index = Array.isArray(rule.index) ? rule.index.filter((p): p is string => typeof p === 'string' && p.trim() !== '') : [];
  if (index.length > 0) options.index = index;
  return Object.keys(options).length > 0 ? options : undefined;
}

/**
 * Why a rule file gave no query. `unreadable`: the file could not be read (missing, a folder, no
 * permission) or is not UTF-8 text (UTF-16 / UTF-32 encoded, or binary: `not a text file (it
 * contains NUL bytes)`). `invalid`: it was read, but is not a usable rule (bytes that are not
 * UTF-8, TOML syntax error, no `[rule] query` string, a rule that is not EQL: see `isEqlRule`); `line`/`column`
 * are 1-based, in the file (column in UTF-16 code units).
 */
export type RuleFileProblem =
  | { kind: 'unreadable'; message: string }
  | {
      kind: 'invalid';
      line: number;
      column: number;
      message: string;
      /**
       * True for a rule of another language: neither `type` nor `language` says `eql` and one of
       * them is set (a KQL, ES|QL, machine learning, threshold … rule), not a broken EQL rule.
       */
      notEql?: boolean;
      /** True for a TOML document without a `[rule]` table: no detection rule at all (`Cargo.toml`). */
      noRuleTable?: boolean;
    };

/** The outcome of {@link readRuleFile}: either a rule or a problem. */
export type RuleFileResult = { rule: RuleSource; problem?: undefined } | { rule?: undefined; problem: RuleFileProblem };

/**
 * Reads a rule file. The format is chosen by extension: `.toml` is a detection-rules file, anything
 * else (normally `.eql`) is a bare query. The file must be UTF-8 (a byte order mark is allowed), as
 * TOML 1.0 requires; a UTF-16 file or one with NUL bytes is `unreadable`, one with bytes that are
 * not UTF-8 is `invalid` at the first such byte (`invalid UTF-8 (byte 0xE9); save the file as UTF-8`).
 *
 * @param path the file, as written by the user.
 * @returns the rule, or a problem; never throws.
 */
export async function readRuleFile(path: string): Promise<RuleFileResult> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    return { problem: { kind: 'unreadable', message: describeFsError(e) } };
  }
  const encoding = detectUnsupportedEncoding(bytes);
  if (encoding !== undefined) return { problem: { kind: 'unreadable', message: encoding } };
  // NUL bytes anywhere (also in a file whose other bytes are text): a rule file holds none.
  if (bytes.includes(0)) return { problem: { kind: 'unreadable', message: 'not a text file (it contains NUL bytes)' } };
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  const bad = firstInvalidUtf8(body);
  if (bad >= 0) {
    const { before, what } = describeInvalidUtf8(body, bad);
    const at = lineColumnAt(before, before.length);
    return { problem: { kind: 'invalid', ...at, message: `invalid UTF-8 (${what}); save the file as UTF-8` } };
  }
  const text = body.toString('utf8');
  return /\.toml$/i.test(path) ? ruleFromToml(path, text) : { rule: ruleFromEql(path, text) };
}

/**
 * Wraps the text of a `.eql` file: the query is the whole text, offsets map one to one.
 *
 * @param path recorded in the result.
 * @param text the file content without byte order mark.
 */
export function ruleFromEql(path: string, text: string): RuleSource {
  return { path, format: 'eql', fileText: text, query: text, toFileOffset: (o) => clamp(o, text.length) };
}

/**
 * Extracts the query of a detection-rules TOML document (`[rule]` table, key `query`) and maps its
 * characters back to the document. Parsing is smol-toml's (TOML 1.0); the position of the string is
 * found by scanning `query = …` assignments and keeping the one whose decoded value equals the parsed
 * value, so the mapping is never guessed.
 *
 * Only EQL rules are read ({@link isEqlRule}); another rule is refused at the start of its query.
 *
 * @param path recorded in the result and in messages.
 * @param text the TOML document.
 * @returns the rule, or an `invalid` problem with a 1-based line and column.
 */
export function ruleFromToml(path: string, text: string): RuleFileResult {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const line = e instanceof TomlError ? e.line : 1;
    const column = e instanceof TomlError ? e.column : 1;
    return { problem: { kind: 'invalid', line, column, message: tomlErrorMessage(e) } };
  }
  const rule = doc.rule;
  const query = isTable(rule) ? rule.query : undefined;
  if (typeof query !== 'string') {
    return {
      problem: { kind: 'invalid', line: 1, column: 1, message: 'no query: expected a string `query` in the `[rule]` table', ...(rule === undefined ? { noRuleTable: true } : {}) },
    };
  }
  const located = locateTomlString(text, query);
  const toFileOffset = (o: number): number => located[clamp(o, query.length)];
  if (isTable(rule) && !isEqlRule(rule)) {
    const at = lineColumnAt(text, toFileOffset(0));
    const notEql = rule.type !== 'eql' && rule.language !== 'eql' && (rule.type !== undefined || rule.language !== undefined);
    return { problem: { ...at, kind: 'invalid', message: whyNotEql(rule), ...(notEql ? { notEql } : {}) } };
  }
  const name = isTable(rule) && typeof rule.name === 'string' ? rule.name : undefined;
  const options = isTable(rule) ? ruleReplayOptions(rule) : undefined;
  return { rule: { path, format: 'toml', fileText: text, query, name, toFileOffset, ...(options ? { options } : {}) } };
}

/**
 * The message for a smol-toml parse error: `invalid TOML: <first line of smol-toml's message>`
 * (without its `Invalid TOML document: ` prefix). Any other thrown value is stringified.
 */
export function tomlErrorMessage(e: unknown): string {
  const reason = e instanceof Error ? e.message.split('\n')[0].replace(/^Invalid TOML document: /, '') : String(e);
  return `invalid TOML: ${reason}`;
}

/**
 * Whether the `[rule]` table of a detection-rules file holds an EQL rule: `language = "eql"`, or
 * no `language` and `type = "eql"` (detection-rules' schema: an EQL rule has `type = "eql"` and
 * `language = "eql"`; a KQL `type = "query"` rule names `language = "kuery"` or nothing).
 *
 * @param ruleTable the parsed `[rule]` table.
 */
export function isEqlRule(ruleTable: Record<string, unknown>): boolean {
  const { language, type } = ruleTable;
  return language === undefined ? type === 'eql' : language === 'eql';
}

/** The sentence saying why a `[rule]` table that {@link isEqlRule} refuses is not an EQL rule. */
function whyNotEql(ruleTable: Record<string, unknown>): string {
  const { language, type } = ruleTable;
  if (language !== undefined) return `the rule's language is ${JSON.stringify(language)}, not "eql"`;
  return type === undefined
    ? 'the rule names neither a language nor a type; expected `language = "eql"` or `type = "eql"`'
    : `the rule names no language and its type is ${JSON.stringify(type)}, not "eql"`;
}

/** Whether a parsed TOML value is a table (a plain object, not an array). */
export function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clamp(o: number, max: number): number {
  return Math.max(0, Math.min(Math.trunc(o), max));
}

/**
 * Returns, for each index 0 … value.length of the parsed query, its offset in the TOML text. Falls
 * back to a verbatim search, and at last to the start of the `query` key, when no assignment decodes
 * to the value (then positions are approximate but still inside the file).
 */
function locateTomlString(text: string, value: string): number[] {
  const assignment = /^[ \t]*(?:query|"query"|'query')[ \t]*=[ \t]*/gm;
  let firstKey = -1;
  for (let m = assignment.exec(text); m !== null; m = assignment.exec(text)) {
    if (firstKey < 0) firstKey = m.index + m[0].search(/\S/);
    const decoded = decodeTomlString(text, m.index + m[0].length);
    if (decoded && decoded.value === value) return decoded.offsets;
  }
  const verbatim = text.indexOf(value);
  if (verbatim >= 0 && value !== '') return Array.from({ length: value.length + 1 }, (_, i) => verbatim + i);
  return new Array<number>(value.length + 1).fill(Math.max(firstKey, 0));
}

/**
 * Decodes the TOML string that starts at `start` (any of the four TOML string forms) with, for each
 * produced UTF-16 unit, the offset it came from; `offsets[value.length]` is the closing delimiter.
 * Returns undefined when no string starts there or it is not closed. Rules: TOML 1.0 §String.
 */
function decodeTomlString(text: string, start: number): { value: string; offsets: number[] } | undefined {
  const quote = text[start];
  if (quote !== '"' && quote !== "'") return undefined;
  const multiline = text.startsWith(quote.repeat(3), start);
  const literal = quote === "'";
  let i = start + (multiline ? 3 : 1);
  // A newline right after the opening delimiter of a multi-line string is trimmed.
  if (multiline) {
    if (text.startsWith('\r\n', i)) i += 2;
    else if (text[i] === '\n') i += 1;
  }
  let value = '';
  const offsets: number[] = [];
  const push = (s: string, at: number): void => {
    value += s;
    for (let k = 0; k < s.length; k++) offsets.push(at);
  };
  while (i < text.length) {
    const c = text[i];
    if (c === quote) {
      if (!multiline) {
        offsets.push(i);
        return { value, offsets };
      }
      if (text.startsWith(quote.repeat(3), i)) {
        // Up to two quotes may sit right before the closing delimiter: `''''` or `'''''`.
        let extra = 0;
        while (extra < 2 && text[i + 3 + extra] === quote) extra++;
        for (let k = 0; k < extra; k++) push(quote, i + k);
        offsets.push(i + extra);
        return { value, offsets };
      }
    }
    if (!multiline && (c === '\n' || c === '\r')) return undefined;
    if (c === '\\' && !literal) {
      const escaped = decodeEscape(text, i, multiline);
      if (!escaped) return undefined;
      push(escaped.value, i);
      i = escaped.next;
      continue;
    }
    push(c, i);
    i++;
  }
  return undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\x1b',
  '"': '"',
  '\\': '\\',
};

function decodeEscape(text: string, at: number, multiline: boolean): { value: string; next: number } | undefined {
  const e = text[at + 1];
  if (e !== undefined && e in SIMPLE_ESCAPES) return { value: SIMPLE_ESCAPES[e], next: at + 2 };
  const hexLength = e === 'u' ? 4 : e === 'U' ? 8 : e === 'x' ? 2 : 0;
  if (hexLength > 0) {
    const hex = text.slice(at + 2, at + 2 + hexLength);
    if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== hexLength) return undefined;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return undefined;
    return { value: String.fromCodePoint(code), next: at + 2 + hexLength };
  }
  if (multiline) {
    // Line-ending backslash: the backslash, the rest of the line and all following whitespace vanish.
    let j = at + 1;
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text[j] === '\n' || text[j] === '\r') {
      while (j < text.length && /[ \t\r\n]/.test(text[j])) j++;
      return { value: '', next: j };
    }
  }
  return undefined;
}

/**
 * The inverse of {@link RuleSource.toFileOffset}: the query offset of a position in the file, as a
 * cursor sees it (between characters).
 *
 * Input: a 0-based UTF-16 offset into `rule.fileText`. Output: the 0-based UTF-16 offset into
 * `rule.query` of the same gap between characters (0 … `query.length`), or `undefined` when the
 * offset lies outside the query string: before its first character or after its closing delimiter
 * starts. An offset inside a TOML escape (`\"`, `\u00e9`) counts as after the escaped character;
 * one at its backslash as before it. Works for any `RuleSource` because `toFileOffset` never
 * decreases (characters keep their order in the file); O(log n).
 */
export function toQueryOffset(rule: RuleSource, fileOffset: number): number | undefined {
  const length = rule.query.length;
  if (fileOffset < rule.toFileOffset(0) || fileOffset > rule.toFileOffset(length)) return undefined;
  // The first query character at or after `fileOffset`: every character before it lies before the cursor.
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (rule.toFileOffset(mid) < fileOffset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The four TOML 1.0 string forms (§ String): basic `"…"`, multi-line basic `"""…"""`, literal `'…'`, multi-line literal `'''…'''`. */
export type TomlStringDelimiter = '"' | '"""' | "'" | "'''";

/** Where the `query` string of a TOML rule is written: its key and its delimiter. */
export interface TomlQueryString {
  /** 0-based UTF-16 offset in `fileText` of the `query` key of the assignment. */
  keyOffset: number;
  /** 0-based UTF-16 offset in `fileText` of the opening delimiter. */
  openOffset: number;
  delimiter: TomlStringDelimiter;
}

/**
 * Finds how the query of a TOML rule is written: the `query = ` key (on the delimiter's line) and
 * the string form. Returns `undefined` for a `.eql` rule, and for a TOML rule whose query could not
 * be traced to a `query = "…"` line (e.g. written as a dotted key `rule.query`), where
 * `toFileOffset` is only approximate.
 */
export function tomlQueryString(rule: RuleSource): TomlQueryString | undefined {
  if (rule.format !== 'toml') return undefined;
  const text = rule.fileText;
  let p = rule.toFileOffset(0);
  // The newline trimmed after the opening delimiter of a multi-line string (TOML 1.0 § String).
  let trimmed = 0;
  if (text.startsWith('\r\n', p - 2)) trimmed = 2;
  else if (text[p - 1] === '\n') trimmed = 1;
  if (trimmed > 0 && (text.startsWith("'''", p - trimmed - 3) || text.startsWith('"""', p - trimmed - 3))) p -= trimmed;
  let delimiter: TomlStringDelimiter | undefined;
  for (const d of ["'''", '"""', "'", '"'] as const) {
    if (text.startsWith(d, p - d.length)) {
      delimiter = d;
      break;
    }
  }
  if (!delimiter) return undefined;
  const openOffset = p - delimiter.length;
  const lineStart = Math.max(text.lastIndexOf('\n', openOffset - 1), text.lastIndexOf('\r', openOffset - 1)) + 1;
  const key = /^([ \t]*)(?:query|"query"|'query')[ \t]*=[ \t]*$/.exec(text.slice(lineStart, openOffset));
  if (!key) return undefined;
  return { keyOffset: lineStart + key[1].length, openOffset, delimiter };
}

/**
 * Writes query text as the body of a TOML string of the given form, so that the string decodes to
 * `value` again (TOML 1.0 § String).
 *
 * - literal strings (`'…'`, `'''…'''`) have no escapes: `undefined` when `value` holds what they
 *   cannot (`'` or a line break in `'…'`; `'''` in `'''…'''`; control characters other than tab);
 * - basic strings escape `\` and control characters (`\n`, `\r`, `\uXXXX`; tab stays); `"` is
 *   escaped in `"…"` always and in `"""…"""` only when `escapeQuotes` is set (there a lone `"` is
 *   allowed, three in a row are not: the caller knows the neighbouring text).
 *
 * @returns the text to write between the delimiters, or `undefined` when the form cannot hold `value`.
 */
export function encodeTomlStringBody(value: string, delimiter: TomlStringDelimiter, escapeQuotes = false): string | undefined {
  const multiline = delimiter.length === 3;
  if (delimiter[0] === "'") {
    if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(value)) return undefined;
    if (multiline) return value.includes("'''") ? undefined : value;
    return /['\r\n]/.test(value) ? undefined : value;
  }
  const quotes = !multiline || escapeQuotes;
  return value.replace(/[\\"\x00-\x08\x0a-\x1f\x7f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '"') return quotes ? '\\"' : c;
    if (multiline && (c === '\n' || c === '\r')) return c;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
}
