/**
 * Compiles EQL event filters and expressions into closures, once per query.
 *
 * The compiled form follows how Elasticsearch runs a filter (`QueryTranslator` in EQL, and
 * `ExpressionTranslators` in QL), because the two ways it evaluates conditions differ visibly:
 *
 * - **Query form**: a comparison of a field with constants (`==`, `<`…, `:`, `like`, `regex`, `in`,
 *   `startsWith(field, "x")`, `cidrMatch(field, …)`, `field == null`) becomes a Lucene query.
 *   A multi-valued field matches when any value does; a missing field matches nothing; `not`,
 *   `!=` and `not in` are `must_not` clauses, so they match events where the field is missing.
 * - **Script form**: everything else (functions, arithmetic, comparisons between expressions)
 *   runs as a script with three-valued logic: null propagates, `not null` is null, and a null
 *   result does not match. Multi-valued fields are tried value by value (any combination that
 *   yields true matches; `MultiValueAwareScriptQuery`); a missing field is null.
 *
 * Before translating, the tree is normalised as Elasticsearch's optimizer does: `x == null` →
 * "x is missing", `x != null` → "x exists" (`ReplaceNullChecks`); constants move to the right
 * (`LiteralsOnTheRight`); `x : "a*"` becomes a wildcard match (`ReplaceWildcards`); `like "*"` /
 * `regex ".*"` become "exists" and patterns without wildcards become equality (`ReplaceRegexMatch`);
 * constant sub-expressions are folded (`ConstantFolding`).
 *
 * Every compiled predicate keeps its syntax node, its form and its children
 * ({@link CompiledPredicate}), so an explanation of why an event passed or failed can re-run the
 * same closures node by node.
 */
import type {
  CallExpression,
  EventFilter,
  Expression,
  FieldExpression,
  InExpression,
  MatchExpression,
} from '../eql/ast';
import {
  compileCidrTest,
  compileRangeTest,
  compileTermTest,
  MatchKind,
  NumericPrecision,
  precisionOf,
  RangeOperator,
  scriptEquals,
  scriptInsensitiveEquals,
  scriptRange,
  ValueTest,
} from './compare';
import { EqlCompileError, EqlEvaluationError, EventLimitError } from './errors';
import { compileFieldGetter, FieldGetter } from './fields';
import { compileFunction } from './functions';
import { arithmetic } from './functions/math';
import { compileJavaRegex, compileLuceneRegex } from './luceneRegex';
import { FieldInfo, FieldMapping, kindOfType, lookupField, resolveAlias } from './mapping';
import { parseCidr, formatIp, parseIp } from './cidr';
import {
  compareCodePoints,
  constantNode,
  derive,
  compareNumeric,
  isInt32,
  isNumeric,
  foldString,
  parseJavaNumber,
  toEqlString,
  ValueNode,
  ValueType,
} from './values';
import { compileLuceneWildcard, compileScriptWildcard, compileWildcard, hasWildcard } from './wildcard';

/** Options of filter compilation (agreed API; fields may be added). */
export interface FilterContext {
  /** Field holding the event category, e.g. `event.category` (`event_category_field` of `_eql/search`). */
  eventCategoryField: string;
  /** Index mapping: field types, aliases, exact sub-fields. Without it types are read from the JSON values. */
  mapping?: FieldMapping;
}

/** How Elasticsearch would run a compiled predicate. */
export type PredicateForm = 'constant' | 'query' | 'script';

/**
 * A compiled condition, kept as a tree for explanations: `test` decides; `children` are the
 * sub-conditions combined by `op` (`and`, `or`, `not`), or none for leaves.
 */
export interface CompiledPredicate {
  node: Expression | EventFilter;
  form: PredicateForm;
  /**
   * What runs: `and`, `or`, `not` (bool query), `term`, `terms`, `range`, `wildcard`, `regexp`,
   * `prefix`, `exists`, `missing`, `category`, `constant`, `script`.
   */
  op: string;
  children: CompiledPredicate[];
  /**
   * Leaves only: the concrete dotted names of the fields the test reads (after aliases), so an
   * explanation can show their values (`getFieldValue`).
   */
  fields?: string[];
  /** True when the event matches. May throw {@link EqlEvaluationError} (Elasticsearch fails the search). */
  test: (doc: Record<string, unknown>) => boolean;
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Compiles an event filter (`category where condition`) into a predicate over documents.
 *
 * @param filter the filter node; `category` null means `any`.
 * @param ctx event category field and optional mapping.
 * @returns `(doc) => boolean`: true when the event has the category (equal to it, or any element
 *   of an array equal to it, case-sensitively) and the condition holds with Elasticsearch's
 *   semantics (see the module comment).
 * @throws EqlCompileError for patterns Elasticsearch rejects or that cannot run here (regex
 *   operators without a linear-time equivalent), and EqlEvaluationError when a constant
 *   sub-expression fails while folding (`divide(1, 0)`), as Elasticsearch fails the query.
 *   The returned closure throws EqlEvaluationError where Elasticsearch's script would fail on
 *   that event (e.g. integer division by zero, `number("abc")`); callers decide whether to stop
 *   or to report the event and go on.
 */
export function compileFilter(filter: EventFilter, ctx: FilterContext): (doc: Record<string, unknown>) => boolean {
  return compileFilterTree(filter, ctx).test;
}

/**
 * Same as {@link compileFilter} but returns the whole predicate tree (for explanations).
 */
export function compileFilterTree(filter: EventFilter, ctx: FilterContext): CompiledPredicate {
  return compileFilterWithCondition(filter, ctx).tree;
}

/**
 * {@link compileFilter} with its condition alone as well, for callers that already know which
 * categories an event has (an index of the event category field's values, `samples/categoryIndex.ts`).
 *
 * @returns `test`: the filter, as {@link compileFilter} gives it; `condition`: the filter's test
 *   for an event known to pass its category part (one of the event's category values passes
 *   `compileCategoryValueTest(filter.category)`), which then decides exactly as `test` does,
 *   without reading the category field; for `any`, the same function as `test`. Both throw as
 *   {@link compileFilter}'s closure does.
 * @throws as {@link compileFilter}.
 */
export function compileFilterParts(
  filter: EventFilter,
  ctx: FilterContext,
): { test: (doc: Record<string, unknown>) => boolean; condition: (doc: Record<string, unknown>) => boolean } {
  const { tree, condition } = compileFilterWithCondition(filter, ctx);
  return { test: tree.test, condition };
}

function compileFilterWithCondition(filter: EventFilter, ctx: FilterContext): { tree: CompiledPredicate; condition: (doc: Record<string, unknown>) => boolean } {
  const c = new Compiler(ctx);
  const condition = c.predicate(filter.condition);
  if (filter.category === null) {
    const tree: CompiledPredicate = { ...condition, node: filter, children: [condition], op: condition.op === 'constant' ? 'constant' : 'and' };
    return { tree, condition: tree.test };
  }
  const category = c.categoryPredicate(filter);
  if (condition.form === 'constant') {
    if (!condition.test({})) {
      const never = () => false;
      return { tree: { node: filter, form: 'constant', op: 'constant', children: [category, condition], test: never }, condition: never };
    }
    return { tree: { node: filter, form: 'query', op: 'and', children: [category, condition], test: category.test }, condition: () => true };
  }
  const a = category.test;
  const b = condition.test;
  return { tree: { node: filter, form: 'query', op: 'and', children: [category, condition], test: (doc) => a(doc) && b(doc) }, condition: b };
}

/**
 * The category part of `category where …` filters, one value at a time, for callers that index
 * events by the values of the event category field (`samples/categoryIndex.ts`): an event passes
 * the category part of a filter exactly when one of the values `compileFieldGetter(field, mapping)`
 * reads from it (`field` = `ctx.eventCategoryField`) is accepted by `accepts(filter.category)`.
 * The test is the one {@link compileFilter} applies (the field's mapped type and format, and
 * `ignore_above`, under which longer strings have no term).
 *
 * @param category the category named by a filter (not `any`).
 * @returns a test of one value of the field.
 */
export function compileCategoryValueTest(category: string, ctx: FilterContext): ValueTest {
  const f = new Compiler(ctx).resolveField(ctx.eventCategoryField);
  const test = compileTermTest(f.kind, category, 'string', false, f.info?.format);
  const ignoreAbove = f.info?.ignoreAbove;
  if (ignoreAbove === undefined) return test;
  return (v) => (typeof v !== 'string' || v.length <= ignoreAbove) && test(v);
}

/**
 * Compiles a value expression into an evaluator (script semantics).
 *
 * @returns `(doc) => value`. A bare field gives all its values like {@link getFieldValue}
 *   (null, one value, or an array); other expressions are evaluated with each field bound to its
 *   first doc value (smallest, as Elasticsearch's `docValue` reads sorted doc values), null when
 *   missing. Values: null, boolean, number, string.
 */
export function compileExpression(expr: Expression, ctx: FilterContext): (doc: Record<string, unknown>) => unknown {
  const c = new Compiler(ctx);
  if (expr.kind === 'field') {
    const f = c.resolveField(expr);
    if (f.unmapped) return () => null;
    const getter = f.getter;
    const convert = f.convert;
    return (doc) => {
      const vs = getter(doc);
      if (vs.length === 0) return null;
      if (vs.length === 1) return convert(vs[0]);
      return vs.map(convert);
    };
  }
  const scope = new Scope(c);
  const node = c.value(expr, scope);
  if (node.constant) return () => node.value;
  const fields = scope.fields;
  return (doc) => {
    const slots = fields.map((f) => {
      const vs = f.getter(doc).map(f.convert);
      if (vs.length <= 1) return vs.length ? vs[0] : null;
      return [...vs].sort(sortDocValues)[0];
    });
    return node.eval(slots);
  };
}

export { getFieldValue } from './fields';

// ---------------------------------------------------------------------------------------------
// Field resolution
// ---------------------------------------------------------------------------------------------

interface ResolvedField {
  name: string;
  /** True when a complete mapping does not know the field: Elasticsearch treats it as null. */
  unmapped: boolean;
  kind: MatchKind;
  info?: FieldInfo;
  getter: FieldGetter;
  /** Values seen by an `exists` query (differs from `getter` for text fields with a limited keyword). */
  existsGetter: FieldGetter;
  /** Rounding of `float` / `scaled_float` values (undefined otherwise). */
  precision?: NumericPrecision;
  /** Converts one indexed value to its doc-value form for scripts. */
  convert: (v: unknown) => unknown;
  valueType: ValueType;
}

function valueTypeOfKind(kind: MatchKind): ValueType {
  switch (kind) {
    case 'string':
    case 'text':
      return 'string';
    case 'integer':
      // Numeric doc values reach scripts as Java `Long`s, whatever the integral field type.
      return 'long';
    case 'rational':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'ip':
      return 'ip';
    case 'date':
      return 'date';
    case 'version':
      return 'version';
    default:
      return 'unknown';
  }
}

function docValueConverter(kind: MatchKind): (v: unknown) => unknown {
  switch (kind) {
    case 'string':
    case 'text':
    case 'version':
      return (v) => (typeof v === 'string' ? v : toEqlString(v));
    case 'integer':
      return (v) => {
        if (typeof v === 'bigint') return v;
        const n = typeof v === 'number' ? v : typeof v === 'string' ? parseJavaNumber(v) : undefined;
        return n === undefined ? null : Math.trunc(n);
      };
    case 'rational':
      return (v) => (typeof v === 'number' || typeof v === 'bigint' ? v : typeof v === 'string' ? (parseJavaNumber(v) ?? null) : null);
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' || v === '' ? false : null);
    case 'ip':
      return (v) => {
        const b = typeof v === 'string' ? parseIp(v) : undefined;
        return b ? formatIp(b) : null;
      };
    default:
      return (v) => (typeof v === 'object' && v !== null ? null : v);
  }
}

/**
 * The exact value of an integer literal beyond 2^53 that Elasticsearch reads as an integer type
 * (`StringUtils.parseIntegral`: up to 2^64 - 1, `unsigned_long` above `Long.MAX_VALUE`).
 * @param raw the literal as written (decimal digits). @returns a bigint, or undefined when the
 *   literal is within 2^53 (a number is exact) or beyond 2^64 - 1 (read as a double).
 */
function exactIntegerLiteral(raw: string | undefined): bigint | undefined {
  if (raw === undefined || raw.length < 16 || !/^\d+$/.test(raw)) return undefined;
  const big = BigInt(raw);
  return big > BigInt(Number.MAX_SAFE_INTEGER) && big <= 18446744073709551615n ? big : undefined;
}

/**
 * The evaluator of `node` for a script comparison with `other`: against a `double`, an integer
 * beyond 2^53 is widened to the nearest double first, as Java compares a `long` with a `double`
 * (QL `Arithmetics`/`Comparisons`: `Double.compare(l.doubleValue(), r.doubleValue())`).
 */
function widenedAgainst(node: ValueNode, other: ValueNode): (slots: unknown[]) => unknown {
  if (other.type !== 'double') return node.eval;
  return (s) => {
    const v = node.eval(s);
    return typeof v === 'bigint' ? Number(v) : v;
  };
}

function sortDocValues(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) return compareNumeric(a, b);
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Script scopes: the fields a script reads, bound value by value
// ---------------------------------------------------------------------------------------------

class Scope {
  readonly fields: ResolvedField[] = [];
  private readonly index = new Map<string, number>();
  constructor(readonly compiler: Compiler) {}

  slot(f: ResolvedField): number {
    let i = this.index.get(f.name);
    if (i === undefined) {
      i = this.fields.length;
      this.fields.push(f);
      this.index.set(f.name, i);
    }
    return i;
  }
}

/**
 * Upper bound on value combinations tried for one event (several multi-valued fields in one
 * script): Elasticsearch tries them all; a million keeps one event under a second here. An event
 * beyond it is skipped with a warning ({@link EventLimitError}), never the whole replay.
 */
export const MAX_COMBINATIONS = 1_000_000;

/**
 * Runs a script-form boolean over a document: each field's values are tried in turn (cartesian
 * product when several fields are multi-valued); a field without values is bound to null.
 */
function scriptTest(node: ValueNode, scope: Scope): (doc: Record<string, unknown>) => boolean {
  if (node.constant) {
    const v = node.value === true;
    return () => v;
  }
  const fields = scope.fields;
  const n = fields.length;
  const evaluate = node.eval;
  if (n === 1) {
    const f = fields[0];
    const slots: unknown[] = [null];
    return (doc) => {
      const vs = f.getter(doc);
      if (vs.length === 0) {
        slots[0] = null;
        return evaluate(slots) === true;
      }
      for (const v of vs) {
        slots[0] = f.convert(v);
        if (evaluate(slots) === true) return true;
      }
      return false;
    };
  }
  return (doc) => {
    const values: unknown[][] = new Array(n);
    let combos = 1;
    for (let i = 0; i < n; i++) {
      const vs = fields[i].getter(doc);
      values[i] = vs.length === 0 ? [null] : vs.map(fields[i].convert);
      combos *= values[i].length;
    }
    const slots: unknown[] = new Array(n);
    if (combos === 1) {
      for (let i = 0; i < n; i++) slots[i] = values[i][0];
      return evaluate(slots) === true;
    }
    if (combos > MAX_COMBINATIONS) {
      throw new EventLimitError(`${combos} combinations of multi-valued field values in one script, over the limit of ${MAX_COMBINATIONS}; the event is skipped`);
    }
    const idx = new Array<number>(n).fill(0);
    for (;;) {
      for (let i = 0; i < n; i++) slots[i] = values[i][idx[i]];
      if (evaluate(slots) === true) return true;
      let k = n - 1;
      while (k >= 0 && ++idx[k] === values[k].length) idx[k--] = 0;
      if (k < 0) return false;
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Three-valued logic helpers (QL `LogicProcessor`, `NotProcessor`)
// ---------------------------------------------------------------------------------------------

function not3(v: unknown): boolean | null {
  return v === true ? false : v === false ? true : null;
}
function and3(l: unknown, r: unknown): boolean | null {
  if (l === false || r === false) return false;
  if (l !== true || r !== true) return null;
  return true;
}
function or3(l: unknown, r: unknown): boolean | null {
  if (l === true || r === true) return true;
  if (l !== false || r !== false) return null;
  return false;
}

function flip(op: RangeOperator): RangeOperator {
  return op === '<' ? '>' : op === '<=' ? '>=' : op === '>' ? '<' : '<=';
}

/** `like` / `:` pattern after Elasticsearch's `ReplaceRegexMatch`: match-all, exact or a real pattern. */
function classifyWildcard(pattern: string): 'all' | 'exact' | 'pattern' {
  if (/^\*+$/.test(pattern)) return 'all';
  if (!hasWildcard(pattern)) return 'exact';
  return 'pattern';
}

// ---------------------------------------------------------------------------------------------
// The compiler
// ---------------------------------------------------------------------------------------------

class Compiler {
  private readonly fieldCache = new Map<string, ResolvedField>();
  constructor(readonly ctx: FilterContext) {}

  resolveField(expr: FieldExpression | string): ResolvedField {
    const name = typeof expr === 'string' ? expr : expr.name;
    const cached = this.fieldCache.get(name);
    if (cached) return cached;
    const mapping = this.ctx.mapping;
    const target = resolveAlias(mapping, name);
    let info = lookupField(mapping, target);
    const unmapped = !!mapping?.closed && !info;
    let kind: MatchKind = info ? kindOfType(info.type) : 'auto';
    const isText = kind === 'text';
    // Text fields compare through their keyword sub-field (`FieldAttribute.exactAttribute()`).
    if (info && kind === 'text' && info.exactField) {
      const exact = lookupField(mapping, info.exactField);
      if (exact) {
        info = { ...exact, name: target, ignoreAbove: exact.ignoreAbove };
        kind = kindOfType(exact.type);
      }
    }
    let getter = compileFieldGetter(target, mapping);
    // `exists` on a text field asks the text field itself (`nameOf(field)`, not the exact one),
    // so values over the keyword's ignore_above still count.
    const existsGetter = isText ? getter : undefined;
    const ignoreAbove = info?.ignoreAbove;
    if (ignoreAbove !== undefined) {
      // Strings longer than `ignore_above` are not indexed (no term, no doc value).
      const base = getter;
      getter = (doc) => base(doc).filter((v) => typeof v !== 'string' || v.length <= ignoreAbove);
    }
    const precision = precisionOf(info?.type, info?.scalingFactor);
    const baseConvert = docValueConverter(kind);
    const convert = precision
      ? (v: unknown) => {
          const x = baseConvert(v);
          return typeof x === 'number' ? precision.doc(x) : x;
        }
      : baseConvert;
    const resolved: ResolvedField = {
      name: target,
      unmapped,
      kind,
      info,
      getter,
      existsGetter: existsGetter ?? getter,
      precision,
      convert,
      valueType: valueTypeOfKind(kind),
    };
    this.fieldCache.set(name, resolved);
    return resolved;
  }

  /** A field usable as the target of a query (`FieldAttribute` in Elasticsearch), or undefined. */
  private pushableField(e: Expression): ResolvedField | undefined {
    if (e.kind !== 'field') return undefined;
    const f = this.resolveField(e);
    return f.unmapped ? undefined : f;
  }

  categoryPredicate(filter: EventFilter): CompiledPredicate {
    const f = this.resolveField(this.ctx.eventCategoryField);
    return this.valuesQuery(filter, f, 'category', compileTermTest(f.kind, filter.category, 'string', false, f.info?.format));
  }

  // ---- predicates (query form where Elasticsearch pushes a query) ----

  predicate(e: Expression): CompiledPredicate {
    if (e.kind === 'error') throw new EqlCompileError('cannot evaluate a query with syntax errors', e.span);
    const folded = this.tryFold(e);
    if (folded !== undefined) {
      const v = folded === true;
      return { node: e, form: 'constant', op: 'constant', children: [], test: () => v };
    }
    switch (e.kind) {
      case 'logical':
        // A chain `a or b or …` is one n-ary bool (flat, so thousands of terms do not recurse).
        return this.boolN(e, e.operator, logicalOperands(e).map((x) => this.predicate(x)));
      case 'not': {
        // `not not … x`: x compiled once; an odd count negates it once.
        let count = 0;
        let operand: Expression = e;
        while (operand.kind === 'not') {
          operand = operand.operand;
          count++;
        }
        const inner = this.predicate(operand);
        if (inner.form === 'script') return count % 2 === 1 ? this.negateScript(e, inner) : { ...inner, node: e };
        return count % 2 === 1 ? this.negate(e, inner) : { ...inner, node: e };
      }
      case 'field': {
        // `where flag` means `flag == true`.
        const f = this.pushableField(e);
        if (f) return this.valuesQuery(e, f, 'term', compileTermTest(f.kind, true, 'boolean', false, f.info?.format, f.precision));
        return this.script(e);
      }
      case 'comparison':
        return this.comparison(e);
      case 'in':
        return this.inPredicate(e);
      case 'match':
        return this.matchPredicate(e);
      case 'call':
        return this.callPredicate(e);
      default:
        return this.script(e);
    }
  }

  private bool(e: Expression, op: 'and' | 'or', l: CompiledPredicate, r: CompiledPredicate): CompiledPredicate {
    const a = l.test;
    const b = r.test;
    if (l.form === 'constant' || r.form === 'constant') {
      const [k, other] = l.form === 'constant' ? [l, r] : [r, l];
      const kv = k.test({});
      if (op === 'and' && !kv) return { node: e, form: 'constant', op: 'constant', children: [l, r], test: () => false };
      if (op === 'or' && kv) return { node: e, form: 'constant', op: 'constant', children: [l, r], test: () => true };
      return { ...other, node: e, op, children: [l, r] };
    }
    const test = op === 'and' ? (doc: Record<string, unknown>) => a(doc) && b(doc) : (doc: Record<string, unknown>) => a(doc) || b(doc);
    return { node: e, form: 'query', op, children: [l, r], test };
  }

  /**
   * An n-ary `and` / `or` of compiled terms, evaluated in a loop (no nesting of closures). Constant
   * terms are folded as in {@link bool}: a false term of an `and` (true of an `or`) decides it, the
   * others drop out.
   */
  private boolN(e: Expression, op: 'and' | 'or', parts: CompiledPredicate[]): CompiledPredicate {
    if (parts.length === 1) return parts[0];
    if (parts.length === 2) return this.bool(e, op, parts[0], parts[1]);
    const live: CompiledPredicate[] = [];
    for (const p of parts) {
      if (p.form !== 'constant') {
        live.push(p);
        continue;
      }
      const v = p.test({});
      if (op === 'and' ? !v : v) return { node: e, form: 'constant', op: 'constant', children: parts, test: () => v };
    }
    if (live.length === 0) {
      const v = op === 'and';
      return { node: e, form: 'constant', op: 'constant', children: parts, test: () => v };
    }
    if (live.length === 1) return { ...live[0], node: e, op, children: parts };
    const tests = live.map((p) => p.test);
    const n = tests.length;
    const test =
      op === 'and'
        ? (doc: Record<string, unknown>) => {
            for (let i = 0; i < n; i++) if (!tests[i](doc)) return false;
            return true;
          }
        : (doc: Record<string, unknown>) => {
            for (let i = 0; i < n; i++) if (tests[i](doc)) return true;
            return false;
          };
    return { node: e, form: 'query', op, children: parts, test };
  }

  private negate(e: Expression, inner: CompiledPredicate): CompiledPredicate {
    const t = inner.test;
    if (inner.form === 'constant') {
      const v = !t({});
      return { node: e, form: 'constant', op: 'constant', children: [inner], test: () => v };
    }
    return { node: e, form: 'query', op: 'not', children: [inner], test: (doc) => !t(doc) };
  }

  /**
   * `not` over a script: the script's "any value (combination) matches" negated as a whole, as
   * Elasticsearch translates it: `not(multiValueDocValues(doc, f, X0 -> nullSafeFilter(…)))`
   * (`querytranslator_tests.txt`: `disjunctionOfFunctionAndNegatedFunction`,
   * `negatedInFilterWithScripting`). So `not (length(user.name) == 1)` fails on `["a", "bb"]`,
   * and holds when the field is missing (the script then sees null, which `nullSafeFilter` makes false).
   */
  private negateScript(e: Expression, inner: CompiledPredicate): CompiledPredicate {
    if (inner.form === 'constant') return this.negate(e, inner);
    const t = inner.test;
    return { node: e, form: 'script', op: 'not', children: [inner], fields: inner.fields, test: (doc) => !t(doc) };
  }

  private script(e: Expression): CompiledPredicate {
    const scope = new Scope(this);
    const node = this.value(e, scope);
    return {
      node: e,
      form: node.constant ? 'constant' : 'script',
      op: node.constant ? 'constant' : 'script',
      children: [],
      fields: scope.fields.map((f) => f.name),
      test: scriptTest(node, scope),
    };
  }

  /** A query on one field: true when any indexed value passes `test`. */
  private valuesQuery(e: Expression | EventFilter, f: ResolvedField, op: string, test: ValueTest): CompiledPredicate {
    const getter = f.getter;
    return {
      node: e,
      form: 'query',
      op,
      children: [],
      fields: [f.name],
      test: (doc) => {
        const vs = getter(doc);
        for (let i = 0; i < vs.length; i++) if (test(vs[i])) return true;
        return false;
      },
    };
  }

  private exists(e: Expression, f: ResolvedField, present: boolean): CompiledPredicate {
    const getter = f.existsGetter;
    return present
      ? { node: e, form: 'query', op: 'exists', children: [], fields: [f.name], test: (doc) => getter(doc).length > 0 }
      : { node: e, form: 'query', op: 'missing', children: [], fields: [f.name], test: (doc) => getter(doc).length === 0 };
  }

  /** Folds an expression without fields to its value; undefined when it reads a field. */
  private tryFold(e: Expression): unknown {
    if (!this.isFoldable(e)) return undefined;
    const node = this.value(e, new Scope(this));
    return node.constant ? node.value : undefined;
  }

  /** True when no field is read below `e` (explicit stack: long chains do not recurse). */
  private isFoldable(e: Expression): boolean {
    const stack: Expression[] = [e];
    while (stack.length) {
      const x = stack.pop()!;
      switch (x.kind) {
        case 'literal':
          break;
        case 'field':
          if (!this.resolveField(x).unmapped) return false;
          break;
        case 'error':
          return false;
        case 'not':
        case 'negate':
          stack.push(x.operand);
          break;
        case 'logical':
        case 'comparison':
        case 'arithmetic':
          stack.push(x.right, x.left);
          break;
        case 'in':
          stack.push(...x.list, x.value);
          break;
        case 'match':
          stack.push(...x.patterns, x.value);
          break;
        case 'call':
          stack.push(...x.args);
          break;
      }
    }
    return true;
  }

  private comparison(e: Expression & { kind: 'comparison' }): CompiledPredicate {
    let { left, right } = e;
    let op = e.operator;
    // ReplaceNullChecks: `x == null` → missing, `x != null` → exists.
    const leftNull = this.isFoldable(left) && this.tryFold(left) === null;
    const rightNull = this.isFoldable(right) && this.tryFold(right) === null;
    if ((op === '==' || op === '!=') && (leftNull || rightNull)) {
      const other = rightNull ? left : right;
      const f = this.pushableField(other);
      if (f) return this.exists(e, f, op === '!=');
      return op === '!=' ? this.negateScript(e, this.script({ ...e, operator: '==' })) : this.script(e);
    }
    // LiteralsOnTheRight.
    if (this.isFoldable(left) && !this.isFoldable(right)) {
      [left, right] = [right, left];
      if (op !== '==' && op !== '!=') op = flip(op);
    }
    const f = this.pushableField(left);
    if (!f || !this.isFoldable(right)) {
      // `a != b` is `not (a == b)` (EQL `ExpressionBuilder.visitComparison`, NEQ).
      return op === '!=' ? this.negateScript(e, this.script({ ...e, operator: '==' })) : this.script(e);
    }
    const value = this.tryFold(right);
    const type = this.value(right, new Scope(this)).type;
    if (op === '==' || op === '!=') {
      const term = this.valuesQuery(e, f, 'term', compileTermTest(f.kind, value, type, false, f.info?.format, f.precision));
      return op === '==' ? term : this.negate(e, term);
    }
    if (value === null) {
      // `field < null`: Elasticsearch builds a `range` query whose bound is null, i.e. unbounded
      // (ExpressionTranslators.BinaryComparisons → RangeQuery(from/to null)), which matches every
      // event that has the field. No optimizer rule folds it away (only `==`/`!=` are rewritten).
      return this.exists(e, f, true);
    }
    return this.valuesQuery(e, f, 'range', compileRangeTest(f.kind, op, value, type, f.info?.format, f.precision));
  }

  private inPredicate(e: InExpression): CompiledPredicate {
    const f = this.pushableField(e.value);
    if (!f || !e.list.every((x) => this.isFoldable(x))) {
      return e.negated ? this.negateScript(e, this.script({ ...e, negated: false })) : this.script(e);
    }
    const consts = e.list.map((x) => ({ value: this.tryFold(x), type: this.value(x, new Scope(this)).type }));
    let pred: CompiledPredicate;
    if (e.caseInsensitive) {
      // `in~` is a disjunction of case-insensitive equalities (`ExpressionBuilder`, IN_INSENSITIVE).
      const tests = consts.filter((k) => k.value !== null).map((k) => compileTermTest(f.kind, k.value, k.type, true, f.info?.format, f.precision));
      const anyNull = consts.some((k) => k.value === null);
      const q = this.valuesQuery(e, f, 'terms', (v) => tests.some((t) => t(v)));
      pred = anyNull ? this.bool(e, 'or', q, this.exists(e, f, false)) : q;
    } else {
      // `in`: a terms query; null entries are dropped (`InComparisons`).
      const tests = consts.filter((k) => k.value !== null).map((k) => compileTermTest(f.kind, k.value, k.type, false, f.info?.format, f.precision));
      pred = this.valuesQuery(e, f, 'terms', (v) => tests.some((t) => t(v)));
    }
    return e.negated ? this.negate(e, pred) : pred;
  }

  private matchPredicate(e: MatchExpression): CompiledPredicate {
    if (!e.patterns.every((p) => this.isFoldable(p))) return this.script(e);
    const patterns = e.patterns.map((p) => this.tryFold(p));
    this.checkPatterns(e, patterns);
    const f = this.pushableField(e.value);
    if (e.operator === 'regex') {
      if (!f) return this.script(e);
      return this.regexQuery(e, f, patterns.map((p) => String(p)), e.caseInsensitive);
    }
    // `:` and `like` are disjunctions over their patterns (`combineExpressions`).
    const parts = patterns.map((p) => this.wildcardQuery(e, f, p, e.operator === ':' ? true : e.caseInsensitive, e.operator === ':'));
    return this.boolN(e, 'or', parts);
  }

  /** `like` and `regex` need string patterns (Elasticsearch calls `toString()` on the folded constant). */
  private checkPatterns(e: MatchExpression, patterns: unknown[]): void {
    if (e.operator === ':') return;
    patterns.forEach((p, i) => {
      if (p === null || p === undefined) {
        throw new EqlCompileError(`the pattern of [${e.operator}] cannot be null`, e.patterns[i]?.span ?? e.span);
      }
    });
  }

  /** One `:` or `like` pattern against a field, or a script when the left side is not a field. */
  private wildcardQuery(e: MatchExpression, f: ResolvedField | undefined, pattern: unknown, ci: boolean, seq: boolean): CompiledPredicate {
    if (!f) {
      const scope = new Scope(this);
      const node = this.matchValue(e, scope, [pattern]);
      return { node: e, form: 'script', op: 'script', children: [], fields: scope.fields.map((x) => x.name), test: scriptTest(node, scope) };
    }
    if (pattern === null || pattern === undefined) {
      // `field : null` — null-safe equality (`StringComparisons.insensitiveEquals`): the field is missing.
      return this.exists(e, f, false);
    }
    if (typeof pattern !== 'string' || (seq && !hasWildcard(pattern))) {
      return this.valuesQuery(e, f, 'term', compileTermTest(f.kind, pattern, this.typeOfLiteral(pattern), ci, f.info?.format, f.precision));
    }
    const cls = classifyWildcard(pattern);
    if (cls === 'all') return this.exists(e, f, true);
    if (cls === 'exact') return this.valuesQuery(e, f, 'term', compileTermTest(f.kind, pattern, 'string', ci, f.info?.format, f.precision));
    const m = compileWildcard(pattern, ci);
    return this.valuesQuery(e, f, 'wildcard', (v) => {
      const s = typeof v === 'string' ? v : toEqlString(v);
      return s !== null && m(s);
    });
  }

  private regexQuery(e: Expression, f: ResolvedField, patterns: string[], ci: boolean, span = e.span): CompiledPredicate {
    const joined = patterns.join('|');
    const re = compileLuceneRegex(joined, ci, span);
    if (re.matchesAll) return this.exists(e, f, true);
    if (re.exact !== undefined) return this.valuesQuery(e, f, 'term', compileTermTest(f.kind, re.exact, 'string', ci, f.info?.format, f.precision));
    return this.valuesQuery(e, f, 'regexp', (v) => {
      const s = typeof v === 'string' ? v : toEqlString(v);
      return s !== null && re.test(s);
    });
  }

  private callPredicate(e: CallExpression): CompiledPredicate {
    const name = e.name.toLowerCase();
    const f = e.args.length > 0 ? this.pushableField(e.args[0]) : undefined;
    const restFoldable = e.args.slice(1).every((a) => this.isFoldable(a));
    if (f && restFoldable && e.args.length >= 2) {
      const ci = e.caseInsensitive;
      if (name === 'startswith' || name === 'endswith' || name === 'stringcontains') {
        const arg = this.tryFold(e.args[1]);
        if (typeof arg === 'string') {
          // startsWith → `prefix` query (literal); endsWith / stringContains → `wildcard` query on
          // `*s` / `*s*`, where `*`, `?` and `\` inside `s` keep their wildcard meaning.
          let test: (s: string) => boolean;
          let op: string;
          if (name === 'startswith') {
            const p = ci ? foldString(arg) : arg;
            test = ci ? (s) => foldString(s).startsWith(p) : (s) => s.startsWith(p);
            op = 'prefix';
          } else {
            test = compileLuceneWildcard(name === 'endswith' ? `*${arg}` : `*${arg}*`, ci);
            op = 'wildcard';
          }
          return this.valuesQuery(e, f, op, (v) => {
            const s = typeof v === 'string' ? v : toEqlString(v);
            return s !== null && test(s);
          });
        }
      }
      if (name === 'cidrmatch' && e.args.slice(1).every((a) => typeof this.tryFold(a) === 'string')) {
        const blocks = e.args.slice(1).map((a) => {
          const v = this.tryFold(a);
          const b = typeof v === 'string' ? parseCidr(v) : undefined;
          if (!b) throw new EqlCompileError(`'${String(v)}' is not an IP address or CIDR block`, a.span);
          return b;
        });
        return this.valuesQuery(e, f, 'terms', compileCidrTest(blocks));
      }
    }
    return this.script(e);
  }

  private typeOfLiteral(v: unknown): ValueType {
    if (v === null) return 'null';
    if (typeof v === 'boolean') return 'boolean';
    if (typeof v === 'string') return 'string';
    if (typeof v === 'number') return Number.isInteger(v) ? (isInt32(v) ? 'integer' : 'long') : 'double';
    if (typeof v === 'bigint') return 'long';
    return 'unknown';
  }

  // ---- values (script form) ----

  value(e: Expression, scope: Scope): ValueNode {
    switch (e.kind) {
      case 'literal': {
        if (e.type === 'integer') {
          // ExpressionBuilder.visitIntegerLiteral (StringUtils.parseIntegral): int when it fits, else
          // long, else unsigned_long up to 2^64 - 1 (exact: a bigint beyond 2^53), else a double.
          const exact = exactIntegerLiteral(e.raw);
          if (exact !== undefined) return constantNode(exact, 'long');
          return constantNode(e.value, isInt32(Number(e.value)) ? 'integer' : Number.isSafeInteger(e.value) ? 'long' : 'double');
        }
        return constantNode(e.value, e.type === 'decimal' ? 'double' : e.type === 'boolean' ? 'boolean' : e.type === 'null' ? 'null' : 'string');
      }
      case 'field': {
        const f = this.resolveField(e);
        if (f.unmapped) return constantNode(null, 'null');
        const i = scope.slot(f);
        return { type: f.valueType, constant: false, eval: (s) => s[i] };
      }
      case 'error':
        throw new EqlCompileError('cannot evaluate a query with syntax errors', e.span);
      case 'not': {
        let count = 0;
        let operand: Expression = e;
        while (operand.kind === 'not') {
          operand = operand.operand;
          count++;
        }
        const a = this.value(operand, scope);
        // not(not(v)) is v for booleans and null for anything else (NotProcessor).
        return count % 2 === 1
          ? derive('boolean', [a], (s) => not3(a.eval(s)))
          : derive('boolean', [a], (s) => not3(not3(a.eval(s))));
      }
      case 'logical': {
        // Every term is evaluated, left to right, then combined (QL `LogicProcessor`), in a loop.
        const terms = logicalOperands(e).map((x) => this.value(x, scope));
        const combine = e.operator === 'and' ? and3 : or3;
        return derive('boolean', terms, (s) => {
          let acc: boolean | null = terms[0].eval(s) as boolean | null;
          for (let i = 1; i < terms.length; i++) acc = combine(acc, terms[i].eval(s));
          return acc;
        });
      }
      case 'comparison': {
        const l = this.value(e.left, scope);
        const r = this.value(e.right, scope);
        const op = e.operator;
        if (op === '==' || op === '!=') {
          // ReplaceNullChecks applies inside scripts too.
          if ((l.constant && l.value === null) || (r.constant && r.value === null)) {
            const other = l.constant && l.value === null ? r : l;
            return op === '=='
              ? derive('boolean', [other], (s) => other.eval(s) === null)
              : derive('boolean', [other], (s) => other.eval(s) !== null);
          }
          const le = widenedAgainst(l, r);
          const re = widenedAgainst(r, l);
          return op === '=='
            ? derive('boolean', [l, r], (s) => scriptEquals(le(s), re(s)))
            : derive('boolean', [l, r], (s) => not3(scriptEquals(le(s), re(s))));
        }
        const le = widenedAgainst(l, r);
        const re = widenedAgainst(r, l);
        return derive('boolean', [l, r], (s) => scriptRange(le(s), re(s), op));
      }
      case 'in': {
        const v = this.value(e.value, scope);
        const list = e.list.map((x) => this.value(x, scope));
        let node: ValueNode;
        if (e.caseInsensitive) {
          node = derive('boolean', [v, ...list], (s) => {
            const x = v.eval(s);
            let acc: boolean | null = false;
            for (const item of list) acc = or3(acc, scriptInsensitiveEquals(x, item.eval(s)));
            return acc;
          });
        } else {
          // QL `InProcessor`: null input → null; no match but a null among the values → null.
          node = derive('boolean', [v, ...list], (s) => {
            const x = v.eval(s);
            if (x === null) return null;
            let result: boolean | null = false;
            for (const item of list) {
              const eq = scriptEquals(x, item.eval(s));
              if (eq === true) return true;
              if (eq === null) result = null;
            }
            return result;
          });
        }
        return e.negated ? derive('boolean', [node], (s) => not3(node.eval(s))) : node;
      }
      case 'match': {
        if (!e.patterns.every((p) => this.isFoldable(p))) {
          if (e.operator !== ':') throw new EqlCompileError(`the patterns of [${e.operator}] must be constants`, e.span);
          // `a : <expression>` (older grammar: `:` as a comparison operator): null-safe
          // case-insensitive equality, no wildcards (`ReplaceWildcards` only rewrites literal patterns).
          const v = this.value(e.value, scope);
          const ps = e.patterns.map((p) => this.value(p, scope));
          return derive('boolean', [v, ...ps], (s) => {
            const x = v.eval(s);
            let acc: boolean | null = false;
            for (const p of ps) acc = or3(acc, scriptInsensitiveEquals(x, p.eval(s)));
            return acc;
          });
        }
        const patterns = e.patterns.map((p) => this.tryFold(p));
        this.checkPatterns(e, patterns);
        return this.matchValue(e, scope, patterns);
      }
      case 'arithmetic': {
        // `a + b + c …` nests on the left: built and evaluated step by step, not recursively.
        const spine: Array<Expression & { kind: 'arithmetic' }> = [];
        let x: Expression = e;
        while (x.kind === 'arithmetic') {
          spine.push(x);
          x = x.left;
        }
        const chain = new StepChain(this.value(x, scope));
        for (let i = spine.length - 1; i >= 0; i--) {
          const step = spine[i];
          const r = this.value(step.right, scope);
          chain.add((l) => arithmetic(step.operator, l, r, step.span));
        }
        return chain.result();
      }
      case 'negate': {
        if (e.operand.kind === 'negate') {
          const spine: Array<Expression & { kind: 'negate' }> = [];
          let x: Expression = e;
          while (x.kind === 'negate') {
            spine.push(x);
            x = x.operand;
          }
          const chain = new StepChain(this.value(x, scope));
          for (let i = spine.length - 1; i >= 0; i--) {
            const step = spine[i];
            chain.add((a) => this.negateValue(step, a));
          }
          return chain.result();
        }
        return this.negateValue(e, this.value(e.operand, scope));
      }
      case 'call': {
        const args = e.args.map((a) => this.value(a, scope));
        return compileFunction(e, args);
      }
    }
  }

  /** Unary `-` / `+` applied to a compiled operand. */
  private negateValue(e: Expression & { kind: 'negate' }, a: ValueNode): ValueNode {
    if (e.operator === '+') return a;
    const t = a.type;
    return derive(t === 'integer' || t === 'long' || t === 'double' ? t : 'unknown', [a], (s) => {
      const v = a.eval(s);
      if (v === null || v === undefined) return null;
      if (typeof v === 'bigint') {
        // Math.negateExact on a long: -2^63 and unsigned_long values above 2^63 have no negative long.
        if (-v < -(2n ** 63n)) throw new EqlEvaluationError('long overflow', e.span);
        return -v;
      }
      if (typeof v !== 'number') throw new EqlEvaluationError(`A number is required; received [${String(v)}]`, e.span);
      // Arithmetics.negate → Math.negateExact for int and long.
      if (t === 'integer' && v === -2147483648) throw new EqlEvaluationError('integer overflow', e.span);
      return v === 0 ? 0 : -v;
    });
  }

  /** Script form of `:`, `like`, `regex` against already-folded patterns. */
  private matchValue(e: MatchExpression, scope: Scope, patterns: unknown[]): ValueNode {
    const v = this.value(e.value, scope);
    if (e.operator === 'regex') {
      const re = compileLuceneRegex(patterns.map((p) => String(p)).join('|'), e.caseInsensitive, e.span);
      if (re.matchesAll) return derive('boolean', [v], (s) => v.eval(s) !== null);
      if (re.exact !== undefined) {
        const exact = re.exact;
        return e.caseInsensitive
          ? derive('boolean', [v], (s) => scriptInsensitiveEquals(v.eval(s), exact))
          : derive('boolean', [v], (s) => scriptEquals(v.eval(s), exact));
      }
      // Not on a field: Elasticsearch runs a script with Java's regex engine on the same text.
      const java = compileJavaRegex(patterns.map((p) => String(p)).join('|'), e.caseInsensitive, e.span);
      return derive('boolean', [v], (s) => {
        const x = v.eval(s);
        if (x === null) return null;
        const str = toEqlString(x, v.type);
        return str === null ? null : java(str);
      });
    }
    const seq = e.operator === ':';
    const ci = seq || e.caseInsensitive;
    const parts: Array<(s: unknown[]) => boolean | null> = patterns.map((p) => {
      if (p === null || typeof p !== 'string' || (seq && !hasWildcard(p))) {
        return ci ? (s) => scriptInsensitiveEquals(v.eval(s), p) : (s) => scriptEquals(v.eval(s), p);
      }
      const cls = classifyWildcard(p);
      if (cls === 'all') return (s) => v.eval(s) !== null;
      if (cls === 'exact') return ci ? (s) => scriptInsensitiveEquals(v.eval(s), p) : (s) => scriptEquals(v.eval(s), p);
      const m = compileScriptWildcard(p, ci);
      return (s) => {
        const x = v.eval(s);
        if (x === null) return null;
        const str = toEqlString(x, v.type);
        return str === null ? null : m(str);
      };
    });
    if (parts.length === 1) {
      const only = parts[0];
      return derive('boolean', [v], only);
    }
    return derive('boolean', [v], (s) => {
      let acc: boolean | null = false;
      for (const p of parts) acc = or3(acc, p(s));
      return acc;
    });
  }
}

/**
 * The terms of a chain of one logical operator, in source order: `a or b or c` (nested either way,
 * `(a or b) or c` or `a or (b or c)`) gives [a, b, c]. Both operators are associative, so the
 * result is the same. Explicit stack: no recursion on long chains.
 */
function logicalOperands(e: Expression & { kind: 'logical' }): Expression[] {
  const out: Expression[] = [];
  const stack: Expression[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.kind === 'logical' && x.operator === e.operator) stack.push(x.right, x.left);
    else out.push(x);
  }
  return out;
}

/**
 * A chain of value steps, each taking the previous result (`((a + b) + c) + …`, `- - a`), built
 * and evaluated in a loop: step k reads step k-1's result from a slot instead of calling it, so
 * neither compiling nor evaluating recurses once per step. Steps over constants fold as usual.
 */
class StepChain {
  private readonly steps: ValueNode[] = [];
  private readonly results: unknown[] = [];
  private last: ValueNode;
  constructor(first: ValueNode) {
    this.last = first;
  }

  add(step: (previous: ValueNode) => ValueNode): void {
    let previous = this.last;
    if (!previous.constant && this.steps.length > 0) {
      const k = this.steps.length - 1;
      const results = this.results;
      previous = { type: previous.type, constant: false, eval: () => results[k] };
    }
    this.last = step(previous);
    if (!this.last.constant) this.steps.push(this.last);
  }

  result(): ValueNode {
    const steps = this.steps;
    if (steps.length <= 1) return this.last;
    const results = this.results;
    const n = steps.length;
    return {
      type: this.last.type,
      constant: false,
      eval: (s) => {
        for (let i = 0; i < n; i++) results[i] = steps[i].eval(s);
        return results[n - 1];
      },
    };
  }
}
