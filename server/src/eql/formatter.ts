/**
 * Formatting EQL in the layout of Elastic's prebuilt detection rules (elastic/detection-rules):
 *
 *     sequence by host.id with maxspan=3s
 *       [process where host.os.type == "linux" and event.type == "start" and
 *          process.name in ("bash", "sh") and not process.args : "-c"
 *       ] by process.entity_id
 *       [network where destination.port == 443] by process.parent.entity_id
 *     until [process where event.type == "end"]
 *     | head 5
 *
 * - the `sequence`/`sample` header (`by` keys, `with maxspan=N`) on the first line, each stage on a
 *   line of its own indented by 2, `until` and each pipe at the start of a line;
 * - a condition keeps the line breaks its author chose (prebuilt rules wrap long conditions after
 *   `and`/`or` by hand); continuation lines are indented by 3 inside a stage (after its `[`), by 2
 *   in an event query, plus 2 per open parenthesis; a line starting with the stage's closing `]`
 *   sits at the stage's indentation;
 * - one space around binary operators and keywords, after commas; none inside brackets and
 *   parentheses, around `.`, before `,`, between a function name and its `(`, around the `=` of
 *   `maxspan=`/`runs=`, between a number and its time unit; at most one blank line kept.
 *
 * Only whitespace between tokens changes (comments are tokens and stay), and never where joining
 * two tokens would lex differently, so the formatted text parses to the same tree. Formatting a
 * formatted text changes nothing.
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
  const want = (start: number, end: number, ws: string): void => {
    if (range && (start < range.start || end > range.end)) return;
    if (text.slice(start, end) !== ws) edits.push({ span: { start, end }, text: ws });
  };
  want(0, tokens[0].span.start, '');

  const kind = queryKind(tokens);
  /** Open `(` and `[` (with whether a `[` opened a stage), innermost last. */
  const open: Array<'(' | 'stage' | '['> = [];
  /** Whether a token other than a comment came yet (comments before the query sit at column 0, and so does the query). */
  let started = false;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const a = tokens[i];
    const b = tokens[i + 1];
    track(open, a, kind);
    if (a.kind !== 'lineComment' && a.kind !== 'blockComment') started = true;
    const gap = text.slice(a.span.end, b.span.start);
    const depth0 = open.length === 0;
    const forced =
      depth0 && kind !== 'event' && ((isOp(b, '[', '![') && !isKw(a, 'until')) || isKw(b, 'until') || isOp(b, '|'))
        ? true
        : depth0 && kind === 'event' && isOp(b, '|');
    const newlines = (gap.match(/\r\n|\r|\n/g) ?? []).length;
    if (a.kind === 'lineComment' || forced || newlines > 0) {
      const nl = /\r\n/.test(gap) ? '\r\n' : '\n';
      const lines = a.kind === 'lineComment' || forced ? Math.max(1, Math.min(newlines, 2)) : Math.min(newlines, 2);
      want(a.span.end, b.span.start, nl.repeat(lines) + ' '.repeat(started ? indentFor(b, open, kind) : 0));
    } else {
      want(a.span.end, b.span.start, safeSpace(a, b, spaceBetween(a, b, gap, open)));
    }
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

/** Updates the stack of open brackets after token `t`. */
function track(open: Array<'(' | 'stage' | '['>, t: Token, kind: 'sequence' | 'sample' | 'event'): void {
  if (isOp(t, '(')) open.push('(');
  else if (isOp(t, '[', '![')) open.push(open.length === 0 && kind !== 'event' ? 'stage' : '[');
  else if (isOp(t, ')', ']')) open.pop();
}

/** Indentation of a line that starts with token `b`, given the brackets open before it. */
function indentFor(b: Token, open: ReadonlyArray<'(' | 'stage' | '['>, kind: 'sequence' | 'sample' | 'event'): number {
  if (open.length === 0) {
    if (kind === 'event' || isKw(b, 'until') || isOp(b, '|')) return isOp(b, '|') || isKw(b, 'until') ? 0 : kind === 'event' ? 2 : 2;
    return 2; // a stage, or the continuation of the header / of a stage's `by` keys
  }
  // Closers at the start of the line belong to the level they close.
  let levels = open.length;
  if (isOp(b, ')', ']')) levels--;
  const inStage = open[0] === 'stage';
  if (inStage && levels === 0) return 2; // the stage's own `]`
  const parens = inStage ? levels - 1 : levels;
  return (inStage ? 3 : 2) + 2 * parens;
}

/** The space wanted between two tokens on one line. */
function spaceBetween(a: Token, b: Token, gap: string, open: ReadonlyArray<'(' | 'stage' | '['>): string {
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
  void open;
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
