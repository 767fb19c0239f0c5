/**
 * Authoring latency over the LSP connection, as the editor sees it: the language server runs as a
 * child process (stdio, JSON-RPC), its workspace holds 100,000 sample events (indexed in the
 * background first), and a 40-line sequence rule is open. For completion, hover, diagnostics after
 * an edit, semantic tokens and formatting it prints the median and the 99th percentile in ms, and
 * the ratio of the median to the connection's floor measured in the same run (a hover on a comment,
 * which answers null at once).
 *
 * The client declares VS Code's completion capabilities (so completion answers are shaped as the
 * editor receives them); one more completion line is timed from a second server whose client
 * declares none (every item then carries its own edit range).
 *
 * Diagnostics are timed from `didChange` to `publishDiagnostics` minus the server's 150 ms
 * debounce. The first requests after a start are timed apart, from fresh servers (one run each):
 * the first diagnostics after `didOpen` (minus the debounce), then the first completion at a field
 * position and the first hover on a field, as a user's first keystrokes after opening a rule. Usage: `npm run bench:authoring [-- EVENTS] [--profile DIR]`; with `--profile`, the
 * server runs under `node --cpu-prof` and writes its CPU profile into DIR when it exits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { startServer, type TestServer } from '../test/lsp/lspTestClient';
import { VSCODE_COMPLETION_CAPABILITIES } from '../test/lsp/vscodeCapabilities';

const ARGS = process.argv.slice(2);
const PROFILE_AT = ARGS.indexOf('--profile');
const PROFILE_DIR = PROFILE_AT >= 0 ? ARGS.splice(PROFILE_AT, 2)[1] : undefined;
const EVENTS = Number(ARGS[0] ?? 100_000);
const RUNS = 200;
/** Fresh servers started to time the first requests (each answers one of every kind). */
const FRESH_STARTS = 7;
const DEBOUNCE_MS = 150;

const NAMES = ['cmd.exe', 'powershell.exe', 'whoami.exe', 'net.exe', 'rundll32.exe', 'svchost.exe', 'explorer.exe', 'bash', 'curl', 'python3'];

function sampleLines(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const network = i % 4 === 0;
    out.push(
      JSON.stringify({
        '@timestamp': new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
        event: { category: network ? 'network' : 'process', type: [network ? 'connection' : i % 3 ? 'start' : 'end'] },
        host: { id: `h${i % 50}`, name: `host-${i % 50}`, os: { type: i % 2 ? 'windows' : 'linux' } },
        user: { name: `user${i % 200}` },
        process: { name: NAMES[i % NAMES.length], pid: 1000 + (i % 5000), entity_id: `p${i % 9000}`, parent: { name: NAMES[(i * 7) % NAMES.length] }, args: ['-c', `job ${i % 100}`] },
        ...(network ? { destination: { ip: `10.0.${i % 256}.${(i * 3) % 256}`, port: [443, 80, 5985, 22][i % 4] } } : {}),
      }),
    );
  }
  return out.join('\n') + '\n';
}

/** A 40-line rule in the layout of Elastic's prebuilt rules. */
function rule(): string {
  const lines = ['// benchmark rule', 'sequence by host.id with maxspan=5m', '  [process where host.os.type == "windows" and event.type == "start" and'];
  for (let i = 0; i < 30; i++) lines.push(`   process.name : "tool${i}.exe" and not process.args : "--flag${i}" and user.name != "svc${i}" and`);
  lines.push('   process.parent.name in ("cmd.exe", "powershell.exe")', '  ] by process.entity_id');
  lines.push('  [network where destination.port == 443 and', '   not cidrmatch(destination.ip, "10.0.0.0/8", "192.168.0.0/16")', '  ] by process.entity_id');
  lines.push('  [process where process.name == "whoami.exe"] by process.parent.entity_id', '| head 10');
  return lines.join('\n') + '\n';
}

function stats(ms: number[]): { median: number; p99: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'eql-bench-'));
  writeFileSync(path.join(dir, 'events.ndjson'), sampleLines(EVENTS));
  const rootUri = pathToFileURL(dir).toString();
  const uri = pathToFileURL(path.join(dir, 'rule.eql')).toString();
  const text = rule();
  /**
   * Opens the rule and waits for the samples to be indexed (the hover on `process.name` counts the
   * events); returns the ms waited. With `whileIndexing`, a completion at a field position is timed
   * into it before each look (indexing must never block a request).
   */
  const ready = async (server: TestServer, whileIndexing?: number[]): Promise<number> => {
    await server.open(uri, text);
    const indexStart = performance.now();
    for (;;) {
      if (whileIndexing) {
        const t = performance.now();
        await server.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 3 } });
        whileIndexing.push(performance.now() - t);
      }
      const hover = (await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 8 } })) as { contents: { value: string } } | null;
      if (hover?.contents.value.includes(`of ${EVENTS.toLocaleString('en-US')} events`)) break;
      if (performance.now() - indexStart > 60_000) throw new Error(`not indexed after 60 s; hover: ${hover?.contents.value.slice(-200)}`);
      await new Promise((r) => setTimeout(r, whileIndexing ? 5 : 50));
    }
    return performance.now() - indexStart;
  };
  const results: Record<string, number[]> = {};
  const load = loadavg();
  // Fresh servers: the first answers after a start, before any request has warmed a cache.
  const firstDiagnostics: number[] = [];
  const firstCompletion: number[] = [];
  const firstHover: number[] = [];
  for (let i = 0; i < FRESH_STARTS; i++) {
    const fresh = await startServer('source', { rootUri, textDocument: VSCODE_COMPLETION_CAPABILITIES });
    try {
      let t = performance.now();
      await fresh.open(uri, text);
      await fresh.diagnostics(uri);
      firstDiagnostics.push(performance.now() - t - DEBOUNCE_MS);
      t = performance.now();
      await fresh.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 3 } });
      firstCompletion.push(performance.now() - t);
      t = performance.now();
      await fresh.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 22 } });
      firstHover.push(performance.now() - t);
    } finally {
      await fresh.stop();
    }
  }
  results['first diagnostics after start (minus debounce)'] = firstDiagnostics;
  results['first completion after start (field position)'] = firstCompletion;
  results['first hover after start (field)'] = firstHover;
  // A client without VS Code's completion capabilities (no `itemDefaults`, no lazy detail).
  const plain = await startServer('source', { rootUri });
  try {
    await ready(plain);
    for (let i = 0; i < 20; i++) await plain.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 3 } });
    const out: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await plain.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 3 } });
      out.push(performance.now() - t);
    }
    results['completion, client without itemDefaults'] = out;
  } finally {
    await plain.stop();
  }
  const server = await startServer('source', {
    rootUri,
    textDocument: VSCODE_COMPLETION_CAPABILITIES,
    nodeArgs: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
  });
  try {
    const whileIndexing: number[] = [];
    const indexMs = await ready(server, whileIndexing);
    results['completion while the samples are indexed'] = whileIndexing;

    const time = async (what: () => Promise<unknown>): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await what();
        out.push(performance.now() - t);
      }
      return out;
    };
    const at = (line: number, character: number) => ({ textDocument: { uri }, position: { line, character } });
    results['floor (hover on a comment)'] = await time(() => server.connection.sendRequest('textDocument/hover', at(0, 5)));
    results['completion (field position)'] = await time(() => server.connection.sendRequest('textDocument/completion', at(3, 3)));
    results['completion (values after ==)'] = await time(() => server.connection.sendRequest('textDocument/completion', at(38, 34)));
    results['hover (field with sample facts)'] = await time(() => server.connection.sendRequest('textDocument/hover', at(3, 8)));
    results['semantic tokens'] = await time(() => server.connection.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } }));
    results['formatting'] = await time(() => server.connection.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }));
    const diagnostics: number[] = [];
    for (let v = 2; v < 2 + RUNS / 4; v++) {
      const t = performance.now();
      await server.change(uri, v, [{ range: { start: { line: 0, character: 2 }, end: { line: 0, character: 2 } }, text: 'x' }]);
      await server.diagnostics(uri, (p) => p.version === v);
      diagnostics.push(performance.now() - t - DEBOUNCE_MS);
    }
    results['diagnostics after an edit (minus debounce)'] = diagnostics;

    const floor = stats(results['floor (hover on a comment)']).median;
    console.log(`${EVENTS.toLocaleString('en-US')} sample events indexed in ${(indexMs / 1000).toFixed(1)} s (background); 40-line rule; runs per line in brackets`);
    console.log(`load average before: ${load.map((l) => l.toFixed(2)).join(' ')}; after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    for (const [name, ms] of Object.entries(results)) {
      const s = stats(ms);
      console.log(`${`${name} (${ms.length})`.padEnd(50)} median ${s.median.toFixed(2).padStart(7)} ms   p99 ${s.p99.toFixed(2).padStart(7)} ms   ×${(s.median / floor).toFixed(1)} floor`);
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
