/**
 * The `eqlWorkbench/replay` request over LSP, on the repository's `samples/`.
 *
 * Expected matches come from `samples/expected/*.json`, worked out by hand from the rule and the
 * logs (see `samples/README.md`); summaries (timestamps, categories, process names) are read off the
 * sample lines by hand and quoted in the assertions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

  it('replays the unsaved text of an open sample sent in openSamples instead of the file on disk', async () => {
    const rule = 'file:///test/open-sample-rule.eql';
    await server.open(rule, 'process where process.name == "edited.exe"', 1);
    try {
      // Hand-written editor text: line 1 is blank, line 2 a process start of edited.exe, line 3 one of
      // other.exe. The file on disk (win-dc01.ndjson) has no edited.exe event at all.
      const text = [
        '',
        '{"@timestamp":"2024-05-14T09:00:00.000Z","event":{"category":"process"},"process":{"name":"edited.exe"}}',
        '{"@timestamp":"2024-05-14T09:00:01.000Z","event":{"category":"process"},"process":{"name":"other.exe"}}',
      ].join('\n');
      const sample = fileUri(LOGS[0]);
      const result = await server.connection.sendRequest(ReplayRequest, {
        uri: rule,
        sampleUris: [sample, fileUri(LOGS[1])],
        openSamples: [{ uri: sample, text }],
        options: OPTIONS,
      });
      assert.deepEqual(
        result.matches.map((m) => m.events.map((e) => [e.uri, e.line])),
        [[[sample, 2]]],
      );
      // Events: the 2 of the open text plus every non-blank line of wks-07.jsonl, read from disk.
      assert.equal(result.events, 2 + nonBlankLines(LOGS[1]));
      assert.equal(result.sampleFiles, 2);
    } finally {
      await server.close(rule);
    }
  });

  it('warns when no sample event has a value for the event category field (a wrong setting, not "no matches")', async () => {
    // No line of samples/logs has a field "event.categroy" (misspelt on purpose): `process where …`
    // compares the category field, so nothing but `any` can match (EQL syntax reference, "Basic syntax").
    const result = await server.connection.sendRequest(ReplayRequest, {
      uri: fileUri(RULE_EQL),
      sampleUris: LOGS.map(fileUri),
      options: { ...OPTIONS, eventCategoryField: 'event.categroy' },
    });
    assert.deepEqual(result.matches, []);
    assert.ok(
      result.warnings.some((w) => w.startsWith('no event has a "event.categroy" value (the event category field)') && w.includes('eqlWorkbench.eventCategoryField')),
      JSON.stringify(result.warnings),
    );
    // The right field: no such warning.
    const ok = await replay(fileUri(RULE_EQL), LOGS);
    assert.ok(!ok.warnings.some((w) => w.includes('event category field')), JSON.stringify(ok.warnings));
  });

  it('answers InvalidParams with the message when the engine refuses the rule (integer division by zero)', async () => {
    const rule = 'file:///test/division-by-zero.eql';
    // Elasticsearch fails the search with Java's ArithmeticException "/ by zero" for an integer
    // division by zero in a script (EQL function reference, "divide"); the process events of
    // win-dc01.ndjson have an integer process.pid, so the first one evaluated fails.
    await server.open(rule, 'process where process.pid / 0 == 1', 1);
    try {
      await assert.rejects(replay(rule, [LOGS[0]]), (e: unknown) => {
        assert.ok(e instanceof ResponseError);
        assert.equal(e.code, -32602); // JSON-RPC 2.0 "Invalid params"
        assert.match(e.message, /\/ by zero/);
        return true;
      });
    } finally {
      await server.close(rule);
    }
  });

  it('answers InvalidParams naming the setting for a negative, NaN or non-number cache budget, and keeps running', async () => {
    const base = { uri: fileUri(RULE_EQL), sampleUris: [fileUri(LOGS[0])], options: OPTIONS };
    // NaN is sent as JSON null (JSON has no NaN); the setting's schema says "minimum": 0.
    for (const budget of [-1, Number.NaN, 'abc', null, { mb: 5 }]) {
      const params = { ...base, sampleCacheBudgetMB: budget as unknown as number };
      await assert.rejects(server.connection.sendRequest(ReplayRequest, params), (e: unknown) => {
        assert.ok(e instanceof ResponseError);
        assert.equal(e.code, -32602, JSON.stringify(budget)); // JSON-RPC 2.0 "Invalid params"
        assert.match(e.message, /sampleCacheBudgetMB \(the eqlWorkbench\.replay\.cacheBudgetMB setting\) must be a number of MiB, 0 or more/);
        return true;
      });
    }
    // 0 (no cache) and a budget are accepted.
    for (const budget of [0, 64]) {
      const result = await server.connection.sendRequest(ReplayRequest, { ...base, sampleCacheBudgetMB: budget });
      assert.ok(Array.isArray(result.matches));
    }
  });

  it('answers InternalError, logs the stack and keeps running when the replay fails for another reason', async () => {
    const before = server.logMessages.length;
    // A timestamp field that is not a string breaks the protocol's contract: not the engine refusing
    // the rule, so it must not read as bad rule input (InvalidParams) but as a defect.
    const params = { uri: fileUri(RULE_EQL), sampleUris: [fileUri(LOGS[0])], options: { ...OPTIONS, timestampField: 42 as unknown as string } };
    await assert.rejects(server.connection.sendRequest(ReplayRequest, params), (e: unknown) => {
      assert.ok(e instanceof ResponseError);
      assert.equal(e.code, -32603); // JSON-RPC 2.0 "Internal error"
      return true;
    });
    const logged = server.logMessages.slice(before).join('\n');
    assert.match(logged, /replay failed: .*\n\s+at /, logged);
    const result = await replay(fileUri(RULE_EQL), BROKEN);
    assert.equal(result.matches.length, 1);
  });

  it('replays a sample file of 150,000 events (more than a function call takes as arguments)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eql-replay-'));
    try {
      // Event n (1-based) is on line n, one second apart: `process where n == 150000` matches the last line only.
      const file = path.join(dir, 'big.ndjson');
      const start = Date.UTC(2026, 0, 10);
      const lines = Array.from({ length: 150_000 }, (_, i) =>
        JSON.stringify({ '@timestamp': new Date(start + i * 1000).toISOString(), event: { category: 'process' }, n: i + 1 }),
      );
      writeFileSync(file, `${lines.join('\n')}\n`);
      const rule = 'file:///test/big-sample.eql';
      await server.open(rule, 'process where n == 150000', 1);
      try {
        const sample = pathToFileURL(file).toString();
        const result = await server.connection.sendRequest(ReplayRequest, { uri: rule, sampleUris: [sample], options: OPTIONS });
        assert.deepEqual(result.warnings, []);
        assert.equal(result.events, 150_000);
        assert.deepEqual(
          result.matches.map((m) => m.events.map((e) => [e.uri, e.line])),
          [[[sample, 150_000]]],
        );
      } finally {
        await server.close(rule);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
