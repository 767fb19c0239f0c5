/**
 * `eqlWorkbench/explainEvent` and `eqlWorkbench/explainReplay` over LSP, on the repository's
 * `samples/`. Expected reasons, lines and counts are those worked out by hand in `samples/README.md`
 * (near-miss table) and in `test/unit/engine/explain.test.ts` (stage counts: 6 of 15 network events pass stage 1; 9 of 17 process events — win-dc01 6, 9, 14, wks-07 3, 5, 9, 10, 12, sysmon 3 — pass stage 2); stage end positions
 * are read off the rule files (the `]` closing each stage ends its line: 83 and 136 characters).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExplainEventRequest, ExplainReplayRequest, type ReplayParams } from '../../server/src/protocol';
import { fileUri, ROOT, startServer, type TestServer } from './lspTestClient';

const RULE_EQL = 'samples/rules/incoming_execution_via_powershell_remoting.eql';
const RULE_TOML = 'samples/rules/incoming_execution_via_powershell_remoting.toml';
const LOGS = [
  'samples/logs/endpoint/win-dc01.ndjson',
  'samples/logs/endpoint/wks-07.jsonl',
  'samples/logs/linux/web01.ndjson',
  'samples/logs/winlogbeat/sysmon-srv-app02.ndjson',
];
const OPTIONS: ReplayParams['options'] = { timestampField: '@timestamp', tiebreakerField: '', eventCategoryField: 'event.category' };

describe('eqlWorkbench/explainEvent and eqlWorkbench/explainReplay', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('source');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
  });
  const params = (rule: string): ReplayParams => ({ uri: fileUri(rule), sampleUris: LOGS.map(fileUri), options: OPTIONS });

  it('explains win-dc01.ndjson:14: passes stage 2, outside maxspan by 1 s; references are sample URIs, words use base names', async () => {
    const result = await server.connection.sendRequest(ExplainEventRequest, { ...params(RULE_EQL), sampleUri: fileUri(LOGS[0]), line: 14 });
    const e = result.explanation;
    assert.ok(e);
    assert.deepEqual(e.stages.map((s) => [s.label, s.passed]), [['stage 1', false], ['stage 2', true]]);
    const expired = e.sequence?.find((n) => n.kind === 'expired');
    assert.ok(expired && expired.kind === 'expired');
    assert.equal(expired.first.file, fileUri(LOGS[0]));
    assert.equal(expired.first.line, 12);
    assert.match(expired.text, /outside maxspan by 1 s: 31 s after the sequence's first event win-dc01\.ndjson:12 \(maxspan 30 s\)/);
    assert.equal(e.event?.file, fileUri(LOGS[0]));
  });

  it('explains the unsaved text of a sample: the line as the editor shows it', async () => {
    // Line 1 of an unsaved win-dc01 replaced by the process start of line 5 (parent svchost.exe).
    const lines = readFileSync(path.join(ROOT, LOGS[0]), 'utf8').split('\n');
    const text = [lines[4], ...lines.slice(1)].join('\n');
    const result = await server.connection.sendRequest(ExplainEventRequest, {
      ...params(RULE_EQL),
      openSamples: [{ uri: fileUri(LOGS[0]), text }],
      sampleUri: fileUri(LOGS[0]),
      line: 1,
    });
    assert.deepEqual(result.explanation?.stages[1].why, ['process.parent.name is "svchost.exe", not "wsmprovhost.exe"']);
  });

  it('explains a sample changed on disk between two hovers from its new content', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eql-explain-'));
    try {
      const file = path.join(dir, 'one.ndjson');
      const event = (parent: string) =>
        JSON.stringify({ '@timestamp': '2024-05-14T09:00:00Z', event: { category: 'process', type: 'start' }, host: { id: 'h', os: { type: 'windows' } }, process: { parent: { name: parent }, executable: 'C:\\x.exe' } });
      const ask = () =>
        server.connection.sendRequest(ExplainEventRequest, { uri: fileUri(RULE_EQL), sampleUris: [pathToFileURL(file).toString()], options: OPTIONS, sampleUri: pathToFileURL(file).toString(), line: 1 });
      writeFileSync(file, `${event('svchost.exe')}\n`);
      assert.deepEqual((await ask()).explanation?.stages[1].why, ['process.parent.name is "svchost.exe", not "wsmprovhost.exe"']);
      assert.deepEqual((await ask()).explanation?.stages[1].why, ['process.parent.name is "svchost.exe", not "wsmprovhost.exe"'], 'asked again: same answer');
      writeFileSync(file, `${event('wsmprovhost.exe')}\n`);
      assert.equal((await ask()).explanation?.stages[1].passed, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('join keys beyond 2^53 travel as their exact digits: 2^53 + 1 and 2^53 are two keys', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eql-explain-big-'));
    try {
      const rule = path.join(dir, 'big.eql');
      const logs = path.join(dir, 'big.ndjson');
      writeFileSync(rule, 'sequence by host.id [process where true] [network where true]\n');
      writeFileSync(
        logs,
        [
          '{"@timestamp":1,"event":{"category":"process"},"host":{"id":9007199254740993}}',
          '{"@timestamp":2,"event":{"category":"process"},"host":{"id":9007199254740992}}',
          '{"@timestamp":3,"event":{"category":"network"},"host":{"id":9007199254740993}}',
        ].join('\n'),
      );
      const uris = { uri: pathToFileURL(rule).toString(), sampleUris: [pathToFileURL(logs).toString()], options: OPTIONS };
      const replay = await server.connection.sendRequest(ExplainReplayRequest, uris);
      const seq = replay.explanation;
      assert.ok(seq && seq.kind === 'sequence', JSON.stringify(replay));
      assert.deepEqual(
        seq.keys.map((k) => [k.joinKeys, k.completed]),
        [
          [['9007199254740992'], 0],
          [['9007199254740993'], 1],
        ],
      );
      const event = await server.connection.sendRequest(ExplainEventRequest, { ...uris, sampleUri: uris.sampleUris[0], line: 2 });
      assert.equal(event.explanation?.stages[0].passed, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a line without an event, or a file outside the samples: no explanation', async () => {
    assert.deepEqual(await server.connection.sendRequest(ExplainEventRequest, { ...params(RULE_EQL), sampleUri: fileUri(LOGS[0]), line: 400 }), {});
    assert.deepEqual(await server.connection.sendRequest(ExplainEventRequest, { ...params(RULE_EQL), sampleUri: fileUri('samples/README.md'), line: 1 }), {});
  });

  it('a rule with errors: its messages, nothing explained', async () => {
    const uri = 'file:///rules/broken.eql';
    await server.open(uri, 'sequence by host.id with maxspan = 30 [process where true] [network where true]');
    const result = await server.connection.sendRequest(ExplainReplayRequest, { uri, sampleUris: LOGS.map(fileUri), options: OPTIONS });
    assert.equal(result.explanation, undefined);
    assert.ok(result.ruleErrors && result.ruleErrors.length > 0);
    await server.close(uri);
  });

  it('leaves out the events an exception item leaves out of the replay, and says so on hover', async () => {
    // samples/README.md: the item "IT admin jump host" (source.ip 10.0.2.44) leaves out wks-07.jsonl:7
    // (stage 1 of sequence 2) and wks-07.jsonl:11 (stage 1 of the partial sequence that expired):
    // two network events that passed stage 1, so 13 network events, 4 passing; sequence 2 is gone.
    const withExceptions = { ...params(RULE_EQL), exceptionUris: [fileUri('samples/rules/incoming_execution_via_powershell_remoting.exceptions.toml')] };
    const replay = await server.connection.sendRequest(ExplainReplayRequest, withExceptions);
    const e = replay.explanation;
    assert.ok(e && e.kind === 'sequence');
    assert.deepEqual(e.stages.map((s) => [s.passedCategory, s.passed]), [[13, 4], [17, 9]]);
    assert.equal(e.completed, 1);
    assert.deepEqual(await server.connection.sendRequest(ExplainEventRequest, { ...withExceptions, sampleUri: fileUri(LOGS[1]), line: 7 }), { leftOutByException: 'IT admin jump host' });
    // wks-07.jsonl:9, stage 2 of sequence 2, then finds nothing waiting at stage 1.
    const line9 = await server.connection.sendRequest(ExplainEventRequest, { ...withExceptions, sampleUri: fileUri(LOGS[1]), line: 9 });
    assert.deepEqual(line9.explanation?.sequence?.map((n) => n.kind), ['no-sequence-waiting']);
  });

  it('explains the replay of the .eql rule: stage counts and where each stage ends', async () => {
    const result = await server.connection.sendRequest(ExplainReplayRequest, params(RULE_EQL));
    const e = result.explanation;
    assert.ok(e && e.kind === 'sequence');
    assert.deepEqual(e.stages.map((s) => [s.passedCategory, s.passed]), [[15, 6], [17, 9]]);
    assert.deepEqual(result.stageEnds, [
      { stage: 0, position: { line: 2, character: 83 } },
      { stage: 1, position: { line: 4, character: 136 } },
    ]);
    // Near misses of stage 1 are sample URIs.
    assert.ok(e.stages[0].nearMisses.every((m) => m.event.file.startsWith('file://')));
  });

  it('explains a replay over samples saved as a JSON array (gzip-compressed) as over the same events in NDJSON', async () => {
    // The same four files' events, one JSON array of documents per file, gzip-compressed: the
    // explanation counts the same events (the events of each file are at other lines, so only counts
    // are compared).
    const dir = mkdtempSync(path.join(tmpdir(), 'eqlwb-explain-array-'));
    try {
      const arrays = LOGS.map((f, i) => {
        const docs = readFileSync(path.join(ROOT, f), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
        const file = path.join(dir, `${i}.json.gz`);
        writeFileSync(file, gzipSync(JSON.stringify(docs, null, 2)));
        return pathToFileURL(file).toString();
      });
      const fromNdjson = await server.connection.sendRequest(ExplainReplayRequest, params(RULE_EQL));
      const fromArrays = await server.connection.sendRequest(ExplainReplayRequest, { ...params(RULE_EQL), sampleUris: arrays });
      const counts = (r: typeof fromNdjson) => {
        const e = r.explanation!;
        return { events: e.events, stages: e.stages.map((s) => [s.events, s.passedCategory, s.passed]), ...(e.kind === 'sequence' ? { completed: e.completed, ends: e.ends } : {}) };
      };
      assert.deepEqual(counts(fromArrays), counts(fromNdjson));
      assert.deepEqual(counts(fromNdjson).stages.map((s) => s.slice(1)), [[15, 6], [17, 9]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stage ends of a TOML rule are TOML positions, from disk and from the open document', async () => {
    const fromDisk = await server.connection.sendRequest(ExplainReplayRequest, params(RULE_TOML));
    const expected = [
      { stage: 0, position: { line: 26, character: 83 } },
      { stage: 1, position: { line: 28, character: 136 } },
    ];
    assert.deepEqual(fromDisk.stageEnds, expected);
    const uri = fileUri(RULE_TOML);
    await server.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'toml', version: 1, text: readFileSync(path.join(ROOT, RULE_TOML), 'utf8') },
    });
    const open = await server.connection.sendRequest(ExplainReplayRequest, params(RULE_TOML));
    assert.deepEqual(open.stageEnds, expected);
    await server.close(uri);
  });
});
