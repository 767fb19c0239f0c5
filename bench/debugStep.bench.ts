/**
 * The replay debugger's launch time, step times and memory, over the Debug Adapter Protocol (the
 * adapter on a loopback socket, `DebugClient` as the editor): launch + the entry stop, a Step Over
 * round trip (`next`, the `stopped` event, then `stackTrace`, `scopes` and every scope's
 * `variables`, as VS Code asks after each stop), Step Back round trips near the start and at the
 * end, Step Into, and Continue / Reverse Continue across the whole file. Each file is measured in a
 * child process of its own, so its peak RSS is its own.
 * Baseline measured in the same run: a chunked read + `JSON.parse` of every line of the same file
 * (`bench/measure.ts floor`, also a child process), the cost of reading the file once.
 * Never run by the tests:
 *
 *   npm run bench:debug -- [--events N[,M…]] [--dir D]
 *
 * Inputs: the repository's `samples/` (36 events) and, per N (default 100,000), the replay
 * benchmark's synthetic ECS NDJSON file of N events (about 600 bytes each, `bench/replay.bench.ts`,
 * generated once into D, default the system temp folder, and reused), over which the sample rule
 * completes a sequence in every burst of four relevant events.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startAdapterServer } from '../test/dap/adapterServer';
import { generate } from './replay.bench';

const root = join(__dirname, '..');
const RULE = join(root, 'samples/rules/incoming_execution_via_powershell_remoting.eql');
const USAGE = 'usage: npm run bench:debug -- [--events N[,M…]] [--dir D]';

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const mib = (bytes: number) => bytes / 1024 / 1024;

/** What one child measures (milliseconds, MiB). */
interface DebugMeasurement {
  events: number;
  launchMs: number;
  launchRssMiB: number;
  stepMs: number;
  stepBackMs: number;
  stepInMs: number;
  continueMs: number;
  lateStepBackMs: number;
  reverseContinueMs: number;
  maxRssMiB: number;
}

/** In the child: one debug session over `samples`, measured. */
async function measureSession(samples: string[]): Promise<DebugMeasurement> {
  const server = await startAdapterServer();
  const dc = new DebugClient('node', 'unused', 'eql-replay');
  await dc.start(server.port);
  let events = 0;
  dc.on('output', (e: DebugProtocol.OutputEvent) => {
    const m = /over (\d+) events/.exec(e.body.output);
    if (m) events = Number(m[1]);
  });
  const stopped = async (action: () => Promise<unknown>) => {
    const s = dc.waitForEvent('stopped', 3_600_000);
    await action();
    return s;
  };
  const inspect = async () => {
    await dc.stackTraceRequest({ threadId: 1 });
    const scopes = await dc.scopesRequest({ frameId: 1 });
    for (const s of scopes.body.scopes) await dc.variablesRequest({ variablesReference: s.variablesReference });
  };
  const timed = async (action: () => Promise<unknown>) => {
    const t0 = process.hrtime.bigint();
    await stopped(action);
    await inspect();
    return ms(t0);
  };
  await dc.initializeRequest();
  const initialized = dc.waitForEvent('initialized');
  let t0 = process.hrtime.bigint();
  await dc.launchRequest({ rule: RULE, samples } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  await stopped(() => dc.configurationDoneRequest());
  const launchMs = ms(t0);
  global.gc?.();
  const launchRssMiB = mib(process.memoryUsage().rss);
  const steps: number[] = [];
  for (let i = 0; i < 30; i++) steps.push(await timed(() => dc.nextRequest({ threadId: 1 })));
  const backs: number[] = [];
  for (let i = 0; i < 10; i++) backs.push(await timed(() => dc.stepBackRequest({ threadId: 1 })));
  const stepIns: number[] = [];
  for (let i = 0; i < 5; i++) stepIns.push(await timed(() => dc.stepInRequest({ threadId: 1 })));
  t0 = process.hrtime.bigint();
  await stopped(() => dc.continueRequest({ threadId: 1 }));
  const continueMs = ms(t0);
  const lateBacks: number[] = [];
  for (let i = 0; i < 10; i++) lateBacks.push(await timed(() => dc.stepBackRequest({ threadId: 1 })));
  t0 = process.hrtime.bigint();
  await stopped(() => dc.reverseContinueRequest({ threadId: 1 }));
  const reverseContinueMs = ms(t0);
  await dc.stop();
  await server.close();
  return {
    events,
    launchMs,
    launchRssMiB,
    stepMs: median(steps),
    stepBackMs: median(backs),
    stepInMs: median(stepIns),
    continueMs,
    lateStepBackMs: median(lateBacks),
    reverseContinueMs,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function child(args: string[]): string {
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  return run.stdout.trim().split('\n').pop()!;
}

function report(label: string, samples: string[], floorFile?: string): void {
  const m = JSON.parse(child([__filename, '--measure', ...samples])) as DebugMeasurement;
  const f = (x: number) => `${x.toFixed(2)} ms`;
  console.log(`\n${label}: ${m.events.toLocaleString('en')} events; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`  launch (read, index, order, compile) + entry stop:  ${f(m.launchMs)}  (RSS after launch ${m.launchRssMiB.toFixed(0)} MiB)`);
  console.log(`  Step Over + stack, scopes, variables (median of 30): ${f(m.stepMs)}`);
  console.log(`  Step Back near the start (median of 10):            ${f(m.stepBackMs)}`);
  console.log(`  Step Into (median of 5):                            ${f(m.stepInMs)}`);
  console.log(`  Continue to the end:                                ${f(m.continueMs)}`);
  console.log(`  Step Back at the end (median of 10):                ${f(m.lateStepBackMs)}`);
  console.log(`  Reverse Continue to the start:                      ${f(m.reverseContinueMs)}`);
  console.log(`  peak RSS:                                           ${m.maxRssMiB.toFixed(0)} MiB`);
  if (floorFile) {
    const floor = JSON.parse(child([join(__dirname, 'measure.ts'), 'floor', floorFile])) as { ms: number; maxRssMiB: number };
    console.log(
      `  baseline read + JSON.parse of every line:           ${f(floor.ms)}, peak RSS ${floor.maxRssMiB.toFixed(0)} MiB` +
        `  (launch = ${(m.launchMs / floor.ms).toFixed(2)}x it, Continue to the end = ${(m.continueMs / floor.ms).toFixed(2)}x it)`,
    );
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--measure') {
    process.stdout.write(`${JSON.stringify(await measureSession(argv.slice(1)))}\n`);
    return;
  }
  const at = (name: string) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : undefined);
  const counts = (at('--events') ?? '100000').split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(USAGE);
  const dir = at('--dir') ?? tmpdir();
  report('samples/logs', [join(root, 'samples/logs')]);
  for (const n of counts) {
    // The replay benchmark's file name: generated once, shared with `npm run bench`.
    const file = join(dir, `eql-bench-${n}-0.002.ndjson`);
    if (!existsSync(file)) {
      console.log(`generating ${file} …`);
      await generate(file, n, 0.002);
    }
    report(`synthetic file (${(statSync(file).size / 1e6).toFixed(0)} MB)`, [file], file);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
