/**
 * Shared helpers for the expression tests: parse EQL with the project's parser and compile with
 * the engine, so the tests read like the queries they check.
 */
import assert from 'node:assert/strict';
import type { Expression } from '../../../../server/src/eql/ast';
import { parse } from '../../../../server/src/eql/parser';
import { compileExpression, compileFilter, FilterContext } from '../../../../server/src/engine/filter';
import type { FieldMapping } from '../../../../server/src/engine/mapping';

/** Parses an event query (`category where condition`) and returns its filter; fails on syntax errors. */
export function filterOf(query: string) {
  const r = parse(query);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 0, `unexpected syntax errors in ${query}: ${errors.map((d) => d.message).join('; ')}`);
  assert.ok(r.statement && r.statement.query.kind === 'event', `not an event query: ${query}`);
  return r.statement.query.filter;
}

/** Parses `any where <expr>` and returns the expression. */
export function exprOf(expr: string): Expression {
  return filterOf(`any where ${expr}`).condition;
}

/** Compiles an event query into a predicate (category field `event.category` unless given). */
export function matcher(query: string, mapping?: FieldMapping, eventCategoryField = 'event.category') {
  const ctx: FilterContext = { eventCategoryField, mapping };
  return compileFilter(filterOf(query), ctx);
}

/** True when `any where <condition>` matches the document. */
export function holds(condition: string, doc: Record<string, unknown>, mapping?: FieldMapping): boolean {
  return matcher(`any where ${condition}`, mapping)(doc);
}

/** Evaluates an expression against a document (default: the empty document). */
export function evaluate(expr: string, doc: Record<string, unknown> = {}, mapping?: FieldMapping): unknown {
  return compileExpression(exprOf(expr), { eventCategoryField: 'event.category', mapping })(doc);
}

/** Ids of the documents (field `id`) a query matches, in input order. */
export function idsMatching(query: string, docs: Array<Record<string, unknown>>, mapping?: FieldMapping): unknown[] {
  const f = matcher(query, mapping);
  return docs.filter((d) => f(d)).map((d) => d.id);
}
