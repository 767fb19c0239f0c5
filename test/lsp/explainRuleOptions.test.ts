/**
 * Explanations of a detection-rules TOML rule use the rule's own options, as Kibana runs it
 * (detection-rules schema: `timestamp_override`, `event_category_override` in `[rule]`; Kibana
 * sends them as the `_eql/search` `timestamp_field` and `event_category_field`, over the settings'
 * `@timestamp` / `event.category`): the hover on a sample line (`eqlWorkbench/explainEvent`) and the
 * per-stage counts and "Why not?" (`eqlWorkbench/explainReplay`), and the replay they explain
 * (`eqlWorkbench/replay`, whose matches the CodeLens counts), from the rule file on disk and from an
 * open TOML document whose unsaved text drops the override.
 *
 * Worked by hand (EQL syntax reference: events of a sequence are taken in timestamp order, one
 * pending sequence per join key, a sequence completes within `maxspan` of its first event):
 *
 *   line  host  process  @timestamp   event.ingested
 *   1     h     a        00:00:02     00:00:05
 *   2     h     b        00:00:01     00:00:06
 *   3     h2    a        00:01:00     00:01:00
 *   4     h2    b        00:01:05     00:01:30
 *
 * By event.ingested: h: a (5 s) then b (6 s), completed; h2: a (60 s) then b (90 s), 30 s after the
 * first event, past maxspan 10 s: expired. By @timestamp: h: b (1 s) before a (2 s): b finds no
 * sequence waiting, and a's sequence is still waiting when the input ends at 65 s, 63 s after it:
 * expired; h2: a (60 s) then b (65 s), 5 s: completed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ExplainEventRequest, ExplainReplayRequest, type ExplainReplayResult, type ReplayParams, ReplayRequest, type ReplayResult } from '../../server/src/protocol';
import { startServer, type TestServer } from './lspTestClient';

const QUERY = 'sequence by host.id with maxspan=10s [start where process.name == "a"] [start where process.name == "b"]';
const toml = (overrides: string) => `[metadata]
creation_date = "2024/01/01"

[rule]
name = "Ordered by ingest time"
type = "eql"
language = "eql"
${overrides}event_category_override = "event.type"
query = '''
${QUERY}
'''
`;
const event = (host: string, name: string, timestamp: string, ingested: string) =>
  JSON.stringify({ '@timestamp': `2024-01-01T${timestamp}Z`, event: { ingested: `2024-01-01T${ingested}Z`, type: 'start' }, host: { id: host }, process: { name } });
const EVENTS = [event('h', 'a', '00:00:02', '00:00:05'), event('h', 'b', '00:00:01', '00:00:06'), event('h2', 'a', '00:01:00', '00:01:00'), event('h2', 'b', '00:01:05', '00:01:30')];
/** The editor's settings: the defaults, which the rule's own options override. */
const SETTINGS: ReplayParams['options'] = { timestampField: '@timestamp', tiebreakerField: '', eventCategoryField: 'event.category' };

/** The sample lines of each match (the CodeLens counts them). */
const matchedLines = (result: ReplayResult) => result.matches.map((m) => m.events.map((e) => e.line));

/** Per join key: sequences completed and partial sequences by how they ended. */
function keys(result: ExplainReplayResult) {
  const e = result.explanation;
  assert.ok(e && e.kind === 'sequence', JSON.stringify(result));
  return e.keys.map((k) => ({ key: k.joinKeys[0], completed: k.completed, ends: k.ends, unmatched: k.unmatchedCount }));
}

describe('explanations of a TOML rule use its timestamp_override and event_category_override', () => {
  let server: TestServer;
  let dir: string;
  let params: ReplayParams;
  let sample: string;
  before(async () => {
    server = await startServer('source');
    dir = mkdtempSync(path.join(tmpdir(), 'eqlwb-explain-options-'));
    const rule = path.join(dir, 'ingested.toml');
    writeFileSync(rule, toml('timestamp_override = "event.ingested"\n'));
    const logs = path.join(dir, 'events.ndjson');
    writeFileSync(logs, `${EVENTS.join('\n')}\n`);
    sample = pathToFileURL(logs).toString();
    params = { uri: pathToFileURL(rule).toString(), sampleUris: [sample], options: SETTINGS };
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
  });

  it('the replay orders by event.ingested: one sequence, lines 1 and 2', async () => {
    assert.deepEqual(matchedLines(await server.connection.sendRequest(ReplayRequest, params)), [[1, 2]]);
  });

  it('the replay explanation orders by event.ingested: h completed, h2 expired (30 s > maxspan 10 s)', async () => {
    const result = await server.connection.sendRequest(ExplainReplayRequest, params);
    assert.deepEqual(keys(result), [
      { key: 'h', completed: 1, ends: {}, unmatched: 0 },
      { key: 'h2', completed: 0, ends: { expired: 1 }, unmatched: 0 },
    ]);
    const e = result.explanation!;
    // event.type is the category field: both stages see the four "start" events.
    assert.deepEqual(e.stages.map((s) => [s.passedCategory, s.passed]), [[4, 2], [4, 2]]);
    const partial = e.kind === 'sequence' ? e.keys[1].partials[0] : undefined;
    assert.ok(partial && partial.end.reason === 'expired' && partial.end.at, JSON.stringify(partial));
    assert.deepEqual([partial.end.at.line, partial.end.elapsedMillis, partial.end.maxspanMillis], [4, 30_000, 10_000]);
  });

  it('the hover orders by event.ingested: line 4 comes 30 s after line 3, past maxspan; line 2 completes a sequence', async () => {
    const line4 = await server.connection.sendRequest(ExplainEventRequest, { ...params, sampleUri: sample, line: 4 });
    const expired = line4.explanation?.sequence?.find((n) => n.kind === 'expired');
    assert.ok(expired && expired.kind === 'expired', JSON.stringify(line4));
    assert.deepEqual([expired.first.line, expired.elapsedMillis, expired.maxspanMillis], [3, 30_000, 10_000]);
    const line2 = await server.connection.sendRequest(ExplainEventRequest, { ...params, sampleUri: sample, line: 2 });
    assert.deepEqual(line2.explanation?.sequence?.map((n) => n.kind), ['completed']);
  });

  it('an open TOML document without timestamp_override: the same events by @timestamp (h unmatched, h2 completed)', async () => {
    const uri = params.uri;
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'toml', version: 1, text: toml('') } });
    try {
      assert.deepEqual(matchedLines(await server.connection.sendRequest(ReplayRequest, params)), [[3, 4]]);
      assert.deepEqual(keys(await server.connection.sendRequest(ExplainReplayRequest, params)), [
        { key: 'h', completed: 0, ends: { expired: 1 }, unmatched: 1 },
        { key: 'h2', completed: 1, ends: {}, unmatched: 0 },
      ]);
      const line2 = await server.connection.sendRequest(ExplainEventRequest, { ...params, sampleUri: sample, line: 2 });
      assert.deepEqual(line2.explanation?.sequence?.map((n) => n.kind), ['no-sequence-waiting']);
      const line4 = await server.connection.sendRequest(ExplainEventRequest, { ...params, sampleUri: sample, line: 4 });
      assert.deepEqual(line4.explanation?.sequence?.map((n) => n.kind), ['completed']);
    } finally {
      await server.close(uri);
    }
  });
});
