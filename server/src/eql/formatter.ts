/**
 * Formatting EQL in the layout of Elastic's prebuilt detection rules (elastic/detection-rules):
 *
 *     sequence by host.id with maxspan=3s
 *       [process where host.os.type == "linux" and event.type == "start" and
 *        process.name in ("bash", "sh") and not process.parent.name in (
 *          "sshd", "cron"
 *        )
 *       ] by process.entity_id
 *       [network where destination.port == 443] by process.parent.entity_id
 *     until [process where event.type == "end"]
 *     | head 5
 *
 * - the `sequence`/`sample` header (`by` keys, `with maxspan=N`) on the first line, each stage on a
 *   line of its own indented by 2, `until` and each pipe at the start of a line;
 * - a condition keeps the line breaks its author chose (prebuilt rules wrap long conditions after
 *   `and`/`or` by hand, or before them); a continued line is indented
 *   - inside a stage, to just after its `[` (3);
 *   - in an event query outside brackets, by 2, or not at all: Elastic's rules use both layouts,
 *     and the query's first such line decides;
 *   - inside a `(` that ends its line (a list broken over lines, a group opened with `and (` or
 *     `not (`), by 2 more than the line holding the `(` (or than the lines around it, when that
 *     line starts outside the `(`'s enclosing bracket); its `)` starting a line sits there again;
 *   - inside a `(` followed by more on its line, to just after the `(` (`not (a and` / `b)`);
 * - one space around binary operators and keywords, after commas; none inside brackets and
 *   parentheses, around `.`, before `,`, between a function name and its `(`, around the `=` of
 *   `maxspan=`/`runs=`, between a number and its time unit; no trailing spaces, no tabs, at most
 *   one blank line kept.
 *
 * Only whitespace between tokens changes (comments are tokens and stay), and never where joining
 * two tokens would lex differently, so the formatted text parses to the same tree. Formatting a
 * formatted text changes nothing. Of the 120 prebuilt rules in `../shared/detection-rules`, the
 * ones this changes are the ones that differ from the majority layout of the others (trailing
 * spaces, tabs, `field:"x"` without spaces, 1- or 4-space indentation, stages at column 0).
 */
import type { Span } from './ast';
import { lex } from './lexer';
import type { Token } from './token';

/** One whitespace replacement: the text between two tokens (`span`, 0-based UTF-16 offsets) becomes `text`. */
export interface WhitespaceEdit {
  span: Span;
  text: string;
}

/**
 * The whitespace edits that format `text` (only the gaps that change), in text order.
 * @param range when given, only gaps that lie within it (offsets) are edited.
 * Never throws; a text the lexer cannot read fully (an unterminated string) is formatted up to it.
 */
export function formatEdits(text: string, range?: Span): WhitespaceEdit[] {
  const tokens = lex(text).tokens.filter((t) => t.kind !== 'eof');
  if (tokens.length === 0) return [];
  const edits: WhitespaceEdit[] = [];
  /** Edits the gap to `ws` if it lies in the range; returns the gap's text after formatting. */
  const want = (start: number, end: number, ws: string): string => {
    const was = text.slice(start, end);
    if (range && (start < range.start || end > range.end)) return was;
    if (was !== ws) edits.push({ span: { start, end }, text: ws });
    return ws;
  };
  want(0, tokens[0].span.start, '');

  const kind = queryKind(tokens);
  const top = kind === 'event' ? eventContinuationIndent(text, tokens) : 2;
  /** Open `(` and `[`, innermost last. */
  const open: OpenBracket[] = [];
  /** Whether a token other than a comment came yet (comments before the query sit at column 0, and so does the query). */
  let started = false;
  /**
   * Indentation of the current line and the column after the current token, in the formatted text
   * (outside a range being formatted, in the text as it is, so continuation lines align with it).
   */
  let lineIndent = 0;
  let col = endColumn(0, tokens[0].text);
  for (let i = 0; i + 1 < tokens.length; i++) {
    const a = tokens[i];
    const b = tokens[i + 1];
    const gap = text.slice(a.span.end, b.span.start);
    const newlines = (gap.match(/\r\n|\r|\n/g) ?? []).length;
    if (isOp(a, '(', '[', '![')) {
      const stage = open.length === 0 && kind !== 'event' && a.text !== '(';
      const hanging = newlines > 0 || b.kind === 'lineComment';
      const at = col - a.text.length;
      const base = open.length ? Math.max(lineIndent, open[open.length - 1].content) : lineIndent;
      // A stage's lines continue after its `[`; a bracket ending its line indents the lines
      // that follow by 2 from the line it opens; any other continues after the bracket.
      open.push(stage ? { close: at, content: col } : { close: base, content: hanging ? base + 2 : col });
    } else if (isOp(a, ')', ']')) open.pop();
    if (a.kind !== 'lineComment' && a.kind !== 'blockComment') started = true;
    const depth0 = open.length === 0;
    const forced =
      depth0 && kind !== 'event' && ((isOp(b, '[', '![') && !isKw(a, 'until')) || isKw(b, 'until') || isOp(b, '|'))
        ? true
        : depth0 && kind === 'event' && isOp(b, '|');
    let ws: string;
    if (a.kind === 'lineComment' || forced || newlines > 0) {
      const nl = /\r\n/.test(gap) ? '\r\n' : '\n';
      const lines = a.kind === 'lineComment' || forced ? Math.max(1, Math.min(newlines, 2)) : Math.min(newlines, 2);
      ws = nl.repeat(lines) + ' '.repeat(started ? indentFor(b, open, kind, top) : 0);
    } else {
      ws = safeSpace(a, b, spaceBetween(a, b, gap));
    }
    const result = want(a.span.end, b.span.start, ws);
    const lastBreak = Math.max(result.lastIndexOf('\n'), result.lastIndexOf('\r'));
    if (lastBreak >= 0) lineIndent = col = result.length - lastBreak - 1;
    else col += result.length;
    col = endColumn(col, b.text);
  }
  const last = tokens[tokens.length - 1];
  const tail = text.slice(last.span.end);
  // A final line break (as in a file, or a TOML `'''` block) is kept, trailing spaces dropped.
  if (last.kind !== 'lineComment' || !/^\s*$/.test(tail)) want(last.span.end, text.length, /\r\n/.test(tail) ? '\r\n' : /[\r\n]/.test(tail) ? '\n' : '');
  else want(last.span.end, text.length, /\r\n/.test(tail) ? '\r\n' : /[\r\n]/.test(tail) ? '\n' : '');
  return edits;
}

/** `text` with {@link formatEdits} applied. */
export function formatQuery(text: string): string {
  return applyWhitespaceEdits(text, formatEdits(text));
}

/** Applies non-overlapping edits given in text order. */
export function applyWhitespaceEdits(text: string, edits: readonly WhitespaceEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.span.start) + e.text;
    at = e.span.end;
  }
  return out + text.slice(at);
}

const isOp = (t: Token | undefined, ...ops: string[]): boolean => t?.kind === 'operator' && ops.includes(t.text);
const isKw = (t: Token | undefined, ...kws: string[]): boolean => t?.kind === 'keyword' && kws.includes(t.text);

function queryKind(tokens: readonly Token[]): 'sequence' | 'sample' | 'event' {
  const first = tokens.find((t) => t.kind !== 'lineComment' && t.kind !== 'blockComment');
  if (isKw(first, 'sequence', 'join')) return 'sequence';
  if (isKw(first, 'sample')) return 'sample';
  return 'event';
}

/**
 * An open `(` or `[`: `close` is the indentation of a line that starts with its closer, `content`
 * that of a line that continues inside it.
 */
interface OpenBracket {
  close: number;
  content: number;
}

/** The output column after `tokenText` written at column `col` (a block comment or string may span lines). */
function endColumn(col: number, tokenText: string): number {
  const nl = Math.max(tokenText.lastIndexOf('\n'), tokenText.lastIndexOf('\r'));
  return nl < 0 ? col + tokenText.length : tokenText.length - nl - 1;
}

/**
 * The indentation of an event query's continuation lines outside any bracket: Elastic's rules use
 * two layouts, lines indented by 2 or flush with the `where` line; the first such line decides.
 */
function eventContinuationIndent(text: string, tokens: readonly Token[]): number {
  let depth = 0;
  for (let i = 1; i < tokens.length; i++) {
    const a = tokens[i - 1];
    const b = tokens[i];
    if (isOp(a, '(', '[', '![')) depth++;
    else if (isOp(a, ')', ']')) depth--;
    if (isOp(b, '|')) break;
    if (depth !== 0 || b.kind === 'lineComment' || b.kind === 'blockComment') continue;
    const gap = text.slice(a.span.end, b.span.start);
    const nl = Math.max(gap.lastIndexOf('\n'), gap.lastIndexOf('\r'));
    if (nl >= 0) return gap.length - nl - 1 === 0 ? 0 : 2;
  }
  return 2;
}

/** Indentation of a line that starts with token `b`, given the brackets open before it. */
function indentFor(b: Token, open: readonly OpenBracket[], kind: 'sequence' | 'sample' | 'event', top: number): number {
  if (open.length === 0) {
    if (isOp(b, '|')) return 0;
    if (kind === 'event') return top;
    return isKw(b, 'until') ? 0 : 2; // a stage, or the continuation of the header / of a stage's `by` keys
  }
  const inner = open[open.length - 1];
  // A closer at the start of a line sits where the line of its opener sits.
  return isOp(b, ')', ']') ? inner.close : inner.content;
}

/** The space wanted between two tokens on one line. */
function spaceBetween(a: Token, b: Token, gap: string): string {
  if (a.kind === 'blockComment' || b.kind === 'blockComment' || b.kind === 'lineComment') return ' ';
  if (isOp(a, '(', '[', '![') || isOp(b, ')', ']', ',')) return '';
  if (isOp(a, '.') || isOp(b, '.')) return '';
  if (isOp(a, '?')) return '';
  // `maxspan=5m`, `runs=2`: written without spaces in Elastic's rules.
  if ((isOp(b, '=') && (isKw(a, 'maxspan') || (a.kind === 'identifier' && a.text === 'runs'))) || (isOp(a, '=') && isMaxspanOrRunsValue(b))) return '';
  // A time unit glued to its number.
  if ((a.kind === 'integer' || a.kind === 'decimal') && b.kind === 'identifier' && gap === '') return '';
  // A function call: the name glued to its `(`; `in (`, `: (` keep their space.
  if (isOp(b, '(') && (a.kind === 'identifier' || a.kind === 'tildeIdentifier' || a.kind === 'quotedIdentifier')) return '';
  // Unary signs: kept as written (no space, or one).
  if (isOp(a, '-', '+') && gap === '') return '';
  return ' ';
}

function isMaxspanOrRunsValue(b: Token): boolean {
  return b.kind === 'integer' || b.kind === 'decimal';
}

/** `ws` unless joining the two tokens with it would lex differently (then one space). */
function safeSpace(a: Token, b: Token, ws: string): string {
  if (ws !== '') return ws;
  const joined = lex(a.text + b.text).tokens.filter((t) => t.kind !== 'eof');
  return joined.length === 2 && joined[0].text === a.text && joined[1].text === b.text && joined[0].kind === a.kind && joined[1].kind === b.kind ? '' : ' ';
}
