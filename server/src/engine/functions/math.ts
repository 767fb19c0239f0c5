/**
 * Arithmetic: the operators `+ - * / %`, unary `-`, and the functions `add`, `subtract`,
 * `multiply`, `divide`, `modulo` (Elasticsearch registers them as the same `Add`, `Sub`, `Mul`,
 * `Div`, `Mod` expressions: `EqlFunctionRegistry`), plus `number()`.
 *
 * Rules (QL `Arithmetics`, `DefaultBinaryArithmeticOperation`; EQL `ToNumberFunctionProcessor`):
 * - a null operand gives null;
 * - integral operands give integral results: division truncates toward zero, `%` keeps the
 *   dividend's sign, a zero divisor fails the search (`ArithmeticException: / by zero`);
 *   `+ - *` on two Java `Integer`s (literals, `length()`, `indexOf()`) fail beyond 32 bits
 *   (`Math.addExact` … "integer overflow"), on `Long`s beyond 64 bits ("long overflow");
 * - a floating-point operand makes the operation floating point (IEEE: `1 / 0.0` is Infinity).
 */
import type { CallExpression, Span } from '../../eql/ast';
import { EqlEvaluationError } from '../errors';
import { constantNode, derive, isIntegral, ValueNode, ValueType } from '../values';
import { display, numberArg, stringArg } from './args';

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

function arithType(l: ValueType, r: ValueType): ValueType {
  if (l === 'double' || r === 'double') return 'double';
  if (l === 'integer' && r === 'integer') return 'integer';
  if ((l === 'integer' || l === 'long') && (r === 'integer' || r === 'long')) return 'long';
  return 'unknown';
}

const LONG_MAX = 9223372036854775807;
const LONG_MIN_BIG = -(2n ** 63n);
const LONG_MAX_BIG = 2n ** 63n - 1n;

/**
 * A `long` operand as a bigint. A double of 2^63 can only be `Long.MAX_VALUE` (9223372036854775807)
 * rounded to the nearest double, so it is read back as that.
 */
function longOf(x: number): bigint {
  return x >= 9223372036854775807 ? LONG_MAX_BIG : BigInt(x);
}

/**
 * `+ - *` on longs as `Math.addExact`, `Math.subtractExact`, `Math.multiplyExact` (QL
 * `Arithmetics.add/sub/mul`): exact when operands and result are within 2^53, else computed on
 * bigints and refused beyond 64 bits with Java's "long overflow".
 */
function exactLong(op: '+' | '-' | '*', a: number, b: number, span?: Span): number {
  const r = op === '+' ? a + b : op === '-' ? a - b : a * b;
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(r)) return r;
  const x = longOf(a);
  const y = longOf(b);
  const big = op === '+' ? x + y : op === '-' ? x - y : x * y;
  if (big > LONG_MAX_BIG || big < LONG_MIN_BIG) throw new EqlEvaluationError('long overflow', span);
  return Number(big);
}

/**
 * Compiles a binary arithmetic operation.
 * @param op the operator; @param l, r the operands; @param span for error messages.
 * @returns a node of type `integer`, `double` or `unknown` (decided per value for unmapped fields).
 */
export function arithmetic(op: ArithmeticOperator, l: ValueNode, r: ValueNode, span?: Span): ValueNode {
  const lt = l.type;
  const rt = r.type;
  return derive(arithType(lt, rt), [l, r], (s) => {
    const lv = l.eval(s);
    const rv = r.eval(s);
    if (typeof lv === 'bigint' || typeof rv === 'bigint') return bigArithmetic(op, lv, lt, rv, rt, span);
    const a = numberArg(lv, lt, span);
    const b = numberArg(rv, rt, span);
    if (a === null || b === null) return null;
    const integral = isIntegral(a, lt) && isIntegral(b, rt);
    const bothInts = lt === 'integer' && rt === 'integer';
    const exact = (r: number): number => {
      if (r > 2147483647 || r < -2147483648) throw new EqlEvaluationError('integer overflow', span);
      return r;
    };
    switch (op) {
      case '+':
      case '-':
      case '*':
        if (!integral) return op === '+' ? a + b : op === '-' ? a - b : a * b;
        if (bothInts) return exact(op === '+' ? a + b : op === '-' ? a - b : a * b);
        return exactLong(op, a, b, span);
      case '/':
        if (integral) {
          if (b === 0) throw new EqlEvaluationError('/ by zero', span);
          return Math.trunc(a / b);
        }
        return a / b;
      case '%':
        if (integral && b === 0) throw new EqlEvaluationError('/ by zero', span);
        return a % b;
    }
  });
}

/**
 * Arithmetic where an operand is an integer beyond 2^53 (a bigint): exact on longs, as Java's
 * `Math.addExact` … and `/`, `%` (truncating toward zero, the remainder taking the dividend's sign),
 * refused beyond 64 bits with "long overflow"; with a double operand, on doubles.
 * @returns a number when the result is within 2^53, else a bigint; null when an operand is null.
 */
function bigArithmetic(op: ArithmeticOperator, lv: unknown, lt: ValueType, rv: unknown, rt: ValueType, span?: Span): number | bigint | null {
  const read = (v: unknown, t: ValueType): number | bigint | null => (typeof v === 'bigint' ? v : numberArg(v, t, span));
  const a = read(lv, lt);
  const b = read(rv, rt);
  if (a === null || b === null) return null;
  if ((typeof a === 'number' && !isIntegral(a, lt)) || (typeof b === 'number' && !isIntegral(b, rt))) {
    const x = Number(a);
    const y = Number(b);
    return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
  }
  const x = typeof a === 'bigint' ? a : longOf(a);
  const y = typeof b === 'bigint' ? b : longOf(b);
  if ((op === '/' || op === '%') && y === 0n) throw new EqlEvaluationError('/ by zero', span);
  const big = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
  if (big > LONG_MAX_BIG || big < LONG_MIN_BIG) throw new EqlEvaluationError('long overflow', span);
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big;
}

/** `add(a, b)`, `subtract`, `multiply`, `divide`, `modulo`: the operators under another name. */
export function arithmeticFunction(op: ArithmeticOperator) {
  return (call: CallExpression, args: ValueNode[]): ValueNode => arithmetic(op, args[0], args[1], call.span);
}

/**
 * `number(string[, base])` (EQL `ToNumberFunctionProcessor`): null → null; the base defaults to 16
 * when the string starts with `0x` (the prefix is then dropped), else 10. Base 10 reads a `long`
 * when the text is an integer (`Long.valueOf`), else a `double` (`Double.valueOf`: decimals,
 * exponents, `NaN`, `Infinity`); other bases read a `long` (`Long.parseLong(s, base)`).
 * @throws EqlEvaluationError `Unable to convert [s] to number of base [b]`, or for a non-integer base.
 */
export function numberFunction(call: CallExpression, args: ValueNode[]): ValueNode {
  const [value, base] = args;
  const run = (s: unknown[]): ParsedNumber | null => {
    const str = stringArg(value.eval(s), value.type, call.span);
    if (str === null) return null;
    return parseNumberArg(str, base ? base.eval(s) : null, call);
  };
  if (args.every((a) => a.constant)) {
    // Folded: the result keeps its Java type (`Long` or `Double`), so `string(number("5.0"))` is "5.0".
    const r = run([]);
    return constantNode(r === null ? null : r.value, r === null ? 'null' : r.isLong ? 'long' : 'double');
  }
  return derive('unknown', args, (s) => {
    const r = run(s);
    return r === null ? null : r.value;
  });
}

interface ParsedNumber {
  value: number;
  /** True for a Java `Long` result, false for a `Double`. */
  isLong: boolean;
}

function parseNumberArg(input: string, b: unknown, call: CallExpression): ParsedNumber {
  let str = input;
  const hex = str.startsWith('0x');
  let radix: number;
  if (b === null || b === undefined) radix = hex ? 16 : 10;
  else if (typeof b === 'number' && Number.isInteger(b)) radix = b;
  else throw new EqlEvaluationError(`An integer base is required; received [${display(b)}]`, call.span);
  if (hex && radix === 16) str = str.slice(2);
  const fail = () => new EqlEvaluationError(`Unable to convert [${str}] to number of base [${radix}]`, call.span);
  if (radix === 10) {
    // Long.valueOf first, then Double.valueOf (optional surrounding whitespace, d/f suffix, NaN, Infinity).
    if (/^[+-]?\d+$/.test(str)) {
      const n = Number(str);
      if (Math.abs(n) <= LONG_MAX) return { value: n, isLong: true };
    }
    const t = str.trim();
    if (/^[+-]?(NaN|Infinity)$/.test(t)) return { value: t.includes('NaN') ? NaN : t.startsWith('-') ? -Infinity : Infinity, isLong: false };
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(t)) return { value: Number(t.replace(/[dDfF]$/, '')), isLong: false };
    throw fail();
  }
  // Long.parseLong(s, radix).
  if (radix < 2 || radix > 36) throw fail();
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, radix);
  const m = /^([+-]?)(.+)$/.exec(str);
  if (!m || ![...m[2].toLowerCase()].every((c) => digits.includes(c))) throw fail();
  const n = parseInt(m[2], radix) * (m[1] === '-' ? -1 : 1);
  if (!Number.isFinite(n) || Math.abs(n) > LONG_MAX) throw fail();
  return { value: n, isLong: true };
}
