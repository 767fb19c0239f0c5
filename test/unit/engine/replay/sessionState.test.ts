/**
 * `ReplaySession.saveState` / `restoreState` (a debugger's step back): after restoring the state
 * saved before event N, stepping on gives exactly what the first pass gave. Expected matches: the
 * ones worked out by hand in `samples/expected/` (sequence rule over `samples/logs`) and in the
 * hand-built streams below (Elasticsearch's sequence semantics, see `sequence.test.ts`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../../server/src/eql/analyze';
import { ReplaySession, type ReplaySessionState } from '../../../../server/src/engine/replay';
import { SequenceMatcher } from '../../../../server/src/engine/sequence';
import { SampleMatcher } from '../../../../server/src/engine/sample';
import type { EventRecord } from '../../../../server/src/engine/types';
import { parseNdjsonText } from '../../../../server/src/samples/ndjson';
import { compileJoinKeys } from '../../../../server/src/engine/joinKeys';
import { ev, field, ids, stage } from './helpers';

const root = join(__dirname, '../../../..');
const LOGS = [
  'samples/logs/endpoint/win-dc01.ndjson',
  'samples/logs/endpoint/wks-07.jsonl',
  'samples/logs/linux/web01.ndjson',
  'samples/logs/winlogbeat/sysmon-srv-app02.ndjson',
];

function sampleEvents(): EventRecord[] {
  return LOGS.flatMap((file) => parseNdjsonText(readFileSync(join(root, file), 'utf8'), file).events);
}

function statementOf(query: string) {
  const { statement, diagnostics } = analyze(query);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return statement!;
}

const where = (m: { events: Array<{ event?: EventRecord }> }) => m.events.map((e) => `${e.event!.source.file}:${e.event!.source.line}`);

test('sample rule: restoring the state saved before each event and finishing gives the expected matches every time', () => {
  const rule = readFileSync(join(root, 'samples/rules/incoming_execution_via_powershell_remoting.eql'), 'utf8');
  const expected = JSON.parse(readFileSync(join(root, 'samples/expected/incoming_execution_via_powershell_remoting.json'), 'utf8')) as {
    matches: Array<{ events: Array<{ file: string; line: number }> }>;
  };
  const expectedWhere = expected.matches.map((m) => m.events.map((e) => `${e.file}:${e.line}`));
  const session = new ReplaySession(statementOf(rule), sampleEvents());
  assert.equal(session.events.length, 36);
  const saved: ReplaySessionState[] = [];
  const snapshots: string[] = [];
  for (;;) {
    saved.push(session.saveState());
    snapshots.push(JSON.stringify(session.snapshot()));
    if (session.step() === undefined) break;
  }
  assert.deepEqual(session.finish().matches.map(where), expectedWhere);
  // Back to every position, in reverse (as Step Back does), then forward again.
  for (let n = saved.length - 1; n >= 0; n--) {
    session.restoreState(saved[n]);
    assert.equal(session.fed, n);
    assert.equal(JSON.stringify(session.snapshot()), snapshots[n], `state before event ${n + 1}`);
  }
  session.restoreState(saved[5]);
  assert.deepEqual(session.finish().matches.map(where), expectedWhere);
  session.restoreState(saved[0]);
  assert.deepEqual(session.finish().matches.map(where), expectedWhere);
});

test('sample rule: state restored between the two events of match 1 still completes it (win-dc01.ndjson:4 then :6)', () => {
  const rule = readFileSync(join(root, 'samples/rules/incoming_execution_via_powershell_remoting.eql'), 'utf8');
  const session = new ReplaySession(statementOf(rule), sampleEvents());
  let afterLine4: ReplaySessionState | undefined;
  for (let e = session.step(); e; e = session.step()) {
    if (e.record.source.file.endsWith('win-dc01.ndjson') && e.record.source.line === 4) afterLine4 = session.saveState();
  }
  session.restoreState(afterLine4!);
  const snap = session.snapshot();
  assert.equal(snap.kind, 'sequence');
  if (snap.kind !== 'sequence') return;
  const pending = snap.keys.find((k) => k.joinKeys[0] === 'a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60')!.pending;
  assert.deepEqual(pending.map((p) => [p.stage, p.events[0]!.record.source.line]), [[0, 4]]);
  // maxspan 30 s from 2024-05-14T09:14:02.113Z.
  assert.equal(pending[0].expiresAt, Date.parse('2024-05-14T09:14:32.113Z'));
  assert.equal(snap.completed, 0);
});

test('sequence matcher: a restored state replays `until` cancellation and replacement the same way', () => {
  const seq = {
    stages: [stage('A', ['h']), stage('B', ['h'])],
    until: { matches: (d: Record<string, unknown>) => d.type === 'U', keys: compileJoinKeys([field('h')], undefined, 'sequence') },
  };
  const stream = [
    ev(1, 1, { type: 'A', h: 'x' }),
    ev(2, 2, { type: 'U', h: 'x' }),
    ev(3, 3, { type: 'B', h: 'x' }),
    ev(4, 4, { type: 'A', h: 'x' }),
    ev(5, 5, { type: 'B', h: 'x' }),
  ];
  const m = new SequenceMatcher(seq);
  m.push(stream[0]);
  const afterA = m.saveState();
  for (const e of stream.slice(1)) m.push(e);
  // A1 is cancelled by U2 before B3 (docs "EQL syntax reference", `until`); A4 → B5 completes.
  assert.equal(m.snapshot().stats.rejectedUntil, 1);
  m.restoreState(afterA);
  assert.equal(m.snapshot().stats.rejectedUntil, 0);
  assert.equal(m.snapshot().keys[0].pending.length, 1);
  for (const e of stream.slice(1)) m.push(e);
  assert.deepEqual(ids(m.finish()), [[4, 5]]);
});

test('sample matcher: a restored state keeps only the events kept before it (first matching events per key and stage)', () => {
  const stages = [
    { matches: (d: Record<string, unknown>) => d.type === 'A', keys: compileJoinKeys([field('h')], undefined, 'sample') },
    { matches: (d: Record<string, unknown>) => d.type === 'B', keys: compileJoinKeys([field('h')], undefined, 'sample') },
  ];
  const m = new SampleMatcher(stages);
  m.push(ev(1, 0, { type: 'A', h: 'x' }));
  const saved = m.saveState();
  m.push(ev(2, 0, { type: 'B', h: 'x' }));
  assert.equal(m.finish().length, 1);
  m.restoreState(saved);
  assert.equal(m.finish().length, 0);
  m.push(ev(3, 0, { type: 'B', h: 'x' }));
  assert.deepEqual(m.finish().map((s) => s.events.map((e) => e.record.doc.id)), [[1, 3]]);
});

test('the warning of an event skipped over a limit of the engine is given once, even when a restored state feeds it again', () => {
  // 1001 values in each of three fields: 1001³ combinations, over the engine's limit of a million.
  const many = Array.from({ length: 1001 }, (_, i) => `v${i}`);
  const events = [{ a: 'x', b: 'x', c: 'x' }, { a: many, b: many, c: many }, { a: 'y', b: 'y', c: 'y' }].map(
    (fields, i): EventRecord => ({ doc: { '@timestamp': (i + 1) * 1000, event: { category: 'process' }, ...fields }, source: { file: 'a.ndjson', line: i + 1 } }),
  );
  const session = new ReplaySession(statementOf('sequence [process where concat(a, b, c) == "xxx"] [process where concat(a, b, c) == "yyy"]'), events);
  session.step();
  const before = session.saveState();
  session.step();
  assert.equal(session.warnings.length, 1);
  session.restoreState(before);
  assert.deepEqual(session.warnings, []);
  const result = session.finish();
  assert.deepEqual(result.matches.map(where), [['a.ndjson:1', 'a.ndjson:3']]);
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0], /^a\.ndjson:2: warning: 1003003001 combinations of multi-valued field values/);
});
