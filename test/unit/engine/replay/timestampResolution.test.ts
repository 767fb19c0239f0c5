/**
 * Timestamp resolution: a `date` field stores whole milliseconds, a `date_nanos` field keeps the
 * fraction. Source: Elasticsearch reference, "Date nanoseconds field type" ("The existing `date` data
 * type stores dates in millisecond resolution. The `date_nanos` data type stores dates in nanosecond
 * resolution"); EQL reads the timestamp through `MillisTimestamp` / `NanosTimestamp`
 * (x-pack/plugin/eql/src/main/java/org/elasticsearch/xpack/eql/execution/search/Timestamp.java), and
 * a sequence exceeds its maxspan only when the span is greater than it (SequenceMatcher, `>`).
 * Expected values are hand-worked from those rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../../server/src/eql/analyze';
import { replay } from '../../../../server/src/engine/replay';
import { loadMapping } from '../../../../server/src/engine/mapping';
import type { EventRecord, Match } from '../../../../server/src/engine/types';

const RULE = `sequence by host.id with maxspan=1m
  [process where process.name == "a.exe"]
  [process where process.name == "b.exe"]`;

function statement() {
  const { statement, diagnostics } = analyze(RULE);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return statement!;
}

function events(...pairs: Array<[string, string]>): EventRecord[] {
  return pairs.map(([timestamp, name], i) => ({
    doc: { '@timestamp': timestamp, event: { category: 'process' }, host: { id: 'h' }, process: { name } },
    source: { file: 'subms.ndjson', line: i + 1 },
  }));
}

const mappingOf = (type: string) =>
  loadMapping({ mappings: { properties: { '@timestamp': { type }, host: { properties: { id: { type: 'keyword' } } }, process: { properties: { name: { type: 'keyword' } } } } } });

const lines = (matches: Match[]) => matches.map((m) => m.events.map((e) => e.event!.source.line));

// a at 00:00:00.000, b at 00:01:00.0009: 60,000 ms apart as `date` (not more than 1m: a match),
// 60,000.0009 ms apart as `date_nanos` (more than 1m: no match).
const SPAN = events(['2024-01-01T00:00:00.000Z', 'a.exe'], ['2024-01-01T00:01:00.0009Z', 'b.exe']);

test('a `date` timestamp is truncated to the millisecond before maxspan is checked', () => {
  assert.deepEqual(lines(replay(statement(), SPAN, { mapping: mappingOf('date') }).matches), [[1, 2]]);
});

test('without a mapping the timestamp is a `date`, as dynamic mapping and ECS make `@timestamp`', () => {
  assert.deepEqual(lines(replay(statement(), SPAN).matches), [[1, 2]]);
});

test('a `date_nanos` timestamp keeps its fraction: 1m plus 0.9 µs exceeds the maxspan', () => {
  assert.deepEqual(lines(replay(statement(), SPAN, { mapping: mappingOf('date_nanos') }).matches), []);
});

// b at .0009 then a at .0001 (line order b, a): within one millisecond as `date`, so input order
// (the implicit tiebreaker) puts b first and no sequence a → b exists; as `date_nanos`, a comes first.
const SAME_MILLI = events(['2024-01-01T00:00:00.0009Z', 'b.exe'], ['2024-01-01T00:00:00.0001Z', 'a.exe']);

test('events within the same millisecond of a `date` field keep their input order', () => {
  assert.deepEqual(lines(replay(statement(), SAME_MILLI).matches), []);
});

test('events within the same millisecond of a `date_nanos` field are ordered by their fraction', () => {
  assert.deepEqual(lines(replay(statement(), SAME_MILLI, { mapping: mappingOf('date_nanos') }).matches), [[2, 1]]);
});

test('fractional epoch milliseconds of a `date` field are truncated towards the past', () => {
  const epoch = (ms: number, name: string, line: number): EventRecord => ({
    doc: { '@timestamp': ms, event: { category: 'process' }, host: { id: 'h' }, process: { name } },
    source: { file: 'epoch.ndjson', line },
  });
  // 0 and 60,000.5 ms: 60,000 ms apart once truncated, not more than 1m: a match.
  assert.deepEqual(lines(replay(statement(), [epoch(0, 'a.exe', 1), epoch(60_000.5, 'b.exe', 2)]).matches), [[1, 2]]);
  // -0.5 ms is -1 ms (Instant.toEpochMilli floors), before b at 0.
  assert.deepEqual(lines(replay(statement(), [epoch(0, 'b.exe', 1), epoch(-0.5, 'a.exe', 2)]).matches), [[2, 1]]);
  // -0.5 and -0.9 ms are both -1 ms: input order puts b first, so no a → b.
  assert.deepEqual(lines(replay(statement(), [epoch(-0.5, 'b.exe', 1), epoch(-0.9, 'a.exe', 2)]).matches), []);
});
