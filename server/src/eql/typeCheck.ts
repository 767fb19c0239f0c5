/**
 * Elasticsearch's type resolution of EQL expressions (QL `TypeResolutions`, the `resolveType` of
 * each function and operator, and the `Verifier`), applied where the types are known before a
 * search runs: literals, operator and function results, and fields whose type an index mapping gives.
 *
 * Type names are Elasticsearch's `DataType.typeName()` (`keyword`, `text`, `integer`, `long`,
 * `double`, `boolean`, `datetime`, `ip`, `null`, …); fields keep their mapped type except that the
 * keyword family reads as `keyword`, `text`-like types as `text` and `date` as `datetime`.
 */
import type { CallExpression, Expression, Span } from './ast';
import { findFunction } from './functions';

/** Lookups from an index mapping (all optional; without them only the query text decides). */
export interface FieldTypeLookup {
  /** The mapped Elasticsearch type of a dotted field name (aliases followed), or undefined. */
  fieldType?: (name: string) => string | undefined;
  /**
   * For `text` fields: whether a keyword sub-field exists for exact matching
   * (`FieldAttribute.exactAttribute()`). When not given, text fields are assumed to have one.
   */
  hasExactSubfield?: (name: string) => boolean;
}

const INTEGRAL = new Set(['integer', 'long', 'short', 'byte', 'unsigned_long']);
const RATIONAL = new Set(['double', 'float', 'half_float', 'scaled_float']);

/** `DataTypes.isString`: keyword and text. */
export function isStringType(t: string): boolean {
  return t === 'keyword' || t === 'text';
}
/** `DataType.isNumeric`; `numeric` stands for "some number" (operator results of unknown width). */
export function isNumericType(t: string): boolean {
  return INTEGRAL.has(t) || RATIONAL.has(t) || t === 'numeric';
}
function isIntegralType(t: string): boolean {
  return INTEGRAL.has(t);
}

/** A mapping type as Elasticsearch's EQL sees it (`DataType.typeName()`). */
export function dataTypeOfMapping(type: string): string {
  if (type === 'keyword' || type === 'constant_keyword' || type === 'wildcard') return 'keyword';
  if (type === 'text' || type === 'match_only_text') return 'text';
  if (type === 'date' || type === 'date_nanos') return 'datetime';
  return type;
}

/**
 * The data type of an expression, or undefined when it depends on the data (unmapped fields,
 * unknown functions, syntax errors). Arithmetic on operands of unknown width gives `numeric`.
 */
export function typeOf(e: Expression, lookup: FieldTypeLookup): string | undefined {
  switch (e.kind) {
    case 'literal':
      if (e.type === 'string') return 'keyword';
      if (e.type === 'decimal') return 'double';
      // ExpressionBuilder.visitIntegerLiteral: an int when it fits, else a long.
      if (e.type === 'integer') return Math.abs(e.value as number) <= 2147483647 ? 'integer' : 'long';
      return e.type;
    case 'field': {
      const t = lookup.fieldType?.(e.name);
      return t === undefined ? undefined : dataTypeOfMapping(t);
    }
    case 'not':
    case 'logical':
    case 'comparison':
    case 'in':
    case 'match':
      return 'boolean';
    case 'arithmetic':
    case 'negate':
      return 'numeric';
    case 'call': {
      const info = findFunction(e.name);
      if (!info) return undefined;
      const name = info.name.toLowerCase();
      if (name === 'length' || name === 'indexof') return 'integer';
      if (info.returns.startsWith('boolean')) return 'boolean';
      if (info.returns.startsWith('string')) return 'keyword';
      return 'numeric';
    }
    default:
      return undefined;
  }
}

/** `DataTypes.areCompatible`: same type, either null, both strings or both numbers. */
export function areCompatible(a: string, b: string): boolean {
  return a === b || a === 'null' || b === 'null' || (isStringType(a) && isStringType(b)) || (isNumericType(a) && isNumericType(b));
}

/** English ordinal used by `In` (`1st`, `2nd`, `3rd`, `4th`, … `11th`). */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** A type error found on one expression. */
export interface TypeProblem {
  span: Span;
  message: string;
}

type Want = 'string' | 'integer' | 'numeric' | 'boolean' | 'ip' | 'exact';
/** `ParamOrdinal` names (`DEFAULT` is the empty string). */
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

/**
 * Argument rules of the EQL functions, from each class's `resolveType` (Elasticsearch
 * `x-pack/plugin/eql/.../function/scalar/string/*.java`, `.../math/ToNumber.java`, QL `StartsWith`):
 * per argument, what it must be and the ordinal used in the message (`''` for `DEFAULT`).
 */
const FUNCTION_ARGS: Record<string, Array<{ want: Want; ord: string }>> = {
  length: [{ want: 'string', ord: '' }],
  indexof: [{ want: 'string', ord: 'first' }, { want: 'string', ord: 'second' }, { want: 'integer', ord: 'third' }],
  startswith: [{ want: 'string', ord: 'first' }, { want: 'string', ord: 'second' }],
  endswith: [{ want: 'string', ord: 'first' }, { want: 'string', ord: 'second' }],
  stringcontains: [{ want: 'string', ord: 'first' }, { want: 'string', ord: 'second' }],
  between: [
    { want: 'string', ord: 'first' },
    { want: 'string', ord: 'second' },
    { want: 'string', ord: 'third' },
    { want: 'boolean', ord: 'fourth' },
  ],
  substring: [{ want: 'string', ord: 'first' }, { want: 'integer', ord: 'second' }, { want: 'integer', ord: 'third' }],
  number: [{ want: 'string', ord: 'first' }, { want: 'integer', ord: 'second' }],
  string: [{ want: 'exact', ord: '' }],
  add: [{ want: 'numeric', ord: 'first' }, { want: 'numeric', ord: 'second' }],
  subtract: [{ want: 'numeric', ord: 'first' }, { want: 'numeric', ord: 'second' }],
  multiply: [{ want: 'numeric', ord: 'first' }, { want: 'numeric', ord: 'second' }],
  divide: [{ want: 'numeric', ord: 'first' }, { want: 'numeric', ord: 'second' }],
  modulo: [{ want: 'numeric', ord: 'first' }, { want: 'numeric', ord: 'second' }],
};

/** How an operand is named in messages (`Expressions.name`): a field's name, else its source text. */
function nameOf(e: Expression, text: string): string {
  return e.kind === 'field' ? e.name : text.slice(e.span.start, e.span.end);
}

/** The last part of a dotted field name (Elasticsearch's `EsField` name in exactness messages). */
function leafName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/**
 * QL `TypeResolutions.isExact`: a `text` field without a keyword sub-field cannot be compared exactly.
 * @returns the message, or undefined when the operand is fine.
 */
export function exactProblem(operand: Expression, operation: string, ord: string, lookup: FieldTypeLookup): string | undefined {
  if (operand.kind !== 'field') return undefined;
  const t = lookup.fieldType?.(operand.name);
  if (t === undefined || dataTypeOfMapping(t) !== 'text') return undefined;
  if (lookup.hasExactSubfield?.(operand.name) ?? true) return undefined;
  return (
    `[${operation}] cannot operate on ${ord ? `${ord} argument ` : ''}field of data type [text]: ` +
    `No keyword/multi-field defined exact matches for [${leafName(operand.name)}]; define one or use MATCH/QUERY instead`
  );
}

/**
 * QL `TypeResolutions.isType`: `{ord} argument of [{operation}] must be [{want}], found value [{name}] type [{type}]`;
 * null always passes.
 */
function typeProblem(operand: Expression, want: Exclude<Want, 'exact'>, operation: string, ord: string, lookup: FieldTypeLookup, text: string): string | undefined {
  const t = typeOf(operand, lookup);
  if (t === undefined || t === 'null') return undefined;
  const ok =
    want === 'string' ? isStringType(t)
    : want === 'integer' ? isIntegralType(t) || t === 'numeric'
    : want === 'numeric' ? isNumericType(t)
    : want === 'boolean' ? t === 'boolean'
    : t === 'ip';
  // `numeric` (arithmetic of unknown width) may well be integral: not held against an integer rule.
  if (ok) return undefined;
  return `${ord ? `${ord} ` : ''}argument of [${operation}] must be [${want}], found value [${nameOf(operand, text)}] type [${t}]`;
}

/**
 * Argument rules of one function call (see {@link FUNCTION_ARGS}; `cidrMatch` from `CIDRMatch.resolveType`).
 * @returns the first problem, as Elasticsearch stops at the first unresolved argument.
 */
export function checkCallTypes(call: CallExpression, text: string, lookup: FieldTypeLookup): TypeProblem | undefined {
  const info = findFunction(call.name);
  if (!info) return undefined;
  const name = info.name.toLowerCase();
  const operation = text.slice(call.span.start, call.span.end);
  if (name === 'cidrmatch') {
    const [input, ...blocks] = call.args;
    if (!input) return undefined;
    const p = typeProblem(input, 'ip', operation, 'first', lookup, text);
    if (p) return { span: call.span, message: p };
    for (let i = 0; i < blocks.length; i++) {
      const ord = ORDINALS[i + 1] ?? '';
      const b = blocks[i];
      if (b.kind === 'field' || b.kind === 'error') continue; // not a constant: reported by the engine compile step
      const q = typeProblem(b, 'string', operation, ord, lookup, text);
      if (q) return { span: call.span, message: q };
    }
    return undefined;
  }
  const rules = FUNCTION_ARGS[name];
  if (!rules) return undefined;
  for (let i = 0; i < call.args.length && i < rules.length; i++) {
    const { want, ord } = rules[i];
    const a = call.args[i];
    if (want !== 'exact') {
      const p = typeProblem(a, want, operation, ord, lookup, text);
      if (p) return { span: call.span, message: p };
    }
    if (want === 'string' || want === 'exact') {
      const x = exactProblem(a, operation, ord, lookup);
      if (x) return { span: call.span, message: x };
    }
  }
  return undefined;
}

/**
 * `:` (`InsensitiveBinaryComparison.resolveInputType`): both sides must be strings
 * ("…; consider using [==] instead") and exact. The right side is checked only for mapped fields:
 * Elasticsearch's QA suite (`test_queries.toml`, `additional_test_queries.toml`) runs
 * `number(…) : 17` and `length(…) : 2`, so literal numbers on the right are accepted here; on the
 * left only literals and mapped fields are checked for the same reason (`length(…) : 2`).
 */
export function checkInsensitiveEquals(value: Expression, patterns: Expression[], text: string, lookup: FieldTypeLookup): string | undefined {
  const sides: Array<[Expression, string]> = [[value, 'first']];
  for (const p of patterns) if (p.kind === 'field') sides.push([p, 'second']);
  for (const [operand, ord] of sides) {
    if (operand.kind !== 'literal' && operand.kind !== 'field') continue;
    const p = typeProblem(operand, 'string', ':', ord, lookup, text);
    if (p) return `${p}; consider using [==] instead`;
    const x = exactProblem(operand, ':', ord, lookup);
    if (x) return x;
  }
  return undefined;
}

/**
 * `In.resolveType`: every list value must be compatible with the tested value:
 * `{N}th argument of [{in}] must be [{type}], found value [{v}] type [{t}]` (N = list position + 1).
 * Only string, numeric and boolean types are compared (ip and date values accept strings).
 */
export function checkInList(value: Expression, list: Expression[], operation: string, text: string, lookup: FieldTypeLookup): string | undefined {
  if (value.kind !== 'literal' && value.kind !== 'field') return undefined;
  const vt = typeOf(value, lookup);
  if (vt === undefined || !(isStringType(vt) || isNumericType(vt) || vt === 'boolean')) return undefined;
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x.kind !== 'literal') continue;
    const t = typeOf(x, lookup);
    if (t === undefined || areCompatible(vt, t)) continue;
    return `${ordinal(i + 1)} argument of [${operation}] must be [${vt}], found value [${nameOf(x, text)}] type [${t}]`;
  }
  return undefined;
}

