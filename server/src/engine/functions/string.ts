/**
 * EQL string functions with Elasticsearch's argument and null rules (the `*FunctionProcessor`
 * classes under `x-pack/plugin/eql/.../function/scalar/string/` and `StringUtils` there).
 * Case-insensitive forms (`name~`) lower-case both sides first (`toLowerCase(Locale.ROOT)`).
 * Positions and lengths count UTF-16 code units, as Java strings do.
 */
import type { CallExpression } from '../../eql/ast';
import { EqlEvaluationError } from '../errors';
import { derive, toEqlString, ValueNode } from '../values';
import { display, intValue, numberArg, stringArg } from './args';

type Impl = (call: CallExpression, args: ValueNode[]) => ValueNode;

/**
 * `between(source, left, right[, greedy])`, `between~`: the text after the first `left` up to the
 * next `right` (greedy: up to the last `right`). Null source → null; an empty source, left or right
 * returns the source; `left` or `right` not found → "" (`StringUtils.between`).
 * @throws EqlEvaluationError when left/right are not strings (null included) or greedy is not a boolean.
 */
export const between: Impl = (call, args) => {
  const [src, left, right, greedy] = args;
  const ci = call.caseInsensitive;
  return derive('string', args, (s) => {
    const str = stringArg(src.eval(s), src.type, call.span);
    if (str === null) return null;
    const l = requireString(left.eval(s), left, call);
    const r = requireString(right.eval(s), right, call);
    const g = greedy ? greedy.eval(s) : false;
    if (typeof g !== 'boolean') throw new EqlEvaluationError(`A boolean is required; received [${display(g)}]`, call.span);
    if (str.length === 0 || l.length === 0 || r.length === 0) return str;
    const hay = ci ? str.toLowerCase() : str;
    const ll = ci ? l.toLowerCase() : l;
    const rr = ci ? r.toLowerCase() : r;
    const i = hay.indexOf(ll);
    if (i < 0) return '';
    const start = i + ll.length;
    const j = g ? hay.lastIndexOf(rr) : hay.indexOf(rr, start);
    if (j < 0) return '';
    // Java's substring(start, j) throws when j < start (greedy with the last `right` before `left` ends).
    if (j < start) throw new EqlEvaluationError(`begin ${start}, end ${j}, length ${str.length}`, call.span);
    return str.substring(start, j);
  });
};

function requireString(v: unknown, node: ValueNode, call: CallExpression): string {
  const s = stringArg(v, node.type, call.span);
  if (s === null) throw new EqlEvaluationError('A string/char is required; received [null]', call.span);
  return s;
}

/**
 * `concat(value, …)`: the string forms of all values joined; null when any value is null
 * (`ConcatFunctionProcessor`). Numbers print as Java does (`1`, `1.5`, `2.0`).
 */
export const concat: Impl = (_call, args) =>
  derive('string', args, (s) => {
    let out = '';
    for (const a of args) {
      const v = a.eval(s);
      if (v === null || v === undefined) return null;
      out += toEqlString(v, a.type);
    }
    return out;
  });

/**
 * A two-string predicate with the shared null rule of `endsWith`, `startsWith` and `stringContains`:
 * a null source or second argument gives null; `~` lower-cases both sides first.
 */
function stringPredicate(test: (source: string, other: string) => boolean): Impl {
  return (call, args) => {
    const [src, other] = args;
    const ci = call.caseInsensitive;
    return derive('boolean', args, (s) => {
      const str = stringArg(src.eval(s), src.type, call.span);
      if (str === null) return null;
      const p = stringArg(other.eval(s), other.type, call.span);
      if (p === null) return null;
      return ci ? test(str.toLowerCase(), p.toLowerCase()) : test(str, p);
    });
  };
}

/**
 * `endsWith(source, suffix)`, `endsWith~`: null source or suffix → null (`EndsWithFunctionProcessor`).
 */
export const endsWith: Impl = stringPredicate((str, suffix) => str.endsWith(suffix));

/**
 * `startsWith(source, prefix)`, `startsWith~`: null source or prefix → null
 * (QL `StartsWithFunctionProcessor`).
 */
export const startsWith: Impl = stringPredicate((str, prefix) => str.startsWith(prefix));

/**
 * `stringContains(source, substring)`, `stringContains~`: null source or substring → null; an
 * empty source or substring → false (`StringUtils.stringContains`). The null substring follows the
 * "EQL function reference" (`stringContains(process.command_line, null)` returns null), where
 * the processor itself would reject it.
 */
export const stringContains: Impl = stringPredicate((str, sub) => str.length > 0 && sub.length > 0 && str.includes(sub));

/**
 * `indexOf(source, substring[, start])`, `indexOf~`: first position (0-based) of `substring` at or
 * after `start` (default 0; negative counts as 0), or null when absent; null source or substring →
 * null (`IndexOfFunctionProcessor`).
 */
export const indexOf: Impl = (call, args) => {
  const [src, sub, start] = args;
  const ci = call.caseInsensitive;
  return derive('integer', args, (s) => {
    const str = stringArg(src.eval(s), src.type, call.span);
    if (str === null) return null;
    const p = stringArg(sub.eval(s), sub.type, call.span);
    if (p === null) return null;
    const st = start ? numberArg(start.eval(s), start.type, call.span) : null;
    const from = st === null ? 0 : Math.max(0, intValue(st));
    const i = ci ? str.toLowerCase().indexOf(p.toLowerCase(), from) : str.indexOf(p, from);
    return i < 0 ? null : i;
  });
};

/** `length(source)`: number of UTF-16 code units; null → null (`LengthFunctionProcessor`). */
export const length: Impl = (call, args) => {
  const [src] = args;
  return derive('integer', args, (s) => {
    const str = stringArg(src.eval(s), src.type, call.span);
    return str === null ? null : str.length;
  });
};

/** `string(value)`: the value's string form; null → null (`ToStringFunctionProcessor`). */
export const string: Impl = (_call, args) => {
  const [v] = args;
  return derive('string', args, (s) => toEqlString(v.eval(s), v.type));
};

/**
 * `substring(source, start[, end])`: Python-style slice — negative positions count from the end,
 * out-of-range positions are clamped, `start >= end` gives "" (`StringUtils.substringSlice`).
 * Null source → null; null start → the source unchanged; null end → the length.
 */
export const substring: Impl = (call, args) => {
  const [src, start, end] = args;
  return derive('string', args, (s) => {
    const str = stringArg(src.eval(s), src.type, call.span);
    if (str === null) return null;
    const st = numberArg(start.eval(s), start.type, call.span);
    if (st === null) return str;
    const en = end ? numberArg(end.eval(s), end.type, call.span) : null;
    if (str.length === 0) return str;
    const len = str.length;
    let a = intValue(st);
    let b = en === null ? len : intValue(en);
    if (a < 0) a += len;
    if (a < 0) a = 0;
    if (b < 0) b += len;
    if (b < 0) b = 0;
    else if (b > len) b = len;
    if (a >= b) return '';
    return str.substring(a, b);
  });
};
