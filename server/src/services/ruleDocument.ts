/**
 * One place that turns an editor document into "EQL text + position mapping", so every language
 * feature stays a plain function of EQL text:
 *
 * - an `.eql` document is the query itself (identity mapping);
 * - a detection-rules `.toml` document (as in `elastic/detection-rules`' `rules/**\/*.toml`) holds
 *   the query in the `query` string of its `[rule]` table. It is served only when the rule is EQL:
 *   `language = "eql"`, or no `language` and `type = "eql"`. Other TOML files (KQL rules,
 *   `Cargo.toml`, `pyproject.toml`) are not rules: no diagnostics, no features.
 *
 * Positions are LSP positions (0-based line, UTF-16 character). Query ↔ file offsets come from
 * `samples/ruleFile.ts` (`toFileOffset`, `toQueryOffset`), which follow TOML 1.0's string rules,
 * so a `'''…'''` query maps verbatim and a `"""…"""` one across its escapes.
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import { DiagnosticSeverity, type Diagnostic, type Position, type Range } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  encodeTomlStringBody,
  isTable,
  ruleFromEql,
  ruleFromToml,
  toQueryOffset,
  tomlErrorMessage,
  tomlQueryString,
  type RuleSource,
  type TomlQueryString,
} from '../samples/ruleFile';

/** The `source` of problems with the rule file itself (not with its EQL): a TOML syntax error. */
export const RULE_FILE_DIAGNOSTIC_SOURCE = 'eql-workbench';

/** The EQL query of an open document and how its positions map to the document's. */
export interface RuleDocument {
  /** `eql` for a bare query document, `toml` for a detection-rules file. */
  format: 'eql' | 'toml';
  /** The editor's document. */
  document: TextDocument;
  /** The query text as a document of its own (same URI and version, language `eql`): what the services read. */
  query: TextDocument;
  /** The rule's `[rule] name`, when the TOML file has one. */
  name?: string;
  /**
   * 0-based line of the document where the rule's CodeLens belongs: for TOML the line of
   * `query = …`; for `.eql` the line where the query starts (0 here; the client skips comments).
   */
  lensLine: number;
  /**
   * Whether positions map exactly. False only for a TOML query that could not be traced to a
   * `query = …` line (see `tomlQueryString`): then only diagnostics are placed (approximately).
   */
  exact: boolean;
  /** Query position → document position. */
  toDocumentPosition(position: Position): Position;
  /** Query range → document range. */
  toDocumentRange(range: Range): Range;
  /** Document position → query position, or `undefined` outside the query string. */
  toQueryPosition(position: Position): Position | undefined;
  /** Document range → query range, or `undefined` when either end lies outside the query string. */
  toQueryRange(range: Range): Range | undefined;
  /**
   * The text to write over `documentRange` so that the query reads `text` there: `text` itself
   * for `.eql` and TOML literal strings, escaped for TOML basic strings. `undefined` when the
   * string form cannot hold it (a `'''` inside `'''…'''`, a line break in a one-line string).
   */
  toDocumentText(text: string, documentRange: Range): string | undefined;
}

/**
 * What a document is to the server: a rule with its query, or not a rule (with the reason, for
 * messages, and the diagnostics to publish: a TOML syntax error in a file that looks like a rule).
 */
export type RuleDocumentResult =
  | { rule: RuleDocument; notRule?: undefined; diagnostics?: undefined }
  | { rule?: undefined; notRule: string; diagnostics: Diagnostic[] };

/**
 * Whether a document is TOML: language id `toml`, or a path ending in `.toml` (any letter case)
 * when no TOML language is known to the editor.
 */
export function isTomlDocument(uri: string, languageId: string): boolean {
  return languageId === 'toml' || /\.toml$/i.test(uri.replace(/[?#].*$/, ''));
}

/**
 * Reads the rule of an open document.
 *
 * Input: the document (its `languageId` and URI decide the format, see {@link isTomlDocument}).
 * Output: a {@link RuleDocument}, or `notRule` with a sentence saying why. A TOML syntax error
 * yields one Error diagnostic at smol-toml's position (source `eql-workbench`), but only in a
 * document with a `[rule]` table header: other TOML files are left to TOML tools. Never throws.
 */
export function ruleDocument(document: TextDocument): RuleDocumentResult {
  const uri = document.uri;
  const text = document.getText();
  if (!isTomlDocument(uri, document.languageId)) return { rule: fromRuleSource(document, ruleFromEql(uri, text), undefined) };

  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const line = e instanceof TomlError ? e.line : 1;
    const column = e instanceof TomlError ? e.column : 1;
    const message = tomlErrorMessage(e);
    if (!RULE_TABLE_HEADER.test(text)) return { notRule: message, diagnostics: [] };
    return { notRule: `${message} (line ${line}, column ${column})`, diagnostics: [syntaxErrorDiagnostic(document, line, column, message)] };
  }
  const rule = parsed.rule;
  if (!isTable(rule) || typeof rule.query !== 'string') return { notRule: 'no string `query` in a `[rule]` table', diagnostics: [] };
  // ruleFromToml refuses a rule that is not EQL (`isEqlRule`), saying why.
  const read = ruleFromToml(uri, text);
  if (!read.rule) return { notRule: read.problem.message, diagnostics: [] };
  return { rule: fromRuleSource(document, read.rule, tomlQueryString(read.rule)) };
}

/** `[rule]` on a line of its own (a trailing comment allowed): the file means to be a detection rule. */
const RULE_TABLE_HEADER = /^[ \t]*\[[ \t]*rule[ \t]*\][ \t]*(?:#.*)?$/m;

/** One Error diagnostic at a 1-based line/column of smol-toml, one character wide when there is one. */
function syntaxErrorDiagnostic(document: TextDocument, line: number, column: number, message: string): Diagnostic {
  const start = { line: Math.max(0, line - 1), character: Math.max(0, column - 1) };
  const startOffset = document.offsetAt(start);
  const next = document.getText().charAt(startOffset);
  const end = next !== '' && next !== '\n' && next !== '\r' ? document.positionAt(startOffset + 1) : document.positionAt(startOffset);
  return { range: { start: document.positionAt(startOffset), end }, severity: DiagnosticSeverity.Error, source: RULE_FILE_DIAGNOSTIC_SOURCE, code: 'toml-syntax', message };
}

function fromRuleSource(document: TextDocument, source: RuleSource, located: TomlQueryString | undefined): RuleDocument {
  const query = TextDocument.create(document.uri, 'eql', document.version, source.query);
  const toml = source.format === 'toml';
  const exact = !toml || located !== undefined;
  const toDocumentPosition = (p: Position): Position => document.positionAt(source.toFileOffset(query.offsetAt(p)));
  const toQueryPosition = (p: Position): Position | undefined => {
    if (!exact) return undefined;
    const q = toQueryOffset(source, document.offsetAt(p));
    return q === undefined ? undefined : query.positionAt(q);
  };
  return {
    format: source.format,
    document,
    query,
    name: source.name,
    lensLine: document.positionAt(located?.keyOffset ?? source.toFileOffset(0)).line,
    exact,
    toDocumentPosition,
    toDocumentRange: (r) => ({ start: toDocumentPosition(r.start), end: toDocumentPosition(r.end) }),
    toQueryPosition,
    toQueryRange: (r) => {
      const start = toQueryPosition(r.start);
      const end = toQueryPosition(r.end);
      return start && end ? { start, end } : undefined;
    },
    toDocumentText: (text, range) => {
      if (!toml) return text;
      if (!located) return undefined;
      const encoded = encodeTomlStringBody(text, located.delimiter);
      if (encoded === undefined || located.delimiter.length === 1) return encoded;
      // In a multi-line string, three quotes in a row (with the neighbouring text) would end it.
      const whole = document.getText();
      const before = whole.slice(Math.max(0, document.offsetAt(range.start) - 2), document.offsetAt(range.start));
      const after = whole.slice(document.offsetAt(range.end), document.offsetAt(range.end) + 2);
      const closes = (body: string): boolean => (before + body + after).includes(located.delimiter);
      if (!closes(encoded)) return encoded;
      if (located.delimiter === "'''") return undefined;
      const escaped = encodeTomlStringBody(text, located.delimiter, true);
      return escaped !== undefined && !closes(escaped) ? escaped : undefined;
    },
  };
}
