/**
 * Samples (execution/sample/SampleIterator.java, execution/assembler/SampleQueryRequest.java;
 * docs "EQL syntax reference", Samples).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleMatcher } from '../../../../server/src/engine/sample';
import { compileJoinKeys } from '../../../../server/src/engine/joinKeys';
import { ev, field } from './helpers';

const st = (type: string, keys: string[]) => ({
  matches: (d: Record<string, unknown>) => d.type === type,
  keys: compileJoinKeys(keys.map((k) => field(k)), undefined, 'sample'),
});

test('one distinct event per stage sharing the key; keys returned in ascending order', () => {
  const m = new SampleMatcher([st('A', ['host']), st('B', ['host'])]);
  [ev(1, 0, { type: 'B', host: 'zeta' }), ev(2, 0, { type: 'A', host: 'zeta' }), ev(3, 0, { type: 'A', host: 'alpha' }), ev(4, 0, { type: 'B', host: 'alpha' }), ev(5, 0, { type: 'A', host: 'solo' })].forEach((e) => m.push(e));
  const out = m.finish();
  assert.deepEqual(out.map((s) => s.key), [['alpha'], ['zeta']]);
  // Events are in stage order, regardless of time or input order.
  assert.deepEqual(out.map((s) => s.events.map((e) => e.record.doc.id)), [[3, 4], [2, 1]]);
});

test('an event matching two stages is not used twice in one sample (SampleIterator.matchSamples)', () => {
  const m = new SampleMatcher([{ matches: () => true, keys: compileJoinKeys([field('k')], undefined, 'sample') }, { matches: () => true, keys: compileJoinKeys([field('k')], undefined, 'sample') }]);
  m.push(ev(1, 0, { k: 'x' }));
  assert.deepEqual(m.finish(), []);
  m.push(ev(2, 0, { k: 'x' }));
  assert.deepEqual(m.finish().map((s) => s.events.map((e) => e.record.doc.id)), [[1, 2]]);
});

test('max_samples_per_key: up to N samples per key from the first stages+N-1 events of each stage', () => {
  const make = (n: number) => {
    const m = new SampleMatcher([st('A', ['k']), st('B', ['k'])], n);
    [ev(1, 0, { type: 'A', k: 1 }), ev(2, 0, { type: 'A', k: 1 }), ev(3, 0, { type: 'B', k: 1 }), ev(4, 0, { type: 'B', k: 1 })].forEach((e) => m.push(e));
    return m.finish().map((s) => s.events.map((e) => e.record.doc.id));
  };
  assert.deepEqual(make(1), [[1, 3]]);
  // Backtracking order: first A with each B, then the next A.
  assert.deepEqual(make(2), [[1, 3], [1, 4]]);
  assert.deepEqual(make(3), [[1, 3], [1, 4], [2, 3]]);
});
