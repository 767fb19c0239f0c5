/**
 * Sequences of many expanded stages (`with runs=N` on several stages): the matches and the pending
 * sequences are those of Elasticsearch's matcher, whatever the rule's size. Expected values are
 * hand-worked: with a filter every event passes, each event of a key extends the newest pending
 * sequence of every stage (`OrdinalGroup.trimBefore` keeps only the newest per stage), so the
 * pending sequence at stage s is the last s+1 events of the key and a key completes one sequence,
 * its last 100 events, per event from its 100th on (a sliding window).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../../server/src/eql/analyze';
import { replay, ReplaySession } from '../../../../server/src/engine/replay';
import type { EventRecord } from '../../../../server/src/engine/types';

// 10 stages × runs=10: 100 expanded stages.
const RULE = `sequence by host ${Array.from({ length: 10 }, () => '[any where true] with runs=10').join(' ')}`;

function statement() {
  const { statement, diagnostics } = analyze(RULE);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return statement!;
}

/** 300 events, line i at @timestamp i, alternately on host x (odd lines) and y (even lines). */
function events(): EventRecord[] {
  return Array.from({ length: 300 }, (_, i) => ({
    doc: { '@timestamp': i + 1, host: (i + 1) % 2 === 1 ? 'x' : 'y' },
    source: { file: 'logs.ndjson', line: i + 1 },
  }));
}

test('100 expanded stages over 300 events: every window of 100 events of one host, ordered by last event', () => {
  const out = replay(statement(), events()).matches;
  // Each host has 150 events: 51 windows each; the first ends on the 100th event of x (line 199).
  const expected: number[][] = [];
  for (let last = 199; last <= 300; last++) expected.push(Array.from({ length: 100 }, (_, k) => last - 198 + 2 * k));
  assert.equal(out.length, 102);
  assert.deepEqual(
    out.map((m) => m.events.map((e) => e.event!.source.line)),
    expected,
  );
  assert.deepEqual(out[0].joinKeys, ['x']);
  assert.deepEqual(out[1].joinKeys, ['y']);
  // Expanded stage i is a run of query stage floor(i / 10).
  assert.deepEqual(
    out[0].events.map((e) => e.stage),
    Array.from({ length: 100 }, (_, i) => Math.floor(i / 10)),
  );
});

test('the pending sequence at stage s holds the last s+1 events of its key; a restored state replays the same', () => {
  const session = new ReplaySession(statement(), events());
  for (let i = 0; i < 7; i++) session.step();
  const saved = session.saveState();
  const pendingOf = () => {
    const snap = session.snapshot();
    assert.equal(snap.kind, 'sequence');
    if (snap.kind !== 'sequence') return [];
    const x = snap.keys.find((k) => k.joinKeys[0] === 'x')!;
    return x.pending.map((p) => [p.stage, p.events.filter((e) => e !== undefined).map((e) => e!.record.source.line)]);
  };
  // Lines 1, 3, 5, 7 are host x's first four events.
  const after7 = [
    [0, [7]],
    [1, [5, 7]],
    [2, [3, 5, 7]],
    [3, [1, 3, 5, 7]],
  ];
  assert.deepEqual(pendingOf(), after7);
  while (session.step());
  const first = session.finish().matches.map((m) => m.events.map((e) => e.event!.source.line));
  assert.equal(first.length, 102);
  session.restoreState(saved);
  assert.deepEqual(pendingOf(), after7);
  while (session.step());
  assert.deepEqual(
    session.finish().matches.map((m) => m.events.map((e) => e.event!.source.line)),
    first,
  );
});
