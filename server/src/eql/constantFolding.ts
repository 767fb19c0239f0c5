/**
 * Failures Elasticsearch meets while preparing a query, before any event is read: constant
 * sub-expressions are evaluated by its optimizer (`ConstantFolding`: `1 / 0` fails with
 * `/ by zero`, `number("abc")` with `Unable to convert [abc] to number of base [10]`) and the
 * filter is translated to a search (`QueryTranslator`: `cidrMatch(ip, "10.0.0.0/33")` with an
 * invalid block fails). The replay engine reproduces both when it compiles a filter; this module runs
 * the same compilation at check time and turns its errors into diagnostics.
 */
import type { EventFilter, Expression, Span, Statement } from './ast';
import { children } from './walk';
import { compileExpression, compileFilter } from '../engine/filter';
import { EqlCompileError, EqlEvaluationError } from '../engine/errors';
import type { FieldMapping } from '../engine/mapping';

/** One failure found while folding or compiling, with the span of the failing expression. */
export interface FoldingProblem {
  span: Span;
  message: string;
  /** `fold`: a constant sub-expression failed; `compile`: translating the filter failed. */
  stage: 'fold' | 'compile';
}

/** The event filters of a statement: the event query's, or every stage's (and `until`'s). */
export function filtersOf(statement: Statement): EventFilter[] {
  const q = statement.query;
  if (q.kind === 'event') return [q.filter];
  const stages = q.kind === 'sequence' && q.until ? [...q.stages, q.until] : q.stages;
  return stages.map((s) => s.filter);
}

/**
 * Marks every expression of `root` that reads no field and holds no syntax error (Elasticsearch's
 * `foldable()`), computed bottom-up without recursion so long `and`/`or` chains are fine.
 */
function foldableNodes(root: Expression): Set<Expression> {
  const order: Expression[] = [];
  const stack: Expression[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    order.push(n);
    for (const c of children(n) as Expression[]) stack.push(c);
  }
  const out = new Set<Expression>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    if (n.kind === 'field' || n.kind === 'error') continue;
    if ((children(n) as Expression[]).every((c) => out.has(c))) out.add(n);
  }
  return out;
}

function problemOf(error: unknown, fallback: Span, stage: FoldingProblem['stage']): FoldingProblem | undefined {
  if (error instanceof EqlEvaluationError || error instanceof EqlCompileError) {
    const span = error.span ?? fallback;
    return { span: { start: span.start, end: span.end }, message: error.message, stage };
  }
  // Anything else (an engine limit such as deep recursion) is not a verdict on the query.
  return undefined;
}

/**
 * Evaluates every maximal constant sub-expression of each filter (literals alone are skipped) and
 * then compiles each filter as the replay engine would.
 *
 * Input: the statement (without syntax errors) and an optional index mapping (field types,
 * aliases; a `closed` mapping turns unknown fields into nulls, as Elasticsearch does for optional
 * fields). Output: problems with 0-based UTF-16 spans, constant failures first; a compile failure
 * that repeats a constant failure (same or overlapping span) is left out. Never throws.
 */
export function findFoldingProblems(statement: Statement, mapping?: FieldMapping): FoldingProblem[] {
  const ctx = { eventCategoryField: 'event.category', mapping };
  const out: FoldingProblem[] = [];
  const overlaps = (s: Span): boolean => out.some((p) => p.span.start < s.end && s.start < p.span.end);
  for (const filter of filtersOf(statement)) {
    const foldable = foldableNodes(filter.condition);
    const stack: Expression[] = [filter.condition];
    while (stack.length) {
      const n = stack.pop()!;
      if (foldable.has(n)) {
        if (n.kind === 'literal') continue;
        try {
          compileExpression(n, ctx)({});
        } catch (e) {
          const p = problemOf(e, n.span, 'fold');
          if (p) out.push(p);
        }
        continue;
      }
      for (const c of children(n) as Expression[]) stack.push(c);
    }
  }
  for (const filter of filtersOf(statement)) {
    try {
      compileFilter(filter, ctx);
    } catch (e) {
      const p = problemOf(e, filter.condition.span, 'compile');
      if (p && !overlaps(p.span)) out.push(p);
    }
  }
  return out;
}
