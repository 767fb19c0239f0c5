/**
 * Rules `check` accepts must replay: long flat chains compile and evaluate without recursion, and
 * number literals Elasticsearch's parser refuses are rejected by the checker.
 * Expected values are hand-worked (a chain of N terms) or from Elasticsearch's sources:
 * `ExpressionBuilder.visitIntegerLiteral` + QL `StringUtils.parseIntegral` ("Number [x] is too
 * large"), `LogicalPlanBuilder.pipeIntArgument` ("Pipe [head] expects a positive integer but found [x]").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/eql/analyze';
import { replay } from '../../../server/src/engine/replay';
import type { EventRecord } from '../../../server/src/engine/types';

function errorsOf(query: string): string[] {
  return analyze(query).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
}

function replayLines(query: string, docs: Array<Record<string, unknown>>): number[] {
  const { statement, diagnostics } = analyze(query);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const events: EventRecord[] = docs.map((doc, i) => ({ doc, source: { file: 'x.ndjson', line: i + 1 } }));
  return replay(statement!, events).matches.map((m) => m.events[0].event!.source.line);
}

const ts = (i: number) => `2024-01-01T00:00:0${i}Z`;
const proc = (i: number, more: Record<string, unknown>) => ({ '@timestamp': ts(i), event: { category: 'process' }, ...more });

test('5,000 or-joined terms replay (the last term decides)', () => {
  const q = 'process where ' + Array.from({ length: 5000 }, (_, i) => `process.name == "p${i}"`).join(' or ');
  assert.deepEqual(replayLines(q, [proc(1, { process: { name: 'p4999' } }), proc(2, { process: { name: 'p5000' } })]), [1]);
});

test('5,000 and-joined terms replay', () => {
  const q = 'process where ' + Array.from({ length: 5000 }, (_, i) => `process.pid != ${i}`).join(' and ');
  assert.deepEqual(replayLines(q, [proc(1, { process: { pid: 4999 } }), proc(2, { process: { pid: 5000 } })]), [2]);
});

test('a 5,000-term arithmetic chain over a field evaluates left to right', () => {
  // process.pid + 1 + 1 … (4,999 ones) == pid + 4999
  const q = 'process where process.pid + ' + Array(4999).fill('1').join(' + ') + ' == 5000';
  assert.deepEqual(replayLines(q, [proc(1, { process: { pid: 1 } }), proc(2, { process: { pid: 2 } })]), [1]);
  // Constant chains fold: 1 + 1 + … (5,000 ones) == 5000.
  const folded = 'process where process.pid == ' + Array(5000).fill('1').join(' + ');
  assert.deepEqual(replayLines(folded, [proc(1, { process: { pid: 5000 } }), proc(2, { process: { pid: 4999 } })]), [1]);
  // Subtraction is not associative: 10 - 1 - 1 - 1 is 7, not 10 - (1 - (1 - 1)) = 9.
  assert.deepEqual(replayLines('process where process.pid - 1 - 1 - 1 == 7', [proc(1, { process: { pid: 10 } })]), [1]);
});

test('a script chain with a null term follows three-valued logic across the whole chain', () => {
  // `length(x) > 0 or …`: script form; a missing field is null, null or true is true.
  const q = 'process where ' + Array.from({ length: 3000 }, (_, i) => `length(f${i}) > 100`).join(' or ') + ' or length(process.name) == 3';
  assert.deepEqual(replayLines(q, [proc(1, { process: { name: 'abc' } }), proc(2, { process: { name: 'abcd' } })]), [1]);
});

test('a `:` list of 12,000 patterns replays', () => {
  const q = 'process where process.name : (' + Array.from({ length: 12000 }, (_, i) => `"p${i}*"`).join(', ') + ')';
  assert.deepEqual(replayLines(q, [proc(1, { process: { name: 'P11999.exe' } }), proc(2, { process: { name: 'q1' } })]), [1]);
});

test('not and negation chains up to the nesting limit replay; deeper ones are a syntax error', () => {
  const nots = 'not '.repeat(401);
  assert.deepEqual(replayLines(`process where ${nots}process.name == "a"`, [proc(1, { process: { name: 'a' } }), proc(2, { process: { name: 'b' } })]), [2]);
  const negs = '- '.repeat(400);
  assert.deepEqual(replayLines(`process where process.pid == ${negs}5`, [proc(1, { process: { pid: 5 } }), proc(2, { process: { pid: -5 } })]), [1]);
  for (const deep of [`process where ${'not '.repeat(3000)}true`, `process where a == ${'-'.repeat(3000)}1`, `process where ${'('.repeat(3000)}true${')'.repeat(3000)}`]) {
    assert.deepEqual(errorsOf(deep), ['The query is nested too deeply to be parsed']);
  }
});

test('head / tail with a number too large for Elasticsearch are checker errors', () => {
  const huge = '9'.repeat(400);
  assert.deepEqual(errorsOf(`process where true | head ${huge}`), [`Number [${huge}] is too large`]);
  assert.deepEqual(errorsOf(`process where true | tail ${huge}`), [`Number [${huge}] is too large`]);
  // Above 2^64 - 1 the literal is a double, which a pipe refuses.
  assert.deepEqual(errorsOf('process where true | head 18446744073709551616'), [
    'Pipe [head] expects a positive integer but found [18446744073709551616]',
  ]);
  assert.deepEqual(errorsOf(`process where process.pid == 1${'0'.repeat(400)}`), [`Number [1${'0'.repeat(400)}] is too large`]);
  assert.deepEqual(errorsOf('process where process.pid == 100000000000000000000'), []);
});

test('head / tail counts under unary signs replay as Elasticsearch folds them (found by fuzzing)', () => {
  const docs = [proc(1, {}), proc(2, {}), proc(3, {})];
  assert.deepEqual(replayLines('process where true | head +1', docs), [1]);
  assert.deepEqual(replayLines('process where true | tail + + 2', docs), [2, 3]);
  assert.deepEqual(replayLines('process where true | head -0', docs), []);
  assert.deepEqual(errorsOf('process where true | head -1'), ['Pipe [head] expects a positive integer but found [-1]']);
});

test('a field path of 20,000 segments is looked up by the document\'s keys (no walk over every dotted prefix), dotted keys as for short paths', async () => {
  const { compileFieldGetter } = await import('../../../server/src/engine/fields');
  const parts = Array.from({ length: 20000 }, (_, i) => `s${i}`);
  const getter = compileFieldGetter(parts.join('.'));
  // Nested objects and dotted keys mixed, as Elasticsearch flattens them ("Object field type").
  const doc: Record<string, unknown> = { 's0.s1': { [parts.slice(2, 19999).join('.')]: { s19999: 'deep' } }, 's0.': { x: 1 }, s0x: 2 };
  assert.deepEqual(getter(doc), ['deep']);
  assert.deepEqual(getter({ 's0.s1.': 1, s0: { s1x: 2 } }), []);
  // Short paths keep the exact behaviour: `a.b.c` from `{a: {"b.c": 1}}` and `{"a.b": {c: 2}}`.
  const long = compileFieldGetter('a.b.c.d.e.f.g.h.i.j');
  assert.deepEqual(long({ a: { 'b.c': { d: { 'e.f.g.h': { i: { j: 1 } } } } }, 'a.b.c.d.e': { 'f.g.h.i.j': 2 } }), [1, 2]);
});
