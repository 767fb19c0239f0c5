import type { Expression, FieldExpression, Pipe, Span, Stage, Statement } from './ast';
import type { EqlDiagnostic } from './diagnostic';
import { EQL_FUNCTIONS, findFunction } from './functions';
import { didYouMean, findSimilar } from './similar';
import { TIME_UNIT_MILLIS } from './timeUnits';
import { compileJavaRegex, compileLuceneRegex } from '../engine/luceneRegex';
import type { FieldMapping } from '../engine/mapping';
import { findFoldingProblems } from './constantFolding';
import { findNumberLiteralProblems } from './numberLiterals';
import { areCompatible, checkCallTypes, checkInList, checkInsensitiveEquals, exactProblem, isNumericType, typeOf } from './typeCheck';
import { children } from './walk';

/** Options for {@link check}. */
export interface CheckOptions {
  /**
   * When given, every non-optional field reference is looked up and unknown ones are reported as
   * `unknown-field` ("Unknown column [x]", as Elasticsearch's Verifier does against the index mapping).
   * Receives the dotted field name; returns whether the mapping has it.
   */
  fieldExists?: (name: string) => boolean;
  /** All known field names, used only for "did you mean" suggestions on unknown fields. */
  knownFields?: () => Iterable<string>;
  /**
   * The statement was parsed from text with syntax errors (half-typed). Checks that would only echo
   * the holes — stage and join-key counts, function arity — are skipped. `analyze` sets it.
   */
  partial?: boolean;
  /**
   * The mapped Elasticsearch type of a dotted field name (aliases followed), e.g. `keyword`,
   * `text`, `long`, `ip`, `date`; undefined when unknown. Enables the type rules Elasticsearch
   * applies to fields (condition must be boolean, `:` needs strings, function argument types,
   * `in` list types, sequence join-key types).
   */
  fieldType?: (name: string) => string | undefined;
  /**
   * For `text` fields: whether the mapping gives them a keyword sub-field for exact matching.
   * Without it, text fields are assumed to have one (no exactness errors).
   */
  hasExactSubfield?: (name: string) => boolean;
  /**
   * The index mapping itself, used when compiling the filters the way replay does (constant
   * folding and query translation errors). Optional: without it fields get types from the data.
   */
  mapping?: FieldMapping;
  /**
   * Spans of syntax errors in the text (`analyze` sets them). Type errors on operands that overlap
   * them come from error recovery and are not reported.
   */
  syntaxErrors?: Span[];
}

/** Stable diagnostic codes produced by the checker. */
export const CheckerCodes = {
  invalidRegex: 'invalid-regex',
  unsupportedPipe: 'unsupported-pipe',
  unknownPipe: 'unknown-pipe',
  pipeArgument: 'pipe-argument',
  samplePipe: 'sample-pipe',
  unknownFunction: 'unknown-function',
  functionArity: 'function-arity',
  functionCaseInsensitive: 'function-case-insensitive',
  maxspanUnit: 'maxspan-unit',
  maxspanValue: 'maxspan-value',
  joinKeyCount: 'join-key-count',
  joinKeyNotField: 'join-key-not-field',
  runsRange: 'runs-range',
  runsUntil: 'runs-until',
  sampleRuns: 'sample-runs',
  sampleMissing: 'sample-missing',
  missingEventMaxspan: 'missing-event-maxspan',
  missingEventOnly: 'missing-event-only',
  stageCount: 'stage-count',
  fieldComparison: 'field-comparison',
  arrayIndex: 'unsupported-array-index',
  unknownField: 'unknown-field',
  typeMismatch: 'type-mismatch',
  argumentType: 'argument-type',
  inexactField: 'inexact-field',
  joinKeyType: 'join-key-type',
  constantFolding: 'constant-folding',
  queryCompile: 'query-compile',
} as const;

/** Codes whose diagnostics may only echo a syntax error when they overlap it. */
const CASCADING_CODES: ReadonlySet<string> = new Set([
  CheckerCodes.typeMismatch,
  CheckerCodes.argumentType,
  CheckerCodes.inexactField,
  CheckerCodes.fieldComparison,
]);

/** Pipes Elasticsearch's grammar knows but rejects, from `LogicalPlanBuilder.SUPPORTED_PIPES`. */
const KNOWN_UNSUPPORTED_PIPES = ['count', 'filter', 'sort', 'unique', 'unique_count'];
const EXECUTABLE_PIPES = ['head', 'tail'];
/** Bounds of `with runs=N`, per Elasticsearch's LogicalPlanBuilder (1 to 100 repetitions). */
const MAX_RUNS = 100;

/**
 * Reports every rejection Elasticsearch makes after parsing (in `LogicalPlanBuilder`, the `Verifier`
 * with the type resolution of operators and functions, constant folding and query translation)
 * that can be decided from the query text, plus the index mapping when lookups are given.
 *
 * Input: a statement from `parse`, the same text, and optional mapping lookups ({@link CheckOptions}).
 * Output: diagnostics (severity `error`) with 0-based UTF-16 spans into `text` and stable codes
 * ({@link CheckerCodes}). Never throws for any tree `parse` returns; long flat `and`/`or` and
 * arithmetic chains are walked without recursion. Messages keep the meaning (mostly the wording) of
 * Elasticsearch's own messages. Constant-folding and compile errors come from the replay engine's
 * `compileExpression` / `compileFilter` (skipped when the text has syntax errors, and not repeated
 * where another diagnostic already covers the span).
 */
export function check(statement: Statement, text: string, options: CheckOptions = {}): EqlDiagnostic[] {
  const out: EqlDiagnostic[] = [];
  // An optional field `?x` absent from the mapping resolves to the constant null; without a mapping
  // it may be absent, so it is not held against a comparison.
  const optionalIsConstant = (f: FieldExpression): boolean => f.optional && !(options.fieldExists?.(f.name) ?? false);
  const isFoldable = (e: Expression): boolean => foldable(e, optionalIsConstant);
  const err = (span: Span, message: string, code: string): void => {
    out.push({ span: { start: span.start, end: span.end }, severity: 'error', message, code });
  };
  const src = (n: { span: Span }): string => text.slice(n.span.start, n.span.end);

  /**
   * Elasticsearch resolves operand types before running a query (QL `TypeResolutions`): arithmetic
   * needs numbers and `and`/`or`/`not` need booleans. Only types known from the text are checked
   * (literals, operators, function results); fields are left to the mapping.
   */
  const lookup = { fieldType: options.fieldType, hasExactSubfield: options.hasExactSubfield };
  const expectType = (parent: Expression, operand: Expression, ordinal: string, wanted: 'numeric' | 'boolean'): void => {
    const t = typeOf(operand, lookup);
    if (t === undefined || t === 'null') return;
    const ok = wanted === 'numeric' ? isNumericType(t) : t === 'boolean';
    if (!ok) {
      const name = operand.kind === 'field' ? operand.name : src(operand);
      err(operand.span, `${ordinal}argument of [${src(parent)}] must be [${wanted}], found value [${name}] type [${t}]`, CheckerCodes.typeMismatch);
    }
  };
  const checkCondition = (c: Expression): void => {
    // Verifier: "Condition expression needs to be boolean, found [LONG]" (DataType name, upper case).
    const t = typeOf(c, lookup);
    if (t !== undefined && t !== 'boolean' && t !== 'null') {
      err(c.span, `Condition expression needs to be boolean, found [${t.toUpperCase()}]`, CheckerCodes.typeMismatch);
    }
  };

  // ---------------------------------------------------------------- expressions
  const checkExpression = (e: Expression): void => {
    switch (e.kind) {
      case 'field':
        checkField(e);
        return;
      case 'literal':
      case 'error':
        return;
      case 'not':
        checkExpression(e.operand);
        expectType(e, e.operand, '', 'boolean');
        return;
      case 'negate':
        checkExpression(e.operand);
        expectType(e, e.operand, '', 'numeric');
        return;
      case 'logical':
      case 'arithmetic': {
        // Chains of binary operators (`a or b or …`, thousands long in generated rules) are walked
        // with an explicit stack so the depth of recursion does not grow with the chain.
        const stack: Expression[] = [e];
        while (stack.length) {
          const n = stack.pop()!;
          if (n.kind === 'logical' || n.kind === 'arithmetic') {
            const wanted = n.kind === 'logical' ? 'boolean' : 'numeric';
            expectType(n, n.left, 'first ', wanted);
            expectType(n, n.right, 'second ', wanted);
            stack.push(n.right, n.left);
          } else {
            checkExpression(n);
          }
        }
        return;
      }
      case 'comparison': {
        checkExpression(e.left);
        checkExpression(e.right);
        // BinaryComparison.resolveInputType: both sides must be exact (QL TypeResolutions.isExact).
        const inexact = exactProblem(e.left, src(e), 'first', lookup) ?? exactProblem(e.right, src(e), 'second', lookup);
        if (inexact) err(e.span, inexact, CheckerCodes.inexactField);
        // ES translates a comparison to a query only when one side folds to a constant
        // ("Comparisons against fields are not (currently) supported", ExpressionTranslators).
        if (!isFoldable(e.left) && !isFoldable(e.right) && !hasError(e)) {
          err(e.span, `Comparisons against fields are not (currently) supported; offender [${src(e.right)}] in [${e.operator}]`, CheckerCodes.fieldComparison);
        }
        return;
      }
      case 'in': {
        checkExpression(e.value);
        for (const x of e.list) checkExpression(x);
        const listProblem = checkInList(e.value, e.list, src(e), text, lookup);
        if (listProblem) err(e.span, listProblem, CheckerCodes.argumentType);
        for (const x of e.list) {
          if (!isFoldable(x) && !hasError(x)) {
            err(x.span, `Comparisons against fields are not (currently) supported; offender [${src(x)}] in [in]`, CheckerCodes.fieldComparison);
          }
        }
        return;
      }
      case 'match':
        checkExpression(e.value);
        for (const x of e.patterns) checkExpression(x);
        if (e.operator === ':') {
          const problem = checkInsensitiveEquals(e.value, e.patterns, text, lookup);
          if (problem) err(e.span, problem, problem.includes('cannot operate on') ? CheckerCodes.inexactField : CheckerCodes.argumentType);
        }
        if (e.operator === 'regex') checkRegexPatterns(e.value, e.patterns, e.caseInsensitive);
        return;
      case 'call': {
        for (const a of e.args) checkExpression(a);
        const info = findFunction(e.name);
        if (!info) {
          // The range covers the name only (not a trailing `~`), so a suggested name can replace it.
          const nameOnly = { start: e.nameSpan.start, end: e.nameSpan.start + e.name.length };
          const sim = findSimilar(e.name, EQL_FUNCTIONS.map((f) => f.name), true);
          err(nameOnly, `Unknown function [${e.name}]${didYouMean(sim)}`, CheckerCodes.unknownFunction);
          return;
        }
        if (e.caseInsensitive && !info.caseInsensitiveForm) {
          err(e.nameSpan, `Function [${info.name}] has no case-insensitive form [${info.name}~]`, CheckerCodes.functionCaseInsensitive);
        }
        const n = e.args.length;
        if ((n < info.minArgs || n > info.maxArgs) && !options.partial) {
          const expect =
            info.minArgs === info.maxArgs
              ? `exactly ${info.minArgs}`
              : info.maxArgs === Infinity
                ? `at least ${info.minArgs}`
                : `${info.minArgs} to ${info.maxArgs}`;
          err(e.span, `Function [${info.name}] expects ${expect} argument${info.maxArgs === 1 && info.minArgs === 1 ? '' : 's'} but found [${n}]`, CheckerCodes.functionArity);
          return;
        }
        const argProblem = checkCallTypes(e, text, lookup);
        if (argProblem) {
          err(argProblem.span, argProblem.message, argProblem.message.includes('cannot operate on') ? CheckerCodes.inexactField : CheckerCodes.argumentType);
        }
        return;
      }
    }
  };

  // Elasticsearch rejects a pattern it cannot compile before running the search: a Lucene
  // `regexp` query on a field, a `java.util.regex` script on a computed value (RegexMatch, RLike).
  const checkRegexPatterns = (value: Expression, patterns: Expression[], caseInsensitive: boolean): void => {
    for (const x of patterns) {
      if (x.kind !== 'literal' || typeof x.value !== 'string') continue;
      try {
        if (value.kind === 'field') compileLuceneRegex(x.value, caseInsensitive, x.span);
        else compileJavaRegex(x.value, caseInsensitive, x.span);
      } catch (error) {
        err(x.span, (error as Error).message, CheckerCodes.invalidRegex);
      }
    }
  };

  const checkField = (f: FieldExpression): void => {
    if (f.path.some((p) => typeof p === 'number')) {
      // ES EqlParser rejects `[N]` after a field name ("Array indexes are not supported").
      const bracket = text.indexOf('[', f.span.start);
      const at = bracket >= 0 && bracket < f.span.end ? bracket : f.span.start;
      err({ start: at, end: f.span.end }, 'Array indexes are not supported', CheckerCodes.arrayIndex);
      return;
    }
    if (options.fieldExists && !f.optional && !options.fieldExists(f.name)) {
      const sim = options.knownFields ? findSimilar(f.name, options.knownFields()) : [];
      err(f.span, `Unknown column [${f.name}]${didYouMean(sim.slice(0, 5))}`, CheckerCodes.unknownField);
    }
  };

  const checkJoinKeys = (keys: Expression[]): void => {
    for (const k of keys) {
      checkExpression(k);
      if (k.kind !== 'field' && k.kind !== 'error') {
        // LogicalPlanBuilder reads join keys as attributes only.
        err(k.span, `Join keys must be fields; found [${src(k)}]`, CheckerCodes.joinKeyNotField);
      }
    }
  };

  const checkStage = (s: Stage): void => {
    checkExpression(s.filter.condition);
    checkCondition(s.filter.condition);
    checkJoinKeys(s.joinKeys);
  };

  /** Every stage (and `until`) must end up with the same number of keys (LogicalPlanBuilder). */
  const checkKeyCounts = (parentKeys: number, stages: Stage[]): void => {
    if (options.partial) return;
    let expected = -1;
    for (const s of stages) {
      const n = parentKeys + s.joinKeys.length;
      if (expected < 0) expected = n;
      else if (n !== expected) {
        const span = s.joinKeys.length
          ? { start: s.joinKeys[0].span.start, end: s.joinKeys[s.joinKeys.length - 1].span.end }
          : s.span;
        err(span, `Inconsistent number of join keys specified; expected [${expected - parentKeys}] but found [${n - parentKeys}]`, CheckerCodes.joinKeyCount);
      }
    }
  };

  /**
   * Verifier.checkJoinKeyTypes (sequences only): each key of the later stages and of `until` must be
   * compatible with the same key of the first stage (`DataTypes.areCompatible`; message with the
   * mapping types, `esType()`).
   */
  const checkJoinKeyTypes = (parentKeys: Expression[], stages: Stage[], until: Stage | undefined): void => {
    if (!options.fieldType || stages.length === 0) return;
    const keysOf = (s: Stage): Expression[] => [...parentKeys, ...s.joinKeys];
    const first = keysOf(stages[0]);
    const later = until ? [...stages.slice(1), until] : stages.slice(1);
    for (let k = 0; k < first.length; k++) {
      const expected = first[k];
      if (expected.kind !== 'field') continue;
      const et = options.fieldType(expected.name);
      if (et === undefined) continue;
      for (const s of later) {
        const current = keysOf(s)[k];
        if (!current || current.kind !== 'field' || current === expected) continue;
        const ct = options.fieldType(current.name);
        if (ct === undefined) continue;
        if (!areCompatible(typeOf(expected, lookup) ?? et, typeOf(current, lookup) ?? ct)) {
          err(current.span, `Sequence key [${current.name}] type [${ct}] is incompatible with key [${expected.name}] type [${et}]`, CheckerCodes.joinKeyType);
        }
      }
    }
  };

  // ---------------------------------------------------------------- queries
  const q = statement.query;
  if (q.kind === 'event') {
    checkExpression(q.filter.condition);
    checkCondition(q.filter.condition);
  } else if (q.kind === 'sequence') {
    checkJoinKeys(q.joinKeys);
    const all = q.until ? [...q.stages, q.until] : q.stages;
    for (const s of all) checkStage(s);
    checkKeyCounts(q.joinKeys.length, all);
    checkJoinKeyTypes(q.joinKeys, q.stages, q.until);
    if (q.maxspan) {
      const m = q.maxspan;
      const numberText = text.slice(m.span.start, m.span.start + (src(m).length - m.unit.length)).trim();
      if (!Number.isInteger(m.value) || /[.eE]/.test(numberText)) {
        err(m.span, `Decimal time interval [${numberText}] not supported; please use a positive integer`, CheckerCodes.maxspanValue);
      } else if (m.value <= 0) {
        err(m.span, `A positive maxspan value is required; found [${m.value}]`, CheckerCodes.maxspanValue);
      } else if (m.unit === '') {
        err(m.span, `No time unit specified, did you mean [s] as in [${numberText}s]?`, CheckerCodes.maxspanUnit);
      } else if (!(m.unit in TIME_UNIT_MILLIS)) {
        err(m.span, `Unrecognized time unit [${m.unit}] in [${src(m)}], please specify one of [ms, s, m, h, d]`, CheckerCodes.maxspanUnit);
      }
    }
    for (const s of q.stages) {
      if (s.runs !== undefined && s.runsSpan && Number.isInteger(s.runs)) {
        if (s.runs <= 0) err(s.runsSpan, `A positive runs value is required; found [${s.runs}]`, CheckerCodes.runsRange);
        else if (s.runs > MAX_RUNS) err(s.runsSpan, `A query cannot be repeated more than ${MAX_RUNS} times; found [${s.runs}]`, CheckerCodes.runsRange);
      }
    }
    // `[…] with runs=N` stands for N copies of the stage (ES PR #78895), so runs count towards the minimum.
    const expanded = q.stages.reduce((n, s) => n + (s.runs !== undefined && Number.isInteger(s.runs) && s.runs > 0 ? s.runs : 1), 0);
    if (q.stages.length > 0 && expanded < 2 && !options.partial) {
      err(q.span, `A sequence requires a minimum of 2 queries, found [${expanded}]`, CheckerCodes.stageCount);
    }
    if (q.until?.runs !== undefined && q.until.runsSpan) {
      // The until condition is not a stage to repeat (python-eql's Elasticsearch syntax rejects it, endgameinc/eql#60).
      err(q.until.runsSpan, '[runs] cannot be used on the [until] condition', CheckerCodes.runsUntil);
    }
    const missing = q.stages.filter((s) => s.missing);
    if (missing.length > 0) {
      if (!q.maxspan) {
        err({ start: missing[0].span.start, end: missing[0].span.start + 2 }, 'Missing events ![…] require the sequence to have [maxspan]', CheckerCodes.missingEventMaxspan);
      }
      if (missing.length === q.stages.length) {
        err(q.span, 'A sequence requires at least one positive event query; found only missing events', CheckerCodes.missingEventOnly);
      }
    }
    if (q.until?.missing) {
      err({ start: q.until.span.start, end: q.until.span.start + 2 }, 'The [until] stage cannot be a missing event', CheckerCodes.missingEventOnly);
    }
  } else {
    // sample
    checkJoinKeys(q.joinKeys);
    for (const s of q.stages) {
      checkStage(s);
      if (s.missing) err({ start: s.span.start, end: s.span.start + 2 }, 'Missing events ![…] are only supported in sequences', CheckerCodes.sampleMissing);
      if (s.runs !== undefined && s.runsSpan) err(s.runsSpan, 'Sample queries do not support [runs]', CheckerCodes.sampleRuns);
    }
    checkKeyCounts(q.joinKeys.length, q.stages);
    if (q.stages.length > 0 && q.stages.length < 2 && !options.partial) {
      err(q.span, `A sample requires a minimum of 2 queries, found [${q.stages.length}]`, CheckerCodes.stageCount);
    }
  }

  // ---------------------------------------------------------------- pipes
  for (const p of statement.pipes) checkPipe(p, statement, err, src);
  // Number literals Elasticsearch's parser refuses (too large for a double; `head` over 2^64).
  for (const p of findNumberLiteralProblems(statement, text)) err(p.span, p.message, p.code);

  // Errors of constant folding and query translation, found by compiling the filters as replay
  // does; a span already reported (an invalid regex, an argument type) is not reported twice.
  if (!options.partial) {
    const overlapsReported = (s: Span): boolean => out.some((d) => d.span.start < s.end && s.start < d.span.end);
    for (const p of findFoldingProblems(statement, options.mapping)) {
      if (!overlapsReported(p.span)) err(p.span, p.message, p.stage === 'fold' ? CheckerCodes.constantFolding : CheckerCodes.queryCompile);
    }
  }
  // An operand rebuilt by error recovery (`where """unterminated`) has no meaningful type.
  const syntax = options.syntaxErrors ?? [];
  if (syntax.length === 0) return out;
  return out.filter((d) => !CASCADING_CODES.has(d.code ?? '') || !syntax.some((s) => s.start < d.span.end && d.span.start < s.end));
}

function checkPipe(
  p: Pipe,
  statement: Statement,
  err: (span: Span, message: string, code: string) => void,
  src: (n: { span: Span }) => string,
): void {
  if (p.name === '') return; // already a syntax error
  if (statement.query.kind === 'sample') {
    err(p.span, 'Sample queries do not support pipes', CheckerCodes.samplePipe);
    return;
  }
  if (KNOWN_UNSUPPORTED_PIPES.includes(p.name)) {
    err(p.nameSpan, `Pipe [${p.name}] is not supported`, CheckerCodes.unsupportedPipe);
    return;
  }
  if (!EXECUTABLE_PIPES.includes(p.name)) {
    const sim = findSimilar(p.name, [...KNOWN_UNSUPPORTED_PIPES, ...EXECUTABLE_PIPES].sort());
    err(p.nameSpan, `Unrecognized pipe [${p.name}]${didYouMean(sim)}`, CheckerCodes.unknownPipe);
    return;
  }
  if (p.args.length !== 1) {
    err(p.args.length ? { start: p.args[0].span.start, end: p.args[p.args.length - 1].span.end } : p.span,
      `Pipe [${p.name}] expects exactly one argument but found [${p.args.length}]`, CheckerCodes.pipeArgument);
    return;
  }
  const a = p.args[0];
  if (a.kind === 'error') return;
  const v = foldInteger(a);
  // LogicalPlanBuilder.pipeIntArgument: an integer constant that is not negative.
  if (v === undefined || v < 0) {
    err(a.span, `Pipe [${p.name}] expects a positive integer but found [${src(a)}]`, CheckerCodes.pipeArgument);
  }
}

/** The integer value of an integer literal, optionally negated; undefined for anything else. */
function foldInteger(e: Expression): number | undefined {
  if (e.kind === 'literal' && e.type === 'integer') return e.value as number;
  if (e.kind === 'negate') {
    const v = foldInteger(e.operand);
    return v === undefined ? undefined : e.operator === '-' ? -v : v;
  }
  return undefined;
}

/**
 * True when the expression references no field (so Elasticsearch can fold it to a constant);
 * `constantField` says which fields count as constants (optional fields missing from the mapping).
 */
export function foldable(e: Expression, constantField: (f: FieldExpression) => boolean = () => false): boolean {
  // Iterative: long `and`/`or` chains would otherwise recurse once per term.
  return !someNode(e, (x) => x.kind === 'error' || (x.kind === 'field' && !constantField(x)));
}

/** True when `pred` holds for `e` or any expression below it (explicit stack, no recursion). */
function someNode(e: Expression, pred: (x: Expression) => boolean): boolean {
  const stack: Expression[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (pred(x)) return true;
    for (const c of children(x) as Expression[]) stack.push(c);
  }
  return false;
}

function hasError(e: Expression): boolean {
  return someNode(e, (x) => x.kind === 'error');
}
