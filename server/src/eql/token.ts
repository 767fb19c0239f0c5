import type { Span } from './ast';

/**
 * Token kinds of the EQL lexer, after Elasticsearch's lexer rules in
 * `x-pack/plugin/eql/src/main/antlr/EqlBase.g4`.
 *
 * - `keyword`: a reserved word (`and`, `sequence`, `in~` …); `text` is the keyword.
 * - `identifier`: `[A-Za-z_@][A-Za-z0-9_]*`.
 * - `tildeIdentifier`: an identifier directly followed by `~` (`startsWith~`); `value` is the name without `~`.
 * - `quotedIdentifier`: `` `…` `` with ``` `` ``` standing for one backtick; `value` is the decoded name.
 * - `string`: any quoted string; `value` is the decoded text, `quote` tells which form was written.
 * - `integer` / `decimal`: numbers; `value` is the numeric value.
 * - `operator`: punctuation and operators; `text` is the operator.
 * - `lineComment` / `blockComment`: comments, kept so tools can colour or skip them.
 * - `unknown`: a character no rule accepts (reported as a syntax error).
 * - `eof`: the end of the text (zero-width).
 */
export type TokenKind =
  | 'keyword'
  | 'identifier'
  | 'tildeIdentifier'
  | 'quotedIdentifier'
  | 'string'
  | 'integer'
  | 'decimal'
  | 'operator'
  | 'lineComment'
  | 'blockComment'
  | 'unknown'
  | 'eof';

/** How a string literal was quoted; only `double` and `triple` are accepted by Elasticsearch. */
export type StringQuote = 'double' | 'triple' | 'single' | 'questionDouble' | 'questionSingle' | 'questionTriple';

/** One lexical token. `span` is in 0-based UTF-16 offsets, end exclusive; `text` is the source slice. */
export interface Token {
  kind: TokenKind;
  text: string;
  span: Span;
  /** Decoded value: string contents, numeric value, identifier name without backticks or `~`. */
  value?: string | number;
  /** For strings: the quoting form. */
  quote?: StringQuote;
  /** True when the token is unterminated or holds an invalid escape (already reported). */
  malformed?: boolean;
}

/** Reserved words of Elasticsearch EQL (case-sensitive, lower case), from `EqlBase.g4`. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'and',
  'any',
  'by',
  'false',
  'in',
  'in~',
  'join',
  'like',
  'like~',
  'maxspan',
  'not',
  'null',
  'of',
  'or',
  'regex',
  'regex~',
  'sample',
  'sequence',
  'true',
  'until',
  'where',
  'with',
]);

/** Operators and punctuation, longest first so the lexer can match greedily. */
export const OPERATORS: readonly string[] = [
  '![',
  '!=',
  '!:',
  '==',
  '<=',
  '>=',
  '=',
  ':',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '.',
  ',',
  '[',
  ']',
  '(',
  ')',
  '|',
  '?',
];
