/**
 * EQL expressions typed by a person while debugging a replay: breakpoint conditions
 * (`process.name : "power*"`), log-point `{…}` parts and debug-console input
 * (`process.parent.name`, `cidrMatch(source.ip, "10.0.0.0/8")`).
 *
 * The text is checked as the condition of `any where <text>` by the project's own parser and
 * checker (so the messages are Elasticsearch's) and compiled by the engine's filter compiler (so a
 * condition decides exactly as a stage filter would).
 */
import { analyze } from '../eql/analyze';
import type { Expression } from '../eql/ast';
import { compileExpression, compileFilter } from '../engine/filter';
import type { FieldMapping } from '../engine/mapping';

const PREFIX = 'any where ';


/** An expression ready to run against event documents, or the reason it is not. */
export type CompiledEqlExpression =
  | {
      expression: Expression;
      /** Whether the event satisfies the expression as a condition (a stage filter's `where`). */
      test(doc: Record<string, unknown>): boolean;
      /** The expression's value for the event (a bare field gives all its values). */
      value(doc: Record<string, unknown>): unknown;
      error?: undefined;
    }
  | { error: string; expression?: undefined };

/**
 * Compiles an EQL expression.
 *
 * @param text the expression as typed (no `where`).
 * @param options `eventCategoryField` and `mapping` as in the replay.
 * @param asValue true for a value to show (the debug console): a non-boolean expression is not an error.
 * @returns the compiled expression, or `{ error }`: the first EQL error as
 *   `column N: message` (1-based column in `text`, UTF-16 code units). Never throws.
 */
export function compileEqlExpression(
  text: string,
  options: { eventCategoryField: string; mapping?: FieldMapping },
  asValue = false,
): CompiledEqlExpression {
  if (text.trim() === '') return { error: 'empty expression' };
  const query = PREFIX + text;
  const { statement, diagnostics } = analyze(query, { mapping: options.mapping });
  // The checker's "Condition expression needs to be boolean" on the whole text only says it is a
  // value, which is what the debug console wants to print.
  const conditionTypeOnly = (d: (typeof diagnostics)[number]) =>
    d.span.start === PREFIX.length && d.span.end === query.length && d.message.startsWith('Condition expression needs to be boolean');
  const errors = diagnostics.filter((d) => d.severity === 'error' && !(asValue && conditionTypeOnly(d)));
  if (errors.length > 0 || !statement) {
    const first = errors[0];
    if (!first) return { error: 'not an EQL expression' };
    const column = Math.max(1, first.span.start - PREFIX.length + 1);
    return { error: `column ${column}: ${first.message}` };
  }
  if (statement.query.kind !== 'event' || statement.pipes.length > 0) {
    return { error: 'expected one EQL expression, not a query or pipe' };
  }
  const filter = statement.query.filter;
  const ctx = { eventCategoryField: options.eventCategoryField, mapping: options.mapping };
  try {
    const test = asValue ? () => false : compileFilter(filter, ctx);
    const value = compileExpression(filter.condition, ctx);
    return { expression: filter.condition, test, value };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
