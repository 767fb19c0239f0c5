/**
 * End-to-end replays through `analyze` + `replay`: the first rule (PowerShell Remoting:
 * incoming WinRM connection then a process started by wsmprovhost.exe on the same host within 30s),
 * ordering of input, `runs`, `until`, missing events and pipes on real statements.
 * Expected values are hand-worked from the docs "EQL syntax reference" (sequences, maxspan, runs,
 * until, missing events) and "EQL pipe reference".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../../server/src/eql/analyze';
import { replay, ReplaySession } from '../../../../server/src/engine/replay';
import type { EventRecord, Match } from '../../../../server/src/engine/types';

function statementOf(query: string) {
  const { statement, diagnostics } = analyze(query);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 0, errors.map((d) => d.message).join('; '));
  return statement!;
}

let line = 0;
function rec(doc: Record<string, unknown>): EventRecord {
  return { doc, source: { file: 'logs.ndjson', line: ++line } };
}
const lines = (m: Match[]) => m.map((x) => x.events.map((e) => (e.missing ? -1 : e.event!.source.line)));

const RULE = `sequence by host.id with maxspan = 30s
   [network where host.os.type == "windows" and network.direction : ("incoming", "ingress") and destination.port in (5985, 5986) and network.protocol == "http" and source.ip != "127.0.0.1" and source.ip != "::1"]
   [process where host.os.type == "windows" and event.type == "start" and process.parent.name : "wsmprovhost.exe" and not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"]`;

function network(host: string, ts: unknown, extra: Record<string, unknown> = {}) {
  return rec({
    '@timestamp': ts,
    event: { category: 'network' },
    host: { id: host, os: { type: 'windows' } },
    network: { direction: 'ingress', protocol: 'http' },
    destination: { port: 5985 },
    source: { ip: '10.0.0.5' },
    ...extra,
  });
}
function proc(host: string, ts: unknown, executable = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe') {
  return rec({
    '@timestamp': ts,
    event: { category: 'process', type: 'start' },
    host: { id: host, os: { type: 'windows' } },
    process: { parent: { name: 'wsmprovhost.exe' }, executable },
  });
}

test('issue rule: matches an incoming WinRM connection followed by a wsmprovhost child on the same host within 30s', () => {
  line = 0;
  const events = [
    network('h1', '2024-01-01T10:00:00.000Z'), // 1
    proc('h2', '2024-01-01T10:00:05.000Z'), // 2: other host
    proc('h1', '2024-01-01T10:00:20.000Z', 'C:\\Windows\\System32\\conhost.exe'), // 3: excluded by the rule
    proc('h1', '2024-01-01T10:00:30.000Z'), // 4: exactly 30s later, maxspan is inclusive
  ];
  const out = replay(statementOf(RULE), events).matches;
  assert.deepEqual(lines(out), [[1, 4]]);
  assert.deepEqual(out[0].joinKeys, ['h1']);
  assert.equal(out[0].type, 'sequence');
});

test('issue rule: a child 31s later is outside maxspan', () => {
  line = 0;
  const events = [network('h1', '2024-01-01T10:00:00.000Z'), proc('h1', '2024-01-01T10:00:31.000Z')];
  assert.deepEqual(lines(replay(statementOf(RULE), events).matches), []);
});

test('issue rule: ISO strings and epoch milliseconds order together; input order does not matter', () => {
  line = 0;
  const t0 = Date.UTC(2024, 0, 1, 10, 0, 0);
  const events = [proc('h1', t0 + 10_000), network('h1', '2024-01-01T10:00:00Z')];
  assert.deepEqual(lines(replay(statementOf(RULE), events).matches), [[2, 1]]);
});

test('equal timestamps keep input order (implicit tiebreaker)', () => {
  line = 0;
  const q = statementOf('sequence [any where n == 1] [any where n == 2]');
  const forward = [rec({ '@timestamp': 5, n: 1 }), rec({ '@timestamp': 5, n: 2 })];
  assert.deepEqual(lines(replay(q, forward).matches), [[1, 2]]);
  line = 0;
  const backward = [rec({ '@timestamp': 5, n: 2 }), rec({ '@timestamp': 5, n: 1 })];
  assert.deepEqual(lines(replay(q, backward).matches), []);
});

test('events without a timestamp are skipped with a warning', () => {
  line = 0;
  const result = replay(statementOf('any where true'), [rec({ n: 1 }), rec({ '@timestamp': 1, n: 2 })]);
  assert.deepEqual(lines(result.matches), [[2]]);
  // The replay drops events no filter passes before reading their timestamp; `any where true` passes both.
  assert.match(result.warnings[0], /^1 event\(s\) that pass a filter of the rule skipped: no readable "@timestamp" value/);
});

test('with runs=2 repeats a stage; the match lists each run (docs "EQL syntax reference", runs)', () => {
  line = 0;
  const q = statementOf('sequence [any where n == 1] with runs=2 [any where n == 2]');
  const events = [rec({ '@timestamp': 1, n: 1 }), rec({ '@timestamp': 2, n: 1 }), rec({ '@timestamp': 3, n: 2 })];
  const out = replay(q, events).matches;
  assert.deepEqual(lines(out), [[1, 2, 3]]);
  assert.deepEqual(out[0].events.map((e) => e.stage), [0, 0, 1]);
});

test('missing event stage appears as a placeholder (docs "EQL syntax reference", missing events)', () => {
  line = 0;
  const q = statementOf('sequence with maxspan=1h [any where n == 1] ![any where n == 9] [any where n == 2]');
  const out = replay(q, [rec({ '@timestamp': 1, n: 1 }), rec({ '@timestamp': 3, n: 2 })]).matches;
  assert.deepEqual(lines(out), [[1, -1, 2]]);
  assert.deepEqual(out[0].events[1], { stage: 1, missing: true });
});

test('head / tail pipes and size on an event query (docs "EQL pipe reference", "EQL search" size)', () => {
  line = 0;
  const events = [1, 2, 3, 4, 5].map((n) => rec({ '@timestamp': n, n }));
  assert.deepEqual(lines(replay(statementOf('any where true | tail 2'), events).matches), [[4], [5]]);
  assert.deepEqual(lines(replay(statementOf('any where true | head 2'), events).matches), [[1], [2]]);
  assert.deepEqual(lines(replay(statementOf('any where true'), events, { size: 2, resultPosition: 'tail' }).matches), [[4], [5]]);
});

test('a replay session steps one event at a time and shows the pending sequence per join key', () => {
  line = 0;
  const q = statementOf('sequence by host [any where n == 1] [any where n == 2]');
  const session = new ReplaySession(q, [rec({ '@timestamp': 2, host: 'a', n: 2 }), rec({ '@timestamp': 1, host: 'a', n: 1 })]);
  // Timestamp order: line 2 (n == 1) is fed first.
  assert.equal(session.step()?.record.source.line, 2);
  const snap = session.snapshot();
  assert.equal(snap.kind, 'sequence');
  if (snap.kind === 'sequence') {
    assert.deepEqual(snap.keys.map((k) => [k.joinKeys, k.pending.map((p) => p.stage)]), [[['a'], [0]]]);
  }
  assert.equal(session.step()?.record.source.line, 1);
  assert.equal(session.step(), undefined);
  assert.deepEqual(lines(session.finish().matches), [[2, 1]]);
});
