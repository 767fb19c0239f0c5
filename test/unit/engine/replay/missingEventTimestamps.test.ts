/**
 * Missing-event stages (`![…]`) and events that share a timestamp with a neighbouring matched event.
 *
 * Expected results are worked out from Elasticsearch's `TumblingWindow.prepareQueryForMissingEvents`
 * (x-pack/plugin/eql/src/main/java/org/elasticsearch/xpack/eql/execution/sequence/TumblingWindow.java),
 * which looks for each missing stage's events with strict timestamp ranges (epoch milliseconds):
 * - a middle stage: `range.gt(previous positive event) .lt(next positive event)`;
 * - a leading stage: `range.lt(first event)`, the nearest one (sort DESC, size 1);
 * - a trailing stage: `range.gt(last event)`, the nearest one (sort ASC, size 1);
 * and `doCheckMissingEvents`, which discards the sequence when a middle stage has a hit, and when the
 * nearest leading / trailing hit lies within `maxspan` of the sequence (`biggerThanMaxSpan` false).
 * So an event at the very timestamp of its neighbour is never "between" them: it does not discard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../../server/src/eql/analyze';
import { replay } from '../../../../server/src/engine/replay';
import type { EventRecord } from '../../../../server/src/engine/types';

function statementOf(query: string) {
  const { statement, diagnostics } = analyze(query);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return statement!;
}

/** Events named by process.name, at `@timestamp` seconds, all on host h. */
function events(...named: Array<[string, number]>): EventRecord[] {
  return named.map(([name, seconds], i) => ({
    doc: { '@timestamp': seconds * 1000, event: { category: 'process' }, host: { id: 'h' }, process: { name } },
    source: { file: 'f.ndjson', line: i + 1 },
  }));
}
const count = (query: string, input: EventRecord[]) => replay(statementOf(query), input).matches.length;

const MIDDLE = 'sequence by host.id with maxspan=1m [process where process.name == "a"] ![process where process.name == "m"] [process where process.name == "b"]';
const LEADING = 'sequence by host.id with maxspan=1m ![process where process.name == "m"] [process where process.name == "a"] [process where process.name == "b"]';
const TRAILING = 'sequence by host.id with maxspan=1m [process where process.name == "a"] [process where process.name == "b"] ![process where process.name == "m"]';

test('middle missing stage: an event at the timestamp of the event before or after is not between them', () => {
  assert.equal(count(MIDDLE, events(['a', 10], ['m', 10], ['b', 20])), 1);
  assert.equal(count(MIDDLE, events(['a', 10], ['m', 20], ['b', 20])), 1);
  // Strictly between: the sequence is discarded.
  assert.equal(count(MIDDLE, events(['a', 10], ['m', 15], ['b', 20])), 0);
});

test('leading missing stage: an event at the timestamp of the first event is not before it', () => {
  assert.equal(count(LEADING, events(['m', 10], ['a', 10], ['b', 20])), 1);
  // One second earlier, within maxspan of the sequence: discarded.
  assert.equal(count(LEADING, events(['m', 9], ['a', 10], ['b', 20])), 0);
});

test('trailing missing stage: an event at the timestamp of the last event is not after it', () => {
  assert.equal(count(TRAILING, events(['a', 10], ['b', 20], ['m', 20])), 1);
  // One second later, within maxspan of the sequence: discarded.
  assert.equal(count(TRAILING, events(['a', 10], ['b', 20], ['m', 21])), 0);
});
