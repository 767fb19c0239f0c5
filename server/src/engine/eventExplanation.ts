/**
 * Why one event passed or failed each stage of a rule, term by term.
 *
 * The explanation re-runs the stage filters' own compiled predicate trees (`compileFilterTree`,
 * the code the replay decides with), node by node, on one event: per stage (and `until`) whether
 * the event has the stage's category, and the condition tree with, for every term, the values the
 * event has for the fields it reads and its result — true, false, or null when a field it reads is
 * absent (Elasticsearch: a missing field is null, and null compares false). A term that is not true
 * gets a reason an author understands: the field is absent; a value mismatch (with the value); a
 * case mismatch (`==`, `in` and `like` are case-sensitive, `:`, `in~` and `like~` are not); a
 * wildcard or regular expression that does not match; a number compared with a string; a value the
 * rule excludes (`!=`, `not in`, `not …`).
 *
 * What the event did to the sequences (started one, advanced one, completed one, came outside
 * `maxspan`, was cancelled by `until`, found no sequence of its join key waiting) is taken from the
 * sequence state machine's own decisions, through its observer ({@link explainEventInReplay}).
 *
 * Stage indexes in the data are 0-based (as written in the query; `until` is -1); the words
 * (`label`, `why`, `text`) number stages from 1, as everything people read does.
 *
 * Sources: docs "EQL syntax reference" (case sensitivity of `==` vs `:`, `in~`, `like~`; null
 * handling; "Sequences", `maxspan`, `until`), and `filter.ts` for the query and script forms.
 */
import type { EventFilter, Expression, Query, Span, Statement } from '../eql/ast';
import { printExpression } from '../eql/printer';
import { compileFieldGetter, type FieldGetter } from './fields';
import { compileFilterTree, type CompiledPredicate, type FilterContext } from './filter';
import { compileJoinKeys, keyId, type JoinKeyExtractor, type KeyValue } from './joinKeys';
import { DEFAULT_EVENT_CATEGORY_FIELD, expandRuns, ReplaySession, type ReplayRunOptions } from './replay';
import { beyondMaxspan, type OrderedEvent, type SequenceObserver, type SequenceSnapshot, type SequenceState } from './sequence';
import { equalsIgnoreCase, stringifyExact } from './values';
import { compileWildcard, hasWildcard } from './wildcard';
import type { EventRecord, SourceRef } from './types';

/** A term's result on one event: true, false, or null when a field it reads is absent. */
export type TermResult = boolean | null;

/** A field a term reads, with the event's values for it. */
export interface FieldValues {
  /** Dotted field name (after mapping aliases). */
  field: string;
  /** The event's indexed values for the field, as in the JSON (arrays flattened); `[]` when absent or null. */
  values: unknown[];
}

/** Why a term is not true, as data (the `why` sentence says it in words). */
export type TermReason =
  /** The field has no value in the event (missing, null or an empty array). */
  | { kind: 'field-absent'; field: string }
  /** The field's values are none of the expected ones. */
  | { kind: 'value-mismatch'; field: string; values: unknown[]; expected: unknown[] }
  /**
   * A case-sensitive comparison (`operator`: `==`, `in`, `like`) failed only on letter case: the
   * case-insensitive form (`insensitive`: `:`, `in~`, `like~`) would have matched `value`.
   */
  | { kind: 'case-mismatch'; field: string; value: string; expected: string; operator: string; insensitive: string }
  /** A number compared with a string (or the reverse) that does not read as the same value. */
  | { kind: 'type-mismatch'; field: string; value: unknown; expected: unknown }
  /** No value matches the wildcard patterns (`:` / `like`, `*` any characters, `?` one). */
  | { kind: 'wildcard-mismatch'; field: string; values: unknown[]; patterns: string[] }
  /** No value matches the regular expression(s) (`regex`). */
  | { kind: 'regex-mismatch'; field: string; values: unknown[]; patterns: string[] }
  /** No value is in the range (`operator` with the field on the left). */
  | { kind: 'range-mismatch'; field: string; values: unknown[]; operator: string; bound: unknown }
  /** The rule excludes what the event has: `!=`, `not in`, or `not (…)` whose inner condition is true (`excluded`, EQL). */
  | { kind: 'excluded'; excluded: string; fields: FieldValues[] }
  /** `field == null` (the field must be absent) but it has values. */
  | { kind: 'present'; field: string; values: unknown[] }
  /** Any other condition (functions, arithmetic, field against field) that is not true. */
  | { kind: 'not-true'; fields: FieldValues[] }
  /** The condition fails to evaluate on this event (Elasticsearch would fail the search). */
  | { kind: 'error'; message: string };

/** One node of a stage's condition, evaluated on one event. */
export interface ConditionExplanation {
  /** The condition as canonical EQL (`printExpression`). */
  condition: string;
  /** Its 0-based UTF-16 offsets in the query text (end exclusive). */
  span: Span;
  /** `and`, `or`, `not` for combinations; for terms what runs (`term`, `terms`, `wildcard`, `range`, `script`, …; see `CompiledPredicate.op`). */
  op: string;
  result: TermResult;
  /** Terms: the fields read and the event's values; `[]` for combinations. */
  fields: FieldValues[];
  /** When the result is not true (terms and `not`): why. */
  reason?: TermReason;
  /** The reason in words, e.g. `process.parent.name is "svchost.exe", not "wsmprovhost.exe"`. */
  why?: string;
  /** Sub-conditions of `and`, `or`, `not`; `[]` for terms. */
  children: ConditionExplanation[];
}

/** One stage (or `until`) of the rule, evaluated on one event. */
export interface StageExplanation {
  /** 0-based stage as written in the query; -1 for `until`; 0 for an event query. */
  stage: number;
  /** `stage 1`, `stage 2`, … (1-based), `until`, or `query` for an event query. */
  label: string;
  /** A missing-event stage `![…]`. */
  missing: boolean;
  /** The stage's category, null for `any`. */
  category: string | null;
  /** The event's values of the event category field. */
  eventCategory: FieldValues;
  categoryMatched: boolean;
  condition: ConditionExplanation;
  /** The stage's filter passed (category and condition): the same answer as the replay's compiled filter. */
  passed: boolean;
  /** Sequence and sample stages: the join key fields (query `by` first) and the event's key tuples (`[]`: a key field is absent). */
  joinKeys?: { fields: string[]; values: KeyValue[][] };
  /** Why the stage did not pass, in words, most direct first; `[]` when it passed. */
  why: string[];
}

/** Where an event is: its sample file and 1-based line, and its timestamp (epoch ms) when ordered by time. */
export interface EventRef extends SourceRef {
  timestamp?: number;
}

/**
 * What the event did to the sequences, as the sequence state machine decided it while the event
 * was fed. `stage` is the 0-based stage as written in the query (`with runs=N` copies share it).
 */
export type SequenceStepNote = (
  | { kind: 'started'; stage: number; joinKeys: KeyValue[]; replaced?: EventRef }
  | { kind: 'advanced'; stage: number; joinKeys: KeyValue[]; first: EventRef; replaced?: EventRef }
  | { kind: 'completed'; joinKeys: KeyValue[]; events: Array<EventRef | null> }
  /**
   * Passed `stage` with a sequence of its key waiting, but `elapsedMillis` after its first event: beyond
   * `maxspanMillis`. `waitingKeys`: other join keys with a sequence waiting at the previous stage.
   */
  | { kind: 'expired'; stage: number; joinKeys: KeyValue[]; first: EventRef; elapsedMillis: number; maxspanMillis: number; waitingKeys: KeyValue[][] }
  /** Passed `stage`, but the waiting sequence of its key had been cancelled by the until event `until`. */
  | { kind: 'cancelled-by-until'; stage: number; joinKeys: KeyValue[]; until: EventRef }
  /** Passed `stage`, but no sequence of its key waited at the previous stage; `waitingKeys`: keys that had one. */
  | { kind: 'no-sequence-waiting'; stage: number; joinKeys: KeyValue[]; waitingKeys: KeyValue[][] }
  /** Had `stage`'s category but failed its filter while a sequence of its key waited at the previous stage. */
  | { kind: 'waiting'; stage: number; joinKeys: KeyValue[]; first: EventRef; afterMillis: number; withinMaxspan: boolean }
  /** Passed `until`: pending sequences of the key can no longer advance. */
  | { kind: 'until'; joinKeys: KeyValue[] }
  /** The event has no readable timestamp: it is left out of the ordered stream. */
  | { kind: 'not-replayed'; reason: string }
  /** Evaluating the rule on the event failed (Elasticsearch would fail the search). */
  | { kind: 'error'; message: string }
) & {
  /** The note in words (stages 1-based). */
  text: string;
};

/** One event evaluated against every stage of a rule. */
export interface EventExplanation {
  kind: Query['kind'];
  /** Per stage as written in the query (one for an event query). */
  stages: StageExplanation[];
  until?: StageExplanation;
  /** Sequence queries, from {@link explainEventInReplay}: what the event did, in replay order of the decisions. */
  sequence?: SequenceStepNote[];
  /** The event itself, when known. */
  event?: EventRef;
}

/** A rule compiled for explaining events one at a time. */
export interface RuleExplainer {
  readonly kind: Query['kind'];
  /** `maxspan` in ms for sequences with one. */
  readonly maxspanMillis?: number;
  /**
   * Evaluates one event against every stage and `until`.
   * @param doc the event document (parsed JSON object).
   */
  explainEvent(doc: Record<string, unknown>): EventExplanation;
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

const MAX_SHOWN_TEXT = 160;
const MAX_SHOWN_VALUES = 5;

/** A value as EQL writes it: strings quoted, others as JSON; long strings shortened with `…`. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') {
    const s = JSON.stringify(v.length > MAX_SHOWN_TEXT ? `${v.slice(0, MAX_SHOWN_TEXT)}…` : v);
    return s;
  }
  if (v === undefined) return 'null';
  return stringifyExact(v) ?? String(v);
}

function formatValues(values: readonly unknown[]): string {
  const shown = values.slice(0, MAX_SHOWN_VALUES).map(formatValue).join(', ');
  return values.length > MAX_SHOWN_VALUES ? `${shown}, … (${values.length} values)` : shown;
}

/** `is "a"` or `has the values "a", "b"`. */
function has(values: readonly unknown[]): string {
  return values.length === 1 ? `is ${formatValue(values[0])}` : `has the values ${formatValues(values)}`;
}

/** `12 ms`, `1 s`, `2.4 s`, `31 s`. */
export function formatMillis(ms: number): string {
  if (Math.abs(ms) < 1000) return `${ms} ms`;
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function typeName(v: unknown): string {
  return typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : 'value';
}

/**
 * A term's reason in words, e.g. `process.parent.name is "svchost.exe", not "wsmprovhost.exe"`.
 * @param r the reason; @param condition the term as EQL (for reasons that quote it).
 */
export function describeReason(r: TermReason, condition: string): string {
  switch (r.kind) {
    case 'field-absent':
      return `${r.field} is absent from the event (null), so ${condition} is not true`;
    case 'value-mismatch':
      return r.expected.length === 1
        ? `${r.field} ${has(r.values)}, not ${formatValue(r.expected[0])}`
        : `${r.field} ${has(r.values)}, none of ${formatValues(r.expected)}`;
    case 'case-mismatch':
      return `${r.field} is ${formatValue(r.value)}: only the letter case differs from ${formatValue(r.expected)}; ${r.operator} is case-sensitive, ${r.insensitive} would have matched`;
    case 'type-mismatch':
      return `${r.field} is the ${typeName(r.value)} ${formatValue(r.value)}, the rule compares it with the ${typeName(r.expected)} ${formatValue(r.expected)}`;
    case 'wildcard-mismatch':
      return `${r.field} ${has(r.values)}, which does not match the wildcard pattern${r.patterns.length === 1 ? '' : 's'} ${formatValues(r.patterns)}`;
    case 'regex-mismatch':
      return `${r.field} ${has(r.values)}, which does not match the regular expression${r.patterns.length === 1 ? '' : 's'} ${formatValues(r.patterns)}`;
    case 'range-mismatch':
      return `${r.field} ${has(r.values)}, not ${r.operator} ${formatValue(r.bound)}`;
    case 'excluded': {
      const values = r.fields.filter((f) => f.values.length > 0).map((f) => `${f.field} ${has(f.values)}`);
      return `excluded by the rule: ${r.excluded} is true${values.length > 0 ? ` (${values.join('; ')})` : ''}`;
    }
    case 'present':
      return `${r.field} ${has(r.values)}, but ${condition} wants it absent`;
    case 'not-true': {
      const values = r.fields.map((f) => (f.values.length === 0 ? `${f.field} is absent` : `${f.field} ${has(f.values)}`));
      return `${condition} is false for this event${values.length > 0 ? ` (${values.join('; ')})` : ''}`;
    }
    case 'error':
      return `${condition} cannot be evaluated on this event: ${r.message}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Terms
// ---------------------------------------------------------------------------------------------

/** A constant written in the query (a literal, or a negated number literal), else undefined. */
function literalOf(e: Expression): { value: unknown } | undefined {
  if (e.kind === 'literal') return { value: e.value };
  if (e.kind === 'negate' && e.operand.kind === 'literal' && typeof e.operand.value === 'number') {
    return { value: e.operator === '-' ? -e.operand.value : e.operand.value };
  }
  return undefined;
}

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };

/** Whether a term's test passes; a failure to evaluate is reported, not thrown. */
function run(test: (doc: Record<string, unknown>) => boolean, doc: Record<string, unknown>): { ok: boolean; error?: string } {
  try {
    return { ok: test(doc) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Type mismatch: the values include a number where the constant is a string, or the reverse. */
function typeMismatch(values: readonly unknown[], expected: readonly unknown[]): { value: unknown; expected: unknown } | undefined {
  for (const v of values) {
    for (const x of expected) {
      if ((typeof v === 'number' && typeof x === 'string') || (typeof v === 'string' && typeof x === 'number')) return { value: v, expected: x };
    }
  }
  return undefined;
}

function caseMismatch(values: readonly unknown[], expected: readonly unknown[]): { value: string; expected: string } | undefined {
  for (const v of values) {
    if (typeof v !== 'string') continue;
    for (const x of expected) if (typeof x === 'string' && equalsIgnoreCase(v, x)) return { value: v, expected: x };
  }
  return undefined;
}

/** The reason a term that reads one field with constants is not true; undefined when its shape is another. */
function termReason(node: Expression, field: FieldValues, text: string): TermReason | undefined {
  const values = field.values;
  const name = field.field;
  switch (node.kind) {
    case 'comparison': {
      let op: string = node.operator;
      let constant = literalOf(node.right);
      if (node.left.kind !== 'field') {
        constant = literalOf(node.left);
        op = FLIP[op];
      }
      if (!constant) return undefined;
      const expected = constant.value;
      if (op === '==') {
        const c = caseMismatch(values, [expected]);
        if (c) return { kind: 'case-mismatch', field: name, ...c, operator: '==', insensitive: ':' };
        const t = typeMismatch(values, [expected]);
        if (t) return { kind: 'type-mismatch', field: name, ...t };
        return { kind: 'value-mismatch', field: name, values, expected: [expected] };
      }
      if (op === '!=') return { kind: 'excluded', excluded: `${name} == ${printExpression(node.left.kind === 'field' ? node.right : node.left)}`, fields: [field] };
      const t = typeMismatch(values, [expected]);
      if (t) return { kind: 'type-mismatch', field: name, ...t };
      return { kind: 'range-mismatch', field: name, values, operator: op, bound: expected };
    }
    case 'in': {
      const list = node.list.map(literalOf);
      if (list.some((x) => x === undefined)) return undefined;
      const expected = list.map((x) => x!.value);
      if (node.negated) {
        return { kind: 'excluded', excluded: `${name} in${node.caseInsensitive ? '~' : ''} (${node.list.map(printExpression).join(', ')})`, fields: [field] };
      }
      if (!node.caseInsensitive) {
        const c = caseMismatch(values, expected);
        if (c) return { kind: 'case-mismatch', field: name, ...c, operator: 'in', insensitive: 'in~' };
      }
      const t = typeMismatch(values, expected);
      if (t) return { kind: 'type-mismatch', field: name, ...t };
      return { kind: 'value-mismatch', field: name, values, expected };
    }
    case 'match': {
      const patterns = node.patterns.map(literalOf);
      if (patterns.some((x) => x === undefined || typeof x.value !== 'string')) return undefined;
      const ps = patterns.map((x) => x!.value as string);
      if (node.operator === 'regex') return { kind: 'regex-mismatch', field: name, values, patterns: ps };
      if (node.operator === 'like' && !node.caseInsensitive) {
        const strings = values.filter((v): v is string => typeof v === 'string');
        for (const p of ps) {
          const m = compileWildcard(p, true);
          const hit = strings.find((s) => m(s));
          if (hit !== undefined) return { kind: 'case-mismatch', field: name, value: hit, expected: p, operator: 'like', insensitive: 'like~' };
        }
      }
      if (node.operator === ':' && !ps.some(hasWildcard)) return { kind: 'value-mismatch', field: name, values, expected: ps };
      return { kind: 'wildcard-mismatch', field: name, values, patterns: ps };
    }
    case 'field':
      // `where flag` means `flag == true`.
      return { kind: 'value-mismatch', field: name, values, expected: [true] };
    default:
      void text;
      return undefined;
  }
}

/** True when every node below `p` stands for the same syntax node: one term compiled into several queries (`!=`, `:` with a list). */
function isTerm(p: CompiledPredicate): boolean {
  const same = (c: CompiledPredicate): boolean => c.node === p.node && c.children.every(same);
  return p.children.length === 0 || p.children.every(same);
}

function fieldsOf(p: CompiledPredicate, out: string[] = []): string[] {
  for (const f of p.fields ?? []) if (!out.includes(f)) out.push(f);
  for (const c of p.children) fieldsOf(c, out);
  return out;
}

function and3(results: TermResult[]): TermResult {
  if (results.includes(false)) return false;
  return results.includes(null) ? null : true;
}

function or3(results: TermResult[]): TermResult {
  if (results.includes(true)) return true;
  return results.includes(null) ? null : false;
}

/** A compiled predicate tree with the field getters of its terms, ready to explain events. */
interface ExplainableNode {
  predicate: CompiledPredicate;
  condition: string;
  term: boolean;
  fields: Array<{ field: string; get: FieldGetter }>;
  children: ExplainableNode[];
}

function prepare(p: CompiledPredicate, getter: (field: string) => FieldGetter): ExplainableNode {
  const term = isTerm(p);
  const node = p.node;
  return {
    predicate: p,
    condition: node.kind === 'eventFilter' ? printExpression(node.condition) : printExpression(node),
    term,
    fields: term ? fieldsOf(p).map((field) => ({ field, get: getter(field) })) : [],
    children: term ? [] : p.children.map((c) => prepare(c, getter)),
  };
}

function explainNode(n: ExplainableNode, doc: Record<string, unknown>): ConditionExplanation {
  const p = n.predicate;
  const base = { condition: n.condition, span: p.node.span, op: p.op };
  if (n.term) {
    const fields = n.fields.map((f) => ({ field: f.field, values: f.get(doc) }));
    const { ok, error } = run(p.test, doc);
    if (ok) return { ...base, result: true, fields, children: [] };
    let reason: TermReason;
    let result: TermResult = false;
    const absent = fields.find((f) => f.values.length === 0);
    if (error !== undefined) reason = { kind: 'error', message: error };
    else if (p.op === 'missing') reason = { kind: 'present', field: fields[0]?.field ?? '', values: fields[0]?.values ?? [] };
    else if (absent) {
      reason = { kind: 'field-absent', field: absent.field };
      result = null;
    } else {
      const node = p.node as Expression;
      reason = (fields.length === 1 && p.form === 'query' ? termReason(node, fields[0], n.condition) : undefined) ?? { kind: 'not-true', fields };
    }
    return { ...base, result, fields, reason, why: describeReason(reason, n.condition), children: [] };
  }
  const children = n.children.map((c) => explainNode(c, doc));
  if (p.op === 'not') {
    const { ok } = run(p.test, doc);
    if (ok) return { ...base, result: true, fields: [], children };
    const inner = children[0];
    const reason: TermReason = { kind: 'excluded', excluded: inner?.condition ?? n.condition, fields: inner ? leafFields(inner) : [] };
    return { ...base, result: false, fields: [], reason, why: describeReason(reason, n.condition), children };
  }
  const results = children.map((c) => c.result);
  const combined = p.op === 'or' ? or3(results) : p.op === 'and' ? and3(results) : run(p.test, doc).ok;
  return { ...base, result: combined, fields: [], children };
}

/** The fields (with values) read under a node, deduplicated. */
function leafFields(c: ConditionExplanation, out: FieldValues[] = []): FieldValues[] {
  for (const f of c.fields) if (!out.some((o) => o.field === f.field)) out.push(f);
  for (const x of c.children) leafFields(x, out);
  return out;
}

/**
 * The terms that make a condition not true, in the order written: under an `and`, its children
 * that are not true; under an `or`, every branch (none is true); a term or a `not`, itself.
 * @returns `[]` when the condition is true.
 */
export function failingTerms(c: ConditionExplanation): ConditionExplanation[] {
  if (c.result === true) return [];
  if (c.children.length === 0 || c.op === 'not' || c.reason) return [c];
  return c.children.flatMap(failingTerms);
}

// ---------------------------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------------------------

interface CompiledStage {
  stage: number;
  label: string;
  missing: boolean;
  filter: EventFilter;
  tree: CompiledPredicate;
  condition: ExplainableNode;
  keys?: { fields: string[]; extractor: JoinKeyExtractor };
}

function keyName(e: Expression): string {
  return e.kind === 'field' ? e.name : printExpression(e);
}

/**
 * Compiles a rule for per-event explanations (the stage filters are compiled once, with
 * `compileFilterTree`, as the replay compiles them).
 *
 * @param statement a statement `analyze()` accepted (no error diagnostics).
 * @param options `eventCategoryField` (default `event.category`) and `mapping`, as for the replay.
 * @returns a {@link RuleExplainer}.
 * @throws the compile errors of `compileFilter` (`EqlCompileError`, e.g. a regular expression that
 *   cannot run), and Error when a join key is not a field.
 */
export function compileRuleExplainer(statement: Statement, options: ReplayRunOptions = {}): RuleExplainer {
  const ctx: FilterContext = { eventCategoryField: options.eventCategoryField || DEFAULT_EVENT_CATEGORY_FIELD, mapping: options.mapping };
  const getters = new Map<string, FieldGetter>();
  const getter = (field: string): FieldGetter => {
    let g = getters.get(field);
    if (!g) getters.set(field, (g = compileFieldGetter(field, ctx.mapping)));
    return g;
  };
  const categoryGetter = getter(ctx.eventCategoryField);
  const query = statement.query;
  const compile = (filter: EventFilter, stage: number, label: string, missing: boolean, keys?: Expression[]): CompiledStage => {
    const tree = compileFilterTree(filter, ctx);
    const condition = filter.category === null ? (tree.children[0] ?? tree) : tree.children[1];
    return {
      stage,
      label,
      missing,
      filter,
      tree,
      condition: prepare(condition, getter),
      keys: keys && {
        fields: keys.map(keyName),
        extractor: compileJoinKeys(keys, ctx.mapping, query.kind === 'sample' ? 'sample' : 'sequence'),
      },
    };
  };
  let stages: CompiledStage[];
  let until: CompiledStage | undefined;
  if (query.kind === 'event') {
    stages = [compile(query.filter, 0, 'query', false)];
  } else {
    stages = query.stages.map((s, i) => compile(s.filter, i, `stage ${i + 1}`, s.missing, [...query.joinKeys, ...s.joinKeys]));
    if (query.kind === 'sequence' && query.until) until = compile(query.until.filter, -1, 'until', false, [...query.joinKeys, ...query.until.joinKeys]);
  }
  const explainStage = (s: CompiledStage, doc: Record<string, unknown>): StageExplanation => {
    const eventCategory = { field: ctx.eventCategoryField, values: categoryGetter(doc) };
    const categoryMatched = s.filter.category === null || run(s.tree.children[0].test, doc).ok;
    const condition = explainNode(s.condition, doc);
    const passed = run(s.tree.test, doc).ok;
    const why: string[] = [];
    if (!categoryMatched) {
      why.push(
        eventCategory.values.length === 0
          ? `${ctx.eventCategoryField} is absent: the event has no category, the stage wants ${s.filter.category}`
          : `${ctx.eventCategoryField} ${has(eventCategory.values)}, not ${formatValue(s.filter.category)}`,
      );
    }
    // Without the category, the condition's terms are beside the point (often fields of another category).
    if (!passed && categoryMatched) for (const t of failingTerms(condition)) if (t.why) why.push(t.why);
    const out: StageExplanation = { stage: s.stage, label: s.label, missing: s.missing, category: s.filter.category, eventCategory, categoryMatched, condition, passed, why };
    if (s.keys) out.joinKeys = { fields: s.keys.fields, values: s.keys.extractor.keysOf(doc) };
    return out;
  };
  return {
    kind: query.kind,
    maxspanMillis: query.kind === 'sequence' && query.maxspan && query.maxspan.millis > 0 ? query.maxspan.millis : undefined,
    explainEvent(doc) {
      const out: EventExplanation = { kind: query.kind, stages: stages.map((s) => explainStage(s, doc)) };
      if (until) out.until = explainStage(until, doc);
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// What the event did to the sequences
// ---------------------------------------------------------------------------------------------

function refOf(e: OrderedEvent): EventRef {
  return { file: e.record.source.file, line: e.record.source.line, timestamp: e.ordinal.timestamp };
}

function where(e: EventRef | SourceRef): string {
  return `${e.file}:${e.line}`;
}

/** `host.id="abc"`, or the bare values when the fields are unknown. */
function formatKeys(fields: readonly string[] | undefined, values: readonly KeyValue[]): string {
  if (values.length === 0) return 'no join key';
  return values.map((v, i) => (fields?.[i] ? `${fields[i]}=${formatValue(v)}` : formatValue(v))).join(', ');
}

/** The sequence state machine's decisions while one event is fed (expanded stage indexes). */
interface StepDecisions {
  completed: SequenceState[];
  unmatched: Array<{ stage: number; key: KeyValue[] }>;
  replaced: Array<{ dropped: SequenceState; by: OrderedEvent }>;
  rejected: Array<{ reason: 'maxspan' | 'until' | 'missing-event'; key: KeyValue[]; events: Array<OrderedEvent | undefined>; at?: OrderedEvent }>;
}

/**
 * A {@link SequenceObserver} that records the decisions taken while {@link StepRecorder.record}
 * runs (the decisions about one event).
 */
export class StepRecorder {
  private decisions: StepDecisions | undefined;
  /** Pass this to the `ReplaySession` (`sequenceObserver`). */
  readonly observer: SequenceObserver = {
    completed: (seq) => this.decisions?.completed.push(seq),
    unmatched: (stage, key) => this.decisions?.unmatched.push({ stage, key }),
    replaced: (dropped, by) => this.decisions?.replaced.push({ dropped, by }),
    rejected: (r) => this.decisions?.rejected.push(r),
  };

  /** Runs `feed` (one `session.step()`) and returns the decisions it caused. */
  record(feed: () => void): StepDecisions {
    const decisions: StepDecisions = { completed: [], unmatched: [], replaced: [], rejected: [] };
    this.decisions = decisions;
    try {
      feed();
    } finally {
      this.decisions = undefined;
    }
    return decisions;
  }
}

/**
 * Puts into notes what the sequence state machine did with one event.
 *
 * @param event the event fed.
 * @param before the snapshot taken just before it was fed; @param after just after.
 * @param decisions the observer's callbacks while it was fed ({@link StepRecorder}).
 * @param queryStages per expanded stage, the 0-based stage as written (`with runs=N`).
 * @param explanation the event's stage explanations (join key fields, filters passed).
 * @param maxspanMillis the sequence's maxspan, if any.
 */
export function sequenceStepNotes(
  event: OrderedEvent,
  before: SequenceSnapshot,
  after: SequenceSnapshot,
  decisions: StepDecisions,
  queryStages: readonly number[],
  explanation: EventExplanation,
  maxspanMillis?: number,
): SequenceStepNote[] {
  const notes: SequenceStepNote[] = [];
  const fieldsOfStage = (stage: number) => explanation.stages[stage]?.joinKeys?.fields;
  const stageText = (queryStage: number) => `stage ${queryStage + 1}`;
  const firstOf = (events: Array<OrderedEvent | undefined>) => events.find((e) => e !== undefined);
  // Advanced or started: the event is now the last event of a pending sequence.
  for (const k of after.keys) {
    for (const p of k.pending) {
      if (p.events[p.stage] !== event) continue;
      const stage = queryStages[p.stage];
      const replaced = decisions.replaced.find((r) => r.by === event && keyId(r.dropped.key) === keyId(k.joinKeys));
      const replacedRef = replaced ? refOf(replaced.dropped.events[replaced.dropped.stage]!) : undefined;
      const keys = formatKeys(fieldsOfStage(stage), k.joinKeys);
      const first = firstOf(p.events)!;
      const replacedText = replacedRef ? `; it replaces the sequence waiting there since ${where(replacedRef)} (one pending sequence per stage and join key)` : '';
      if (first === event) {
        notes.push({ kind: 'started', stage, joinKeys: k.joinKeys, ...(replacedRef ? { replaced: replacedRef } : {}), text: `starts a sequence for ${keys} at ${stageText(stage)}${replacedText}` });
      } else {
        notes.push({
          kind: 'advanced',
          stage,
          joinKeys: k.joinKeys,
          first: refOf(first),
          ...(replacedRef ? { replaced: replacedRef } : {}),
          text: `advances the sequence of ${keys} started at ${where(refOf(first))} to ${stageText(stage)}${replacedText}`,
        });
      }
    }
  }
  for (const seq of decisions.completed) {
    const events = seq.events.map((e) => (e ? refOf(e) : null));
    notes.push({
      kind: 'completed',
      joinKeys: seq.key,
      events,
      text: `completes the sequence of ${formatKeys(fieldsOfStage(queryStages[seq.stage]), seq.key)}: ${events.map((e) => (e ? where(e) : '(missing event)')).join(', ')}`,
    });
  }
  /** Join keys other than `key` with a sequence waiting at expanded stage `previous` before the event, and the words for them. */
  const otherKeys = (previous: number, key: KeyValue[], stage: number): { keys: KeyValue[][]; text: string } => {
    const keys = before.keys.filter((k) => keyId(k.joinKeys) !== keyId(key) && k.pending.some((p) => p.stage === previous)).map((k) => k.joinKeys);
    const shown = keys.slice(0, 3).map((w) => formatKeys(fieldsOfStage(stage), w)).join('; ');
    return { keys, text: keys.length > 0 ? `; sequences of other join keys were waiting at ${stageText(queryStages[previous])}: ${shown}${keys.length > 3 ? `; … (${keys.length})` : ''}` : '' };
  };
  for (const r of decisions.rejected) {
    const first = firstOf(r.events);
    if (!first) continue;
    const reached = r.events.reduce((last, e, i) => (e ? i : last), -1);
    const stage = queryStages[Math.min(reached + 1, queryStages.length - 1)];
    const keys = formatKeys(fieldsOfStage(stage), r.key);
    if (r.reason === 'maxspan' && r.at === event && maxspanMillis !== undefined) {
      const elapsed = event.ordinal.timestamp - first.ordinal.timestamp;
      const others = otherKeys(reached, r.key, stage);
      notes.push({
        kind: 'expired',
        stage,
        joinKeys: r.key,
        first: refOf(first),
        elapsedMillis: elapsed,
        maxspanMillis,
        waitingKeys: others.keys,
        text: `passes ${stageText(stage)} for ${keys}, but outside maxspan by ${formatMillis(elapsed - maxspanMillis)}: ${formatMillis(elapsed)} after the sequence's first event ${where(refOf(first))} (maxspan ${formatMillis(maxspanMillis)})${others.text}`,
      });
    } else if (r.reason === 'until' && r.at) {
      notes.push({
        kind: 'cancelled-by-until',
        stage,
        joinKeys: r.key,
        until: refOf(r.at),
        text: `passes ${stageText(stage)} for ${keys}, but the sequence waiting since ${where(refOf(first))} was cancelled by the until event ${where(refOf(r.at))}`,
      });
    }
  }
  for (const u of decisions.unmatched) {
    const stage = queryStages[u.stage];
    let previous = u.stage - 1;
    while (previous > 0 && explanation.stages[queryStages[previous]]?.missing) previous--;
    const keys = formatKeys(fieldsOfStage(stage), u.key);
    const others = otherKeys(previous, u.key, stage);
    notes.push({
      kind: 'no-sequence-waiting',
      stage,
      joinKeys: u.key,
      waitingKeys: others.keys,
      text: `passes ${stageText(stage)} for ${keys}, but no sequence of this join key was waiting at ${stageText(queryStages[previous])}${others.text}`,
    });
  }
  // Near misses of a stage: the category matched, the filter did not, and a sequence of the key waited.
  const firstPositive = queryStages.findIndex((q) => !explanation.stages[q]?.missing);
  queryStages.forEach((stage, expanded) => {
    const s = explanation.stages[stage];
    if (expanded <= firstPositive || !s || s.missing || s.passed || !s.categoryMatched || !s.joinKeys) return;
    if (expanded > 0 && queryStages[expanded - 1] === stage) return; // a `runs` copy: said once
    let previous = expanded - 1;
    while (previous > 0 && explanation.stages[queryStages[previous]]?.missing) previous--;
    for (const key of s.joinKeys.values) {
      const k = before.keys.find((x) => keyId(x.joinKeys) === keyId(key));
      const p = k?.pending.find((x) => x.stage === previous);
      if (!p || p.cancelledByUntil) continue;
      const first = firstOf(p.events)!;
      const afterMillis = event.ordinal.timestamp - first.ordinal.timestamp;
      const withinMaxspan = !beyondMaxspan(first.ordinal.timestamp, event.ordinal.timestamp, maxspanMillis);
      notes.push({
        kind: 'waiting',
        stage,
        joinKeys: key,
        first: refOf(first),
        afterMillis,
        withinMaxspan,
        text: `a sequence of ${formatKeys(s.joinKeys.fields, key)} started at ${where(refOf(first))} (${formatMillis(afterMillis)} before) was waiting for ${stageText(stage)}${withinMaxspan ? '' : ', though this event is past its maxspan'}; this event did not pass the stage's filter`,
      });
    }
  });
  if (explanation.until?.passed) {
    for (const k of after.keys) {
      if (k.lastUntil !== event) continue;
      notes.push({ kind: 'until', joinKeys: k.joinKeys, text: `passes until for ${formatKeys(explanation.until.joinKeys?.fields, k.joinKeys)}: the sequences of this join key waiting now can no longer advance` });
    }
  }
  return notes;
}

/**
 * Explains one event of a replay: its stage explanations ({@link RuleExplainer.explainEvent}) and,
 * for sequences, what the sequence state machine did with it (replaying the events before it with
 * the engine's own {@link ReplaySession} and recording its decisions on this event).
 *
 * @param statement a statement `analyze()` accepted.
 * @param events the replay's events in input order (files in the order given, lines in file order).
 * @param target the sample file (as in `events[i].source.file`) and 1-based line of the event.
 * @param options the replay's options.
 * @returns the explanation, or undefined when no event of `events` is at `target` (a blank or
 *   malformed line).
 * @throws the compile errors of {@link compileRuleExplainer} and of `ReplaySession`.
 */
export function explainEventInReplay(
  statement: Statement,
  events: readonly EventRecord[],
  target: SourceRef,
  options: ReplayRunOptions = {},
): EventExplanation | undefined {
  const record = events.find((e) => e.source.line === target.line && e.source.file === target.file);
  if (!record) return undefined;
  const explainer = compileRuleExplainer(statement, options);
  const explanation = explainer.explainEvent(record.doc);
  const query = statement.query;
  if (query.kind !== 'sequence') return { ...explanation, event: { file: target.file, line: target.line } };
  const recorder = new StepRecorder();
  const session = new ReplaySession(statement, events, { ...options, sequenceObserver: recorder.observer });
  const index = session.events.findIndex((e) => e.record === record);
  if (index < 0) {
    const field = options.timestampField || '@timestamp';
    return {
      ...explanation,
      event: { file: target.file, line: target.line },
      sequence: [{ kind: 'not-replayed', reason: `no readable ${field}`, text: `not replayed: the event has no readable "${field}" value, so it takes no place in the ordered stream` }],
    };
  }
  const ordered = session.events[index];
  const queryStages = expandRuns(query.stages).map((e) => e.queryStage);
  try {
    while (session.fed < index) session.step();
    const before = session.snapshot();
    const decisions = recorder.record(() => session.step());
    const after = session.snapshot();
    if (before.kind !== 'sequence' || after.kind !== 'sequence') return explanation;
    return { ...explanation, event: refOf(ordered), sequence: sequenceStepNotes(ordered, before, after, decisions, queryStages, explanation, explainer.maxspanMillis) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ...explanation, event: refOf(ordered), sequence: [{ kind: 'error', message, text: `the replay failed before or on this event: ${message}` }] };
  }
}
