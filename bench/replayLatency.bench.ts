/**
 * Completion latency in the language server while a replay runs in its worker thread, as the
 * editor sees it over the LSP connection (the bundled server `dist/server.js` as a child process;
 * run `npm run build` first). The samples are EVENTS generated process events (default 1,000,000)
 * replayed by a rule that every line must be parsed for (a function no prefilter can use).
 * The client declares VS Code's completion capabilities, so answers are shaped as the editor gets them.
 * Prints the median and the 99th percentile of completion latency in ms with no replay running
 * (the floor, same run) and while the replay runs, how long the replay took, and the machine's load.
 * Then measures cancellation as the editor causes it: CANCELS replays each cancelled by
 * `$/cancelRequest` at a different point of its run, and CANCELS replays each cancelled by a newer
 * replay request; it prints the median and the largest time in ms from the cancel (or the newer
 * request) being sent to the cancelled replay's answer, and the completion round trip of the same
 * run as the floor a message over the connection costs.
 * Usage: `npm run bench:replay-latency [-- EVENTS] [--profile DIR]`; with `--profile`, the server
 * runs under `node --cpu-prof` and writes its CPU profile into DIR when it exits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { ReplayRequest, type ReplayParams } from '../server/src/protocol';
import { startServer } from '../test/lsp/lspTestClient';
import { VSCODE_COMPLETION_CAPABILITIES } from '../test/lsp/vscodeCapabilities';

const ARGS = process.argv.slice(2);
const PROFILE_AT = ARGS.indexOf('--profile');
const PROFILE_DIR = PROFILE_AT >= 0 ? ARGS.splice(PROFILE_AT, 2)[1] : undefined;
const EVENTS = Number(ARGS[0] ?? 1_000_000);
const GAP_MS = 20;
const CANCELS = 10;

function stats(ms: number[]): { median: number; p99: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'eql-bench-latency-'));
  const lines: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    lines.push(`{"@timestamp":${i},"event":{"category":"process"},"host":{"id":"h${i % 50}"},"process":{"name":"p${i % 97}.exe","pid":${i % 5000}}}`);
  }
  const samples = path.join(dir, 'events.ndjson');
  writeFileSync(samples, lines.join('\n') + '\n');
  lines.length = 0;
  const replayed = path.join(dir, 'replayed.eql');
  writeFileSync(replayed, 'process where length(process.name) == 99999\n');
  const load = loadavg();
  const server = await startServer('dist', { textDocument: VSCODE_COMPLETION_CAPABILITIES, nodeArgs: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [] });
  const editing = pathToFileURL(path.join(dir, 'editing.eql')).toString();
  const query = 'process where process.';
  await server.open(editing, query);
  const complete = async (): Promise<number> => {
    const t = performance.now();
    await server.connection.sendRequest('textDocument/completion', { textDocument: { uri: editing }, position: { line: 0, character: query.length } });
    return performance.now() - t;
  };
  for (let i = 0; i < 20; i++) await complete();
  const floor: number[] = [];
  for (let i = 0; i < 200; i++) {
    floor.push(await complete());
    await new Promise((r) => setTimeout(r, GAP_MS / 4));
  }
  let running = true;
  const started = performance.now();
  const params: ReplayParams = {
    uri: pathToFileURL(replayed).toString(),
    sampleUris: [pathToFileURL(samples).toString()],
    options: { timestampField: '@timestamp', tiebreakerField: '', eventCategoryField: 'event.category' },
  };
  const replay = server.connection.sendRequest(ReplayRequest, params).finally(() => (running = false));
  const during: number[] = [];
  while (running) {
    during.push(await complete());
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  const result = await replay;
  const replayMs = performance.now() - started;
  // Cancel points spread over the replay's run: from 5% to 95% of its time.
  const at = (i: number) => replayMs * (0.05 + (0.9 * i) / Math.max(1, CANCELS - 1));
  // Uncached, as the first replay: a re-run from the parsed-sample cache would end before most cancel points.
  const uncached: ReplayParams = { ...params, sampleCacheBudgetMB: 0 };
  /** Whether a replay's answer is LSP's RequestCancelled (-32800): only those are counted. */
  const cancelled = (reply: Promise<unknown>) => reply.then(() => false, (e: { code?: number }) => e.code === -32800);
  const byCancel: number[] = [];
  for (let i = 0; i < CANCELS; i++) {
    const source = new CancellationTokenSource();
    const reply = cancelled(server.connection.sendRequest(ReplayRequest, uncached, source.token));
    await new Promise((r) => setTimeout(r, at(i)));
    const t = performance.now();
    source.cancel();
    if (await reply) byCancel.push(performance.now() - t);
  }
  const byNewer: number[] = [];
  for (let i = 0; i < CANCELS; i++) {
    const first = cancelled(server.connection.sendRequest(ReplayRequest, uncached));
    await new Promise((r) => setTimeout(r, at(i)));
    const t = performance.now();
    const second = server.connection.sendRequest(ReplayRequest, uncached).catch(() => undefined);
    if (await first) byNewer.push(performance.now() - t);
    // The newer replay is cancelled in turn by one more request, itself cancelled at once.
    const cancel = new CancellationTokenSource();
    cancel.cancel();
    await server.connection.sendRequest(ReplayRequest, uncached, cancel.token).catch(() => undefined);
    await second;
  }
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  const f = stats(floor);
  const d = stats(during);
  console.log(`load average before: ${load.map((l) => l.toFixed(2)).join(' ')}; after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`replay: ${result.events.toLocaleString('en-US')} events in ${(replayMs / 1000).toFixed(1)} s (in the worker thread)`);
  console.log(`completion, no replay:     median ${f.median.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms (${floor.length} requests)`);
  console.log(`completion, during replay: median ${d.median.toFixed(1)} ms, p99 ${d.p99.toFixed(1)} ms (${during.length} requests)`);
  const largest = (ms: number[]) => Math.max(...ms).toFixed(1);
  console.log(`cancel by $/cancelRequest → answer: median ${stats(byCancel).median.toFixed(1)} ms, largest ${largest(byCancel)} ms (${byCancel.length} of ${CANCELS} replays ended cancelled; completion round trip ${f.median.toFixed(1)} ms)`);
  console.log(`cancel by a newer replay → answer:  median ${stats(byNewer).median.toFixed(1)} ms, largest ${largest(byNewer)} ms (${byNewer.length} of ${CANCELS} replays ended cancelled)`);
}

void main();
