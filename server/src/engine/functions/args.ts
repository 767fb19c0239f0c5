/**
 * Argument checks shared by the EQL function implementations, with Elasticsearch's messages
 * (`EqlIllegalArgumentException` in the function processors).
 */
import type { Span } from '../../eql/ast';
import { EqlEvaluationError } from '../errors';
import { parseJavaNumber, toEqlString, ValueType } from '../values';

/**
 * Reads a string argument. Null stays null. A value of unknown static type (a field without
 * mapping) that is a number or boolean is taken in its string form, as a `keyword` field would
 * hold it.
 * @throws EqlEvaluationError `A string/char is required; received [v]` otherwise.
 */
export function stringArg(v: unknown, type: ValueType, span?: Span): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (type === 'unknown' && (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')) return toEqlString(v);
  throw new EqlEvaluationError(`A string/char is required; received [${display(v)}]`, span);
}

/**
 * Reads a numeric argument. Null stays null. A numeric string of unknown static type is parsed.
 * @throws EqlEvaluationError `A number is required; received [v]` otherwise.
 */
export function numberArg(v: unknown, type: ValueType, span?: Span): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  // An integer beyond 2^53 as the nearest double: the math functions work on doubles (`Math.*`).
  if (typeof v === 'bigint') return Number(v);
  if (type === 'unknown' && typeof v === 'string') {
    const n = parseJavaNumber(v);
    if (n !== undefined) return n;
  }
  throw new EqlEvaluationError(`A number is required; received [${display(v)}]`, span);
}

/** Java `Number.intValue()`: truncation toward zero, wrapped to 32 bits. */
export function intValue(n: number): number {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 0 : n > 0 ? 2147483647 : -2147483648;
  const t = Math.trunc(n);
  if (t > 2147483647) return 2147483647;
  if (t < -2147483648) return -2147483648;
  return t;
}

/** How a value is shown inside error messages. */
export function display(v: unknown): string {
  return typeof v === 'string' ? v : (toEqlString(v) ?? 'null');
}
