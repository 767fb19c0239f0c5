/**
 * Hand-worked cases for the sequence state machine. Each cites the Elasticsearch source or
 * documentation the expected value comes from (paths under
 * x-pack/plugin/eql/src/main/java/org/elasticsearch/xpack/eql/execution/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceMatcher, type CompiledSequence, type OrderedEvent } from '../../../../server/src/engine/sequence';
import { compileJoinKeys } from '../../../../server/src/engine/joinKeys';
import { ev, field, ids, stage } from './helpers';

function run(seq: CompiledSequence, events: OrderedEvent[]) {
  const m = new SequenceMatcher(seq);
  for (const e of events) m.push(e);
  return m.finish();
}

test('two stages joined by key: only events with the same key pair up (docs "EQL syntax reference", Sequences, "by")', () => {
  const seq = { stages: [stage('A', ['host']), stage('B', ['host'])] };
  const out = run(seq, [ev(1, 1, { type: 'A', host: 'x' }), ev(2, 2, { type: 'B', host: 'y' }), ev(3, 3, { type: 'B', host: 'x' })]);
  assert.deepEqual(ids(out), [[1, 3]]);
  assert.deepEqual(out[0].key, ['x']);
});

test('a newer stage-0 event replaces the pending sequence of the same key (sequence/OrdinalGroup.trimBefore drops older ones)', () => {
  const seq = { stages: [stage('A', ['host']), stage('B', ['host'])] };
  const out = run(seq, [ev(1, 1, { type: 'A', host: 'x' }), ev(2, 2, { type: 'A', host: 'x' }), ev(3, 3, { type: 'B', host: 'x' }), ev(4, 4, { type: 'B', host: 'x' })]);
  // A1 is superseded by A2; B3 consumes A2; B4 finds nothing pending.
  assert.deepEqual(ids(out), [[2, 3]]);
});

test('an event never fills two consecutive stages of one sequence (SequenceMatcher.match uses sequences strictly before the hit)', () => {
  const seq = { stages: [stage('A'), stage('A')] };
  const out = run(seq, [ev(1, 1, { type: 'A' }), ev(2, 2, { type: 'A' }), ev(3, 3, { type: 'A' })]);
  assert.deepEqual(ids(out), [
    [1, 2],
    [2, 3],
  ]);
});

test('maxspan is inclusive: a span equal to maxspan matches, one millisecond more does not (SequenceMatcher.exceedsMaxSpan: to - from > maxspan)', () => {
  const seq = { stages: [stage('A'), stage('B')], maxspanMillis: 10 };
  assert.deepEqual(ids(run(seq, [ev(1, 0, { type: 'A' }), ev(2, 10, { type: 'B' })])), [[1, 2]]);
  assert.deepEqual(ids(run(seq, [ev(1, 0, { type: 'A' }), ev(2, 11, { type: 'B' })])), []);
});

test('maxspan runs from the first event, not from the previous one (SequenceMatcher.match: sequence.startOrdinal())', () => {
  const seq = { stages: [stage('A'), stage('B'), stage('C')], maxspanMillis: 10 };
  const out = run(seq, [ev(1, 0, { type: 'A' }), ev(2, 8, { type: 'B' }), ev(3, 15, { type: 'C' })]);
  assert.deepEqual(ids(out), []);
  const m = new SequenceMatcher(seq);
  for (const e of [ev(1, 0, { type: 'A' }), ev(2, 8, { type: 'B' }), ev(3, 15, { type: 'C' })]) m.push(e);
  assert.equal(m.snapshot().stats.rejectedMaxspan, 1);
});

test('until between two matched events cancels the pending sequence (SequenceMatcher.match, UntilGroup, Ordinal.between)', () => {
  const until = { matches: (d: Record<string, unknown>) => d.type === 'U', keys: compileJoinKeys([field('host')], undefined, 'sequence') };
  const seq = { stages: [stage('A', ['host']), stage('B', ['host'])], until };
  assert.deepEqual(ids(run(seq, [ev(1, 1, { type: 'A', host: 'x' }), ev(2, 2, { type: 'U', host: 'x' }), ev(3, 3, { type: 'B', host: 'x' })])), []);
  // An until event of another key does not cancel.
  assert.deepEqual(ids(run(seq, [ev(1, 1, { type: 'A', host: 'x' }), ev(2, 2, { type: 'U', host: 'y' }), ev(3, 3, { type: 'B', host: 'x' })])), [[1, 3]]);
  // After completion, until has nothing left to cancel.
  assert.deepEqual(ids(run(seq, [ev(1, 1, { type: 'A', host: 'x' }), ev(2, 2, { type: 'B', host: 'x' }), ev(3, 3, { type: 'U', host: 'x' })])), [[1, 2]]);
});

test('by over an array expands to every value; duplicates and nulls are dropped (test_extra.toml sequenceWithMultivalue_Duplicates / _NullValues)', () => {
  const seq = { stages: [stage('A', ['tags']), stage('B', ['tags'])] };
  const out = run(seq, [ev(1, 1, { type: 'A', tags: ['t1', 't1', null, 't2'] }), ev(2, 2, { type: 'B', tags: ['t2', 't1', 't2'] })]);
  assert.deepEqual(ids(out), [
    [1, 2],
    [1, 2],
  ]);
  assert.deepEqual(out.map((s) => s.key), [['t1'], ['t2']]);
});

test('a missing non-optional key excludes the event; a missing optional key joins as null (test_extra.toml sequenceOneKeyOptional_2)', () => {
  const plain = { stages: [stage('A', ['pid']), stage('B', ['pid'])] };
  assert.deepEqual(ids(run(plain, [ev(1, 1, { type: 'A' }), ev(2, 2, { type: 'B' })])), []);
  const optionalKeys = compileJoinKeys([field('pid', true)], undefined, 'sequence');
  const optional = {
    stages: [
      { queryStage: 0, missing: false, matches: (d: Record<string, unknown>) => d.type === 'A', keys: optionalKeys },
      { queryStage: 1, missing: false, matches: (d: Record<string, unknown>) => d.type === 'B', keys: optionalKeys },
    ],
  };
  const out = run(optional, [ev(1, 1, { type: 'A' }), ev(2, 2, { type: 'B' })]);
  assert.deepEqual(ids(out), [[1, 2]]);
  assert.deepEqual(out[0].key, [null]);
});

test('a middle missing event between the neighbouring matches discards the candidate (TumblingWindow.doCheckMissingEvents)', () => {
  const seq = { stages: [stage('A'), stage('M', [], { missing: true }), stage('B')], maxspanMillis: 1000 };
  const missing = [false, true, false];
  assert.deepEqual(ids(run(seq, [ev(1, 1, { type: 'A' }), ev(2, 2, { type: 'M' }), ev(3, 3, { type: 'B' })]), missing), []);
  assert.deepEqual(ids(run(seq, [ev(1, 1, { type: 'A' }), ev(3, 3, { type: 'B' }), ev(4, 4, { type: 'M' })]), missing), [[1, -1, 3]]);
});

test('leading and trailing missing events discard only when both fit maxspan together (test_missing_events.toml leadingAndTrailingExcluded1/2)', () => {
  const events = () => [ev(1, 0, { type: 'M' }), ev(2, 10, { type: 'A' }), ev(3, 20, { type: 'M' })];
  const stages = [stage('M', [], { missing: true }), stage('A'), stage('M', [], { missing: true })];
  // Nearest leading M at 0 and trailing M at 20: span 20.
  assert.deepEqual(ids(run({ stages, maxspanMillis: 19 }, events()), [true, false, true]), [[-1, 2, -1]]);
  assert.deepEqual(ids(run({ stages, maxspanMillis: 21 }, events()), [true, false, true]), []);
});

test('runs=2 is two consecutive copies of the stage (docs "EQL syntax reference", "with runs")', () => {
  const seq = { stages: [stage('A', [], { queryStage: 0 }), stage('A', [], { queryStage: 0 }), stage('B', [], { queryStage: 1 })] };
  assert.deepEqual(ids(run(seq, [ev(1, 1, { type: 'A' }), ev(2, 2, { type: 'A' }), ev(3, 3, { type: 'B' })])), [[1, 2, 3]]);
});

test('completed sequences come out ordered by their last event (sequence/Sequence.compareTo on the current ordinal)', () => {
  const seq = { stages: [stage('A', ['k']), stage('B', ['k'])] };
  const out = run(seq, [
    ev(1, 1, { type: 'A', k: 1 }),
    ev(2, 2, { type: 'A', k: 2 }),
    ev(3, 3, { type: 'B', k: 2 }),
    ev(4, 4, { type: 'B', k: 1 }),
  ]);
  assert.deepEqual(ids(out), [
    [2, 3],
    [1, 4],
  ]);
});

test('snapshot shows the pending sequence per join key between events', () => {
  const m = new SequenceMatcher({ stages: [stage('A', ['host']), stage('B', ['host']), stage('C', ['host'])] });
  m.push(ev(1, 1, { type: 'A', host: 'x' }));
  m.push(ev(2, 2, { type: 'B', host: 'x' }));
  m.push(ev(3, 3, { type: 'A', host: 'y' }));
  const snap = m.snapshot();
  const byKey = Object.fromEntries(snap.keys.map((k) => [String(k.joinKeys[0]), k.pending.map((p) => p.stage)]));
  assert.deepEqual(byKey, { x: [1], y: [0] });
});

test('events pushed out of order are refused with a clear error', () => {
  const m = new SequenceMatcher({ stages: [stage('A'), stage('B')] });
  m.push(ev(2, 5));
  assert.throws(() => m.push(ev(1, 1)), /timestamp order/);
});

test('an event that fills a stage and matches until cancels that sequence at its next step (Ordinal.between includes the bounds)', () => {
  const until = { matches: (d: Record<string, unknown>) => d.u === true, keys: compileJoinKeys([], undefined, 'sequence') };
  const seq = { stages: [stage('A'), stage('B')], until };
  // Event 1 is both the first stage and an until event: the pending sequence cannot advance.
  assert.deepEqual(ids(run(seq, [ev(1, 1, { type: 'A', u: true }), ev(2, 2, { type: 'B' })])), []);
  // Event 2 is both the last stage and an until event: the until is not before it, so it completes.
  assert.deepEqual(ids(run(seq, [ev(1, 1, { type: 'A' }), ev(2, 2, { type: 'B', u: true })])), [[1, 2]]);
});

test('one event completing sequences of several keys yields them in key order (test_extra.toml sequenceWithMultivalue_ManyToMany)', () => {
  const seq = { stages: [stage('A', ['tags']), stage('B', ['tags'])] };
  const out = run(seq, [
    ev(1, 1, { type: 'A', tags: ['tag1', 'tag2'] }),
    ev(4, 10, { type: 'A', tags: ['tag3', 'tag4'] }),
    ev(23, 12, { type: 'B', tags: ['tag1', 'tag3', 'tag4'] }),
  ]);
  assert.deepEqual(ids(out), [
    [1, 23],
    [4, 23],
    [4, 23],
  ]);
  assert.deepEqual(out.map((s) => s.key[0]), ['tag1', 'tag3', 'tag4']);
});

test('snapshot tells why a pending sequence cannot complete: expired maxspan or a later until (SequenceMatcher.match checks)', () => {
  const until = { matches: (d: Record<string, unknown>) => d.type === 'U', keys: compileJoinKeys([field('host')], undefined, 'sequence') };
  const m = new SequenceMatcher({ stages: [stage('A', ['host']), stage('B', ['host'])], until, maxspanMillis: 10 });
  m.push(ev(1, 0, { type: 'A', host: 'x' }));
  m.push(ev(2, 1, { type: 'A', host: 'y' }));
  m.push(ev(3, 2, { type: 'U', host: 'y' }));
  m.push(ev(4, 20, { type: 'C' }));
  const snap = m.snapshot();
  const x = snap.keys.find((k) => k.joinKeys[0] === 'x')!.pending[0];
  const y = snap.keys.find((k) => k.joinKeys[0] === 'y')!.pending[0];
  assert.equal(x.expiresAt, 10);
  assert.ok(snap.lastTimestamp! > x.expiresAt!);
  assert.equal(x.cancelledByUntil, false);
  assert.equal(y.cancelledByUntil, true);
});
