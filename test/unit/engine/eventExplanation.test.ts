/**
 * Per-event explanations (`engine/eventExplanation.ts`): each stage's condition tree evaluated on
 * one event, with values, results and reasons, and what the sequence state machine did with it.
 *
 * The first group explains every near miss of `samples/README.md` ("Near misses: events that must
 * not match") with the reason worked out there by hand from the sample lines. The second group uses
 * hand-built events whose outcome follows from the EQL syntax reference: `==` and `in` and `like`
 * are case-sensitive, `:`, `in~` and `like~` are not; a missing field is null and compares false;
 * `!=` and `not` match events where the field is missing (Elasticsearch `must_not`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../server/src/eql/analyze';
import type { Statement } from '../../../server/src/eql/ast';
import { compileFilter } from '../../../server/src/engine/filter';
import {
  compileRuleExplainer,
  explainEventInReplay,
  failingTerms,
  type EventExplanation,
  type SequenceStepNote,
  type StageExplanation,
} from '../../../server/src/engine/eventExplanation';
import type { EventRecord } from '../../../server/src/engine/types';
import { readNdjsonFile } from '../../../server/src/samples/ndjson';

const root = join(__dirname, '../../..');
const dc = 'samples/logs/endpoint/win-dc01.ndjson';
const wks = 'samples/logs/endpoint/wks-07.jsonl';
const web = 'samples/logs/linux/web01.ndjson';
const sysmon = 'samples/logs/winlogbeat/sysmon-srv-app02.ndjson';
const DC01 = 'a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60';
const WKS07 = '5e0b9d2a-8c47-4a1e-b3f6-2d7c9e1a4b80';
const APP02 = 'c7d8e9f0-1a2b-4c3d-9e4f-5a6b7c8d9e01';

function statementOf(query: string): Statement {
  const { statement, diagnostics } = analyze(query);
  assert.ok(statement, 'query parses');
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return statement;
}

let samples: { statement: Statement; events: EventRecord[] } | undefined;
async function sampleReplay(): Promise<{ statement: Statement; events: EventRecord[] }> {
  if (samples) return samples;
  const events: EventRecord[] = [];
  for (const file of [dc, wks, web, sysmon]) {
    const read = await readNdjsonFile(join(root, file), () => assert.fail('sample logs are well-formed'));
    for (const e of read.events) events.push({ doc: e.doc, source: { file, line: e.source.line } });
  }
  const rule = readFileSync(join(root, 'samples/rules/incoming_execution_via_powershell_remoting.eql'), 'utf8');
  samples = { statement: statementOf(rule), events };
  return samples;
}

async function explainSample(file: string, line: number): Promise<EventExplanation> {
  const { statement, events } = await sampleReplay();
  const e = explainEventInReplay(statement, events, { file, line });
  assert.ok(e, `${file}:${line} is an event`);
  return e;
}

/** The failing terms of a stage as [condition, reason kind, result]. */
function failing(s: StageExplanation): Array<[string, string | undefined, boolean | null]> {
  return failingTerms(s.condition).map((t) => [t.condition, t.reason?.kind, t.result]);
}

function notesOf(e: EventExplanation): SequenceStepNote[] {
  return e.sequence ?? [];
}

// ---------------------------------------------------------------------------------------------
// Every near miss of samples/README.md
// ---------------------------------------------------------------------------------------------

test('win-dc01:5 — wsmprovhost.exe itself starts: its parent is svchost.exe, not wsmprovhost.exe', async () => {
  const e = await explainSample(dc, 5);
  const [network, process] = e.stages;
  assert.equal(network.categoryMatched, false);
  assert.deepEqual(network.why, ['event.category is "process", not "network"']);
  assert.equal(process.passed, false);
  assert.deepEqual(failing(process), [['process.parent.name : "wsmprovhost.exe"', 'value-mismatch', false]]);
  assert.deepEqual(process.why, ['process.parent.name is "svchost.exe", not "wsmprovhost.exe"']);
  // The sequence of line 4 (09:14:02.113) waited for stage 2; line 5 is at 09:14:03.020.
  const waiting = notesOf(e).find((n) => n.kind === 'waiting');
  assert.ok(waiting && waiting.kind === 'waiting');
  assert.deepEqual([waiting.first.line, waiting.afterMillis, waiting.withinMaxspan, waiting.joinKeys], [4, 907, true, [DC01]]);
});

test('win-dc01:7 — whoami.exe ends: event.type is "end", not "start"', async () => {
  const e = await explainSample(dc, 7);
  assert.deepEqual(failing(e.stages[1]), [['event.type == "start"', 'value-mismatch', false]]);
  assert.deepEqual(e.stages[1].why, ['event.type is "end", not "start"']);
});

test('win-dc01:8–9 — loopback source excluded, so line 9 finds no sequence waiting', async () => {
  const e8 = await explainSample(dc, 8);
  assert.deepEqual(failing(e8.stages[0]), [['source.ip != "127.0.0.1"', 'excluded', false]]);
  assert.match(e8.stages[0].why[0], /source\.ip is "127\.0\.0\.1"/);
  assert.deepEqual(notesOf(e8), []);
  const e9 = await explainSample(dc, 9);
  assert.equal(e9.stages[1].passed, true);
  assert.deepEqual(notesOf(e9).map((n) => [n.kind, n.kind === 'no-sequence-waiting' ? n.joinKeys : undefined]), [['no-sequence-waiting', [DC01]]]);
  assert.match(notesOf(e9)[0].text, /no sequence of this join key was waiting at stage 1/);
});

test('win-dc01:10–11 — the conhost exclusion matches case-insensitively; line 10 started a sequence', async () => {
  const e10 = await explainSample(dc, 10);
  assert.deepEqual(notesOf(e10).map((n) => [n.kind, n.kind === 'started' ? n.stage : -1]), [['started', 0]]);
  const e11 = await explainSample(dc, 11);
  const [term] = failingTerms(e11.stages[1].condition);
  assert.equal(term.op, 'not');
  assert.equal(term.reason?.kind, 'excluded');
  assert.equal(term.condition, 'not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"');
  assert.equal(term.children[0].result, true, 'the inner wildcard matched');
  assert.deepEqual(term.children[0].fields, [{ field: 'process.executable', values: ['C:\\WINDOWS\\system32\\conhost.exe'] }]);
  assert.ok(notesOf(e11).some((n) => n.kind === 'waiting' && n.first.line === 10 && n.afterMillis === 800));
});

test('win-dc01:12–14 — ipconfig.exe 31 s after the network event: outside maxspan by 1 s', async () => {
  const e = await explainSample(dc, 14);
  assert.equal(e.stages[1].passed, true);
  const expired = notesOf(e).find((n) => n.kind === 'expired');
  assert.ok(expired && expired.kind === 'expired');
  assert.deepEqual([expired.first.line, expired.elapsedMillis, expired.maxspanMillis, expired.stage], [12, 31_000, 30_000, 1]);
  assert.match(expired.text, /outside maxspan by 1 s: 31 s after the sequence's first event .*win-dc01\.ndjson:12 \(maxspan 30 s\)/);
});

test('win-dc01:15 + wks-07:12 — other join key: WKS-07 has no sequence within maxspan, WIN-DC01 waits', async () => {
  const e15 = await explainSample(dc, 15);
  assert.deepEqual(notesOf(e15).map((n) => n.kind), ['started']);
  const e = await explainSample(wks, 12);
  const expired = notesOf(e).find((n) => n.kind === 'expired');
  // WKS-07's own sequence is the one of line 11 (10:20:05), 2,398 s before 11:00:03.
  assert.ok(expired && expired.kind === 'expired');
  assert.deepEqual([expired.joinKeys, expired.first.line, expired.elapsedMillis], [[WKS07], 11, 2_398_000]);
  assert.deepEqual(expired.waitingKeys, [[DC01]], 'the sequence of win-dc01:15 waits under another join key');
  assert.match(expired.text, /other join keys were waiting at stage 1: host\.id="a3f1c2d4/);
});

test('wks-07:2 — source ::1 excluded', async () => {
  const e = await explainSample(wks, 2);
  assert.deepEqual(failing(e.stages[0]), [['source.ip != "::1"', 'excluded', false]]);
});

test('wks-07:4 — outgoing is none of incoming, ingress', async () => {
  const e = await explainSample(wks, 4);
  assert.deepEqual(failing(e.stages[0]), [['network.direction : ("incoming", "ingress")', 'value-mismatch', false]]);
  assert.deepEqual(e.stages[0].why, ['network.direction is "outgoing", none of "incoming", "ingress"']);
});

test('wks-07:10–11 — the process comes before the network event: nothing waits at stage 1', async () => {
  const e10 = await explainSample(wks, 10);
  assert.deepEqual(notesOf(e10).map((n) => n.kind), ['no-sequence-waiting']);
  const e11 = await explainSample(wks, 11);
  assert.deepEqual(notesOf(e11).map((n) => n.kind), ['started']);
});

test('sysmon:2–3 — network.protocol is absent (null), so the network event is no first stage', async () => {
  const e = await explainSample(sysmon, 2);
  assert.deepEqual(failing(e.stages[0]), [['network.protocol == "http"', 'field-absent', null]]);
  assert.equal(e.stages[0].condition.result, null, 'and(…, null) is null');
  assert.match(e.stages[0].why[0], /^network\.protocol is absent from the event/);
  const e3 = await explainSample(sysmon, 3);
  const note = notesOf(e3).find((n) => n.kind === 'no-sequence-waiting');
  assert.ok(note && note.kind === 'no-sequence-waiting');
  assert.deepEqual(note.joinKeys, [APP02]);
});

test('sysmon:4 — RDP port 3389 is not in (5985, 5986)', async () => {
  const e = await explainSample(sysmon, 4);
  const terms = failing(e.stages[0]);
  assert.deepEqual(terms[0], ['destination.port in (5985, 5986)', 'value-mismatch', false]);
  assert.equal(e.stages[0].why[0], 'destination.port is 3389, none of 5985, 5986');
});

test('web01:3 — a Linux host, port 80', async () => {
  const e = await explainSample(web, 3);
  assert.deepEqual(failing(e.stages[0]).slice(0, 2), [
    ['host.os.type == "windows"', 'value-mismatch', false],
    ['destination.port in (5985, 5986)', 'value-mismatch', false],
  ]);
});

test('the two matches: each stage passes and the sequence advances then completes', async () => {
  const e4 = await explainSample(dc, 4);
  assert.equal(e4.stages[0].passed, true);
  assert.deepEqual(e4.stages[0].why, []);
  const e6 = await explainSample(dc, 6);
  const completed = notesOf(e6).find((n) => n.kind === 'completed');
  assert.ok(completed && completed.kind === 'completed');
  assert.deepEqual(completed.events.map((x) => x?.line), [4, 6]);
  const e9 = await explainSample(wks, 9);
  assert.ok(notesOf(e9).some((n) => n.kind === 'completed'));
});

test('on every sample event, each stage passes exactly when the replay’s compiled filter does', async () => {
  const { statement, events } = await sampleReplay();
  const explainer = compileRuleExplainer(statement);
  const query = statement.query;
  assert.equal(query.kind, 'sequence');
  const filters = query.kind === 'sequence' ? query.stages.map((s) => compileFilter(s.filter, { eventCategoryField: 'event.category' })) : [];
  for (const event of events) {
    const e = explainer.explainEvent(event.doc);
    e.stages.forEach((s, i) => {
      assert.equal(s.passed, filters[i](event.doc), `${event.source.file}:${event.source.line} stage ${i + 1}`);
      if (s.categoryMatched) assert.equal(s.condition.result === true, s.passed);
    });
  }
});

test('a blank line or no event there: undefined', async () => {
  const { statement, events } = await sampleReplay();
  assert.equal(explainEventInReplay(statement, events, { file: dc, line: 99 }), undefined);
});

// ---------------------------------------------------------------------------------------------
// Hand-built events
// ---------------------------------------------------------------------------------------------

function explainOne(query: string, doc: Record<string, unknown>): StageExplanation {
  return compileRuleExplainer(statementOf(query)).explainEvent(doc).stages[0];
}

test('case mismatch: == is case-sensitive, : would have matched', () => {
  const s = explainOne('process where process.name == "cmd.exe"', { event: { category: 'process' }, process: { name: 'CMD.EXE' } });
  assert.equal(s.passed, false);
  const [t] = failingTerms(s.condition);
  assert.deepEqual(t.reason, { kind: 'case-mismatch', field: 'process.name', value: 'CMD.EXE', expected: 'cmd.exe', operator: '==', insensitive: ':' });
  assert.equal(t.why, 'process.name is "CMD.EXE": only the letter case differs from "cmd.exe"; == is case-sensitive, : would have matched');
  // And `:` does match it.
  assert.equal(explainOne('process where process.name : "cmd.exe"', { event: { category: 'process' }, process: { name: 'CMD.EXE' } }).passed, true);
});

test('case mismatch: in and like are case-sensitive, in~ and like~ are not', () => {
  const doc = { event: { category: 'process' }, process: { name: 'PowerShell.exe' } };
  const inTerm = failingTerms(explainOne('process where process.name in ("powershell.exe", "pwsh.exe")', doc).condition)[0];
  assert.deepEqual([inTerm.reason?.kind, inTerm.reason?.kind === 'case-mismatch' && inTerm.reason.insensitive], ['case-mismatch', 'in~']);
  assert.equal(explainOne('process where process.name in~ ("powershell.exe", "pwsh.exe")', doc).passed, true);
  const like = failingTerms(explainOne('process where process.name like "power*"', doc).condition)[0];
  assert.deepEqual([like.reason?.kind, like.reason?.kind === 'case-mismatch' && like.reason.insensitive], ['case-mismatch', 'like~']);
  assert.equal(explainOne('process where process.name like~ "power*"', doc).passed, true);
});

test('wildcard not matching: the value and the pattern', () => {
  const s = explainOne('process where process.executable : "C:\\\\Windows\\\\*"', { event: { category: 'process' }, process: { executable: 'D:\\Tools\\x.exe' } });
  const [t] = failingTerms(s.condition);
  assert.equal(t.reason?.kind, 'wildcard-mismatch');
  assert.equal(t.why, 'process.executable is "D:\\\\Tools\\\\x.exe", which does not match the wildcard pattern "C:\\\\Windows\\\\*"');
});

test('number vs string: a port written as text that is not the number', () => {
  // Without a mapping a string value compares as text: "05985" is not "5985".
  const s = explainOne('network where destination.port == 5985', { event: { category: 'network' }, destination: { port: '05985' } });
  const [t] = failingTerms(s.condition);
  assert.deepEqual(t.reason, { kind: 'type-mismatch', field: 'destination.port', value: '05985', expected: 5985 });
  assert.equal(t.why, 'destination.port is the string "05985", the rule compares it with the number 5985');
});

test('range: the value and the bound', () => {
  const s = explainOne('network where destination.port >= 1024', { event: { category: 'network' }, destination: { port: 80 } });
  assert.equal(failingTerms(s.condition)[0].why, 'destination.port is 80, not >= 1024');
});

test('three-valued tree: a missing field makes its term null; != and not are true when it is missing', () => {
  const s = explainOne('process where user.name == "root" and process.pid != 4 and not process.name : "init"', { event: { category: 'process' } });
  // An `and` chain is one node with a child per term.
  const [eq, ne, not] = s.condition.children;
  assert.deepEqual([eq.result, ne.result, not.result, s.condition.result], [null, true, true, null]);
  assert.deepEqual(eq.fields, [{ field: 'user.name', values: [] }]);
  assert.equal(s.passed, false);
});

test('or block: every branch is a failing term with its own reason', () => {
  const s = explainOne('process where process.name == "a.exe" or process.parent.name == "b.exe"', { event: { category: 'process' }, process: { name: 'x.exe' } });
  assert.deepEqual(failing(s), [
    ['process.name == "a.exe"', 'value-mismatch', false],
    ['process.parent.name == "b.exe"', 'field-absent', null],
  ]);
  assert.equal(s.condition.result, null);
});

test('field == null wants the field absent', () => {
  const s = explainOne('process where process.parent.name == null', { event: { category: 'process' }, process: { parent: { name: 'x' } } });
  const [t] = failingTerms(s.condition);
  assert.equal(t.reason?.kind, 'present');
});

test('a function term that is false shows the values it read', () => {
  const s = explainOne('process where startsWith(process.name, "cmd")', { event: { category: 'process' }, process: { name: 'pwsh.exe' } });
  const [t] = failingTerms(s.condition);
  assert.equal(t.result, false);
  assert.equal(t.why, 'startsWith(process.name, "cmd") is false for this event (process.name is "pwsh.exe")');
});

test('join keys of the event per stage; an absent key field gives no key', () => {
  const e = compileRuleExplainer(statementOf('sequence by host.id [process where true] by user.name [network where true] by source.ip')).explainEvent({
    event: { category: 'network' },
    host: { id: 'h1' },
  });
  assert.deepEqual(e.stages[0].joinKeys, { fields: ['host.id', 'user.name'], values: [] });
  assert.deepEqual(
    compileRuleExplainer(statementOf('sequence by host.id [process where true] [network where true]')).explainEvent({ host: { id: ['h2', 'h1'] } }).stages[0].joinKeys,
    { fields: ['host.id'], values: [['h1'], ['h2']] },
  );
  assert.deepEqual(e.stages[1].joinKeys, { fields: ['host.id', 'source.ip'], values: [] });
});

test('until: a waiting sequence cancelled by an until event of its key', () => {
  const statement = statementOf('sequence by k [process where true] [network where true] until [file where true]');
  const rec = (line: number, ts: number, category: string): EventRecord => ({ doc: { '@timestamp': ts, k: 'a', event: { category } }, source: { file: 't', line } });
  const events = [rec(1, 1000, 'process'), rec(2, 2000, 'file'), rec(3, 3000, 'network')];
  const until = explainEventInReplay(statement, events, { file: 't', line: 2 })!;
  assert.equal(until.until?.passed, true);
  assert.deepEqual(notesOf(until).map((n) => n.kind), ['until']);
  const e = explainEventInReplay(statement, events, { file: 't', line: 3 })!;
  const note = notesOf(e).find((n) => n.kind === 'cancelled-by-until');
  assert.ok(note && note.kind === 'cancelled-by-until');
  assert.equal(note.until.line, 2);
});

test('a newer first-stage event replaces the waiting sequence of its key', () => {
  const statement = statementOf('sequence by k [process where true] [network where true]');
  const rec = (line: number, ts: number, category: string): EventRecord => ({ doc: { '@timestamp': ts, k: 'a', event: { category } }, source: { file: 't', line } });
  const e = explainEventInReplay(statement, [rec(1, 1000, 'process'), rec(2, 2000, 'process')], { file: 't', line: 2 })!;
  const [n] = notesOf(e);
  assert.ok(n.kind === 'started');
  assert.equal(n.replaced?.line, 1);
});

test('an event without a timestamp is not replayed, and says so', () => {
  const statement = statementOf('sequence [process where true] [network where true]');
  const e = explainEventInReplay(statement, [{ doc: { event: { category: 'process' } }, source: { file: 't', line: 1 } }], { file: 't', line: 1 })!;
  assert.equal(e.stages[0].passed, true);
  assert.deepEqual(notesOf(e).map((n) => n.kind), ['not-replayed']);
});

test('event queries: one stage labelled query, no sequence notes', () => {
  const e = compileRuleExplainer(statementOf('process where process.name == "a"')).explainEvent({ event: { category: 'file' } });
  assert.deepEqual([e.kind, e.stages.length, e.stages[0].label, e.stages[0].categoryMatched, e.sequence], ['event', 1, 'query', false, undefined]);
});
