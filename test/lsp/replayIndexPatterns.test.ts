/**
 * `eqlWorkbench/replay` applies a detection rule's `index` patterns, from the file on disk or from
 * the open (unsaved) TOML document, and says in `indexPatterns` what each kept; the
 * `indexFilter: false` option turns them off. Samples: ECS events whose `data_stream` fields name
 * their data stream (ECS: `<type>-<dataset>-<namespace>`), and one event without. Every event
 * passes the query, so the matches are exactly the events the patterns keep (worked out by hand).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ExplainEventRequest, ExplainReplayRequest, ReplayRequest, type ReplayParams, type ReplayResult } from '../../server/src/protocol';
import { startServer, type TestServer } from './lspTestClient';

const OPTIONS: ReplayParams['options'] = { timestampField: '@timestamp', tiebreakerField: '', eventCategoryField: 'event.category' };

const rule = (index: string) => `[rule]
name = "Process starts"
type = "eql"
language = "eql"
index = ${index}
query = '''
process where event.type == "start"
'''
`;

const event = (s: number, dataStream?: object) =>
  JSON.stringify({ '@timestamp': `2024-05-14T10:00:0${s}Z`, event: { category: 'process', type: 'start' }, ...(dataStream ? { data_stream: dataStream } : {}) });

describe('eqlWorkbench/replay with a rule\'s index patterns', () => {
  let server: TestServer;
  let dir: string;
  let ruleUri: string;
  let sampleUri: string;
  before(async () => {
    server = await startServer('source');
    dir = mkdtempSync(path.join(tmpdir(), 'eqlwb-lsp-index-'));
    const rulePath = path.join(dir, 'rule.toml');
    writeFileSync(rulePath, rule('["logs-endpoint.events.process-*", "winlogbeat-*"]'));
    const samplePath = path.join(dir, 'events.ndjson');
    writeFileSync(
      samplePath,
      [
        event(1, { type: 'logs', dataset: 'endpoint.events.process', namespace: 'default' }),
        event(2, { type: 'logs', dataset: 'windows.sysmon_operational', namespace: 'default' }),
        event(3),
        event(4, { type: 'logs', dataset: 'endpoint.events.process', namespace: 'prod' }),
      ].join('\n') + '\n',
    );
    ruleUri = pathToFileURL(rulePath).toString();
    sampleUri = pathToFileURL(samplePath).toString();
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
  });

  const replay = (options: ReplayParams['options'] = OPTIONS): Promise<ReplayResult> =>
    server.connection.sendRequest(ReplayRequest, { uri: ruleUri, sampleUris: [sampleUri], options });
  const lines = (result: ReplayResult) => result.matches.map((m) => m.events[0].line);

  it('keeps the events of the rule\'s indices and events without index information; counts per pattern', async () => {
    const result = await replay();
    assert.deepEqual(lines(result), [1, 3, 4]);
    assert.equal(result.events, 4);
    assert.deepEqual(result.indexPatterns, {
      patterns: [
        { pattern: 'logs-endpoint.events.process-*', exclusion: false, events: 2 },
        { pattern: 'winlogbeat-*', exclusion: false, events: 0 },
      ],
      kept: 2,
      unmatched: 1,
      excluded: 0,
      withoutIndex: 1,
      leftOut: [{ index: 'logs-windows.sysmon_operational-default', events: 1 }],
      notes: [],
    });
  });

  it('indexFilter: false replays every event and reports no index patterns', async () => {
    const result = await replay({ ...OPTIONS, indexFilter: false });
    assert.deepEqual(lines(result), [1, 2, 3, 4]);
    assert.equal(result.indexPatterns, undefined);
  });

  it('explains the replay over the same events: those of other indices are not replayed', async () => {
    const explained = await server.connection.sendRequest(ExplainReplayRequest, { uri: ruleUri, sampleUris: [sampleUri], options: OPTIONS });
    assert.equal(explained.explanation?.events, 3);
    assert.equal(explained.explanation?.kind === 'event' ? explained.explanation.matches : -1, 3);
    const all = await server.connection.sendRequest(ExplainReplayRequest, { uri: ruleUri, sampleUris: [sampleUri], options: { ...OPTIONS, indexFilter: false } });
    assert.equal(all.explanation?.events, 4);
  });

  it('explains an event the patterns leave out by the index it comes from', async () => {
    const params = { uri: ruleUri, sampleUris: [sampleUri], options: OPTIONS, sampleUri };
    const leftOut = await server.connection.sendRequest(ExplainEventRequest, { ...params, line: 2 });
    assert.deepEqual(leftOut, { leftOutFromIndex: 'logs-windows.sysmon_operational-default' });
    const kept = await server.connection.sendRequest(ExplainEventRequest, { ...params, line: 1 });
    assert.equal(kept.leftOutFromIndex, undefined);
    assert.ok(kept.explanation);
  });

  it('uses the index patterns of the open document, unsaved edits included', async () => {
    await server.open(ruleUri, rule('["logs-*", "-logs-*-prod"]'), 1);
    try {
      const result = await replay();
      // logs-* matches the three data streams; -logs-*-prod removes the prod one (line 4).
      assert.deepEqual(lines(result), [1, 2, 3]);
      assert.deepEqual(result.indexPatterns?.patterns, [
        { pattern: 'logs-*', exclusion: false, events: 2 },
        { pattern: '-logs-*-prod', exclusion: true, events: 1 },
      ]);
    } finally {
      await server.close(ruleUri);
    }
  });
});
