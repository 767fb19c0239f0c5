/**
 * Cancelling replays over LSP: `$/cancelRequest` stops a running replay, and a new replay request
 * cancels the one running; both answer LSP's `RequestCancelled` (-32800, LSP 3.17 "Cancellation
 * Support"). The sample file is large enough that a replay is still running when it is cancelled;
 * a replay is known to be running once its work-done progress reports events read. A
 * `$/cancelRequest` that comes before the server dispatched the request cancels it too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { WorkDoneProgress, type CompletionItem, type CompletionList } from 'vscode-languageserver-protocol';
import { ReplayRequest, type ReplayParams } from '../../server/src/protocol';
import { processEventsText } from './processEvents';
import { startServer, type TestServer } from './lspTestClient';

const REQUEST_CANCELLED = -32800;
const EVENTS = 200_000;
const OPTIONS: ReplayParams['options'] = { timestampField: '@timestamp', tiebreakerField: '', eventCategoryField: 'event.category' };

describe('replay cancellation', () => {
  let server: TestServer;
  let dir: string;
  let params: ReplayParams;
  let text: string;
  before(async () => {
    server = await startServer('source');
    dir = mkdtempSync(path.join(tmpdir(), 'eqlwb-cancel-'));
    // x is "v0" … "v96": length 2 for v0 … v9 only (10 of every 97 events).
    text = processEventsText(EVENTS);
    const samples = path.join(dir, 'big.ndjson');
    writeFileSync(samples, text);
    // A script no prefilter can help with, matching nothing: every line is parsed and evaluated.
    const rule = path.join(dir, 'rule.eql');
    writeFileSync(rule, 'process where length(x) == 99999\n');
    params = { uri: pathToFileURL(rule).toString(), sampleUris: [pathToFileURL(samples).toString()], options: OPTIONS };
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
  });

  const cancelled = (e: unknown) => e instanceof ResponseError && e.code === REQUEST_CANCELLED;

  /**
   * Sends a replay request with a work-done token; `running` resolves once its progress reports
   * events read (the worker is reading the samples), or when the request settles first.
   */
  let progressTokens = 0;
  function startReplay(token?: CancellationTokenSource['token']) {
    const workDoneToken = `cancel-test-${++progressTokens}`;
    let reading!: () => void;
    const read = new Promise<void>((resolve) => (reading = resolve));
    const subscription = server.connection.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
      if (value.kind === 'report' && /^[1-9]/.test(value.message ?? '')) reading();
    });
    const reply = server.connection.sendRequest(ReplayRequest, { ...params, workDoneToken }, ...(token ? [token] : []));
    reply.then(() => subscription.dispose(), () => subscription.dispose());
    return { reply, running: Promise.race([read, reply.then(() => undefined)]) };
  }

  it('$/cancelRequest stops a running replay', async () => {
    const source = new CancellationTokenSource();
    const replay = startReplay(source.token);
    await replay.running;
    source.cancel();
    await assert.rejects(replay.reply, cancelled);
  });

  it('$/cancelRequest sent right after the request, before the server dispatched it, cancels the replay', async () => {
    const source = new CancellationTokenSource();
    const reply = server.connection.sendRequest(ReplayRequest, params, source.token);
    source.cancel();
    await assert.rejects(reply, cancelled);
  });

  it('a new replay request cancels the one running; the new one completes', async () => {
    const replay = startReplay();
    const first = replay.reply;
    await replay.running;
    const second = server.connection.sendRequest(ReplayRequest, params);
    await assert.rejects(first, cancelled);
    const result = await second;
    assert.equal(result.events, EVENTS);
    assert.deepEqual(result.matches, []);
  });

  it('answers completion while a replay runs (the replay runs off the main thread)', async () => {
    // The rule and the samples come as unsaved editor texts: read from memory, the replay never
    // waits for I/O, so on the server's main thread it would hold every other request until it ended.
    const replayedUri = pathToFileURL(path.join(dir, 'replayed.eql')).toString();
    await server.open(replayedUri, 'process where length(x) == 99999\n');
    const ruleUri = pathToFileURL(path.join(dir, 'open.eql')).toString();
    const query = 'process where process.';
    await server.open(ruleUri, query);
    const order: string[] = [];
    const replaying = server.connection
      .sendRequest(ReplayRequest, { ...params, uri: replayedUri, openSamples: [{ uri: params.sampleUris[0], text }] })
      .then((result) => (order.push('replay'), result));
    const completing = server.connection
      .sendRequest('textDocument/completion', { textDocument: { uri: ruleUri }, position: { line: 0, character: query.length } })
      .then((list) => (order.push('completion'), list as CompletionList | CompletionItem[]));
    const [result, list] = await Promise.all([replaying, completing]);
    assert.deepEqual(order, ['completion', 'replay']);
    // ECS fields under process. are offered (ECS field reference: process.name, process.pid).
    const labels = (Array.isArray(list) ? list : list.items).map((i) => i.label);
    assert.ok(labels.includes('name') || labels.includes('process.name'), labels.slice(0, 20).join(', '));
    assert.equal(result.events, EVENTS);
    await server.close(ruleUri);
    await server.close(replayedUri);
  });

  it('the server still answers after cancelled replays', async () => {
    const result = await server.connection.sendRequest(ReplayRequest, params);
    assert.equal(result.events, EVENTS);
  });
});
