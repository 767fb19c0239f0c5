/**
 * Checker cases: each rejection Elasticsearch makes after parsing, with its message meaning and exact range.
 * Sources are cited per group: `LogicalPlanBuilder.java` (pipes, maxspan, join keys), `VerifierTests.java`
 * (unknown functions, array indexes, unknown columns), the "EQL function reference" (arity, `~` forms),
 * the "EQL syntax reference" (sequences, samples, missing events, runs), and ES's query translation
 * ("Comparisons against fields are not (currently) supported").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/eql/analyze';

const errs = (q: string, opts = {}) => analyze(q, opts).diagnostics.filter((d) => d.severity === 'error');
const only = (q: string, code: string) => {
  const ds = errs(q);
  assert.deepEqual(ds.map((d) => d.code), [code], JSON.stringify(ds));
  return ds[0];
};
const clean = (q: string) => assert.deepEqual(errs(q), [], q);

describe('checker: pipes (LogicalPlanBuilder.pipe / pipeIntArgument, EQL pipe reference)', () => {
  it('accepts head and tail with a non-negative integer', () => {
    clean('process where true | head 5');
    clean('process where true | tail 1 | head 3');
  });
  it('rejects the pipes Elasticsearch knows but does not run', () => {
    for (const p of ['count', 'filter true', 'sort a', 'unique a', 'unique_count a']) {
      const d = only(`process where true | ${p}`, 'unsupported-pipe');
      const name = p.split(' ')[0];
      assert.equal(d.message, `Pipe [${name}] is not supported`);
      assert.deepEqual(d.span, { start: 21, end: 21 + name.length });
    }
  });
  it('rejects unknown pipes with a suggestion', () => {
    const d = only('process where true | heda 5', 'unknown-pipe');
    assert.match(d.message, /^Unrecognized pipe \[heda\], did you mean .*head/);
  });
  it('rejects head/tail arguments that are not non-negative integers, or not exactly one', () => {
    assert.equal(only('process where true | head -1', 'pipe-argument').message, 'Pipe [head] expects a positive integer but found [-1]');
    only('process where true | tail 1.5', 'pipe-argument');
    only('process where true | head x', 'pipe-argument');
    assert.equal(only('process where true | head', 'pipe-argument').message, 'Pipe [head] expects exactly one argument but found [0]');
    only('process where true | head 1, 2', 'pipe-argument');
  });
  it('rejects pipes after sample', () => {
    only('sample by a [x where true] [y where true] | head 1', 'sample-pipe');
  });
});

describe('checker: maxspan (LogicalPlanBuilder.visitSequenceParams)', () => {
  const seq = (m: string) => `sequence with maxspan=${m} [a where true] [b where true]`;
  it('accepts every documented unit', () => {
    for (const u of ['ms', 's', 'm', 'h', 'd']) clean(seq(`2${u}`));
  });
  it('rejects a missing unit, suggesting seconds', () => {
    const d = only(seq('30'), 'maxspan-unit');
    assert.equal(d.message, 'No time unit specified, did you mean [s] as in [30s]?');
    assert.deepEqual(d.span, { start: 22, end: 24 });
  });
  it('rejects unknown units', () => {
    assert.equal(only(seq('5w'), 'maxspan-unit').message, 'Unrecognized time unit [w] in [5w], please specify one of [ms, s, m, h, d]');
  });
  it('rejects zero and decimals', () => {
    assert.equal(only(seq('0s'), 'maxspan-value').message, 'A positive maxspan value is required; found [0]');
    assert.match(only(seq('1.5h'), 'maxspan-value').message, /^Decimal time interval \[1\.5\] not supported/);
  });
});

describe('checker: sequences and samples (LogicalPlanBuilder.visitSequence, EQL syntax reference)', () => {
  it('rejects inconsistent numbers of join keys, at the offending keys', () => {
    const q = 'sequence [a where true] by x [b where true] by x, y';
    const d = only(q, 'join-key-count');
    assert.equal(d.message, 'Inconsistent number of join keys specified; expected [1] but found [2]');
    assert.deepEqual(d.span, { start: 47, end: 51 });
  });
  it('counts the until stage too', () => {
    only('sequence [a where true] by x [b where true] by x until [c where true]', 'join-key-count');
    clean('sequence by h [a where true] by x [b where true] by x until [c where true] by x');
  });
  it('requires join keys to be fields', () => {
    only('sequence [a where true] by x * 2 [b where true] by y', 'join-key-not-field');
  });
  it('requires at least two stages', () => {
    assert.equal(only('sequence [a where true]', 'stage-count').message, 'A sequence requires a minimum of 2 queries, found [1]');
    only('sample by h [a where true]', 'stage-count');
  });
  // ES PR #78895 ("EQL: Refine repeatable queries"): `[q] with runs=N` is N copies of the stage.
  it('counts runs towards the two-stage minimum', () => {
    clean('sequence [a where true] with runs=2');
    assert.equal(only('sequence [a where true] with runs=1', 'stage-count').message, 'A sequence requires a minimum of 2 queries, found [1]');
  });
  // endgameinc/eql#60 (Elasticsearch syntax): `until [...] with runs=2` is rejected.
  it('rejects runs on the until condition', () => {
    only('sequence [a where true] [b where true] until [c where true] with runs=2', 'runs-until');
  });
  // ES PR #75082 review of LogicalPlanBuilder: values above 100 are rejected.
  it('keeps runs within 1..100', () => {
    clean('sequence [a where true] with runs=100 [b where true]');
    const d = only('sequence [a where true] with runs=101 [b where true]', 'runs-range');
    assert.deepEqual(d.span, { start: 29, end: 37 });
    only('sequence [a where true] with runs=0 [b where true]', 'runs-range');
  });
  it('missing events need maxspan and at least one normal stage (test_missing_events.toml shapes)', () => {
    clean('sequence with maxspan=1s ![a where true] [b where true]');
    clean('sequence with maxspan=1s [a where true] ![b where true]');
    const d = only('sequence [a where true] ![b where true]', 'missing-event-maxspan');
    assert.deepEqual(d.span, { start: 24, end: 26 });
    only('sequence with maxspan=1s ![a where true] ![b where true]', 'missing-event-only');
  });
  // ES issue #92384 (Samples documentation): no support for `with maxspan`, `until` and `with runs`.
  it('samples accept no maxspan, until, runs or missing events', () => {
    clean('sample by h [a where true] [b where true]');
    only('sample with maxspan=1s [a where true] [b where true]', 'sample-maxspan');
    only('sample [a where true] [b where true] until [c where true]', 'sample-until');
    only('sample [a where true] with runs=2 [b where true]', 'sample-runs');
    only('sample [a where true] ![b where true]', 'sample-missing');
  });
});

describe('checker: functions (EQL function reference; VerifierTests "Unknown function")', () => {
  it('accepts documented functions, any name case, and documented ~ forms', () => {
    clean('process where startsWith~(process.name, "cmd") and length(a) > 1 and cidrMatch(ip, "10.0.0.0/8", "1.0.0.0/8")');
    clean('process where STRINGCONTAINS(a, "x")');
    clean('process where between(a, "x", "y", true) == "z" and between~(a, "x", "y") == "z"');
  });
  it('rejects unknown functions with a suggestion, at the name', () => {
    const d = only('process where arrayContains(a, "x")', 'unknown-function');
    assert.deepEqual(d.span, { start: 14, end: 27 });
    assert.match(d.message, /^Unknown function \[arrayContains\]/);
  });
  // VerifierTests.testArrayFunctionsUnsupported / testFunctionParsingUnknown (ES lower-cases the suggestion).
  it('suggests like Elasticsearch does', () => {
    assert.equal(only('registry where arrayContains(a, "En")', 'unknown-function').message.toLowerCase(), 'unknown function [arraycontains], did you mean [stringcontains]?');
    assert.equal(only('registry where arraySearch(a, b, true)', 'unknown-function').message, 'Unknown function [arraySearch]');
    assert.equal(only('network where safe(process_name)', 'unknown-function').message, 'Unknown function [safe]');
  });
  it('rejects wrong arity', () => {
    assert.equal(only('process where length(a, b) > 1', 'function-arity').message, 'Function [length] expects exactly 1 argument but found [2]');
    only('process where add(1) > 1', 'function-arity');
    only('process where substring(a) == "x"', 'function-arity');
    only('process where concat() == "x"', 'function-arity');
  });
  it('rejects ~ on functions without a case-insensitive form', () => {
    only('process where length~(a) > 1', 'function-case-insensitive');
  });
});

describe('checker: comparisons and fields', () => {
  it('rejects field-to-field comparisons (query translation: "Comparisons against fields are not (currently) supported")', () => {
    const d = only('process where a < b', 'field-comparison');
    assert.equal(d.message, 'Comparisons against fields are not (currently) supported; offender [b] in [<]');
    assert.deepEqual(d.span, { start: 14, end: 19 });
    only('process where length(a) == length(b)', 'field-comparison');
    only('process where a in (b, "x")', 'field-comparison');
  });
  it('accepts a constant on either side (VerifierTests.testQueryOk: "-1 < exit_code")', () => {
    clean('process where -1 < exit_code');
    clean('process where exit_code > -1');
    clean('process where add(a, 1) == 5');
  });
  it('accepts optional fields compared with each other (test_extra.toml: `?x == ?y`)', () => {
    clean('process where ?x == ?y');
  });
  it('rejects array indexes (VerifierTests.testArrayIndexesUnsupported), at the brackets', () => {
    const d = only('registry where a[0] == "EN-us"', 'unsupported-array-index');
    assert.equal(d.message, 'Array indexes are not supported');
    assert.deepEqual(d.span, { start: 16, end: 19 });
  });
  it('reports unknown columns when a mapping is given (VerifierTests.testMissingColumn)', () => {
    const fields = new Set(['md5', 'pid', 'ppid']);
    const ds = errs('foo where md4 == 1', { fieldExists: (n: string) => fields.has(n), knownFields: () => fields });
    assert.equal(ds.length, 1);
    assert.equal(ds[0].message, 'Unknown column [md4], did you mean [md5]?');
    assert.deepEqual(ds[0].span, { start: 10, end: 13 });
    // VerifierTests.testMisspelledColumnWithMultipleOptions
    assert.equal(errs('foo where pib == 1', { fieldExists: (n: string) => fields.has(n), knownFields: () => fields })[0].message,
      'Unknown column [pib], did you mean any of [pid, ppid]?');
    // Optional fields are never unknown.
    assert.deepEqual(errs('foo where ?md4 == 1', { fieldExists: (n: string) => fields.has(n) }), []);
  });
});

// Elasticsearch resolves operand types before running (QL TypeResolutions: "{first|second }argument of [..]
// must be [..], found value [..] type [..]"; filter conditions must be boolean).
describe('checker: operand types known from the text', () => {
  it('rejects arithmetic on booleans and strings', () => {
    const d = only('x where a + true > 1', 'type-mismatch');
    assert.equal(d.message, 'second argument of [a + true] must be [numeric], found value [true] type [boolean]');
    assert.deepEqual(d.span, { start: 12, end: 16 });
    only('x where -"a" < 1', 'type-mismatch');
  });
  it('rejects logic on numbers and strings', () => {
    assert.equal(only('x where not 1', 'type-mismatch').message, 'argument of [not 1] must be [boolean], found value [1] type [integer]');
    only('x where a and "x"', 'type-mismatch');
  });
  it('rejects conditions that cannot be boolean', () => {
    assert.equal(only('x where 1', 'type-mismatch').message, 'Condition expression needs to be boolean, found [INTEGER]');
  });
  it('leaves fields and function results of the right type alone', () => {
    clean('x where a');
    clean('x where a and b');
    clean('x where length(a) + 1 > 2');
    clean('x where startsWith(a, "b") and true');
    clean('x where null');
  });
  it('explains `field - 1 : 81` (the predicate binds to `1`)', () => {
    assert.ok(errs('file where serial_event_id - 1 : 81').some((d) => d.message.startsWith('second argument of [serial_event_id - 1 : 81]')));
  });
});

describe('analyze', () => {
  it('never throws and sorts diagnostics by offset', () => {
    const r = analyze("x where a = 'b' | sort c");
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['single-equals', 'single-quoted-string', 'unsupported-pipe']);
  });
  it('does not echo syntax holes as semantic errors on half-typed text', () => {
    // Only the syntax error: no arity, stage-count or join-key-count noise.
    assert.deepEqual(analyze('process where startsWith(').diagnostics.map((d) => d.code), ['syntax']);
    assert.deepEqual(analyze('sequence by a [process where').diagnostics.map((d) => d.code), ['syntax']);
  });
  it('returns no statement for empty text', () => {
    assert.equal(analyze('').statement, undefined);
  });
});

describe('checker: regular expressions that cannot compile (Elasticsearch fails the search before running it)', () => {
  // Lucene regexp syntax on a field ("Regular expression syntax" of the regexp query docs):
  // an unclosed group is a syntax error. The span is the pattern's string literal.
  it('rejects an unclosed group in a Lucene pattern on a field, at the pattern', () => {
    const q = 'process where process.name regex "a(b"';
    const d = only(q, 'invalid-regex');
    assert.deepEqual(d.span, { start: q.indexOf('"a(b"'), end: q.length });
  });
  it('accepts valid patterns, with and without ~', () => {
    clean('process where process.name regex~ "power[a-z]+\\\\.exe"');
    clean('process where process.name regex ("cmd.*", "pwsh.*")');
  });
  // java.util.regex on a computed value (the RegexMatch script): an unclosed class is an error there too.
  it('rejects an invalid pattern applied to a computed value', () => {
    only('process where concat(process.name, "x") regex "[a-"', 'invalid-regex');
  });
});
