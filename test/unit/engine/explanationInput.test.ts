// Explanations over only the events they need (`ExplanationInput`) equal explanations over every
// event: the reference is `explainReplay` over all events, the same function the CLI used before.
// Checked on every prebuilt rule of ../shared/detection-rules over ../shared/real-logs (when
// present) and on the repository's samples, plus a hand-worked sequence whose pending sequence
// expires only because an event of no stage's category ends the input later (EQL syntax
// reference, "maxspan": a sequence must complete within maxspan of its first event).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../../server/src/eql/analyze';
import { explainReplay } from '../../../server/src/engine/explain';
import { ExplanationInput } from '../../../server/src/engine/explanationInput';
import type { EventRecord } from '../../../server/src/engine/types';
import { readNdjsonFile } from '../../../server/src/samples/ndjson';
import { readRuleFile } from '../../../server/src/samples/ruleFile';

const REPO = path.resolve(__dirname, '..', '..', '..');
const SHARED = path.resolve(REPO, '..', 'shared');

function statementOf(query: string) {
  const { statement, diagnostics } = analyze(query);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return statement!;
}

function both(query: string, events: EventRecord[]) {
  const statement = statementOf(query);
  const full = explainReplay(statement, events);
  const input = new ExplanationInput(statement);
  const kept = events.filter((e) => input.keep(e));
  return { full, lean: explainReplay(statement, kept, { omitted: input.omitted }), kept: kept.length, omitted: input.omitted.events };
}

test('a pending sequence judged at the end of the input: the latest event, even of no stage category, ends it', () => {
  const events: EventRecord[] = [
    { doc: { '@timestamp': 0, event: { category: 'process' }, host: { id: 'h' } }, source: { file: 'f', line: 1 } },
    { doc: { '@timestamp': 100, event: { category: 'file' }, host: { id: 'h' } }, source: { file: 'f', line: 2 } },
  ];
  const { full, lean, kept, omitted } = both('sequence by host.id with maxspan=10ms [process where true] [network where true]', events);
  assert.equal(kept, 1);
  assert.equal(omitted, 1);
  assert.deepEqual(lean, full);
  assert.equal(full.kind, 'sequence');
  // 100 ms after its first event, past maxspan: expired, not merely waiting for a next event.
  if (full.kind === 'sequence') {
    assert.deepEqual(full.ends, { expired: 1 });
    assert.equal(full.events, 2);
    assert.deepEqual(full.stages.map((s) => [s.events, s.passedCategory]), [[2, 1], [2, 0]]);
  }
});

test('events without a timestamp stay in the input (the warning counts them)', () => {
  const events: EventRecord[] = [
    { doc: { event: { category: 'file' } }, source: { file: 'f', line: 1 } },
    { doc: { '@timestamp': 5, event: { category: 'process' } }, source: { file: 'f', line: 2 } },
  ];
  const { full, lean, kept } = both('process where true', events);
  assert.equal(kept, 2);
  assert.deepEqual(lean, full);
  assert.equal(full.warnings.length, 1);
});

test('the repository samples: explanations of the sample rules are unchanged', async () => {
  const files = ['samples/logs/endpoint/win-dc01.ndjson', 'samples/logs/endpoint/wks-07.jsonl', 'samples/logs/linux/web01.ndjson', 'samples/logs/winlogbeat/sysmon-srv-app02.ndjson'];
  const events = (await Promise.all(files.map((f) => readNdjsonFile(path.join(REPO, f))))).flatMap((r) => r.events);
  const rules = fs.readdirSync(path.join(REPO, 'samples/rules')).filter((f) => f.endsWith('.eql'));
  assert.ok(rules.length > 0);
  for (const rule of rules) {
    const { full, lean } = both(fs.readFileSync(path.join(REPO, 'samples/rules', rule), 'utf8'), events);
    assert.deepEqual(lean, full, rule);
  }
});

const realLogs = path.join(SHARED, 'real-logs');
const prebuilt = path.join(SHARED, 'detection-rules', 'rules');
test('every prebuilt rule over the real logs: explanations unchanged, fewer events kept', { skip: fs.existsSync(realLogs) && fs.existsSync(prebuilt) ? false : '../shared not found' }, async () => {
  const logFiles = fs.readdirSync(realLogs).filter((f) => /\.(ndjson|jsonl)$/.test(f));
  const events = (await Promise.all(logFiles.map((f) => readNdjsonFile(path.join(realLogs, f))))).flatMap((r) => r.events);
  const tomls = (fs.readdirSync(prebuilt, { recursive: true }) as string[]).filter((f) => f.endsWith('.toml'));
  let compared = 0;
  let left = 0;
  for (const file of tomls) {
    const read = await readRuleFile(path.join(prebuilt, file));
    if (!read.rule || read.rule.format !== 'toml') continue;
    const { statement, diagnostics } = analyze(read.rule.query);
    if (!statement || diagnostics.some((d) => d.severity === 'error')) continue;
    const full = explainReplay(statement, events);
    const input = new ExplanationInput(statement);
    const kept = events.filter((e) => input.keep(e));
    assert.deepEqual(explainReplay(statement, kept, { omitted: input.omitted }), full, file);
    compared++;
    left += events.length - kept.length;
  }
  assert.ok(compared >= 50, `${compared} rules compared`);
  assert.ok(left > 0, 'some events were left out');
});
