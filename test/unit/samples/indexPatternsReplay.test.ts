// A detection rule replays only over the events of the indices it searches (its `[rule] index`), as
// Kibana runs it: an `_eql/search` on those patterns never sees the other indices' documents.
// Fixture: a search response with hits from two indices, and ECS events with data_stream fields.
// The rule is Elastic's prebuilt "AdminSDHolder Wildcard ... ADIDNS" rule from ../shared (index
// `logs-system.security*`, `logs-windows.forwarded*`, `winlogbeat-*`; timestamp_override
// `event.ingested`). Expected matches are worked out by hand from the events below: every event
// passes the query, so what is matched is exactly what the index patterns keep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../server/src/eql/analyze';
import { readRuleFile } from '../../../server/src/samples/ruleFile';
import { replaySamples } from '../../../server/src/samples/pipeline';
import { repoRoot, spawnCli } from '../cli/spawnCli';

const RULE = join(repoRoot, '../shared/detection-rules/rules/windows/credential_access_adidns_wildcard.toml');
const skip = existsSync(RULE) ? false : 'needs ../shared/detection-rules';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-index-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A directory-service object creation (Windows event 5137) at second `s`. */
const event5137 = (s: number, extra: object = {}) => ({
  '@timestamp': `2024-05-14T10:00:${String(s).padStart(2, '0')}Z`,
  event: { code: '5137', ingested: `2024-05-14T10:01:${String(s).padStart(2, '0')}Z` },
  host: { os: { type: 'windows' } },
  winlog: { event_data: { ObjectDN: 'DC=*,DC=corp.example,CN=MicrosoftDNS,DC=DomainDnsZones,DC=corp,DC=example' } },
  ...extra,
});

// hits.json: one hit from the System integration's data stream (kept by logs-system.security*),
// one from a Winlogbeat index (winlogbeat-*), one from Elastic Defend's process data stream (no pattern).
const RESPONSE = {
  took: 3,
  hits: {
    total: { value: 3, relation: 'eq' },
    hits: [
      { _index: '.ds-logs-system.security-default-2024.05.14-000001', _id: 'a', _source: event5137(1) },
      { _index: 'winlogbeat-8.13.0-2024.05.14', _id: 'b', _source: event5137(2) },
      { _index: '.ds-logs-endpoint.events.process-default-2024.05.14-000001', _id: 'c', _source: event5137(3) },
    ],
  },
};
// ecs.ndjson: the same event from a forwarded-events data stream (kept), from Sysmon's (no pattern),
// with only data_stream.dataset system.security (kept: its type and namespace could be logs, default),
// and without any index information (kept).
const ECS = [
  event5137(4, { data_stream: { type: 'logs', dataset: 'windows.forwarded', namespace: 'default' } }),
  event5137(5, { data_stream: { type: 'logs', dataset: 'windows.sysmon_operational', namespace: 'default' } }),
  event5137(6, { data_stream: { dataset: 'system.security' } }),
  event5137(7),
];

function writeFixture(): string[] {
  const hits = join(dir, 'hits.json');
  writeFileSync(hits, JSON.stringify(RESPONSE, null, 2));
  const ecs = join(dir, 'ecs.ndjson');
  writeFileSync(ecs, ECS.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return [hits, ecs];
}

test('the prebuilt rule keeps the events of its own indices and counts them per pattern', { skip }, async () => {
  const read = await readRuleFile(RULE);
  assert.ok(read.rule, JSON.stringify(read.problem));
  assert.deepEqual(read.rule.options?.index, ['logs-system.security*', 'logs-windows.forwarded*', 'winlogbeat-*']);
  const { statement } = analyze(read.rule.query);
  const [hits, ecs] = writeFixture();
  const outcome = await replaySamples({
    statement: statement!,
    sources: [{ path: hits }, { path: ecs }],
    options: { timestampField: read.rule.options?.timestampField },
    categoryOptionName: 'x',
    indexPatterns: read.rule.options?.index,
  });
  const matched = outcome.matches.map((m) => `${m.events[0].event!.source.file === hits ? 'hits' : 'ecs'}:${m.events[0].event!.source.line}`);
  // Hits start at the line of their `{` in the response as JSON.stringify(…, null, 2) writes it:
  // 9 (a), 30 (b), 51 (c): a hit takes 21 lines.
  assert.deepEqual(matched, ['hits:9', 'hits:30', 'ecs:1', 'ecs:3', 'ecs:4']);
  assert.equal(outcome.events, 7);
  assert.deepEqual(outcome.indexPatterns, {
    patterns: [
      { pattern: 'logs-system.security*', exclusion: false, events: 2 },
      { pattern: 'logs-windows.forwarded*', exclusion: false, events: 1 },
      { pattern: 'winlogbeat-*', exclusion: false, events: 1 },
    ],
    kept: 4,
    unmatched: 2,
    excluded: 0,
    withoutIndex: 1,
    leftOut: [
      { index: '.ds-logs-endpoint.events.process-default-2024.05.14-000001', events: 1 },
      { index: 'logs-windows.sysmon_operational-default', events: 1 },
    ],
    notes: [],
  });
  // Without index patterns every event is searched.
  const all = await replaySamples({ statement: statement!, sources: [{ path: hits }, { path: ecs }], options: {}, categoryOptionName: 'x' });
  assert.equal(all.matches.length, 7);
  assert.equal(all.indexPatterns, undefined);
});

test('replay prints the per-pattern counts; --index replaces the rule\'s patterns, --no-index-filter drops them', { skip }, () => {
  const [hits, ecs] = writeFixture();
  const text = spawnCli(['replay', RULE, hits, ecs]);
  assert.equal(text.status, 0, text.stderr);
  const summary = text.stdout.slice(text.stdout.indexOf('5 matches'));
  assert.equal(
    summary,
    [
      '5 matches (5 events); 7 events read from 2 files',
      "index patterns (the rule's): 5 events kept, 2 left out",
      '  logs-system.security*     2 events',
      '  logs-windows.forwarded*   1 event',
      '  winlogbeat-*              1 event',
      '  no pattern matches        2 events left out',
      '  no _index or data_stream  1 event kept',
      '  left out from: .ds-logs-endpoint.events.process-default-2024.05.14-000001 (1), logs-windows.sysmon_operational-default (1)',
      '',
    ].join('\n'),
  );

  const json = spawnCli(['replay', '--format', 'json', '--index', 'logs-*,-logs-windows.*', RULE, hits, ecs]);
  assert.equal(json.status, 0, json.stderr);
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  // logs-* matches both .ds-logs-* hits (a, c) and the three data_stream events; -logs-windows.*
  // removes the forwarded and Sysmon ones; the winlogbeat hit matches nothing; the plain event is kept.
  assert.deepEqual(lines.slice(0, -1).map((m) => m.events[0].line), [9, 51, 3, 4]);
  assert.deepEqual(lines.at(-1), {
    type: 'index_patterns',
    patterns: [
      { pattern: 'logs-*', exclusion: false, events: 3 },
      { pattern: '-logs-windows.*', exclusion: true, events: 2 },
    ],
    kept: 3,
    unmatched: 1,
    excluded: 2,
    without_index: 1,
    left_out: [
      { index: 'logs-windows.forwarded-default', events: 1 },
      { index: 'logs-windows.sysmon_operational-default', events: 1 },
      { index: 'winlogbeat-8.13.0-2024.05.14', events: 1 },
    ],
    notes: [],
    prefiltered: 0,
  });

  const off = spawnCli(['replay', '--no-index-filter', RULE, hits, ecs]);
  assert.equal(off.status, 0, off.stderr);
  assert.match(off.stdout, /^7 matches \(7 events\); 7 events read from 2 files\n$/m);
  assert.doesNotMatch(off.stdout, /index patterns/);
});
