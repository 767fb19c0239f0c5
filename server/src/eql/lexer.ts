import type { EqlDiagnostic } from './diagnostic';
import { KEYWORDS, OPERATORS, type StringQuote, type Token } from './token';

/** Result of {@link lex}: every token in source order (comments included, whitespace dropped, `eof` last). */
export interface LexResult {
  tokens: Token[];
  diagnostics: EqlDiagnostic[];
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isIdentStart = (c: string): boolean => isLetter(c) || c === '_' || c === '@';
const isIdentPart = (c: string): boolean => isLetter(c) || isDigit(c) || c === '_';
const isHex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c);
/** Whitespace per `WS: [ \r\n\t]+` in EqlBase.g4; any other blank character is not whitespace. */
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** Single-character escapes accepted in `"…"` strings (EqlBase.g4 `STRING`, decoded as in `AbstractBuilder.unquoteString`). */
const SIMPLE_ESCAPES: Record<string, string> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

/**
 * Splits EQL text into tokens.
 *
 * Input: the query text. Output: tokens with 0-based UTF-16 spans (end exclusive); comments are kept
 * as `lineComment`/`blockComment` tokens, whitespace is dropped, the last token is a zero-width `eof`.
 * Lexical errors (unterminated strings/comments/identifiers, bad escapes, stray characters) are
 * returned as diagnostics with code `syntax` and never thrown.
 *
 * Rules follow Elasticsearch's `EqlBase.g4` lexer: keywords are lower-case and case-sensitive,
 * `in~`/`like~`/`regex~` are single tokens, `name~` is a case-insensitive function name, `//` and
 * nested `/* *\/` comments, strings `"…"` with `\b \t \n \f \r \" \' \\ \uXXXX \u{hex}` escapes and raw
 * one-line `"""…"""` (Elasticsearch's ExpressionTests give the edge cases: up to two extra closing quotes,
 * 2–8 digits in `\u{…}`, no null code point); single-quoted and `?"…"` strings are lexed so the parser can
 * reject them precisely.
 */
export function lex(text: string): LexResult {
  const tokens: Token[] = [];
  const diagnostics: EqlDiagnostic[] = [];
  const n = text.length;
  let i = 0;

  const error = (start: number, end: number, message: string): void => {
    diagnostics.push({ span: { start, end }, severity: 'error', message, code: 'syntax' });
  };
  const push = (tok: Token): void => {
    tokens.push(tok);
  };

  while (i < n) {
    const c = text[i];
    const start = i;
    if (isSpace(c)) {
      i++;
      continue;
    }
    // Comments
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
      push({ kind: 'lineComment', text: text.slice(start, i), span: { start, end: i } });
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      let depth = 0;
      let closed = false;
      while (i < n) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
          if (depth === 0) {
            closed = true;
            break;
          }
        } else i++;
      }
      const tok: Token = { kind: 'blockComment', text: text.slice(start, i), span: { start, end: i } };
      if (!closed) {
        tok.malformed = true;
        error(start, i, 'Unterminated comment: missing [*/]');
      }
      push(tok);
      continue;
    }
    // Strings
    if (c === '"' || c === "'" || (c === '?' && (text[i + 1] === '"' || text[i + 1] === "'"))) {
      i = lexString(text, i, push, error);
      continue;
    }
    // Numbers: INTEGER_VALUE / DECIMAL_VALUE
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      let decimal = false;
      while (i < n && isDigit(text[i])) i++;
      if (text[i] === '.') {
        decimal = true;
        i++;
        while (i < n && isDigit(text[i])) i++;
      }
      if ((text[i] === 'e' || text[i] === 'E') && (isDigit(text[i + 1] ?? '') || ((text[i + 1] === '+' || text[i + 1] === '-') && isDigit(text[i + 2] ?? '')))) {
        decimal = true;
        i += 2;
        while (i < n && isDigit(text[i])) i++;
      }
      const raw = text.slice(start, i);
      push({ kind: decimal ? 'decimal' : 'integer', text: raw, span: { start, end: i }, value: Number(raw) });
      continue;
    }
    // Identifiers and keywords
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text[i])) i++;
      const word = text.slice(start, i);
      // TILDE_IDENTIFIER starts with a letter (not `_` or `@`); `in~`/`like~`/`regex~` are keywords.
      if (text[i] === '~' && isLetter(c)) {
        i++;
        const withTilde = word + '~';
        if (KEYWORDS.has(withTilde)) push({ kind: 'keyword', text: withTilde, span: { start, end: i } });
        else push({ kind: 'tildeIdentifier', text: withTilde, span: { start, end: i }, value: word });
        continue;
      }
      if (KEYWORDS.has(word)) push({ kind: 'keyword', text: word, span: { start, end: i } });
      else push({ kind: 'identifier', text: word, span: { start, end: i }, value: word });
      continue;
    }
    // Backtick-quoted identifiers: '`' ( ~'`' | '``' )* '`'
    if (c === '`') {
      i++;
      let value = '';
      let closed = false;
      while (i < n) {
        if (text[i] === '`') {
          if (text[i + 1] === '`') {
            value += '`';
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        value += text[i];
        i++;
      }
      const tok: Token = { kind: 'quotedIdentifier', text: text.slice(start, i), span: { start, end: i }, value };
      if (!closed) {
        tok.malformed = true;
        error(start, i, 'Unterminated quoted identifier: missing closing [`]');
      }
      push(tok);
      continue;
    }
    // Operators
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      i += op.length;
      push({ kind: 'operator', text: op, span: { start, end: i } });
      continue;
    }
    // Anything else: one code point
    const cp = text.codePointAt(i) ?? 0;
    i += cp > 0xffff ? 2 : 1;
    const bad = text.slice(start, i);
    push({ kind: 'unknown', text: bad, span: { start, end: i } });
    error(start, i, `Unexpected character [${bad}]`);
  }
  tokens.push({ kind: 'eof', text: '', span: { start: n, end: n } });
  return { tokens, diagnostics };
}

/** Lexes one string literal starting at `start`; returns the offset after it. */
function lexString(
  text: string,
  start: number,
  push: (t: Token) => void,
  error: (s: number, e: number, m: string) => void,
): number {
  const n = text.length;
  let i = start;
  let question = false;
  if (text[i] === '?') {
    question = true;
    i++;
  }
  const q = text[i];
  // Triple-quoted raw string: '"""' (~[\r\n])*? '"""' '"'? '"'? — one line, no escapes; the value is
  // the token text without three quotes on each side (AbstractBuilder.unquoteString).
  if (q === '"' && text.startsWith('"""', i)) {
    const bodyStart = i + 3;
    let j = bodyStart;
    while (j < n && !text.startsWith('"""', j) && text[j] !== '\n' && text[j] !== '\r') j++;
    const quote: StringQuote = question ? 'questionTriple' : 'triple';
    if (!text.startsWith('"""', j)) {
      error(start, j, 'Unterminated string: missing closing ["""] on the same line');
      push({ kind: 'string', text: text.slice(start, j), span: { start, end: j }, value: text.slice(bodyStart, j), quote, malformed: true });
      return j;
    }
    let end = j + 3;
    for (let extra = 0; extra < 2 && text[end] === '"'; extra++) end++;
    push({ kind: 'string', text: text.slice(start, end), span: { start, end }, value: text.slice(bodyStart, end - 3), quote });
    return end;
  }
  i++; // opening quote
  let value = '';
  let closed = false;
  let malformed = false;
  while (i < n) {
    const c = text[i];
    if (c === q) {
      i++;
      closed = true;
      break;
    }
    if (c === '\n' || c === '\r') break;
    if (c === '\\') {
      if (question) {
        // ?"…" strings are raw; only \" (or \') keeps the string open.
        if (text[i + 1] === q) {
          value += '\\' + q;
          i += 2;
        } else {
          value += c;
          i++;
        }
        continue;
      }
      const e = text[i + 1];
      if (e !== undefined && e in SIMPLE_ESCAPES) {
        value += SIMPLE_ESCAPES[e];
        i += 2;
        continue;
      }
      if (e === 'u' && text[i + 2] === '{') {
        // \u{X…}: 2 to 8 hex digits (ExpressionTests.testStringWithIncorrectUnicodeEscapedChars).
        let j = i + 3;
        while (j < n && isHex(text[j])) j++;
        const hex = text.slice(i + 3, j);
        if (text[j] !== '}' || hex.length === 0) {
          error(i, j < n ? j + 1 : j, `Invalid unicode escape [${text.slice(i, j < n ? j + 1 : j)}]; use \\u{X} with 2 to 8 hexadecimal digits`);
          malformed = true;
          i = text[j] === '}' ? j + 1 : j;
          continue;
        }
        if (hex.length < 2 || hex.length > 8) {
          error(i, j + 1, `Unicode sequence in curly braces should use [2-8] hex digits, [${text.slice(i, j + 1)}] has [${hex.length}]`);
          malformed = true;
        } else {
          const decoded = decodeCodePoint(hex, i, j + 1, error);
          if (decoded === undefined) malformed = true;
          else value += decoded;
        }
        i = j + 1;
        continue;
      }
      if (e === 'u') {
        // \uXXXX: exactly four hex digits.
        const hex = text.slice(i + 2, i + 6);
        if (hex.length === 4 && [...hex].every(isHex)) {
          const decoded = decodeCodePoint(hex, i, i + 6, error);
          if (decoded === undefined) malformed = true;
          else value += decoded;
          i += 6;
          continue;
        }
        let j = i + 2;
        while (j < n && j < i + 6 && isHex(text[j])) j++;
        error(i, j, `Invalid unicode escape [${text.slice(i, j)}]; use \\uXXXX or \\u{X} with 2 to 8 hexadecimal digits`);
        malformed = true;
        i = j;
        continue;
      }
      const end = e === undefined ? i + 1 : i + 2;
      error(i, end, `Invalid escape sequence [${text.slice(i, end)}] in string; allowed: \\b \\t \\n \\f \\r \\" \\' \\\\ \\u{hex}`);
      malformed = true;
      if (e !== undefined) value += e;
      i = end;
      continue;
    }
    value += c;
    i++;
  }
  if (!closed) {
    malformed = true;
    error(start, i, `Unterminated string: missing closing [${q}]`);
  }
  const quote: StringQuote = question ? (q === '"' ? 'questionDouble' : 'questionSingle') : q === '"' ? 'double' : 'single';
  push({ kind: 'string', text: text.slice(start, i), span: { start, end: i }, value, quote, ...(malformed ? { malformed } : {}) });
  return i;
}

/** Decodes a hex code point, reporting null and out-of-range values as Elasticsearch does. */
function decodeCodePoint(hex: string, start: number, end: number, error: (s: number, e: number, m: string) => void): string | undefined {
  const cp = parseInt(hex, 16);
  if (cp === 0) {
    error(start, end, 'Unicode sequence results in null');
    return undefined;
  }
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    error(start, end, `Invalid unicode character code [${hex}]`);
    return undefined;
  }
  return String.fromCodePoint(cp);
}
