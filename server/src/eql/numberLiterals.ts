/**
 * Number literals Elasticsearch refuses while parsing, found in a parsed statement.
 *
 * Source: `ExpressionBuilder.visitIntegerLiteral` / `visitDecimalLiteral` in
 * `x-pack/plugin/eql/.../parser/ExpressionBuilder.java` with QL `StringUtils.parseIntegral` /
 * `parseDouble`: an integer beyond the unsigned 64-bit range is read as a double instead, and a
 * number that does not fit a double either is rejected with "Number [text] is too large".
 * `LogicalPlanBuilder.pipeIntArgument` then wants an integer-typed literal for `head` / `tail`, so
 * an integer read as a double there is "Pipe [head] expects a positive integer but found [text]".
 */
import type { Span, Statement } from './ast';
import { forEachNode } from './walk';

/** Stable diagnostic codes of these checks. */
export const NumberLiteralCodes = {
  tooLarge: 'number-too-large',
} as const;

/** 2^64 - 1, the largest integer Elasticsearch keeps as an integer type (`unsigned_long`). */
const UNSIGNED_LONG_MAX = 18446744073709551615n;

export interface NumberLiteralProblem {
  /** 0-based UTF-16 span of the literal in the query text. */
  span: Span;
  message: string;
  code: string;
}

/**
 * Finds number literals Elasticsearch rejects.
 * @param statement a statement from `parse`.
 * @param text the query text the spans point into.
 * @returns one problem per offending literal (none for most queries). Never throws; iterative walk.
 */
export function findNumberLiteralProblems(statement: Statement, text: string): NumberLiteralProblem[] {
  const out: NumberLiteralProblem[] = [];
  const pipeArgs = new Map<unknown, string>();
  for (const p of statement.pipes) for (const a of p.args) pipeArgs.set(a, p.name);
  forEachNode(statement, (n) => {
    if (n.kind !== 'literal' || (n.type !== 'integer' && n.type !== 'decimal')) return;
    const raw = text.slice(n.span.start, n.span.end);
    if (typeof n.value === 'number' && !Number.isFinite(n.value)) {
      out.push({ span: n.span, message: `Number [${raw}] is too large`, code: NumberLiteralCodes.tooLarge });
      return;
    }
    const pipe = pipeArgs.get(n);
    if (pipe !== undefined && n.type === 'integer' && /^\d+$/.test(raw) && BigInt(raw) > UNSIGNED_LONG_MAX) {
      out.push({ span: n.span, message: `Pipe [${pipe}] expects a positive integer but found [${raw}]`, code: 'pipe-argument' });
    }
  });
  return out;
}
