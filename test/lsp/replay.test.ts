/**
 * The `eqlWorkbench/replay` request over LSP, on the repository's `samples/`.
 *
 * Expected matches come from `samples/expected/*.json`, worked out by hand from the rule and the
 * logs (see `samples/README.md`); summaries (timestamps, categories, process names) are read off the
 * sample lines by hand and quoted in the assertions.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc/node';
import { ReplayRequest, type ReplayParams, type ReplayResult } from '../../server/src/protocol';
import { fileUri, ROOT, startServer, type TestServer } from './lspTestClient';

const RULE_EQL = 'samples/rules/incoming_execution_via_powershell_remoting.eql';
const RULE_TOML = 'samples/rules/incoming_execution_via_powershell_remoting.toml';
/** The files of `samples/logs` in path order (how the client finds and sorts them). */
const LOGS = [
  'samples/logs/endpoint/win-dc01.ndjson',
  'samples/logs/endpoint/wks-07.jsonl',
  'samples/logs/linux/web01.ndjson',
  'samples/logs/winlogbeat/sysmon-srv-app02.ndjson',
];
const BROKEN = ['samples/logs-broken/defend-truncated-line.ndjson'];
const OPTIONS: ReplayParams['options'] = { timestampField: '@timestamp', tiebreakerField: '', eventCategoryField: 'event.category' };

interface ExpectedFile {
  matches: Array<{ type: string; join_keys: unknown[]; events: Array<{ file: string; line: number }> }>;
}

function expected(name: string): ExpectedFile {
  return JSON.parse(readFileSync(path.join(ROOT, 'samples/expected', name), 'utf8')) as ExpectedFile;
}

/** The result in the expected files' shape: type, join keys, repository-relative file and line per event. */
function asExpectedShape(result: ReplayResult): ExpectedFile['matches'] {
  return result.matches.map((m) => ({
    type: m.type,
    join_keys: m.joinKeys ?? [],
    events: m.events.map((e) => ({ file: path.relative(ROOT, fileURLToPath(e.uri)).split(path.sep).join('/'), line: e.line })),
  }));
}

/** Non-blank lines of a file: all of them are events when the file has no malformed line. */
function nonBlankLines(relative: string): number {
  return readFileSync(path.join(ROOT, relative), 'utf8').split(/\r\n|\r|\n/).filter((l) => l.trim() !== '').length;
}

describe('eqlWorkbench/replay', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('source');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
  });

  const replay = (uri: string, samples: string[]): Promise<ReplayResult> =>
    server.connection.sendRequest(ReplayRequest, { uri, sampleUris: samples.map(fileUri), options: OPTIONS });

  it('replays the sample rule (read from disk) over samples/logs and finds the hand-worked sequences', async () => {
    const result = await replay(fileUri(RULE_EQL), LOGS);
    assert.equal(result.diagnostics, undefined);
    assert.deepEqual(asExpectedShape(result), expected('incoming_execution_via_powershell_remoting.json').matches);
    assert.deepEqual(result.malformedLines, []);
    assert.equal(result.sampleFiles, 4);
    assert.equal(result.events, LOGS.reduce((n, f) => n + nonBlankLines(f), 0));

    // Display data of the first sequence, read off samples/logs/endpoint/win-dc01.ndjson lines 4 and 6.
    const [first, second] = result.matches;
    assert.equal(first.stageCount, 2);
    assert.deepEqual(
      first.events.map(({ stage, missing, joinKeyFields, timestamp, category, action, processName }) => ({
        stage,
        missing,
        joinKeyFields,
        timestamp,
        category,
        action,
        processName,
      })),
      [
        {
          stage: 0,
          missing: false,
          joinKeyFields: ['host.id'],
          timestamp: '2024-05-14T09:14:02.113Z',
          category: 'network',
          action: 'connection_accepted',
          processName: 'System',
        },
        {
          stage: 1,
          missing: false,
          joinKeyFields: ['host.id'],
          timestamp: '2024-05-14T09:14:04.520Z',
          category: 'process',
          action: 'start',
          processName: 'whoami.exe',
        },
      ],
    );
    // wks-07.jsonl writes epoch milliseconds; they are passed on as numbers (line 9: 1715681440900).
    assert.equal(second.events[1].timestamp, 1715681440900);
    assert.equal(second.events[1].processName, 'powershell.exe');
  });

  it('reads a detection-rules TOML rule from disk and finds the same sequences', async () => {
    const result = await replay(fileUri(RULE_TOML), LOGS);
    assert.deepEqual(asExpectedShape(result), expected('incoming_execution_via_powershell_remoting.json').matches);
  });

  it('skips and reports the truncated line of samples/logs-broken and still finds the sequence around it', async () => {
    const result = await replay(fileUri(RULE_EQL), BROKEN);
    assert.deepEqual(asExpectedShape(result), expected('incoming_execution_via_powershell_remoting.logs-broken.json').matches);
    assert.deepEqual(
      result.malformedLines.map((m) => ({ uri: m.uri, line: m.line })),
      [{ uri: fileUri(BROKEN[0]), line: 2 }],
    );
    assert.ok(result.malformedLines[0].message.length > 0);
    assert.equal(result.events, 2);
  });

  it('uses the unsaved text of an open rule, not the file on disk', async () => {
    const uri = fileUri(RULE_EQL);
    // An event query for the one ipconfig.exe event of the logs (win-dc01.ndjson line 14, category process).
    await server.open(uri, 'process where process.name == "ipconfig.exe"', 1);
    try {
      const result = await replay(uri, LOGS);
      assert.deepEqual(
        result.matches.map((m) => ({ type: m.type, joinKeys: m.joinKeys, stageCount: m.stageCount, lines: m.events.map((e) => [e.uri, e.line, e.stage]) })),
        [{ type: 'event', joinKeys: undefined, stageCount: 1, lines: [[fileUri(LOGS[0]), 14, 0]] }],
      );
    } finally {
      await server.close(uri);
    }
  });

  it('replays nothing for a rule with errors and returns its diagnostics instead', async () => {
    const uri = 'file:///test/broken-rule.eql';
    // `[network where ]`: the condition is missing; the error is on `]`, line 2 character 17.
    await server.open(uri, 'sequence by host.id\n  [process where true]\n  [network where ]', 1);
    const result = await replay(uri, LOGS);
    assert.deepEqual(result.matches, []);
    assert.equal(result.sampleFiles, 0);
    assert.ok(result.diagnostics && result.diagnostics.length === 1, JSON.stringify(result.diagnostics));
    assert.deepEqual(result.diagnostics[0].range, { start: { line: 2, character: 17 }, end: { line: 2, character: 18 } });
    assert.equal(result.diagnostics[0].source, 'eql');
    await server.close(uri);
  });

  it('answers InvalidParams, and keeps running, when the rule is neither open nor on disk', async () => {
    const missing = fileUri('samples/rules/no-such-rule.eql');
    await assert.rejects(replay(missing, LOGS), (e: unknown) => {
      assert.ok(e instanceof ResponseError);
      assert.equal(e.code, -32602); // JSON-RPC 2.0 "Invalid params"
      assert.match(e.message, /no-such-rule\.eql/);
      return true;
    });
    const result = await replay(fileUri(RULE_EQL), BROKEN);
    assert.equal(result.matches.length, 1);
  });

  it('names an unreadable sample file in the warnings and replays the others', async () => {
    const result = await replay(fileUri(RULE_EQL), ['samples/logs/no-such-file.ndjson', ...BROKEN]);
    assert.equal(result.sampleFiles, 1);
    assert.equal(result.matches.length, 1);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /no-such-file\.ndjson: cannot be read/);
  });
});
