/**
 * Replay progress over LSP: with a `workDoneToken` in the replay request, the server sends
 * `$/progress` begin, reports and end on it (LSP 3.17 "Work Done Progress"). The percentage is
 * the bytes read over the bytes of all sample files; the message counts the events read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { WorkDoneProgress, type WorkDoneProgressBegin, type WorkDoneProgressEnd, type WorkDoneProgressReport } from 'vscode-languageserver-protocol';
import { ReplayRequest } from '../../server/src/protocol';
import { progressReport } from '../../server/src/services/replayProgress';
import { startServer, type TestServer } from './lspTestClient';

const EVENTS = 30_000;

describe('replay progress', () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    server = await startServer('source');
    dir = mkdtempSync(path.join(tmpdir(), 'eqlwb-progress-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
  });

  it('a percentage of the bytes and the events read (hand-worked)', () => {
    assert.deepEqual(progressReport({ bytesRead: 50, totalBytes: 200, events: 1234 }), { percentage: 25, message: '1,234 events read' });
    assert.deepEqual(progressReport({ bytesRead: 0, totalBytes: 0, events: 1 }), { message: '1 event read' });
  });

  it('sends begin, reports ending at 100 % with every event read, then end', async () => {
    const lines: string[] = [];
    for (let i = 0; i < EVENTS; i++) lines.push(`{"@timestamp":${i},"event":{"category":"process"},"x":"v${i % 97}"}`);
    const samples = path.join(dir, 'many.ndjson');
    writeFileSync(samples, lines.join('\n'));
    const rule = path.join(dir, 'rule.eql');
    writeFileSync(rule, 'process where x == "v1"\n');
    const token = 'progress-test-1';
    const seen: Array<WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd> = [];
    const subscription = server.connection.onProgress(WorkDoneProgress.type, token, (value) => {
      seen.push(value);
    });
    const result = await server.connection.sendRequest(ReplayRequest, {
      uri: pathToFileURL(rule).toString(),
      sampleUris: [pathToFileURL(samples).toString()],
      options: { timestampField: '@timestamp', tiebreakerField: '', eventCategoryField: 'event.category' },
      workDoneToken: token,
    });
    // $/progress end is sent before the response: both are in by now, in order.
    subscription.dispose();
    assert.equal(result.events, EVENTS);
    assert.equal(seen[0]?.kind, 'begin');
    assert.equal((seen[0] as WorkDoneProgressBegin).cancellable, true);
    assert.equal(seen.at(-1)?.kind, 'end');
    const reports = seen.filter((v): v is WorkDoneProgressReport => v.kind === 'report');
    assert.ok(reports.length > 0);
    assert.deepEqual(reports.at(-1), { kind: 'report', percentage: 100, message: '30,000 events read' });
  });
});
