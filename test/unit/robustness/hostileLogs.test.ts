/**
 * One event never aborts a replay, and values are read as Elasticsearch indexes them.
 * Sources: Elasticsearch parses documents with Jackson, which refuses duplicate keys
 * (`STRICT_DUPLICATE_DETECTION`) and nesting deeper than 1000 (`StreamReadConstraints`); field
 * lookup follows the document's own keys only ("Object field type"); a script over several
 * multi-valued fields is tried on every combination (hand-worked: 101 × 100 values).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/eql/analyze';
import { replay } from '../../../server/src/engine/replay';
import { parseNdjsonLine, parseNdjsonText } from '../../../server/src/samples/ndjson';

function run(query: string, ndjson: string) {
  const { statement, diagnostics } = analyze(query);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  const read = parseNdjsonText(ndjson, 'logs.ndjson');
  const result = replay(statement!, read.events);
  return {
    lines: result.matches.map((m) => m.events.map((e) => e.event!.source.line)),
    problems: read.problems.map((p) => `${p.line}: ${p.message}`),
    warnings: result.warnings,
  };
}

const line = (doc: Record<string, unknown>) => JSON.stringify(doc);
const ev = (s: number, more: Record<string, unknown>) => ({ '@timestamp': `2024-01-01T00:00:0${s}Z`, event: { category: 'process' }, ...more });

test('a line nested 10,000 deep is reported and skipped; the lines around it still match', () => {
  const deepArray = '['.repeat(10000) + '1' + ']'.repeat(10000);
  const deepObject = '{"a":'.repeat(10000) + '1' + '}'.repeat(10000);
  const text = [
    line(ev(1, { process: { name: 'a' } })),
    `{"@timestamp":"2024-01-01T00:00:02Z","event":{"category":"process"},"process":{"name":${deepArray}}}`,
    `{"@timestamp":"2024-01-01T00:00:03Z","event":{"category":"process"},"process":{"args":${deepObject}}}`,
    line(ev(4, { process: { name: 'b' } })),
  ].join('\n');
  const r = run('process where true', text);
  assert.deepEqual(r.lines, [[1], [4]]);
  assert.equal(r.problems.length, 2);
  assert.match(r.problems[0], /^2: document nesting depth exceeds the maximum allowed \(1000\)/);
  assert.match(r.problems[1], /^3: document nesting depth exceeds the maximum allowed \(1000\)/);
  // 1000 levels are still accepted (Jackson's limit is inclusive).
  const atLimit = '['.repeat(999) + '"x"' + ']'.repeat(999);
  assert.ok('doc' in parseNdjsonLine(`{"a":${atLimit}}`)!);
  assert.ok('error' in parseNdjsonLine(`{"a":[${atLimit}]}`)!);
});

test('101 dll.name × 100 process.name values are all tried (10,100 combinations), without aborting', () => {
  const names = Array.from({ length: 100 }, (_, i) => `p${i}`);
  const dlls = Array.from({ length: 101 }, (_, i) => `d${i}`);
  const text = [
    line(ev(1, { event: { category: 'library' }, dll: { name: 'abc.dll' }, process: { name: 'ABC' } })),
    line(ev(2, { event: { category: 'library' }, dll: { name: dlls }, process: { name: names } })),
    line(ev(3, { event: { category: 'library' }, dll: { name: [...dlls, 'P99X.dll'] }, process: { name: names } })),
    line(ev(4, { event: { category: 'library' }, dll: { name: 'xyz.dll' }, process: { name: 'xy' } })),
  ].join('\n');
  const r = run('library where startswith~(dll.name, process.name)', text);
  // Line 3: "P99X.dll" starts with "p99" case-insensitively (the last combination of all).
  assert.deepEqual(r.lines, [[1], [3], [4]]);
  assert.deepEqual(r.warnings, []);
});

test('an event over the combination limit is skipped with path:line: warning, the others still match', () => {
  const many = Array.from({ length: 1001 }, (_, i) => `v${i}`);
  const text = [
    line(ev(1, { a: 'x', b: 'x', c: 'x' })),
    line(ev(2, { a: many, b: many, c: many })),
    line(ev(3, { a: 'y', b: 'y', c: 'y' })),
  ].join('\n');
  const r = run('process where concat(a, b, c) == "xxx" or concat(a, b, c) == "yyy"', text);
  assert.deepEqual(r.lines, [[1], [3]]);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /^logs\.ndjson:2: warning: 1003003001 combinations of multi-valued field values/);
});

test('field names of the JavaScript object prototype are not fields of every event', () => {
  const text = [line(ev(1, {})), line(ev(2, { constructor: 'c' })), line(ev(3, { process: { name: 'x' } }))].join('\n');
  assert.deepEqual(run('process where constructor != null', text).lines, [[2]]);
  assert.deepEqual(run('process where toString != null or hasOwnProperty != null or process.constructor != null', text).lines, []);
  assert.deepEqual(run('process where __proto__ == null', text).lines, [[1], [2], [3]]);
  // A document's own `__proto__` key is an ordinary field.
  assert.deepEqual(run('process where __proto__ == "p"', `{"@timestamp":"2024-01-01T00:00:01Z","event":{"category":"process"},"__proto__":"p"}`).lines, [[1]]);
});

test('duplicate keys in one JSON object: the line is reported with the key and skipped', () => {
  const text = [
    '{"@timestamp":"2024-01-01T00:00:01Z","event":{"category":"process"},"process":{"pid":5,"pid":6}}',
    '{"@timestamp":"2024-01-01T00:00:02Z","event":{"category":"process"},"a":{"k":1},"b":{"k":2},"s":"\\"k\\":1"}',
    '{"@timestamp":"2024-01-01T00:00:03Z","event":{"category":"process"},"x\\\\":1,"x\\\\":2}',
  ].join('\n');
  const r = run('process where true', text);
  assert.deepEqual(r.lines, [[2]]);
  assert.deepEqual(r.problems, [
    "1: duplicate field 'pid' in one JSON object (Elasticsearch rejects such a document); the event is skipped",
    "3: duplicate field 'x\\' in one JSON object (Elasticsearch rejects such a document); the event is skipped",
  ]);
});

test('keys are counted exactly: values starting with ":" and escaped quotes are no keys, spaced keys are', () => {
  const ok = [
    '{"SourceAddress":"::","b":"\\":x"}',
    '{"a" : 1, "b"\t:"x\\" :", "c": {"a" :2}}',
    '{"a":"\\\\","b":"\\\\\\":"}',
  ];
  for (const l of ok) assert.ok('doc' in parseNdjsonLine(l)!, l);
  const bad = ['{"a" : 1, "a" : 2}', '{"x":"::","y":{"k":1,"k" :2}}', '{"a":"\\":","a":1}'];
  for (const l of bad) assert.match((parseNdjsonLine(l) as { error: string }).error, /^duplicate field '(a|k)'/, l);
});
