// A detection-rules TOML rule replays with its own options, as Kibana runs it (detection-rules
// schema: `timestamp_override`, `event_category_override`, `tiebreaker_field` in `[rule]`; Kibana
// passes them as the `_eql/search` `timestamp_field`, `event_category_field`, `tiebreaker_field`).
// Command-line flags override them. Expected matches are worked out by hand from the events below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleFromToml } from '../../../server/src/samples/ruleFile';
import { spawnCli } from './spawnCli';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-ruleopts-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const RULE = `[metadata]
creation_date = "2024/01/01"

[rule]
name = "Ordered by ingest time"
type = "eql"
language = "eql"
timestamp_override = "event.ingested"
event_category_override = "event.type"
query = '''
sequence by host.id [start where process.name == "a"] [start where process.name == "b"]
'''
`;

// By @timestamp, "b" comes before "a" (no sequence); by event.ingested, "a" comes first (a sequence).
const EVENTS = [
  { '@timestamp': '2024-01-01T00:00:02Z', event: { ingested: '2024-01-01T00:00:05Z', type: 'start' }, host: { id: 'h' }, process: { name: 'a' } },
  { '@timestamp': '2024-01-01T00:00:01Z', event: { ingested: '2024-01-01T00:00:06Z', type: 'start' }, host: { id: 'h' }, process: { name: 'b' } },
];

test('the rule options are read from the [rule] table', () => {
  assert.deepEqual(ruleFromToml('r.toml', RULE).rule?.options, { timestampField: 'event.ingested', eventCategoryField: 'event.type' });
});

test('timestamp_override and event_category_override order and filter the replay; flags override them', () => {
  const rule = join(dir, 'rule.toml');
  writeFileSync(rule, RULE);
  const samples = join(dir, 'events.ndjson');
  writeFileSync(samples, EVENTS.map((e) => JSON.stringify(e)).join('\n'));
  const own = spawnCli(['replay', '--format', 'json', rule, samples]);
  assert.equal(own.status, 0, own.stderr);
  const lines = own.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((m) => m.events.map((e: { line: number }) => e.line)), [[1, 2]]);
  // --timestamp-field @timestamp: "b" is first, so no sequence.
  const flag = spawnCli(['replay', '--format', 'json', '--timestamp-field', '@timestamp', rule, samples]);
  assert.equal(flag.status, 0, flag.stderr);
  assert.equal(flag.stdout.trim(), '');
});

test('replay --explain explains with the rule options: by event.ingested a sequence; by @timestamp "b" finds nothing waiting', () => {
  const rule = join(dir, 'explained.toml');
  writeFileSync(rule, RULE);
  const samples = join(dir, 'explained.ndjson');
  writeFileSync(samples, EVENTS.map((e) => JSON.stringify(e)).join('\n'));
  const explanation = (args: string[]) => {
    const run = spawnCli(['replay', '--explain', '--format', 'json', ...args, rule, samples]);
    assert.equal(run.status, 0, run.stderr);
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    assert.equal(last.type, 'explanation');
    return last;
  };
  const own = explanation([]);
  // event.type is the category field: both stages see the two "start" events.
  assert.deepEqual(own.stages.map((s: { passed_category: number; passed: number }) => [s.passed_category, s.passed]), [[2, 1], [2, 1]]);
  assert.deepEqual(own.keys.map((k: { join_keys: string[]; completed: number; unmatched_count: number }) => [k.join_keys, k.completed, k.unmatched_count]), [[['h'], 1, 0]]);
  const flag = explanation(['--timestamp-field', '@timestamp']);
  const key = flag.keys[0];
  assert.deepEqual([key.completed, key.unmatched_count, key.unmatched[0].stage, key.unmatched[0].event.line, key.unmatched[0].later_previous.line], [0, 1, 1, 2, 1]);
});
