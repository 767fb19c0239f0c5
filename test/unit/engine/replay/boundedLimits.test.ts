/**
 * An event query under `head N`, `tail N` or `size` keeps only the N events its result can hold
 * (`boundedSelection.ts`). Its result must be what keeping every match, sorting them in
 * Elasticsearch's order (timestamp, then tiebreaker, then input order: docs "EQL search",
 * "Specify a sort tiebreaker") and slicing gives (docs "EQL pipe reference": head N = the first N,
 * tail N = the last N, ascending) — here checked against the session that keeps every event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze } from '../../../../server/src/eql/analyze';
import { BoundedSelection } from '../../../../server/src/engine/boundedSelection';
import { replay, ReplaySession } from '../../../../server/src/engine/replay';
import type { EventRecord, Match } from '../../../../server/src/engine/types';

function statementOf(query: string) {
  const { statement, diagnostics } = analyze(query);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 0, errors.map((d) => d.message).join('; '));
  return statement!;
}
const lines = (m: Match[]) => m.map((x) => x.events.map((e) => e.event!.source.line));

test('BoundedSelection keeps what sorting everything and slicing keeps', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 }), fc.nat(20), fc.boolean(), (values, count, first) => {
      // Items compared by value, then by position: a total order with many equal values.
      const items = values.map((value, at) => ({ value, at }));
      const compare = (a: (typeof items)[0], b: (typeof items)[0]) => a.value - b.value || a.at - b.at;
      const selection = new BoundedSelection(count, compare, first ? 'first' : 'last');
      for (const item of items) selection.add(item);
      const all = items.slice().sort(compare);
      const expected = first ? all.slice(0, count) : all.slice(Math.max(0, all.length - count));
      assert.deepEqual(selection.sorted(), expected);
      assert.equal(selection.size, expected.length);
    }),
    { numRuns: 300 },
  );
});

test('hand-worked: equal timestamps are ordered by the tiebreaker (events without one last), then input order', () => {
  // Lines 1-5, all at the same time; seq = 3, none, 1, 2, none. Order: line 3 (1), 4 (2), 1 (3),
  // then the two without a tiebreaker in input order: 2, 5.
  const events: EventRecord[] = [3, undefined, 1, 2, undefined].map((seq, i) => ({
    doc: { '@timestamp': 0, event: { category: 'process' }, ...(seq === undefined ? {} : { seq }) },
    source: { file: 'a.ndjson', line: i + 1 },
  }));
  const options = { tiebreakerField: 'seq' };
  assert.deepEqual(lines(replay(statementOf('process where true | head 2'), events, options).matches), [[3], [4]]);
  assert.deepEqual(lines(replay(statementOf('process where true | tail 2'), events, options).matches), [[2], [5]]);
  assert.deepEqual(lines(replay(statementOf('process where true'), events, { ...options, size: 3 }).matches), [[3], [4], [1]]);
  assert.deepEqual(lines(replay(statementOf('process where true | tail 4 | head 2'), events, options).matches), [[4], [1]]);
});

test('property: head/tail/size over random events with equal timestamps give the matches of the replay that keeps every event', () => {
  const event = fc.record({
    ts: fc.integer({ min: 0, max: 3 }),
    seq: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    category: fc.constantFrom('process', 'network'),
    x: fc.integer({ min: 0, max: 9 }),
    timed: fc.integer({ min: 0, max: 9 }),
  });
  const limit = fc.record({ kind: fc.constantFrom('head', 'tail'), count: fc.nat(8) });
  fc.assert(
    fc.property(fc.array(event, { maxLength: 40 }), fc.array(limit, { maxLength: 3 }), fc.option(fc.nat(8), { nil: undefined }), fc.boolean(), (evs, pipes, size, tail) => {
      const records: EventRecord[] = evs.map((e, i) => ({
        // One event in ten has no timestamp (left out, and counted in a warning).
        doc: { ...(e.timed > 0 ? { '@timestamp': e.ts } : {}), event: { category: e.category }, x: e.x, ...(e.seq === undefined ? {} : { seq: e.seq }) },
        source: { file: 'a.ndjson', line: i + 1 },
      }));
      const query = `process where x > 3${pipes.map((p) => ` | ${p.kind} ${p.count}`).join('')}`;
      const statement = statementOf(query);
      const options = { tiebreakerField: 'seq', size, resultPosition: tail ? ('tail' as const) : ('head' as const) };
      const bounded = replay(statement, records, options);
      // Without relevantOnly the session keeps and sorts every event, then slices the matches.
      const everything = new ReplaySession(statement, records, options).finish();
      assert.deepEqual(lines(bounded.matches), lines(everything.matches), query);
    }),
    { numRuns: 300 },
  );
});

test('an event query under head N holds N events, whatever the number of matches', () => {
  const statement = statementOf('process where true | head 3');
  const session = new ReplaySession(statement, [], { relevantOnly: true });
  for (let i = 0; i < 10_000; i++) session.add({ doc: { '@timestamp': 10_000 - i, event: { category: 'process' } }, source: { file: 'a.ndjson', line: i + 1 } });
  // Timestamps descend: the first three in time order are the last three lines.
  assert.deepEqual(session.events.map((e) => e.record.source.line), [10_000, 9_999, 9_998]);
  assert.deepEqual(lines(session.finish().matches), [[10_000], [9_999], [9_998]]);
});
