/**
 * EQL runtime values and the conversions Elasticsearch applies to them.
 *
 * Values are plain JSON values: `null`, booleans, numbers, strings. Elasticsearch distinguishes
 * Java `Integer` (integer literals that fit 32 bits, `length()`, `indexOf()`), `Long` (numeric
 * doc values, larger literals) and `Double`: integer division truncates, `Integer` arithmetic
 * overflows beyond 32 bits, `string(3.0)` is `"3.0"`. A JavaScript number cannot carry that, so every compiled expression also
 * has a static {@link ValueType}, worked out at compile time the way Elasticsearch types its
 * expressions (`DataTypes`, `DataTypeConverter.commonType`); `unknown` (a field without mapping)
 * is decided per value: integral JSON numbers count as `long`.
 */

import { stringify as losslessStringify } from 'lossless-json';

/** Static type of a compiled expression (Elasticsearch `DataType`, coarsened). */
export type ValueType =
  | 'null'
  | 'boolean'
  | 'integer'
  | 'long'
  | 'double'
  | 'string'
  | 'ip'
  | 'date'
  | 'version'
  | 'object'
  | 'unknown';

/**
 * A numeric runtime value: a `number` (a double, or an integer within ±(2^53 − 1)), or a `bigint`
 * for an integer beyond that (a `long` or `unsigned_long` read exactly from a sample or a rule
 * literal; see `samples/exactJson.ts`).
 */
export type NumericValue = number | bigint;

/** True for a `number` or a `bigint`. */
export function isNumeric(v: unknown): v is NumericValue {
  return typeof v === 'number' || typeof v === 'bigint';
}

/**
 * Orders two numeric values as Elasticsearch does (QL `Comparisons.compare` → `Arithmetics`):
 * two integers exactly (`Long.compare`, `BigInteger.compareTo`), an integer and a double as
 * doubles (`Double.compare` after widening the integer). NaN sorts after everything and equals
 * itself (`Double.compare`).
 * @returns negative, zero or positive.
 */
export function compareNumeric(a: NumericValue, b: NumericValue): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  // One side is a bigint: an integral number compares exactly (JavaScript compares a bigint with a
  // number by their mathematical values); a double widens the integer to a double.
  let x: NumericValue = a;
  let y: NumericValue = b;
  if (typeof x === 'number' && !Number.isInteger(x)) y = Number(y);
  else if (typeof y === 'number' && !Number.isInteger(y)) x = Number(x);
  if (typeof x === 'number' && Number.isNaN(x)) return typeof y === 'number' && Number.isNaN(y) ? 0 : 1;
  if (typeof y === 'number' && Number.isNaN(y)) return -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** True when an integral number fits Java's 32-bit `int`. */
export function isInt32(v: number): boolean {
  return v >= -2147483648 && v <= 2147483647;
}

/** True when a number of the given static type is integral (long/integer). */
export function isIntegral(v: number, type: ValueType): boolean {
  if (type === 'integer' || type === 'long') return true;
  if (type === 'double') return false;
  return Number.isInteger(v);
}

/**
 * Formats a number the way Java's `Double.toString` / `Long.toString` do (the string form
 * Elasticsearch produces in `string()`, `concat()`, and when a number is matched against a keyword).
 *
 * @param v the number; @param integral true for `long`/`integer` values (no `.0` suffix).
 * @returns e.g. `3`, `3.0`, `0.001`, `1.0E7`, `1.5E-4`, `NaN`, `Infinity`.
 */
export function javaNumberString(v: number, integral: boolean): string {
  if (integral && Number.isInteger(v)) {
    // Long.toString; beyond 2^53 JSON already lost precision, print the integral digits anyway.
    return BigInt(v).toString();
  }
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(v);
    // String(v) never uses exponent notation in this range.
    return s.includes('.') ? s : `${s}.0`;
  }
  // Scientific: d.dddE±n with the shortest digits that round-trip (same digits as JS).
  const [mantissa, exp] = v.toExponential().split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  const e = exp.startsWith('+') ? exp.slice(1) : exp;
  return `${m}E${e}`;
}

/**
 * Converts a value to its string form as Elasticsearch's `ToString` / string conversion does
 * (`DataTypeConverter.convert(value, KEYWORD)`): numbers in Java notation, booleans as
 * `true`/`false`, strings unchanged.
 *
 * @returns the string, or null for null input.
 */
export function toEqlString(v: unknown, type: ValueType = 'unknown'): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return javaNumberString(v, isIntegral(v, type));
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return stringifyExact(v);
}

/**
 * `JSON.stringify` for values that may hold `bigint`s (exact integers beyond 2^53), which it
 * refuses: they are written as their digits, a JSON number (via `lossless-json`'s `stringify`,
 * only when the value holds one). `space` as in `JSON.stringify`.
 */
export function stringifyExact(v: unknown, space?: number): string {
  try {
    return JSON.stringify(v, undefined, space);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return losslessStringify(v, undefined, space) ?? 'null';
  }
}

/**
 * Parses a string as Elasticsearch parses a numeric query value or `number()` argument in base 10:
 * optional sign, digits, optional fraction and exponent; surrounding whitespace allowed
 * (Java `Double.parseDouble` trims it).
 * @returns the number, or undefined when the text is not a number.
 */
export function parseJavaNumber(s: string): number | undefined {
  const t = s.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(t)) {
    if (t === 'NaN') return NaN;
    if (/^[+-]?Infinity$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    return undefined;
  }
  return Number(t.replace(/[dDfF]$/, ''));
}

/**
 * Compares two strings by Unicode code point, as Lucene orders keyword terms (UTF-8 byte order,
 * which equals code point order).
 * @returns negative, zero or positive.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF: they sort after all other BMP units.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Compares two strings by UTF-16 code unit, as Java's `String.compareTo` does (used by
 * Elasticsearch when a comparison runs as a script rather than a query).
 */
export function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Case-insensitive string equality as Java's `String.compareToIgnoreCase(...) == 0`: same length,
 * and each UTF-16 unit equal after upper-casing then lower-casing it
 * (`StringComparisons.insensitiveEquals` in Elasticsearch EQL).
 */
export function equalsIgnoreCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  if (a === b) return true;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    const ux = foldChar(x);
    const uy = foldChar(y);
    if (ux !== uy) return false;
  }
  return true;
}

const foldCache = new Map<string, string>();

/** One UTF-16 unit folded like Java's `Character.toLowerCase(Character.toUpperCase(c))`. */
export function foldChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 128) return code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : c;
  let f = foldCache.get(c);
  if (f === undefined) {
    const u = c.toUpperCase();
    // Java maps one char to one char; when JS expands (ß → SS) keep the char itself.
    const up = u.length === 1 ? u : c;
    const l = up.toLowerCase();
    f = l.length === 1 ? l : up;
    foldCache.set(c, f);
  }
  return f;
}

/** Folds a whole string unit by unit with {@link foldChar} (length preserved). */
export function foldString(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 128) {
      ascii = false;
      break;
    }
  }
  if (ascii) return s.toLowerCase();
  let out = '';
  for (let i = 0; i < s.length; i++) out += foldChar(s[i]);
  return out;
}

/**
 * A compiled value expression (script form): its static type and an evaluator over the current
 * values of the fields it reads. `slots[i]` holds the value bound to the i-th field of the
 * enclosing script scope (see `filter.ts`); constant expressions ignore the slots.
 */
export interface ValueNode {
  type: ValueType;
  /** True when the expression reads no field (Elasticsearch `foldable()`); `value` is then set. */
  constant: boolean;
  value?: unknown;
  eval: (slots: unknown[]) => unknown;
}

/** A constant value node. */
export function constantNode(value: unknown, type: ValueType): ValueNode {
  return { type, constant: true, value, eval: () => value };
}

/**
 * Builds a derived node from its inputs; folds it at compile time when every input is constant
 * (Elasticsearch `ConstantFolding`). `evaluate` reads the inputs through their own `eval`.
 */
export function derive(type: ValueType, inputs: ValueNode[], evaluate: (slots: unknown[]) => unknown): ValueNode {
  if (inputs.every((i) => i.constant)) {
    return constantNode(evaluate([]), type);
  }
  return { type, constant: false, eval: evaluate };
}
