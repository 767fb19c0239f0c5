/**
 * `explainReplay`: what a rule misses and why.
 *
 * The first group replays the repository's sample rule over `samples/logs`; every expected reason,
 * line and duration is worked out by hand from the near-miss table of `samples/README.md` and the
 * sample files (timestamps read from the lines). The second group uses small hand-built streams
 * whose outcome follows from Elasticsearch's sequence semantics (docs "EQL syntax reference",
 * section "Sequences": `maxspan` inclusive, `until`; `OrdinalGroup.trimBefore`: one pending sequence
 * per stage and join key; `SequenceMatcher.match`: `to - from > maxspan` rejects).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../server/src/eql/analyze';
import { explainReplay, type Explanation, type KeyExplanation, type StageStats } from '../../../server/src/engine/explain';
import type { EventRecord } from '../../../server/src/engine/types';
import { readNdjsonFile } from '../../../server/src/samples/ndjson';

const root = join(__dirname, '../../..');
const LOGS = [
  'samples/logs/endpoint/win-dc01.ndjson',
  'samples/logs/endpoint/wks-07.jsonl',
  'samples/logs/linux/web01.ndjson',
  'samples/logs/winlogbeat/sysmon-srv-app02.ndjson',
];
const DC01 = 'a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60';
const WKS07 = '5e0b9d2a-8c47-4a1e-b3f6-2d7c9e1a4b80';
const APP02 = 'c7d8e9f0-1a2b-4c3d-9e4f-5a6b7c8d9e01';
const WEB01 = '0f4e8d2c-6b1a-4957-8c3d-2e1f0a9b8c7d';
const dc = 'samples/logs/endpoint/win-dc01.ndjson';
const wks = 'samples/logs/endpoint/wks-07.jsonl';
const sysmon = 'samples/logs/winlogbeat/sysmon-srv-app02.ndjson';
const web = 'samples/logs/linux/web01.ndjson';

type SequenceExplanation = Extract<Explanation, { kind: 'sequence' }>;

function statementOf(query: string) {
  const { statement, diagnostics } = analyze(query);
  assert.ok(statement, 'query parses');
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return statement;
}

async function sampleExplanation(): Promise<SequenceExplanation> {
  const rule = readFileSync(join(root, 'samples/rules/incoming_execution_via_powershell_remoting.eql'), 'utf8');
  const events: EventRecord[] = [];
  for (const file of LOGS) {
    const read = await readNdjsonFile(join(root, file), () => assert.fail('sample logs are well-formed'));
    for (const e of read.events) events.push({ doc: e.doc, source: { file, line: e.source.line } });
  }
  const e = explainReplay(statementOf(rule), events, { maxNearMisses: 100, maxSequenceNearMisses: 100 });
  assert.equal(e.kind, 'sequence');
  return e as SequenceExplanation;
}

const at = (file: string, line: number) => ({ file, line });
const loc = (r: { file: string; line: number }) => ({ file: r.file, line: r.line });
const keyOf = (e: SequenceExplanation, id: string): KeyExplanation => {
  const k = e.keys.find((x) => x.joinKeys[0] === id);
  assert.ok(k, `key ${id} explained`);
  return k;
};
/** The printed terms a stage near miss failed. */
const failedTerms = (s: StageStats, file: string, line: number): string[] => {
  const m = s.nearMisses.find((x) => x.event.file === file && x.event.line === line);
  assert.ok(m, `${file}:${line} listed as a near miss of stage ${s.stage}`);
  return m.failedTerms.map((i) => s.terms[i].term);
};

test('sample rule over samples/logs: stage counts (network and process events counted in the files)', async () => {
  const e = await sampleExplanation();
  assert.equal(e.events, 36); // 16 + 12 + 3 + 5 lines
  assert.equal(e.matches, 2); // samples/README.md "Expected matches"
  assert.equal(e.completed, 2);
  assert.equal(e.maxspanMillis, 30_000);
  // 7 + 5 + 1 + 2 lines with category network; passing: win-dc01 4, 10, 12, 15 and wks-07 7, 11
  // (incoming 5985/5986 http from a non-loopback address on Windows).
  assert.deepEqual([e.stages[0].passedCategory, e.stages[0].passed], [15, 6]);
  // 8 + 6 + 1 + 2 process lines; passing (start, parent wsmprovhost.exe, not conhost): win-dc01 6, 9,
  // 14; wks-07 3, 5, 9, 10, 12; sysmon 3.
  assert.deepEqual([e.stages[1].passedCategory, e.stages[1].passed], [17, 9]);
});

test('sample rule: first-stage near misses name the failing term (README: loopback, outgoing, no protocol, port, Linux)', async () => {
  const [s0] = (await sampleExplanation()).stages;
  assert.deepEqual(failedTerms(s0, dc, 8), ['source.ip != "127.0.0.1"']);
  assert.deepEqual(failedTerms(s0, wks, 2), ['source.ip != "::1"']);
  assert.deepEqual(failedTerms(s0, wks, 4), ['network.direction : ("incoming", "ingress")']);
  assert.deepEqual(failedTerms(s0, sysmon, 2), ['network.protocol == "http"']);
  // Sysmon event 3 to 3389: the port, and Winlogbeat sets no protocol either.
  assert.deepEqual(failedTerms(s0, sysmon, 4), ['destination.port in (5985, 5986)', 'network.protocol == "http"']);
  assert.deepEqual(failedTerms(s0, web, 3), ['host.os.type == "windows"', 'destination.port in (5985, 5986)']);
  // network.protocol is missing from both Sysmon network events (README: Winlogbeat does not set it).
  const protocol = s0.terms.find((t) => t.term === 'network.protocol == "http"')!;
  assert.deepEqual(protocol.fields, [{ field: 'network.protocol', missingWhenFailed: 2 }]);
});

test('sample rule: second-stage near misses (README: parent svchost.exe, whoami ends, conhost child)', async () => {
  const [, s1] = (await sampleExplanation()).stages;
  assert.deepEqual(failedTerms(s1, dc, 5), ['process.parent.name : "wsmprovhost.exe"']);
  assert.deepEqual(failedTerms(s1, dc, 7), ['event.type == "start"']);
  assert.deepEqual(failedTerms(s1, dc, 11), ['not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"']);
});

test('sample rule, WIN-DC01: conhost child, 31 s later, different host; loopback start', async () => {
  const k = keyOf(await sampleExplanation(), DC01);
  assert.equal(k.completed, 1); // lines 4 + 6
  assert.deepEqual(
    k.partials.map((p) => p.events.map((x) => x && loc(x))),
    [[at(dc, 10)], [at(dc, 12)], [at(dc, 15)]],
  );
  const [conhost, late, otherHost] = k.partials;
  // Line 10 (09:30:00.000): its only child, line 11 at +0.8 s, is conhost.exe; nothing else within
  // 30 s; line 12 (09:40) later takes its place.
  assert.equal(conhost.reached, 0);
  assert.equal(conhost.end.reason, 'expired');
  assert.deepEqual(conhost.end.reason === 'expired' && conhost.end.replacedBy && loc(conhost.end.replacedBy), at(dc, 12));
  assert.deepEqual(
    conhost.sameKeyFailed.map((m) => [loc(m.event), m.afterMillis, m.failedTerms]),
    [[at(dc, 11), 800, ['not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"']]],
  );
  // Line 12 (09:40:00) and ipconfig.exe at line 14 (09:40:31): 31 s > maxspan 30 s.
  assert.equal(late.end.reason, 'expired');
  assert.ok(late.end.reason === 'expired');
  assert.deepEqual(late.end.at && loc(late.end.at), at(dc, 14));
  assert.equal(late.end.elapsedMillis, 31_000);
  // Line 15 (11:00:00): no WIN-DC01 child; systeminfo.exe of WKS-07 (wks-07.jsonl:12, 11:00:03) is the
  // different-host near miss.
  assert.equal(otherHost.end.reason, 'expired');
  assert.ok(otherHost.end.reason === 'expired' && otherHost.end.at === undefined);
  assert.deepEqual(
    otherHost.otherKeys.map((m) => [loc(m.event), m.afterMillis, m.joinKeys]),
    [[at(wks, 12), 3000, [[WKS07]]]],
  );
  // hostname.exe (line 9) passed stage 2 but line 8 (1.5 s before, from 127.0.0.1) started nothing.
  assert.deepEqual(
    k.unmatched.map((u) => [u.stage, loc(u.event), u.previous && [loc(u.previous.event), u.previous.passed, u.previous.failedTerms, u.previous.beforeMillis]]),
    [[1, at(dc, 9), [at(dc, 8), false, ['source.ip != "127.0.0.1"'], 1500]]],
  );
});

test('sample rule, WKS-07: ::1, outgoing connection, process before the network event', async () => {
  const k = keyOf(await sampleExplanation(), WKS07);
  assert.equal(k.completed, 1); // lines 7 + 9
  // Line 11 (10:20:05) waits; the next WKS-07 child is systeminfo.exe at line 12, 11:00:03 = 2398 s later.
  assert.equal(k.partials.length, 1);
  const [p] = k.partials;
  assert.deepEqual(p.events.map((x) => x && loc(x)), [at(wks, 11)]);
  assert.ok(p.end.reason === 'expired' && p.end.at);
  assert.deepEqual(loc(p.end.at), at(wks, 12));
  assert.equal(p.end.elapsedMillis, 1715684403000 - 1715682005000);
  assert.deepEqual(
    k.unmatched.map((u) => [loc(u.event), u.previous && [loc(u.previous.event), u.previous.failedTerms, u.previous.beforeMillis], u.laterPrevious && loc(u.laterPrevious)]),
    [
      // cmd.exe 2 s after the connection from ::1.
      [at(wks, 3), [at(wks, 2), ['source.ip != "::1"'], 2000], undefined],
      // whoami.exe 5 s after the outgoing connection.
      [at(wks, 5), [at(wks, 4), ['network.direction : ("incoming", "ingress")'], 5000], undefined],
      // net.exe at 10:20:00 comes before the incoming connection of 10:20:05 (line 11).
      [at(wks, 10), undefined, at(wks, 11)],
    ],
  );
});

test('sample rule, SRV-APP02 and web01: no protocol on the Sysmon network event; Linux host never joins', async () => {
  const e = await sampleExplanation();
  const k = keyOf(e, APP02);
  assert.deepEqual([k.completed, k.partials.length], [0, 0]);
  // 12:01:02.003 - 12:01:00.421 = 1.582 s.
  assert.deepEqual(
    k.unmatched.map((u) => [loc(u.event), u.previous && [loc(u.previous.event), u.previous.failedTerms, u.previous.beforeMillis]]),
    [[at(sysmon, 3), [at(sysmon, 2), ['network.protocol == "http"'], 1582]]],
  );
  assert.equal(e.keys.find((x) => x.joinKeys[0] === WEB01), undefined);
});

test('sample rule: partial sequences counted by reason; maxPerKey keeps the earliest and still counts all', async () => {
  const e = await sampleExplanation();
  // WIN-DC01 lines 10, 12, 15 and WKS-07 line 11 all expired (see the tests above); unmatched: win-dc01:9,
  // wks-07:3, 5, 10, sysmon:3.
  assert.deepEqual([e.ends, e.unmatchedCount], [{ expired: 4 }, 5]);
  assert.deepEqual([keyOf(e, DC01).ends, keyOf(e, DC01).unmatchedCount], [{ expired: 3 }, 1]);
  const rule = readFileSync(join(root, 'samples/rules/incoming_execution_via_powershell_remoting.eql'), 'utf8');
  const events: EventRecord[] = [];
  for (const file of LOGS) for (const ev of (await readNdjsonFile(join(root, file), () => {})).events) events.push(ev);
  const one = explainReplay(statementOf(rule), events, { maxPerKey: 1 }) as SequenceExplanation;
  const dc01 = keyOf(one, DC01);
  assert.deepEqual(dc01.partials.map((p) => p.events[0]?.line), [10]);
  assert.deepEqual(dc01.ends, { expired: 3 });
  const wks07 = keyOf(one, WKS07);
  assert.deepEqual([wks07.unmatched.map((u) => u.event.line), wks07.unmatchedCount], [[3], 3]);
});

// ---- hand-built streams --------------------------------------------------------------------

const SEQ = 'sequence by h with maxspan=10s [process where kind == "a"] [network where kind == "b"]';

/** Events at epoch `ms` with a category, join key `h` and `kind`; lines numbered from 1. */
function stream(...events: Array<[number, string, string, string]>): EventRecord[] {
  return events.map(([ms, category, h, kind], i) => ({
    doc: { '@timestamp': ms, event: { category }, h, kind },
    source: { file: 't.ndjson', line: i + 1 },
  }));
}
function explainSeq(query: string, events: EventRecord[]): SequenceExplanation {
  const e = explainReplay(statementOf(query), events);
  assert.equal(e.kind, 'sequence');
  return e as SequenceExplanation;
}

test('expired: the next-stage event came after maxspan (11 s > 10 s), and inclusive bound completes', () => {
  const e = explainSeq(SEQ, stream([0, 'process', 'x', 'a'], [11_000, 'network', 'x', 'b'], [20_000, 'process', 'y', 'a'], [30_000, 'network', 'y', 'b']));
  // y: 30 000 - 20 000 = 10 000 ms = maxspan: inclusive, completes.
  assert.equal(e.completed, 1);
  const x = keyOf(e, 'x');
  assert.equal(x.partials.length, 1);
  const end = x.partials[0].end;
  assert.ok(end.reason === 'expired' && end.at);
  assert.deepEqual([end.at.line, end.elapsedMillis, end.maxspanMillis], [2, 11_000, 10_000]);
  assert.deepEqual([keyOf(e, 'y').completed, keyOf(e, 'y').partials.length], [1, 0]);
});

test('expired with no later event of the key; no-next-event when the input ends within maxspan', () => {
  // x starts at 0, nothing for x afterwards, the input runs to 15 s (> 0 + 10 s): expired.
  // y starts at 12 s, the input ends at 15 s (< 22 s): still open, no next event.
  const e = explainSeq(SEQ, stream([0, 'process', 'x', 'a'], [12_000, 'process', 'y', 'a'], [15_000, 'network', 'z', 'b']));
  const x = keyOf(e, 'x').partials[0].end;
  assert.ok(x.reason === 'expired');
  assert.equal(x.at, undefined);
  assert.equal(keyOf(e, 'y').partials[0].end.reason, 'no-next-event');
  // z's network event passed stage 2 within y's window (3 s after it) under another key.
  assert.deepEqual(keyOf(e, 'y').partials[0].otherKeys.map((m) => [m.event.line, m.afterMillis, m.joinKeys]), [[3, 3000, [['z']]]]);
  assert.deepEqual(keyOf(e, 'x').partials[0].otherKeys, []); // 15 s is outside x's window
  assert.deepEqual(keyOf(e, 'z').unmatched.map((u) => [u.stage, u.event.line, u.previous]), [[1, 3, undefined]]);
});

test('replaced: a newer first-stage event of the same key within maxspan takes the pending place', () => {
  const e = explainSeq(SEQ, stream([0, 'process', 'x', 'a'], [2000, 'process', 'x', 'a'], [3000, 'network', 'x', 'b']));
  const x = keyOf(e, 'x');
  assert.equal(x.completed, 1); // lines 2 + 3
  assert.equal(x.partials.length, 1);
  assert.deepEqual(x.partials[0].events.map((r) => r?.line), [1]);
  const end = x.partials[0].end;
  assert.ok(end.reason === 'replaced');
  assert.equal(end.by.line, 2);
});

test('replaced at a middle stage by a sequence advancing into it (three stages)', () => {
  const q = 'sequence by h [process where kind == "a"] [process where kind == "b"] [network where true]';
  // a1 b2 → pending at stage 2 (a1,b2); a3 b4 → (a3,b4) replaces it; n5 completes (a3,b4,n5).
  const e = explainSeq(q, stream([1, 'process', 'x', 'a'], [2, 'process', 'x', 'b'], [3, 'process', 'x', 'a'], [4, 'process', 'x', 'b'], [5, 'network', 'x', 'n']));
  const x = keyOf(e, 'x');
  assert.equal(x.completed, 1);
  assert.deepEqual(x.partials.map((p) => [p.reached, p.events.map((r) => r?.line), p.end.reason === 'replaced' && p.end.by.line]), [[1, [1, 2], 4]]);
});

test('until: cancels the pending sequence (when the next stage comes, at the end, and before a replacement)', () => {
  const q = 'sequence by h [process where kind == "a"] [network where kind == "b"] until [file where true]';
  const untilAt = (e: SequenceExplanation) =>
    keyOf(e, 'x').partials.map((p) => (p.end.reason === 'until' ? ['until', p.end.at.line] : [p.end.reason]));
  // a1, until f2, b3: the engine rejects at b3 because of f2.
  assert.deepEqual(untilAt(explainSeq(q, stream([1, 'process', 'x', 'a'], [2, 'file', 'x', 'f'], [3, 'network', 'x', 'b']))), [['until', 2]]);
  // a1, until f2, end of input.
  assert.deepEqual(untilAt(explainSeq(q, stream([1, 'process', 'x', 'a'], [2, 'file', 'x', 'f']))), [['until', 2]]);
  // a1, until f2, a3 replaces it, b4 completes (a3, b4): a1 ended by the until event, not the replacement.
  const e = explainSeq(q, stream([1, 'process', 'x', 'a'], [2, 'file', 'x', 'f'], [3, 'process', 'x', 'a'], [4, 'network', 'x', 'b']));
  assert.equal(keyOf(e, 'x').completed, 1);
  assert.deepEqual(untilAt(e), [['until', 2]]);
  assert.deepEqual([e.until?.stage, e.until?.passed], [-1, 1]);
});

test('missing event: a ![…] stage between the neighbours discards the candidate', () => {
  const q = 'sequence by h with maxspan=1m [process where kind == "a"] ![file where true] [network where kind == "b"]';
  const e = explainSeq(q, stream([1, 'process', 'x', 'a'], [2, 'file', 'x', 'f'], [3, 'network', 'x', 'b']));
  assert.equal(e.completed, 0);
  const [p] = keyOf(e, 'x').partials;
  assert.deepEqual(e.missingStages, [false, true, false]);
  assert.deepEqual([p.reached, p.events.map((r) => r?.line ?? null)], [2, [1, null, 3]]);
  assert.ok(p.end.reason === 'missing-event');
  assert.equal(p.end.at.line, 2);
});

test('event query: per-term failures among events of the category, with missing fields', () => {
  const events: EventRecord[] = [
    { doc: { '@timestamp': 1, event: { category: 'process' }, a: 1, b: 2 }, source: { file: 't', line: 1 } },
    { doc: { '@timestamp': 2, event: { category: 'process' }, a: 1, b: 3 }, source: { file: 't', line: 2 } },
    { doc: { '@timestamp': 3, event: { category: 'process' }, a: 2 }, source: { file: 't', line: 3 } },
    { doc: { '@timestamp': 4, event: { category: 'network' }, a: 1, b: 2 }, source: { file: 't', line: 4 } },
  ];
  const e = explainReplay(statementOf('process where a == 1 and (b == 2 or b == 4)'), events);
  assert.equal(e.kind, 'event');
  assert.equal(e.matches, 1);
  const [s] = e.stages;
  // 3 process events; line 1 passes; line 2 fails the `or`; line 3 fails both terms and lacks b.
  assert.deepEqual([s.events, s.passedCategory, s.passed], [4, 3, 1]);
  assert.deepEqual(
    s.terms.map((t) => [t.term, t.failed, t.onlyFailure, t.fields]),
    [
      ['a == 1', 1, 0, [{ field: 'a', missingWhenFailed: 0 }]],
      ['b == 2 or b == 4', 2, 1, [{ field: 'b', missingWhenFailed: 1 }]],
    ],
  );
  assert.deepEqual(s.nearMisses.map((m) => [m.event.line, m.failedTerms]), [[2, [1]], [3, [0, 1]]]);
});

test('sample query: per-stage counts; events are referenced without timestamps (samples ignore time)', () => {
  const events = stream([5, 'process', 'x', 'a'], [1, 'network', 'x', 'b'], [3, 'network', 'y', 'c']);
  const e = explainReplay(statementOf('sample by h [process where kind == "a"] [network where kind == "b"]'), events);
  assert.equal(e.kind, 'sample');
  // x has both stages (lines 1 and 2); y only a network event that fails `kind == "b"`.
  assert.equal(e.matches, 1);
  assert.deepEqual(e.stages.map((s) => [s.passedCategory, s.passed]), [[1, 1], [2, 1]]);
  assert.deepEqual(e.stages[1].nearMisses, [{ event: { file: 't.ndjson', line: 3 }, failedTerms: [0] }]);
});

test('an or block is broken down into its branches, each counted over the events of the category', () => {
  const events: EventRecord[] = [
    { doc: { '@timestamp': 1, event: { category: 'process' }, process: { name: 'a' } }, source: { file: 't', line: 1 } },
    { doc: { '@timestamp': 2, event: { category: 'process' }, process: { parent: { name: 'b' } } }, source: { file: 't', line: 2 } },
    { doc: { '@timestamp': 3, event: { category: 'process' }, process: { name: 'c' } }, source: { file: 't', line: 3 } },
    { doc: { '@timestamp': 4, event: { category: 'process' } }, source: { file: 't', line: 4 } },
    { doc: { '@timestamp': 5, event: { category: 'process' }, process: { name: 'a', pid: 1 } }, source: { file: 't', line: 5 } },
  ];
  const e = explainReplay(statementOf('process where process.pid == null and (process.name == "a" or process.parent.name == "b" or process.name == "d")'), events);
  const [, block] = e.stages[0].terms;
  // The block fails lines 3 and 4. Branch 1 (name a) is not true on lines 2, 3, 4 (no name on 2 and 4);
  // branch 2 (parent b) on 1, 3, 4, 5 (no parent on all four); branch 3 (name d) on all five (no name on 2 and 4).
  assert.deepEqual([block.term, block.failed], ['process.name == "a" or process.parent.name == "b" or process.name == "d"', 2]);
  assert.deepEqual(
    block.branches?.map((b) => [b.term, b.failed, b.fields]),
    [
      ['process.name == "a"', 3, [{ field: 'process.name', missingWhenFailed: 2 }]],
      ['process.parent.name == "b"', 4, [{ field: 'process.parent.name', missingWhenFailed: 4 }]],
      ['process.name == "d"', 5, [{ field: 'process.name', missingWhenFailed: 2 }]],
    ],
  );
  assert.equal(e.stages[0].terms[0].branches, undefined, 'a term that is no or block has no branches');
});
