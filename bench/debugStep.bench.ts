/**
 * How long one step of the replay debugger takes, over the Debug Adapter Protocol (the adapter in
 * this process on a loopback socket, `DebugClient` as the editor): a Step Over round trip (`next`,
 * the `stopped` event, then `stackTrace`, `scopes` and every scope's `variables`, as VS Code asks
 * after each stop), a Step Back round trip, and Continue / Reverse Continue across the whole file.
 * Baseline measured in the same run: `JSON.parse` of every line of the same file (reading cost).
 * Never run by the tests: `npm run bench:debug -- [--events N]` (default 100,000).
 *
 * Inputs: the repository's `samples/` (36 events) and a synthetic ECS NDJSON file of N events where
 * the sample rule keeps pending sequences on 50 hosts and completes some.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startAdapterServer } from '../test/dap/adapterServer';

const root = join(__dirname, '..');
const RULE = join(root, 'samples/rules/incoming_execution_via_powershell_remoting.eql');

function syntheticLine(i: number): string {
  const host = `host-${i % 50}`;
  const at = new Date(Date.UTC(2026, 0, 1) + i * 250).toISOString();
  const doc =
    i % 3 === 0
      ? {
          '@timestamp': at,
          event: { category: ['network'], type: ['connection', 'start'] },
          host: { id: host, os: { type: 'windows' } },
          network: { direction: 'incoming', protocol: 'http' },
          source: { ip: `10.0.${i % 200}.${(i % 250) + 1}` },
          destination: { port: i % 9 === 0 ? 5985 : 443 },
        }
      : {
          '@timestamp': at,
          event: { category: ['process'], type: ['start'] },
          host: { id: host, os: { type: 'windows' } },
          process: {
            name: i % 7 === 0 ? 'whoami.exe' : 'svchost.exe',
            executable: 'C:\\Windows\\System32\\svchost.exe',
            parent: { name: i % 7 === 0 ? 'wsmprovhost.exe' : 'services.exe' },
          },
        };
  return JSON.stringify(doc);
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function measure(port: number, samples: string[], label: string, jsonParseMs?: number): Promise<void> {
  const dc = new DebugClient('node', 'unused', 'eql-replay');
  await dc.start(port);
  const stopped = async (action: () => Promise<unknown>) => {
    const s = dc.waitForEvent('stopped', 600_000);
    await action();
    return s;
  };
  const inspect = async () => {
    await dc.stackTraceRequest({ threadId: 1 });
    const scopes = await dc.scopesRequest({ frameId: 1 });
    for (const s of scopes.body.scopes) await dc.variablesRequest({ variablesReference: s.variablesReference });
  };
  await dc.initializeRequest();
  const initialized = dc.waitForEvent('initialized');
  let t0 = process.hrtime.bigint();
  await dc.launchRequest({ rule: RULE, samples } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  await stopped(() => dc.configurationDoneRequest());
  const launchMs = ms(t0);
  const steps: number[] = [];
  for (let i = 0; i < 30; i++) {
    t0 = process.hrtime.bigint();
    await stopped(() => dc.nextRequest({ threadId: 1 }));
    await inspect();
    steps.push(ms(t0));
  }
  const backs: number[] = [];
  for (let i = 0; i < 10; i++) {
    t0 = process.hrtime.bigint();
    await stopped(() => dc.stepBackRequest({ threadId: 1 }));
    await inspect();
    backs.push(ms(t0));
  }
  t0 = process.hrtime.bigint();
  await stopped(() => dc.continueRequest({ threadId: 1 }));
  const toEnd = ms(t0);
  const lateBacks: number[] = [];
  for (let i = 0; i < 10; i++) {
    t0 = process.hrtime.bigint();
    await stopped(() => dc.stepBackRequest({ threadId: 1 }));
    await inspect();
    lateBacks.push(ms(t0));
  }
  t0 = process.hrtime.bigint();
  await stopped(() => dc.reverseContinueRequest({ threadId: 1 }));
  const toStart = ms(t0);
  await dc.stop();
  const f = (x: number) => `${x.toFixed(2)} ms`;
  console.log(`${label}`);
  console.log(`  launch (read, order, compile) + entry stop:        ${f(launchMs)}`);
  console.log(`  Step Over + stack, scopes, variables (median of 30): ${f(median(steps))}`);
  console.log(`  Step Back near the start (median of 10):           ${f(median(backs))}`);
  console.log(`  Continue to the end:                               ${f(toEnd)}`);
  console.log(`  Step Back at the end (median of 10):               ${f(median(lateBacks))}`);
  console.log(`  Reverse Continue to the start:                     ${f(toStart)}`);
  if (jsonParseMs !== undefined) {
    console.log(`  baseline JSON.parse of every line:                 ${f(jsonParseMs)}  (Continue to the end = ${(toEnd / jsonParseMs).toFixed(1)}× it)`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { events: { type: 'string' } } });
  const n = Number(values.events ?? 100_000);
  if (!Number.isInteger(n) || n <= 0) throw new Error('usage: npm run bench:debug -- [--events N]');
  const server = await startAdapterServer();
  const dir = mkdtempSync(join(tmpdir(), 'eql-debug-bench-'));
  try {
    await measure(server.port, [join(root, 'samples/logs')], 'samples/logs (36 events)');
    const file = join(dir, 'events.ndjson');
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(syntheticLine(i));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const text = readFileSync(file, 'utf8');
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = process.hrtime.bigint();
      for (const line of text.split('\n')) if (line) JSON.parse(line);
      best = Math.min(best, ms(t0));
    }
    await measure(server.port, [file], `synthetic file (${n.toLocaleString('en')} events)`, best);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
}

void main();
