/**
 * Catalog of the EQL functions Elasticsearch supports, from the "EQL function reference" page
 * (Elasticsearch docs, reference/query-languages/eql/eql-function-ref). Used by the checker (unknown
 * function, arity, `~` form), by signature help and completion, and by the evaluator's arity check
 * (`engine/functions/index.ts`).
 */
export interface EqlFunctionInfo {
  /** Canonical spelling, as documented (`startsWith`). Elasticsearch resolves names case-insensitively. */
  name: string;
  minArgs: number;
  /** Maximum number of arguments; `Infinity` for variadic functions. */
  maxArgs: number;
  /** Whether the case-insensitive form `name~(…)` exists. */
  caseInsensitiveForm: boolean;
  /** Parameter names as documented; a trailing `…` marks a repeatable parameter. */
  params: string[];
  /** One-line description. */
  doc: string;
  returns: string;
}

const fn = (
  name: string,
  minArgs: number,
  maxArgs: number,
  caseInsensitiveForm: boolean,
  params: string[],
  returns: string,
  doc: string,
): EqlFunctionInfo => ({ name, minArgs, maxArgs, caseInsensitiveForm, params, returns, doc });

/** All supported functions, in documentation order. */
export const EQL_FUNCTIONS: readonly EqlFunctionInfo[] = [
  fn('add', 2, 2, false, ['addend', 'addend'], 'integer, float or null', 'Returns the sum of two addends.'),
  fn('between', 3, 4, true, ['source', 'left', 'right', 'greedy_matching'], 'string or null',
    'Extracts the substring of `source` between `left` and `right`; `greedy_matching` (default false) matches the last `right`. Case-sensitive unless written `between~`.'),
  fn('cidrMatch', 2, Infinity, false, ['ip_address', 'cidr_block…'], 'boolean or null',
    'Returns true if the IP address is contained in one of the CIDR blocks.'),
  fn('concat', 1, Infinity, false, ['value…'], 'string or null', 'Returns the concatenation of the values as a string; null if any value is null.'),
  fn('divide', 2, 2, false, ['dividend', 'divisor'], 'integer, float or null',
    'Returns the quotient; integer division when both are integers. A zero divisor is an error.'),
  fn('endsWith', 2, 2, true, ['source', 'substring'], 'boolean or null',
    'Returns true if `source` ends with `substring`. Case-sensitive unless written `endsWith~`.'),
  fn('indexOf', 2, 3, true, ['source', 'substring', 'start_pos'], 'integer or null',
    'Returns the first 0-based position of `substring` in `source` at or after `start_pos`, or null. Case-sensitive unless written `indexOf~`.'),
  fn('length', 1, 1, false, ['source'], 'integer or null', 'Returns the number of characters in a string.'),
  fn('modulo', 2, 2, false, ['dividend', 'divisor'], 'integer, float or null', 'Returns the remainder of dividing `dividend` by `divisor`.'),
  fn('multiply', 2, 2, false, ['factor', 'factor'], 'integer, float or null', 'Returns the product of two factors.'),
  fn('number', 1, 2, false, ['string', 'base'], 'integer, float or null',
    'Converts a string to a number; `base` (2–36, default 10) for integers, `0x` prefixes are read as base 16.'),
  fn('startsWith', 2, 2, true, ['source', 'substring'], 'boolean or null',
    'Returns true if `source` starts with `substring`. Case-sensitive unless written `startsWith~`.'),
  fn('string', 1, 1, false, ['value'], 'string or null', 'Converts a value to a string.'),
  fn('stringContains', 2, 2, true, ['source', 'substring'], 'boolean or null',
    'Returns true if `source` contains `substring`. Case-sensitive unless written `stringContains~`.'),
  fn('substring', 2, 3, false, ['source', 'start', 'end'], 'string or null',
    'Extracts the substring from the 0-based `start` up to (not including) `end`; negative positions count from the end.'),
  fn('subtract', 2, 2, false, ['minuend', 'subtrahend'], 'integer, float or null', 'Returns the difference of two numbers.'),
];

const BY_LOWER = new Map(EQL_FUNCTIONS.map((f) => [f.name.toLowerCase(), f]));

/** Looks a function up by name, case-insensitively (Elasticsearch normalises function names). Undefined when unknown. */
export function findFunction(name: string): EqlFunctionInfo | undefined {
  return BY_LOWER.get(name.toLowerCase());
}
