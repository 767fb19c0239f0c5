/**
 * Completion latency in the language server while a replay runs in its worker thread, as the
 * editor sees it over the LSP connection (the bundled server `dist/server.js` as a child process;
 * run `npm run build` first). The samples are EVENTS generated process events (default 1,000,000)
 * replayed by a rule that every line must be parsed for (a function no prefilter can use).
 * The client declares VS Code's completion capabilities, so answers are shaped as the editor gets them.
 * Prints the median and the 99th percentile of completion latency in ms with no replay running
 * (the floor, same run) and while the replay runs, how long the replay took, and the machine's load.
 * Usage: `npm run bench:replay-latency [-- EVENTS] [--profile DIR]`; with `--profile`, the server
 * runs under `node --cpu-prof` and writes its CPU profile into DIR when it exits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ReplayRequest } from '../server/src/protocol';
import { startServer } from '../test/lsp/lspTestClient';
import { VSCODE_COMPLETION_CAPABILITIES } from '../test/lsp/vscodeCapabilities';

const ARGS = process.argv.slice(2);
const PROFILE_AT = ARGS.indexOf('--profile');
const PROFILE_DIR = PROFILE_AT >= 0 ? ARGS.splice(PROFILE_AT, 2)[1] : undefined;
const EVENTS = Number(ARGS[0] ?? 1_000_000);
const GAP_MS = 20;

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
  const replay = server.connection
    .sendRequest(ReplayRequest, {
      uri: pathToFileURL(replayed).toString(),
      sampleUris: [pathToFileURL(samples).toString()],
      options: { timestampField: '@timestamp', tiebreakerField: '', eventCategoryField: 'event.category' },
    })
    .finally(() => (running = false));
  const during: number[] = [];
  while (running) {
    during.push(await complete());
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  const result = await replay;
  const replayMs = performance.now() - started;
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  const f = stats(floor);
  const d = stats(during);
  console.log(`load average before: ${load.map((l) => l.toFixed(2)).join(' ')}; after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`replay: ${result.events.toLocaleString('en-US')} events in ${(replayMs / 1000).toFixed(1)} s (in the worker thread)`);
  console.log(`completion, no replay:     median ${f.median.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms (${floor.length} requests)`);
  console.log(`completion, during replay: median ${d.median.toFixed(1)} ms, p99 ${d.p99.toFixed(1)} ms (${during.length} requests)`);
}

void main();
