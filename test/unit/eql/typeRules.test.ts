/**
 * Type rules, constant folding and query compilation in the checker: rejections Elasticsearch
 * makes before running a query that the text plus (optionally) an index mapping decide.
 *
 * Expected messages come from Elasticsearch: `VerifierTests.java`
 * (x-pack/plugin/eql/src/test/java/org/elasticsearch/xpack/eql/analysis/) where it has the case,
 * otherwise the message format of QL `TypeResolutions.isType` / `isExact`
 * ("{ordinal} argument of [{operation}] must be [{type}], found value [{name}] type [{type}]")
 * with the argument rules of each function's `resolveType` (`Length.java`: DEFAULT ordinal;
 * `IndexOf.java`, QL `StartsWith`: FIRST/SECOND; `CIDRMatch.java`: `isIPAndExact` FIRST) and of
 * `InsensitiveBinaryComparison.resolveInputType` for `:`. Folding failures carry the Java messages
 * Elasticsearch's processors throw (`/ by zero` from integer division, `ToNumberFunctionProcessor`).
 * Offsets are 0-based (Elasticsearch's `line:column` is 1-based: `1:62` is offset 61).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/eql/analyze';
import { mappingCheckOptions } from '../../../server/src/eql/mappingCheckOptions';
import { parse } from '../../../server/src/eql/parser';
import { loadMapping } from '../../../server/src/engine/mapping';

/**
 * Field types of the mapping VerifierTests loads (`mapping-default.json`: `pid` long, `md5`
 * keyword, `hostname` text, `@timestamp` date, `source_address` ip, `bool` boolean, …) and of
 * `mapping-multi-field.json` (`multi_field.english`: a text sub-field without keyword) and
 * `mapping-numeric.json` (`long_field`).
 */
const mapping = loadMapping({
  properties: {
    '@timestamp': { type: 'date' },
    event: { properties: { category: { type: 'keyword' } } },
    pid: { type: 'long' },
    opcode: { type: 'long' },
    md5: { type: 'keyword' },
    command_line: { type: 'keyword' },
    user_domain: { type: 'keyword' },
    hostname: { type: 'text' },
    source_address: { type: 'ip' },
    destination: { properties: { ip: { type: 'ip' } } },
    bool: { type: 'boolean' },
    constant_keyword: { type: 'constant_keyword' },
    long_field: { type: 'long' },
    multi_field: { type: 'text', fields: { raw: { type: 'keyword' }, english: { type: 'text', analyzer: 'english' } } },
  },
});
const withMapping = mappingCheckOptions(mapping);

const errs = (q: string, opts = {}) => analyze(q, opts).diagnostics.filter((d) => d.severity === 'error');
/** The only error of `q`: its code, message and span are checked by the caller. */
const only = (q: string, opts = {}) => {
  const ds = errs(q, opts);
  assert.equal(ds.length, 1, `${q}: ${JSON.stringify(ds)}`);
  return ds[0];
};
const clean = (q: string, opts = {}) => assert.deepEqual(errs(q, opts), [], q);

describe('checker: constant folding and query compilation (Elasticsearch fails these before reading events)', () => {
  it('reports integer division by zero of constants at the division (Java ArithmeticException "/ by zero")', () => {
    const d = only('process where 1 / 0 == 1');
    assert.equal(d.code, 'constant-folding');
    assert.equal(d.message, '/ by zero');
    assert.deepEqual(d.span, { start: 14, end: 19 });
    // A field operand is not folded: the failure would depend on the event.
    clean('process where pid / 0 == 1');
  });
  it('reports number() of a constant that is not a number (ToNumberFunctionProcessor)', () => {
    const d = only('process where number("abc") == 1');
    assert.equal(d.code, 'constant-folding');
    assert.equal(d.message, 'Unable to convert [abc] to number of base [10]');
    assert.deepEqual(d.span, { start: 14, end: 27 });
    clean('process where number("0x1f") == 31');
  });
  it('reports an invalid CIDR block of cidrMatch at the block (the prefix length of IPv4 is at most 32)', () => {
    const q = 'network where cidrMatch(destination.ip, "10.0.0.0/33")';
    const d = only(q);
    assert.equal(d.code, 'query-compile');
    assert.match(d.message, /10\.0\.0\.0\/33/);
    assert.equal(q.slice(d.span.start, d.span.end), '"10.0.0.0/33"');
    clean('network where cidrMatch(destination.ip, "10.0.0.0/32", "fe80::/10")');
  });
  it('compiles with the mapping when one is given', () => {
    clean('network where cidrMatch(destination.ip, "10.0.0.0/8")', withMapping);
    assert.equal(only('network where cidrMatch(destination.ip, "10.0.0.0/33")', withMapping).code, 'query-compile');
  });
  it('does not report a failure twice: argument types and regex patterns are reported once', () => {
    // length(5) fails both type resolution and folding; Elasticsearch stops at type resolution.
    assert.equal(only('process where length(5) == 1').code, 'argument-type');
    assert.equal(only('process where process.name regex "["').code, 'invalid-regex');
  });
});

describe('checker: function argument types (TypeResolutions.isType + each function resolveType)', () => {
  it('length(5): DEFAULT ordinal (Length.resolveType isStringAndExact)', () => {
    const d = only('process where length(5) == 1');
    assert.equal(d.message, 'argument of [length(5)] must be [string], found value [5] type [integer]');
    assert.deepEqual(d.span, { start: 14, end: 23 });
  });
  it('startsWith(5, "a"): first argument (QL StartsWith.resolveType, FIRST)', () => {
    assert.equal(only('process where startsWith(5, "a")').message, 'first argument of [startsWith(5, "a")] must be [string], found value [5] type [integer]');
  });
  it('indexOf(s, 1): second argument must be a string (IndexOf.resolveType, SECOND)', () => {
    assert.equal(only('process where indexOf("abc", 1) == 0').message, 'second argument of [indexOf("abc", 1)] must be [string], found value [1] type [integer]');
  });
  it('substring(s, "1"): second argument must be [integer] (Substring.resolveType isInteger SECOND)', () => {
    assert.equal(only('process where substring("abc", "1") == "bc"').message, 'second argument of [substring("abc", "1")] must be [integer], found value ["1"] type [keyword]');
  });
  it('number(s, "16"): second argument must be [integer] (ToNumber.resolveType isInteger SECOND)', () => {
    assert.equal(only('process where number("ff", "16") == 255').message, 'second argument of [number("ff", "16")] must be [integer], found value ["16"] type [keyword]');
  });
  it('between(s, l, r, "yes"): fourth argument must be [boolean] (Between.resolveType isBoolean FOURTH)', () => {
    assert.equal(
      only('process where between(process.name, "a", "b", "yes") == "x"').message,
      'fourth argument of [between(process.name, "a", "b", "yes")] must be [boolean], found value ["yes"] type [keyword]',
    );
  });
  it('length(pid) on a long field (mapping)', () => {
    const d = only('process where length(pid) == 1', withMapping);
    assert.equal(d.code, 'argument-type');
    assert.equal(d.message, 'argument of [length(pid)] must be [string], found value [pid] type [long]');
    // Without a mapping the field's type is unknown: nothing to say.
    clean('process where length(pid) == 1');
  });
  it('cidrMatch(md5, …) on a keyword field: first argument must be [ip] (CIDRMatch.resolveType isIPAndExact)', () => {
    const d = only('process where cidrMatch(md5, "10.0.0.0/8")', withMapping);
    assert.equal(d.message, 'first argument of [cidrMatch(md5, "10.0.0.0/8")] must be [ip], found value [md5] type [keyword]');
    clean('network where cidrMatch(source_address, "10.0.0.0/8")', withMapping);
  });
  it('string() of a text field without keyword sub-field (VerifierTests.testStringFunctionWithText)', () => {
    const d = only('process where string(multi_field.english) == "foo"', withMapping);
    assert.equal(d.code, 'inexact-field');
    assert.equal(
      d.message,
      '[string(multi_field.english)] cannot operate on field of data type [text]: No keyword/multi-field defined exact matches for [english]; define one or use MATCH/QUERY instead',
    );
    assert.equal(d.span.start, 14); // "1:15"
  });
  it('accepts the argument types of the QA suite (additional_test_queries.toml)', () => {
    clean('any where number(string(serial_event_id), 16) : 17');
    clean('process where substring(process_name, -4) : ".exe"');
    clean('process where between(process_name, "s", "e", true) : "vchost."');
  });
});

describe('checker: operator types', () => {
  it('`:` needs strings: a literal number on the left (InsensitiveBinaryComparison.resolveInputType)', () => {
    const d = only('process where 1 : "a"');
    assert.equal(d.code, 'argument-type');
    assert.equal(d.message, 'first argument of [:] must be [string], found value [1] type [integer]; consider using [==] instead');
  });
  it('`pid : 123` on a long field (VerifierTests.testIncorrectUsageOfStringEquals)', () => {
    const d = only('foo where pid : 123', withMapping);
    assert.equal(d.message, 'first argument of [:] must be [string], found value [pid] type [long]; consider using [==] instead');
    assert.equal(d.span.start, 10); // "1:11"
    clean('foo where md5 : "a*"', withMapping);
  });
  it('keeps accepting `x : <number>` without a mapping, as the QA suite runs it (test_queries.toml)', () => {
    clean('process where serial_event_id : 1');
    clean('registry where length(bytes_written_string_list) : 2');
  });
  it('`==` on a text field without keyword sub-field (VerifierTests.testMultiField)', () => {
    const d = only('foo where multi_field.english == "bar"', withMapping);
    assert.equal(d.code, 'inexact-field');
    assert.equal(
      d.message,
      '[multi_field.english == "bar"] cannot operate on first argument field of data type [text]: No keyword/multi-field defined exact matches for [english]; define one or use MATCH/QUERY instead',
    );
    assert.equal(d.span.start, 10);
    clean('foo where multi_field.raw == "bar"', withMapping);
  });
  it('`in` list values must match the value type (VerifierTests.testMixedSet)', () => {
    const d = only('foo where long_field in (1, "string")', withMapping);
    assert.equal(d.code, 'argument-type');
    assert.equal(d.message, '2nd argument of [long_field in (1, "string")] must be [long], found value ["string"] type [keyword]');
    assert.equal(d.span.start, 10);
    assert.equal(only('foo where pid in (1, "string")', withMapping).message, '2nd argument of [pid in (1, "string")] must be [long], found value ["string"] type [keyword]');
    clean('foo where pid in (1, 2.5, null)', withMapping);
  });
  it('`and`/`or` operands of a known non-boolean type (QL BinaryLogic: isBoolean)', () => {
    const d = only('foo where pid and true', withMapping);
    assert.equal(d.message, 'first argument of [pid and true] must be [boolean], found value [pid] type [long]');
  });
});

describe('checker: condition type (VerifierTests.testQueryCondition)', () => {
  const cases: Array<[string, string]> = [
    ['pid', 'LONG'],
    ['@timestamp', 'DATETIME'],
    ['command_line', 'KEYWORD'],
    ['hostname', 'TEXT'],
    ['constant_keyword', 'KEYWORD'],
    ['source_address', 'IP'],
  ];
  for (const [field, type] of cases) {
    it(`any where ${field} → found [${type}]`, () => {
      const d = only(`any where ${field}`, withMapping);
      assert.equal(d.message, `Condition expression needs to be boolean, found [${type}]`);
      assert.deepEqual(d.span, { start: 10, end: 10 + field.length }); // "1:11"
    });
  }
  it('accepts a boolean field', () => clean('any where bool', withMapping));
});

describe('checker: sequence join key types (VerifierTests.testKeysWith*)', () => {
  it('rejects keyword vs long', () => {
    const q = 'sequence [process where true] by pid [process where true] by md5';
    const d = only(q, withMapping);
    assert.equal(d.code, 'join-key-type');
    assert.equal(d.message, 'Sequence key [md5] type [keyword] is incompatible with key [pid] type [long]');
    assert.equal(d.span.start, 61); // "1:62"
  });
  it('rejects long vs date, naming the mapping type [date]', () => {
    const d = only('sequence [process where true] by @timestamp [process where true] by opcode', withMapping);
    assert.equal(d.message, 'Sequence key [opcode] type [long] is incompatible with key [@timestamp] type [date]');
    assert.equal(d.span.start, 68); // "1:69"
  });
  it('accepts text vs keyword (both strings)', () => {
    clean('sequence [process where true] by hostname [process where true] by user_domain', withMapping);
  });
  it('checks the until keys too (Verifier.checkJoinKeyTypes)', () => {
    const d = only('sequence [process where true] by pid [process where true] by pid until [process where true] by md5', withMapping);
    assert.equal(d.message, 'Sequence key [md5] type [keyword] is incompatible with key [pid] type [long]');
  });
});

describe('checker: long flat and/or chains', () => {
  const chain = (n: number, op: string) => 'process where ' + Array.from({ length: n }, (_, i) => `process.name == "p${i}.exe"`).join(` ${op} `);
  it('checks 20,000-term `or` and `and` chains without an internal error', () => {
    clean(chain(20_000, 'or'));
    clean(chain(20_000, 'and'));
  });
  it('still finds an error deep inside a long chain', () => {
    const q = chain(10_000, 'or') + ' or 5';
    const d = only(q);
    assert.equal(d.code, 'type-mismatch');
    assert.equal(q.slice(d.span.start, d.span.end), '5');
    assert.match(d.message, /^second argument of \[.*\] must be \[boolean\], found value \[5\] type \[integer\]$/s);
  });
  it('the parser builds the 10,000-term chain without errors', () => {
    const r = parse(chain(10_000, 'or'));
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.statement?.query.kind, 'event');
  });
});

describe('checker: errors that only echo a syntax error are not reported', () => {
  it('an unterminated string gives the syntax error alone (no "Condition expression needs to be boolean")', () => {
    const ds = errs('process where """unterminated');
    assert.deepEqual(ds.map((d) => d.code), ['syntax']);
  });
  it('a string condition without syntax error is still rejected (VerifierTests.testQueryCondition: KEYWORD)', () => {
    assert.equal(only('process where "abc"').message, 'Condition expression needs to be boolean, found [KEYWORD]');
  });
});
