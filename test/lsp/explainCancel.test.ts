/**
 * Explanations run in the replay worker, off the language server's main thread: `$/cancelRequest`
 * stops a running explanation, a newer explanation request cancels the one of its kind running
 * (both answer LSP's `RequestCancelled`, -32800, LSP 3.17 "Cancellation Support"), and completion
 * answers while an explanation reads a large sample. The sample file is large enough that an
 * explanation is still running when it is cancelled; the cache is off so that every request reads it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import type { CompletionItem, CompletionList } from 'vscode-languageserver-protocol';
import { ExplainEventRequest, ExplainReplayRequest, type ReplayParams } from '../../server/src/protocol';
import { processEventsText } from './processEvents';
import { startServer, type TestServer } from './lspTestClient';

const REQUEST_CANCELLED = -32800;
const EVENTS = 200_000;
const OPTIONS: ReplayParams['options'] = { timestampField: '@timestamp', tiebreakerField: '', eventCategoryField: 'event.category' };
const RULE = 'process where length(x) == 2\n';

describe('explanation cancellation, and the server answering while an explanation runs', () => {
  let server: TestServer;
  let dir: string;
  let params: ReplayParams;
  let text: string;
  before(async () => {
    server = await startServer('source');
    dir = mkdtempSync(path.join(tmpdir(), 'eqlwb-explain-cancel-'));
    // x is "v0" … "v96": length 2 for v0 … v9 only (10 of every 97 events).
    text = processEventsText(EVENTS);
    const samples = path.join(dir, 'big.ndjson');
    writeFileSync(samples, text);
    const rule = path.join(dir, 'rule.eql');
    writeFileSync(rule, RULE);
    params = { uri: pathToFileURL(rule).toString(), sampleUris: [pathToFileURL(samples).toString()], options: OPTIONS, sampleCacheBudgetMB: 0 };
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
  });

  const cancelled = (e: unknown) => e instanceof ResponseError && e.code === REQUEST_CANCELLED;

  it('$/cancelRequest stops a running replay explanation and a running event explanation', async () => {
    const source = new CancellationTokenSource();
    const running = server.connection.sendRequest(ExplainReplayRequest, params, source.token);
    setTimeout(() => source.cancel(), 30);
    await assert.rejects(running, cancelled);
    const hover = new CancellationTokenSource();
    const explaining = server.connection.sendRequest(ExplainEventRequest, { ...params, sampleUri: params.sampleUris[0], line: 1 }, hover.token);
    setTimeout(() => hover.cancel(), 30);
    await assert.rejects(explaining, cancelled);
  });

  it('a newer event explanation cancels the one running; the newer one answers', async () => {
    const first = server.connection.sendRequest(ExplainEventRequest, { ...params, sampleUri: params.sampleUris[0], line: 1 });
    await new Promise((r) => setTimeout(r, 30));
    const second = server.connection.sendRequest(ExplainEventRequest, { ...params, sampleUri: params.sampleUris[0], line: 12 });
    await assert.rejects(first, cancelled);
    // Line 12 holds x "v11": length 3, not 2.
    const result = await second;
    assert.deepEqual(result.explanation?.stages.map((s) => s.passed), [false]);
    assert.equal(result.explanation?.event?.line, 12);
  });

  it('answers completion while a replay explanation runs, and the explanation still counts every event', async () => {
    // The rule and the samples come as unsaved editor texts: read from memory, the explanation never
    // waits for I/O, so on the server's main thread it would hold every other request until it ended.
    const explainedUri = pathToFileURL(path.join(dir, 'explained.eql')).toString();
    await server.open(explainedUri, RULE);
    const ruleUri = pathToFileURL(path.join(dir, 'open.eql')).toString();
    const query = 'process where process.';
    await server.open(ruleUri, query);
    const order: string[] = [];
    const explaining = server.connection
      .sendRequest(ExplainReplayRequest, { ...params, uri: explainedUri, openSamples: [{ uri: params.sampleUris[0], text }] })
      .then((result) => (order.push('explanation'), result));
    const completing = server.connection
      .sendRequest('textDocument/completion', { textDocument: { uri: ruleUri }, position: { line: 0, character: query.length } })
      .then((list) => (order.push('completion'), list as CompletionList | CompletionItem[]));
    const [result, list] = await Promise.all([explaining, completing]);
    assert.deepEqual(order, ['completion', 'explanation']);
    const labels = (Array.isArray(list) ? list : list.items).map((i) => i.label);
    assert.ok(labels.includes('name') || labels.includes('process.name'), labels.slice(0, 20).join(', '));
    // 200,000 = 2,061 runs of v0 … v96 and 83 more (v0 … v82): 10 events of length 2 per run, 10 in the rest.
    assert.equal(result.explanation?.events, EVENTS);
    assert.deepEqual(result.explanation?.stages.map((s) => [s.passedCategory, s.passed]), [[EVENTS, 2061 * 10 + 10]]);
    await server.close(ruleUri);
    await server.close(explainedUri);
  });
});
