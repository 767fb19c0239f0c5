/**
 * Comparisons with Elasticsearch EQL semantics, in the two forms Elasticsearch runs them:
 *
 * - **Query form** — a comparison of a field with a constant becomes a Lucene query on the field
 *   (`term`, `range`; `ExpressionTranslators.BinaryComparisons`). The constant is converted to the
 *   field's mapped type (a number matched against a `keyword` is its string form, a string against
 *   a `long` is parsed), keywords compare by code point, and a multi-valued field matches when any
 *   value does. {@link compileTermTest} / {@link compileRangeTest} build those per-value tests.
 * - **Script form** — anything else (functions, arithmetic, field against field) runs as a script
 *   over doc values with three-valued logic (`Comparisons` in Elasticsearch QL):
 *   {@link scriptCompare}, {@link scriptEquals}.
 */
import { CidrBlock, cidrContains, compareIp, parseCidr, parseIp } from './cidr';
import { FieldKind } from './mapping';
import { parseDate, parseDateBound } from './dateMath';
import {
  compareCodePoints,
  compareNumeric,
  compareUtf16,
  equalsIgnoreCase,
  NumericValue,
  parseJavaNumber,
  toEqlString,
  ValueType,
} from './values';

/** How values of a field are interpreted: its mapped kind, or `auto` without a mapping. */
export type MatchKind = FieldKind | 'auto';

/** Range operators of the query form. */
export type RangeOperator = '<' | '<=' | '>' | '>=';

/** A per-value test of the query form. */
export type ValueTest = (v: unknown) => boolean;

/**
 * How a rational field stores numbers, when not as doubles: `doc` rounds an indexed value,
 * `term` / `range` round the query's constant (`NumberFieldMapper`: `float` keeps 32 bits on both
 * sides; `scaled_float` stores `round(value × factor)` and rounds term constants the same way,
 * while range bounds compare unrounded).
 */
export interface NumericPrecision {
  doc: (n: number) => number;
  term: (n: number) => number;
  range: (n: number) => number;
}

/**
 * Rounds a number to the nearest IEEE 754 half-precision value (ties to even), as a `half_float`
 * field stores it: 11 significant bits, exponents −14…15, ±Infinity from 65520 up.
 */
export function toHalfFloat(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a >= 65520) return sign * Infinity;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  if (e < -14) e = -14; // subnormals share the smallest exponent
  const quantum = 2 ** (e - 10);
  const r = a / quantum;
  let n = Math.floor(r);
  const rest = r - n;
  if (rest > 0.5 || (rest === 0.5 && n % 2 === 1)) n++;
  return sign * n * quantum;
}

/** The precision of a mapped numeric field type, or undefined for plain doubles and integers. */
export function precisionOf(type: string | undefined, scalingFactor?: number): NumericPrecision | undefined {
  if (type === 'float') return { doc: Math.fround, term: Math.fround, range: Math.fround };
  if (type === 'half_float') return { doc: toHalfFloat, term: toHalfFloat, range: toHalfFloat };
  if (type === 'scaled_float' && scalingFactor) {
    const scale = (n: number) => Math.round(n * scalingFactor) / scalingFactor;
    return { doc: scale, term: scale, range: (n) => n };
  }
  return undefined;
}

const never: ValueTest = () => false;

/** Numeric view of a value for a numeric field (`NumberFieldMapper` coercion); integers beyond 2^53 stay exact. */
function asNumber(v: unknown): NumericValue | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'string') return parseExactNumber(v);
  return undefined;
}

/** A numeric string as {@link parseJavaNumber} reads it, but an integer beyond 2^53 exactly. */
function parseExactNumber(s: string): NumericValue | undefined {
  const t = s.trim();
  if (t.length >= 16 && /^[+-]?\d+$/.test(t)) {
    const n = Number(t);
    if (!Number.isSafeInteger(n)) return BigInt(t);
  }
  return parseJavaNumber(s);
}

/** `Math.trunc` of a numeric value (a bigint is already integral). */
function truncNumeric(x: NumericValue): NumericValue {
  return typeof x === 'bigint' ? x : Math.trunc(x);
}

/** Numeric equality: exact for integers, NaN equal to nothing (a term query never matches NaN). */
function numericEquals(a: NumericValue, b: NumericValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return (typeof a !== 'number' || !Number.isNaN(a)) && (typeof b !== 'number' || !Number.isNaN(b)) && compareNumeric(a, b) === 0;
}

function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  return undefined;
}

/** Parsed form of a `version` field value (Elasticsearch `VersionEncoder`: semver order). */
interface ParsedVersion {
  valid: boolean;
  main: number[];
  pre: Array<number | string> | undefined;
  raw: string;
}

function parseVersion(s: string): ParsedVersion {
  const m = /^(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(s);
  if (!m) return { valid: false, main: [], pre: undefined, raw: s };
  const main = m[1].split('.').map(Number);
  const pre = m[2]?.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return { valid: true, main, pre, raw: s };
}

/**
 * Orders two version strings like the `version` field type: valid semantic versions first, by
 * numeric parts then pre-release (a pre-release sorts before its release; numeric identifiers
 * before alphanumeric ones); invalid versions after all valid ones, by their text.
 */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (x.valid !== y.valid) return x.valid ? -1 : 1;
  if (!x.valid) return compareCodePoints(a, b);
  const n = Math.max(x.main.length, y.main.length);
  for (let i = 0; i < n; i++) {
    const p = x.main[i] ?? -1;
    const q = y.main[i] ?? -1;
    if (p !== q) return p - q;
  }
  if (!x.pre || !y.pre) return x.pre ? -1 : y.pre ? 1 : 0;
  const k = Math.max(x.pre.length, y.pre.length);
  for (let i = 0; i < k; i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') return p - q;
    if (typeof p === 'number') return -1;
    if (typeof q === 'number') return 1;
    return compareCodePoints(p, q);
  }
  return 0;
}

function rangeOk(c: number, op: RangeOperator): boolean {
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/**
 * Builds the per-value test of a `term` query (`==`, `:` without wildcards, `in`, `in~`):
 * the constant converted to the field's type, compared with each indexed value.
 *
 * @param kind the field's kind (`auto`: decided per value from its JSON type).
 * @param literal the constant (string, number, boolean); null never matches (callers turn
 *   null comparisons into existence checks first, as Elasticsearch's `ReplaceNullChecks` does).
 * @param literalType static type of the constant (integral vs rational matters for keywords).
 * @param caseInsensitive `case_insensitive` term query (`:` and `in~`); applies to string kinds.
 * @param format the `format` of a `date` field (the constant and the values are read with it).
 * @param precision rounding of `float` / `scaled_float` fields (see {@link precisionOf}).
 * @returns a test for one value of the field.
 */
export function compileTermTest(
  kind: MatchKind,
  literal: unknown,
  literalType: ValueType,
  caseInsensitive: boolean,
  format?: string,
  precision?: NumericPrecision,
): ValueTest {
  if (literal === null || literal === undefined) return never;
  switch (kind) {
    case 'string':
    case 'text':
    case 'other': {
      const lit = toEqlString(literal, literalType)!;
      return caseInsensitive
        ? (v) => {
            const s = toEqlString(v);
            return s !== null && equalsIgnoreCase(s, lit);
          }
        : (v) => toEqlString(v) === lit;
    }
    case 'integer':
    case 'rational': {
      const raw = asNumber(literal);
      if (raw === undefined || (typeof raw === 'number' && Number.isNaN(raw))) return never;
      if (kind === 'integer' && typeof raw === 'number' && !Number.isInteger(raw)) return never;
      if (kind === 'integer') {
        return (v) => {
          const x = asNumber(v);
          return x !== undefined && numericEquals(truncNumeric(x), raw);
        };
      }
      if (precision) {
        const n = precision.term(Number(raw));
        const doc = precision.doc;
        return (v) => {
          const x = asNumber(v);
          return x !== undefined && doc(Number(x)) === n;
        };
      }
      return (v) => {
        const x = asNumber(v);
        return x !== undefined && numericEquals(x, raw);
      };
    }
    case 'boolean': {
      const b = asBoolean(literal);
      if (b === undefined) return never;
      return (v) => asBoolean(v) === b;
    }
    case 'ip': {
      const block = typeof literal === 'string' ? parseCidr(literal) : undefined;
      if (!block) return never;
      return (v) => {
        const ip = typeof v === 'string' ? parseIp(v) : undefined;
        return ip !== undefined && cidrContains(block, ip);
      };
    }
    case 'date': {
      // A date field answers a term query with the range [value, value] (DateFieldType.termQuery).
      const lo = parseDateBound(literal, false, format);
      const hi = parseDateBound(literal, true, format);
      if (lo === undefined || hi === undefined) return never;
      return (v) => {
        const x = parseDate(v, format);
        return x !== undefined && x >= lo && x <= hi;
      };
    }
    case 'version': {
      const lit = toEqlString(literal, literalType)!;
      return (v) => typeof v === 'string' && compareVersions(v, lit) === 0;
    }
    case 'auto':
      return autoTermTest(literal, literalType, caseInsensitive);
  }
}

/** Term test without a mapping: each value is read by its JSON type (dynamic mapping). */
function autoTermTest(literal: unknown, literalType: ValueType, caseInsensitive: boolean): ValueTest {
  const litStr = toEqlString(literal, literalType)!;
  const litNum = asNumber(literal);
  const litBool = asBoolean(literal);
  return (v) => {
    switch (typeof v) {
      case 'string':
        return caseInsensitive ? equalsIgnoreCase(v, litStr) : v === litStr;
      case 'number':
      case 'bigint':
        return litNum !== undefined && numericEquals(v, litNum);
      case 'boolean':
        return litBool !== undefined && v === litBool;
      default:
        return false;
    }
  };
}

/**
 * Builds the per-value test of a `range` query (`<`, `<=`, `>`, `>=` against a constant).
 * Keywords compare by code point; numbers numerically; ips by address bytes; dates by instant;
 * versions by version order.
 *
 * @param kind the field's kind; @param op the operator with the field on the left.
 * @param literal the constant; null never matches. @param format a `date` field's `format`.
 * @param precision rounding of `float` / `scaled_float` fields.
 */
export function compileRangeTest(
  kind: MatchKind,
  op: RangeOperator,
  literal: unknown,
  literalType: ValueType,
  format?: string,
  precision?: NumericPrecision,
): ValueTest {
  if (literal === null || literal === undefined) return never;
  switch (kind) {
    case 'string':
    case 'text':
    case 'other': {
      const lit = toEqlString(literal, literalType)!;
      return (v) => {
        const s = toEqlString(v);
        return s !== null && rangeOk(compareCodePoints(s, lit), op);
      };
    }
    case 'integer':
    case 'rational': {
      const raw = asNumber(literal);
      if (raw === undefined || (typeof raw === 'number' && Number.isNaN(raw))) return never;
      const rounded = precision && kind === 'rational';
      const n = rounded ? precision.range(Number(raw)) : raw;
      return (v) => {
        let x = asNumber(v);
        if (x === undefined) return false;
        x = kind === 'integer' ? truncNumeric(x) : rounded ? precision.doc(Number(x)) : x;
        if (typeof x === 'number' && Number.isNaN(x)) return false;
        return rangeOk(compareNumeric(x, n), op);
      };
    }
    case 'boolean': {
      const b = asBoolean(literal);
      if (b === undefined) return never;
      return (v) => {
        const x = asBoolean(v);
        return x !== undefined && rangeOk(Number(x) - Number(b), op);
      };
    }
    case 'ip': {
      const lit = typeof literal === 'string' ? parseIp(literal) : undefined;
      if (!lit) return never;
      return (v) => {
        const ip = typeof v === 'string' ? parseIp(v) : undefined;
        return ip !== undefined && rangeOk(compareIp(ip, lit), op);
      };
    }
    case 'date': {
      // `>` and `<=` round their bound up, `>=` and `<` down (DateFieldType.rangeQuery).
      const d = parseDateBound(literal, op === '>' || op === '<=', format);
      if (d === undefined) return never;
      return (v) => {
        const x = parseDate(v, format);
        return x !== undefined && rangeOk(x - d, op);
      };
    }
    case 'version': {
      const lit = toEqlString(literal, literalType)!;
      return (v) => typeof v === 'string' && rangeOk(compareVersions(v, lit), op);
    }
    case 'auto': {
      const litStr = toEqlString(literal, literalType)!;
      const litNum = asNumber(literal);
      return (v) => {
        if (typeof v === 'number' || typeof v === 'bigint') {
          if (litNum === undefined || (typeof litNum === 'number' && Number.isNaN(litNum)) || (typeof v === 'number' && Number.isNaN(v))) return false;
          return rangeOk(compareNumeric(v, litNum), op);
        }
        if (typeof v === 'string') return rangeOk(compareCodePoints(v, litStr), op);
        if (typeof v === 'boolean') {
          const b = asBoolean(literal);
          return b !== undefined && rangeOk(Number(v) - Number(b), op);
        }
        return false;
      };
    }
  }
}

/** A test of one value against a set of CIDR blocks (`cidrMatch` on an `ip` field: a `terms` query). */
export function compileCidrTest(blocks: CidrBlock[]): ValueTest {
  return (v) => {
    const ip = typeof v === 'string' ? parseIp(v) : undefined;
    if (!ip) return false;
    return blocks.some((b) => cidrContains(b, ip));
  };
}

/**
 * Script-form ordering of two values (`Comparisons.compare` in Elasticsearch QL): numbers
 * numerically, strings by UTF-16 unit (`String.compareTo`), booleans false < true.
 * @returns negative/zero/positive, or null when either side is null or the types differ.
 */
export function scriptCompare(l: unknown, r: unknown): number | null {
  if (l === null || l === undefined || r === null || r === undefined) return null;
  if ((typeof l === 'number' || typeof l === 'bigint') && (typeof r === 'number' || typeof r === 'bigint')) return compareNumeric(l, r);
  if (typeof l === 'string' && typeof r === 'string') return compareUtf16(l, r);
  if (typeof l === 'boolean' && typeof r === 'boolean') return Number(l) - Number(r);
  return null;
}

/** Script-form equality (`Comparisons.eq`): null when either side is null or the types differ. */
export function scriptEquals(l: unknown, r: unknown): boolean | null {
  const c = scriptCompare(l, r);
  return c === null ? null : c === 0;
}

/**
 * Script-form case-insensitive equality (`StringComparisons.insensitiveEquals` in EQL): null-safe —
 * null `:` null is true; strings compare ignoring case; otherwise as {@link scriptEquals}.
 */
export function scriptInsensitiveEquals(l: unknown, r: unknown): boolean | null {
  if ((l === null || l === undefined) && (r === null || r === undefined)) return true;
  if (typeof l === 'string' && typeof r === 'string') return equalsIgnoreCase(l, r);
  return scriptEquals(l, r);
}

/** Applies a script-form ordering operator; null when the comparison is null. */
export function scriptRange(l: unknown, r: unknown, op: RangeOperator): boolean | null {
  const c = scriptCompare(l, r);
  return c === null ? null : rangeOk(c, op);
}

