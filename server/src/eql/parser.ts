import { MAX_NESTING, nestingDepth } from './nesting';
import type {
  EventFilter,
  Expression,
  FieldExpression,
  Pipe,
  Query,
  SequenceQuery,
  SampleQuery,
  Span,
  Stage,
  Statement,
  TimeSpan,
} from './ast';
import type { EqlDiagnostic } from './diagnostic';
import { lex } from './lexer';
import type { Token } from './token';
import { timeUnitMillis } from './timeUnits';

export type { Token } from './token';

/**
 * Result of {@link parse}.
 * - `statement`: the syntax tree, possibly partial (holes are `ErrorExpression`s) when the text has
 *   errors; undefined only when not even a query could be started (e.g. empty text).
 * - `diagnostics`: lexical, syntax and parse-time rejections, in source order of discovery.
 * - `tokens`: every token including comments (`eof` last), for highlighting and completion.
 */
export interface ParseResult {
  statement?: Statement;
  diagnostics: EqlDiagnostic[];
  tokens: Token[];
}

/** Diagnostic codes produced by the parser (the checker adds its own). */
export const ParserCodes = {
  syntax: 'syntax',
  singleEquals: 'single-equals',
  singleQuotedString: 'single-quoted-string',
  questionString: 'question-mark-string',
  join: 'unsupported-join',
  relationship: 'unsupported-relationship',
  byAfterWith: 'by-after-with',
  sampleMaxspan: 'sample-maxspan',
  sampleUntil: 'sample-until',
  notMatch: 'unsupported-not-match',
  constantRequired: 'constant-required',
} as const;

/** Binary arithmetic precedence (higher binds tighter), per `operatorExpression` in EqlBase.g4. */
const ARITH_PREC: Record<string, number> = { '*': 2, '/': 2, '%': 2, '+': 1, '-': 1 };
const COMPARISON_OPS = new Set(['==', '!=', '<', '<=', '>', '>=', '=']);

/**
 * Parses EQL text into a {@link Statement}.
 *
 * Input: the whole query text. Output: {@link ParseResult}; all spans are 0-based UTF-16 offsets into
 * `text`, end exclusive. Never throws: syntax errors become diagnostics (code `syntax`) and the parser
 * recovers — a missing expression becomes an `ErrorExpression`, a broken stage is skipped up to its `]`,
 * a broken pipe up to the next `|` — so a partial statement is still returned for completion and hover.
 *
 * Grammar and precedence follow Elasticsearch's `EqlBase.g4` (from loosest): `or`, `and`, `not`,
 * comparison (`== != < <= > >=`, non-associative), `+ -`, `* / %`, unary `- +`, then a primary with an
 * optional predicate (`in`, `not in`, `in~`, `:`, `like`, `like~`, `regex`, `regex~`).
 * Forms Elasticsearch rejects while parsing are parsed far enough to report its rejection at the exact
 * range: single `=` (`single-equals`), single-quoted strings (`single-quoted-string`), `?"…"` strings
 * (`question-mark-string`), `join` (`unsupported-join`), `descendant of`/`child of`/`event of`
 * (`unsupported-relationship`), `!:` (`unsupported-not-match`), a non-constant after `:`/`like`/`regex`
 * (`constant-required`).
 */
export function parse(text: string): ParseResult {
  const { tokens, diagnostics } = lex(text);
  try {
    const parser = new Parser(text, tokens, diagnostics);
    const statement = parser.parseStatement();
    // A fixed limit, so whether a query is accepted never depends on the stack size at hand.
    if (statement && nestingDepth(statement) > MAX_NESTING) throw new RangeError('nested too deeply');
    return { statement, diagnostics, tokens };
  } catch (e) {
    // Defensive: neither absurd nesting (stack overflow) nor a bug may take the language server down.
    const tooDeep = e instanceof RangeError;
    diagnostics.push({
      span: { start: 0, end: text.length },
      severity: 'error',
      message: tooDeep ? 'The query is nested too deeply to be parsed' : `Internal parser error: ${e instanceof Error ? e.message : String(e)}`,
      code: tooDeep ? ParserCodes.syntax : 'internal',
    });
    return { diagnostics, tokens };
  }
}

class Parser {
  private readonly toks: Token[];
  private pos = 0;
  /** Offsets at which an error was already reported, to avoid cascades. */
  private readonly reported = new Set<number>();

  constructor(
    private readonly text: string,
    allTokens: Token[],
    private readonly diagnostics: EqlDiagnostic[],
  ) {
    this.toks = allTokens.filter((t) => t.kind !== 'lineComment' && t.kind !== 'blockComment');
  }

  // ------------------------------------------------------------------ token helpers

  private peek(k = 0): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)];
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private prevEnd(): number {
    return this.pos > 0 ? this.toks[this.pos - 1].span.end : 0;
  }
  private isOp(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'operator' && t.text === text;
  }
  private isKw(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'keyword' && t.text === text;
  }
  private atEof(): boolean {
    return this.peek().kind === 'eof';
  }

  private report(span: Span, message: string, code: string = ParserCodes.syntax, related?: EqlDiagnostic['related']): void {
    this.diagnostics.push({ span: { start: span.start, end: span.end }, severity: 'error', message, code, ...(related ? { related } : {}) });
  }
  /**
   * Reports a syntax error at the current token once per offset. At the end of the query the error
   * sits right after the last token (zero width), not on the line breaks or comments that follow it.
   */
  private syntaxError(message: string, tok: Token = this.peek(), related?: EqlDiagnostic['related']): void {
    const span = tok.kind === 'eof' ? { start: this.prevEnd(), end: this.prevEnd() } : tok.span;
    if (this.reported.has(span.start)) return;
    this.reported.add(span.start);
    this.report(span, message, ParserCodes.syntax, related);
  }
  /**
   * Span of a composite node: from `start` (its first token, so a parenthesised first operand keeps its
   * `(`) to the last token consumed (so a parenthesised last operand keeps its `)`), never before `last` ends.
   */
  private spanFrom(start: number, last: { span: Span }): Span {
    return { start, end: Math.max(this.prevEnd(), last.span.end, start) };
  }
  private describe(tok: Token): string {
    return tok.kind === 'eof' ? 'the end of the query' : quoteToken(tok.text);
  }
  private expectOp(text: string, context: string): boolean {
    if (this.isOp(text)) {
      this.next();
      return true;
    }
    this.syntaxError(`Expected ${quoteToken(text)} ${context} but found ${this.describe(this.peek())}`);
    return false;
  }

  // ------------------------------------------------------------------ statement

  parseStatement(): Statement | undefined {
    if (this.atEof()) {
      this.syntaxError('Expected a query: an event query (`category where condition`), `sequence` or `sample`');
      return undefined;
    }
    const start = this.peek().span.start;
    const query = this.parseQuery();
    const pipes: Pipe[] = [];
    for (;;) {
      if (this.isOp('|')) {
        pipes.push(this.parsePipe());
        continue;
      }
      if (this.atEof()) break;
      this.syntaxError(`Unexpected ${this.describe(this.peek())}; expected [|] or the end of the query`);
      while (!this.atEof() && !this.isOp('|')) this.next();
    }
    return { kind: 'statement', query, pipes, span: { start, end: Math.max(start, this.prevEnd()) } };
  }

  private parseQuery(): Query {
    if (this.isKw('sequence')) return this.parseSequence();
    if (this.isKw('sample')) return this.parseSample();
    if (this.isKw('join')) return this.parseJoin();
    const start = this.peek().span.start;
    const filter = this.parseEventFilter();
    return { kind: 'event', filter, span: { start, end: Math.max(start, this.prevEnd()) } };
  }

  // ------------------------------------------------------------------ event filter

  private parseEventFilter(): EventFilter {
    const tok = this.peek();
    const start = tok.span.start;
    let category: string | null = null;
    let categorySpan: Span = { start, end: start };
    if (tok.kind === 'keyword' && tok.text === 'any') {
      this.next();
      categorySpan = tok.span;
    } else if (tok.kind === 'identifier') {
      this.next();
      category = String(tok.value);
      categorySpan = tok.span;
    } else if (tok.kind === 'quotedIdentifier') {
      // EqlBase.g4 `eventValue: STRING | IDENTIFIER`; ExpressionTests.testIdentifierForEventTypeDisallowed.
      this.next();
      this.syntaxError(`An event category cannot be quoted with backticks; use double quotes: ${JSON.stringify(String(tok.value))}`, tok);
      category = String(tok.value);
      categorySpan = tok.span;
    } else if (tok.kind === 'string') {
      this.next();
      this.checkStringQuote(tok);
      category = String(tok.value);
      categorySpan = tok.span;
    } else if (tok.kind === 'keyword' && tok.text !== 'where') {
      this.syntaxError(
        `[${tok.text}] is a reserved word; quote the event category with double quotes: "${tok.text}"`,
      );
      this.next();
      category = tok.text;
      categorySpan = tok.span;
    } else {
      this.syntaxError(`Expected an event category or [any] but found ${this.describe(tok)}`);
      if (tok.kind !== 'eof' && !this.isKw('where') && !this.isStopToken(tok)) this.next();
    }
    let condition: Expression;
    if (this.isKw('where')) {
      this.next();
      condition = this.parseExpression();
    } else {
      this.syntaxError(`Expected [where] after the event category but found ${this.describe(this.peek())}`);
      const at = this.peek().span.start;
      // Recover when only `where` was forgotten: `process name == "x"`.
      condition = this.startsExpression(this.peek()) && !this.isStopToken(this.peek())
        ? this.parseExpression()
        : { kind: 'error', span: { start: at, end: at } };
    }
    const end = Math.max(categorySpan.end, this.prevEnd());
    return { kind: 'eventFilter', category, categorySpan, condition, span: { start, end } };
  }

  /** Tokens that end a stage or statement and must never be swallowed by expression recovery. */
  private isStopToken(tok: Token): boolean {
    if (tok.kind === 'eof') return true;
    if (tok.kind === 'operator') return [']', '|', '[', '![', ')', ','].includes(tok.text);
    if (tok.kind === 'keyword') return ['by', 'until', 'with', 'where', 'sequence', 'sample', 'join'].includes(tok.text);
    return false;
  }

  // ------------------------------------------------------------------ sequence / sample / join

  private parseJoinKeys(): Expression[] {
    // caller checked `by`
    this.next();
    const keys: Expression[] = [this.parseExpression()];
    while (this.isOp(',')) {
      this.next();
      keys.push(this.parseExpression());
    }
    return keys;
  }

  private parseMaxspan(): TimeSpan | undefined {
    // caller checked `with`
    this.next(); // `with`
    if (!this.isKw('maxspan')) {
      this.syntaxError(`Expected [maxspan] after [with] but found ${this.describe(this.peek())}`);
      if (this.peek().kind === 'identifier') this.next();
      if (this.isOp('=')) {
        this.next();
        if (this.peek().kind === 'integer' || this.peek().kind === 'decimal') this.next();
        if (this.peek().kind === 'identifier') this.next();
      }
      return undefined;
    }
    this.next();
    if (this.isOp('==')) {
      this.report(this.peek().span, 'Use [=] to set [maxspan], e.g. [with maxspan=30s]');
      this.next();
    } else if (!this.expectOp('=', 'after [maxspan]')) {
      return undefined;
    }
    const num = this.peek();
    if (num.kind !== 'integer' && num.kind !== 'decimal') {
      this.syntaxError(`Expected a time value such as [30s] after [maxspan=] but found ${this.describe(num)}`);
      return undefined;
    }
    this.next();
    let unit = '';
    let end = num.span.end;
    const u = this.peek();
    if (u.kind === 'identifier') {
      this.next();
      unit = u.text;
      end = u.span.end;
    }
    const value = Number(num.value);
    const perUnit = timeUnitMillis(unit);
    return {
      kind: 'timeSpan',
      value,
      unit,
      millis: perUnit === undefined ? NaN : value * perUnit,
      span: { start: num.span.start, end },
    };
  }

  private parseSequence(): SequenceQuery {
    const start = this.next().span.start; // `sequence`
    let joinKeys: Expression[] = [];
    let maxspan: TimeSpan | undefined;
    if (this.isKw('by')) joinKeys = this.parseJoinKeys();
    if (this.isKw('with')) {
      maxspan = this.parseMaxspan();
      if (this.isKw('by')) {
        const byStart = this.peek().span.start;
        const more = this.parseJoinKeys();
        this.report(
          { start: byStart, end: this.prevEnd() },
          'Please specify sequence [by] before [with] not after',
          ParserCodes.byAfterWith,
        );
        if (joinKeys.length === 0) joinKeys = more;
      }
    }
    const { stages, until } = this.parseStages();
    return { kind: 'sequence', joinKeys, maxspan, stages, until, span: { start, end: this.prevEnd() } };
  }

  private parseSample(): SampleQuery {
    const start = this.next().span.start; // `sample`
    let joinKeys: Expression[] = [];
    if (this.isKw('by')) joinKeys = this.parseJoinKeys();
    if (this.isKw('with')) {
      const wStart = this.peek().span.start;
      this.parseMaxspan();
      this.report({ start: wStart, end: this.prevEnd() }, 'Sample queries do not support [maxspan]', ParserCodes.sampleMaxspan);
    }
    const { stages, until, untilSpan } = this.parseStages();
    if (until && untilSpan) this.report(untilSpan, 'Sample queries do not support [until]', ParserCodes.sampleUntil);
    return { kind: 'sample', joinKeys, stages, span: { start, end: this.prevEnd() } };
  }

  /** `join` is parsed like a sequence so the rest of the text can still be checked; it is always rejected. */
  private parseJoin(): SequenceQuery {
    const joinTok = this.next();
    this.report(joinTok.span, 'Join is not supported; use [sequence] instead', ParserCodes.join);
    let joinKeys: Expression[] = [];
    if (this.isKw('by')) joinKeys = this.parseJoinKeys();
    const { stages, until } = this.parseStages();
    return { kind: 'sequence', joinKeys, stages, until, span: { start: joinTok.span.start, end: this.prevEnd() } };
  }

  private parseStages(): { stages: Stage[]; until?: Stage; untilSpan?: Span } {
    const stages: Stage[] = [];
    let until: Stage | undefined;
    let untilSpan: Span | undefined;
    while (this.isOp('[') || this.isOp('![')) stages.push(this.parseStage());
    if (stages.length === 0) {
      this.syntaxError(`Expected a stage such as \`[process where true]\` but found ${this.describe(this.peek())}`);
    }
    if (this.isKw('until')) {
      const u = this.next();
      if (this.isOp('[') || this.isOp('![')) {
        until = this.parseStage();
        untilSpan = { start: u.span.start, end: until.span.end };
      } else {
        this.syntaxError(`Expected a stage such as \`[process where true]\` after [until] but found ${this.describe(this.peek())}`);
        untilSpan = u.span;
      }
    }
    return { stages, until, untilSpan };
  }

  private parseStage(): Stage {
    const open = this.next(); // `[` or `![`
    const missing = open.text === '![';
    const filter = this.parseEventFilter();
    if (this.isOp(']')) this.next();
    else {
      this.syntaxError(`Expected \`]\` to close the stage but found ${this.describe(this.peek())}`, this.peek(), [{ span: open.span, message: `the stage opened here with \`${open.text}\`` }]);
      this.skipToStageEnd();
    }
    let joinKeys: Expression[] = [];
    if (this.isKw('by')) joinKeys = this.parseJoinKeys();
    let runs: number | undefined;
    let runsSpan: Span | undefined;
    if (this.isKw('with') && !(this.peek(1).kind === 'keyword' && this.peek(1).text === 'maxspan')) {
      this.next(); // `with`
      const key = this.peek();
      if (key.kind === 'identifier' && key.text === 'runs') {
        this.next();
        if (this.expectOp('=', 'after [runs]')) {
          const num = this.peek();
          if (num.kind === 'integer' || num.kind === 'decimal') {
            this.next();
            runs = Number(num.value);
            runsSpan = { start: key.span.start, end: num.span.end };
            if (num.kind === 'decimal') {
              this.report(num.span, `A positive integer is required for [runs]; found [${num.text}]`, 'runs-range');
            }
          } else {
            this.syntaxError(`Expected a number after [runs=] but found ${this.describe(num)}`);
          }
        }
      } else {
        this.syntaxError(`Expected [runs] after [with] but found ${this.describe(key)}`, key);
        if (key.kind === 'identifier' || key.kind === 'keyword') this.next();
        if (this.isOp('=')) {
          this.next();
          if (this.peek().kind === 'integer' || this.peek().kind === 'decimal' || this.peek().kind === 'identifier') this.next();
        }
      }
    }
    return {
      kind: 'stage',
      filter,
      joinKeys,
      ...(runs !== undefined ? { runs, runsSpan } : {}),
      missing,
      span: { start: open.span.start, end: this.prevEnd() },
    };
  }

  /** Skips a broken stage body up to and including its `]`, honouring nested brackets. */
  private skipToStageEnd(): void {
    let depth = 0;
    while (!this.atEof()) {
      const t = this.peek();
      if (t.kind === 'operator') {
        if (t.text === '[' || t.text === '![') {
          if (depth === 0 && this.looksLikeStageStart()) return;
          depth++;
        } else if (t.text === ']') {
          this.next();
          if (depth === 0) return;
          depth--;
          continue;
        } else if (t.text === '|' && depth === 0) return;
      } else if (t.kind === 'keyword' && (t.text === 'until' || t.text === 'by') && depth === 0) return;
      this.next();
    }
  }
  /** `[category where` at the current position starts a new stage rather than an index. */
  private looksLikeStageStart(): boolean {
    const a = this.peek(1);
    const b = this.peek(2);
    return (
      (a.kind === 'identifier' || a.kind === 'string' || (a.kind === 'keyword' && a.text === 'any')) &&
      b.kind === 'keyword' &&
      b.text === 'where'
    );
  }

  // ------------------------------------------------------------------ pipes

  private parsePipe(): Pipe {
    const bar = this.next();
    const nameTok = this.peek();
    let name = '';
    let nameSpan: Span = { start: bar.span.end, end: bar.span.end };
    if (nameTok.kind === 'identifier' || nameTok.kind === 'keyword') {
      this.next();
      name = nameTok.text;
      nameSpan = nameTok.span;
    } else {
      this.syntaxError(`Expected a pipe name such as [head] after [|] but found ${this.describe(nameTok)}`);
    }
    const strict = name === 'head' || name === 'tail';
    const args: Expression[] = [];
    while (!this.atEof() && !this.isOp('|')) {
      const before = this.pos;
      args.push(this.parseExpression());
      if (this.isOp(',')) {
        this.next();
        continue;
      }
      if (this.atEof() || this.isOp('|')) break;
      if (strict) {
        this.syntaxError(`Unexpected ${this.describe(this.peek())} in pipe [${name}]`);
        while (!this.atEof() && !this.isOp('|')) this.next();
        break;
      }
      if (this.pos === before) this.next(); // guarantee progress
    }
    return { kind: 'pipe', name, nameSpan, args, span: { start: bar.span.start, end: this.prevEnd() } };
  }

  // ------------------------------------------------------------------ expressions

  /** expression: booleanExpression with `or` loosest. */
  parseExpression(): Expression {
    return this.parseOr();
  }

  private parseOr(): Expression {
    const start = this.peek().span.start;
    let left = this.parseAnd();
    while (this.isKw('or')) {
      this.next();
      const right = this.parseAnd();
      left = { kind: 'logical', operator: 'or', left, right, span: this.spanFrom(start, right) };
    }
    return left;
  }

  private parseAnd(): Expression {
    const start = this.peek().span.start;
    let left = this.parseNot();
    while (this.isKw('and')) {
      this.next();
      const right = this.parseNot();
      left = { kind: 'logical', operator: 'and', left, right, span: this.spanFrom(start, right) };
    }
    return left;
  }

  private parseNot(): Expression {
    if (this.isKw('not')) {
      const t = this.next();
      const operand = this.parseNot();
      return { kind: 'not', operand, span: this.spanFrom(t.span.start, operand) };
    }
    // relationship=IDENTIFIER OF subquery: parsed to report Elasticsearch's rejection.
    if (this.peek().kind === 'identifier' && this.isKw('of', 1)) {
      const rel = this.next();
      this.next(); // of
      let end = this.prevEnd();
      if (this.isOp('[')) {
        this.next();
        this.parseEventFilter();
        if (this.isOp(']')) this.next();
        else this.syntaxError(`Expected \`]\` to close the [${rel.text} of] subquery but found ${this.describe(this.peek())}`);
        end = this.prevEnd();
      } else {
        this.syntaxError(`Expected \`[\` after [${rel.text} of] but found ${this.describe(this.peek())}`);
      }
      const span = { start: rel.span.start, end };
      this.report(span, 'Process relationships are not supported', ParserCodes.relationship);
      return { kind: 'error', span };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expression {
    const start = this.peek().span.start;
    const left = this.parseArithmetic(0);
    const t = this.peek();
    if (t.kind === 'operator' && COMPARISON_OPS.has(t.text)) {
      this.next();
      if (t.text === '=') this.report(t.span, 'Use [==] instead of [=] to compare values', ParserCodes.singleEquals);
      const right = this.parseArithmetic(0);
      const operator = (t.text === '=' ? '==' : t.text) as '==' | '!=' | '<' | '<=' | '>' | '>=';
      const node: Expression = { kind: 'comparison', operator, left, right, span: this.spanFrom(start, right) };
      const again = this.peek();
      if (again.kind === 'operator' && COMPARISON_OPS.has(again.text)) {
        this.syntaxError(`Comparisons cannot be chained; found another [${again.text}]; use [and] to combine comparisons`);
      }
      return node;
    }
    return left;
  }

  /** Precedence climbing over `+ - * / %`. */
  private parseArithmetic(minPrec: number): Expression {
    const start = this.peek().span.start;
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'operator') break;
      const prec = ARITH_PREC[t.text];
      if (prec === undefined || prec <= minPrec - 1 || prec < minPrec) break;
      this.next();
      const right = this.parseArithmetic(prec + 1);
      left = {
        kind: 'arithmetic',
        operator: t.text as '+' | '-' | '*' | '/' | '%',
        left,
        right,
        span: this.spanFrom(start, right),
      };
    }
    return left;
  }

  private parseUnary(): Expression {
    if (this.isOp('-') || this.isOp('+')) {
      const t = this.next();
      const operand = this.parseUnary();
      return {
        kind: 'negate',
        operator: t.text as '-' | '+',
        operand,
        span: this.spanFrom(t.span.start, operand),
      };
    }
    const start = this.peek().span.start;
    const primary = this.parsePrimary();
    return this.parsePredicate(primary, start);
  }

  /** predicate: `[not] in[~] (…)`, `: c`, `: (c, …)`, `like[~]`, `regex[~]` (EqlBase.g4 `predicate`). */
  private parsePredicate(value: Expression, start: number): Expression {
    const t = this.peek();
    // not in / not in~
    if (t.kind === 'keyword' && t.text === 'not' && (this.isKw('in', 1) || this.isKw('in~', 1))) {
      this.next();
      const inTok = this.next();
      return this.parseInList(value, start, true, inTok.text === 'in~');
    }
    if (t.kind === 'keyword' && t.text === 'not') {
      // After a value, `not` can only start `not in`.
      this.next();
      this.syntaxError(`Expected [in] or [in~] after [not] but found ${this.describe(this.peek())}`);
      return value;
    }
    if (t.kind === 'keyword' && (t.text === 'in' || t.text === 'in~')) {
      this.next();
      return this.parseInList(value, start, false, t.text === 'in~');
    }
    if (t.kind === 'operator' && (t.text === ':' || t.text === '!:')) {
      this.next();
      const m = this.parseMatchRhs(value, start, ':', true);
      if (t.text === '!:') {
        this.report(t.span, 'Operator [!:] is not supported; use [not field : value]', ParserCodes.notMatch);
        return { kind: 'not', operand: m, span: m.span };
      }
      return m;
    }
    if (t.kind === 'keyword' && ['like', 'like~', 'regex', 'regex~'].includes(t.text)) {
      this.next();
      const op = t.text.startsWith('like') ? 'like' : 'regex';
      return this.parseMatchRhs(value, start, op, t.text.endsWith('~'));
    }
    return value;
  }

  private parseInList(value: Expression, start: number, negated: boolean, caseInsensitive: boolean): Expression {
    const list: Expression[] = [];
    if (this.expectOp('(', 'after [in]')) {
      if (this.isOp(')')) {
        this.syntaxError('Expected at least one value in the [in] list');
      } else {
        list.push(this.parseExpression());
        while (this.isOp(',')) {
          this.next();
          list.push(this.parseExpression());
        }
      }
      this.expectOp(')', 'to close the [in] list');
    }
    return { kind: 'in', negated, caseInsensitive, value, list, span: this.spanFrom(start, value) };
  }

  private parseMatchRhs(value: Expression, start: number, operator: ':' | 'like' | 'regex', caseInsensitive: boolean): Expression {
    const patterns: Expression[] = [];
    let list = false;
    if (this.isOp('(')) {
      list = true;
      this.next();
      patterns.push(this.parseConstantOperand(operator));
      while (this.isOp(',')) {
        this.next();
        patterns.push(this.parseConstantOperand(operator));
      }
      this.expectOp(')', `to close the [${operator}] list`);
    } else {
      patterns.push(this.parseConstantOperand(operator));
    }
    return {
      kind: 'match',
      operator,
      caseInsensitive,
      value,
      patterns,
      list,
      span: this.spanFrom(start, value),
    };
  }

  /** The grammar allows only a constant after `:`/`like`/`regex`; anything else is parsed and rejected. */
  private parseConstantOperand(operator: string): Expression {
    const e = this.parseUnary();
    if (e.kind !== 'literal' && e.kind !== 'error') {
      this.report(
        e.span,
        `[${operator}] must be followed by a constant (string, number, boolean or null) or a list of constants; comparing with [${this.text.slice(e.span.start, e.span.end)}] is not supported`,
        ParserCodes.constantRequired,
      );
    }
    return e;
  }

  /** Whether `tok` can begin an expression. */
  private startsExpression(tok: Token): boolean {
    switch (tok.kind) {
      case 'identifier':
      case 'tildeIdentifier':
      case 'quotedIdentifier':
      case 'string':
      case 'integer':
      case 'decimal':
        return true;
      case 'keyword':
        return ['not', 'true', 'false', 'null'].includes(tok.text);
      case 'operator':
        return ['(', '-', '+', '?'].includes(tok.text);
      default:
        return false;
    }
  }

  private parsePrimary(): Expression {
    const t = this.peek();
    switch (t.kind) {
      case 'integer':
      case 'decimal': {
        this.next();
        return { kind: 'literal', value: Number(t.value), type: t.kind, raw: t.text, span: t.span };
      }
      case 'string': {
        this.next();
        this.checkStringQuote(t);
        return { kind: 'literal', value: String(t.value), type: 'string', raw: t.text, span: t.span };
      }
      case 'keyword': {
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return { kind: 'literal', value: t.text === 'true', type: 'boolean', raw: t.text, span: t.span };
        }
        if (t.text === 'null') {
          this.next();
          return { kind: 'literal', value: null, type: 'null', raw: t.text, span: t.span };
        }
        if (!this.isStopToken(t) && !['and', 'or', 'in', 'in~', 'like', 'like~', 'regex', 'regex~', 'of'].includes(t.text) && this.peek(1).kind === 'operator' && this.peek(1).text === '.') {
          // `sequence.x`: a reserved word used as a field name.
          this.syntaxError(`[${t.text}] is a reserved word; escape it with backticks to use it as a field name: \`${t.text}\``);
          this.next();
          return this.finishField(t.span.start, false, [t.text], t.span.end);
        }
        break;
      }
      case 'tildeIdentifier': {
        this.next();
        if (this.isOp('(')) return this.parseCall(t, true);
        this.syntaxError(`Expected \`(\` after the function name [${t.text}] but found ${this.describe(this.peek())}`);
        return { kind: 'error', span: t.span };
      }
      case 'identifier': {
        if (this.isOp('(', 1)) {
          this.next();
          return this.parseCall(t, false);
        }
        this.next();
        return this.finishField(t.span.start, false, [String(t.value)], t.span.end);
      }
      case 'quotedIdentifier': {
        this.next();
        return this.finishField(t.span.start, false, [String(t.value)], t.span.end);
      }
      case 'operator': {
        if (t.text === '?') {
          this.next();
          const id = this.peek();
          if (id.kind === 'identifier' || id.kind === 'quotedIdentifier') {
            this.next();
            return this.finishField(t.span.start, true, [String(id.value)], id.span.end);
          }
          this.syntaxError(`Expected a field name after [?] but found ${this.describe(id)}`);
          return { kind: 'error', span: t.span };
        }
        if (t.text === '(') {
          this.next();
          const inner = this.parseExpression();
          this.expectOp(')', 'to close the parenthesis');
          return inner;
        }
        break;
      }
      default:
        break;
    }
    // Not an expression start: report and leave stop tokens for the enclosing rule.
    const prev = this.pos > 0 ? this.toks[this.pos - 1] : undefined;
    const after = prev ? ` after [${prev.text}]` : '';
    this.syntaxError(`Expected an expression${after} but found ${this.describe(t)}`);
    if (this.isStopToken(t) || (t.kind === 'keyword' && ['and', 'or', 'of'].includes(t.text)) || (t.kind === 'operator' && COMPARISON_OPS.has(t.text))) {
      const at = t.kind === 'eof' ? t.span.start : t.span.start;
      return { kind: 'error', span: { start: at, end: at } };
    }
    this.next();
    return { kind: 'error', span: t.span };
  }

  private finishField(start: number, optional: boolean, path: Array<string | number>, end: number): FieldExpression {
    for (;;) {
      if (this.isOp('.')) {
        const dot = this.next();
        const id = this.peek();
        if (id.kind === 'identifier' || id.kind === 'quotedIdentifier') {
          this.next();
          path.push(String(id.value));
          end = id.span.end;
          continue;
        }
        if (id.kind === 'keyword' && /^[a-z]+$/.test(id.text) && id.span.start === dot.span.end) {
          this.syntaxError(`[${id.text}] is a reserved word; escape it with backticks to use it in a field name: \`${id.text}\``, id);
          this.next();
          path.push(id.text);
          end = id.span.end;
          continue;
        }
        if (id.kind === 'integer' && id.span.start === dot.span.end) {
          // `a.1`: digits after a dot; accepted by name only inside backticks.
          this.syntaxError(`Expected a field name after [.] but found [${id.text}]; escape it with backticks: \`${id.text}\``, id);
          this.next();
          path.push(id.text);
          end = id.span.end;
          continue;
        }
        this.syntaxError(`Expected a field name after [.] but found ${this.describe(id)}`, id);
        end = dot.span.end;
        break;
      }
      if (this.peek().kind === 'decimal' && this.peek().text.startsWith('.') && this.peek().span.start === end) {
        // `a.1` lexed as identifier + decimal `.1`
        const d = this.next();
        this.syntaxError(`Expected a field name after [.] but found [${d.text.slice(1)}]; escape it with backticks`, d);
        path.push(d.text.slice(1));
        end = d.span.end;
        continue;
      }
      if (this.isOp('[') && this.peek(1).kind === 'integer') {
        this.next();
        while (this.peek().kind === 'integer') {
          path.push(Number(this.next().value));
        }
        if (this.isOp(']')) {
          end = this.next().span.end;
        } else {
          this.syntaxError(`Expected \`]\` to close the array index but found ${this.describe(this.peek())}`);
          end = this.prevEnd();
        }
        continue;
      }
      break;
    }
    const name = fieldName(path);
    return { kind: 'field', name, path, optional, span: { start, end } };
  }

  private parseCall(nameTok: Token, caseInsensitive: boolean): Expression {
    this.next(); // (
    const args: Expression[] = [];
    if (!this.isOp(')')) {
      args.push(this.parseExpression());
      while (this.isOp(',')) {
        this.next();
        args.push(this.parseExpression());
      }
    }
    this.expectOp(')', `to close the call to [${String(nameTok.value)}]`);
    return {
      kind: 'call',
      name: String(nameTok.value),
      caseInsensitive,
      nameSpan: nameTok.span,
      args,
      span: { start: nameTok.span.start, end: this.prevEnd() },
    };
  }

  /** Single-quoted and `?"…"` strings are lexed but rejected, as in Elasticsearch's `AbstractBuilder`. */
  private checkStringQuote(tok: Token): void {
    switch (tok.quote) {
      case 'single':
        this.report(tok.span, `Use double quotes ["] to define string literals, not single quotes [']`, ParserCodes.singleQuotedString);
        break;
      case 'questionDouble':
      case 'questionSingle':
      case 'questionTriple':
        this.report(
          tok.span,
          `Use triple double quotes ["""] to define unescaped string literals, not [?${tok.text[1]}]`,
          ParserCodes.questionString,
        );
        break;
      default:
        break;
    }
  }
}

/** Joins a written field path into the dotted name Elasticsearch resolves: `a.b[0].c`. */
export function fieldName(path: ReadonlyArray<string | number>): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s === '' ? p : `.${p}`;
  }
  return s;
}

/**
 * A token as messages quote it: `[where]` in Elasticsearch's style, but in backticks when the
 * token holds a bracket, so that `]` reads as `` `]` `` instead of the illegible `[]]`.
 */
export function quoteToken(text: string): string {
  return /[[\]]/.test(text) ? `\`${text}\`` : `[${text}]`;
}
