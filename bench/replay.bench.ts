/**
 * Replay throughput, as ratios against a plain `JSON.parse` loop over the same file, measured in the
 * same run (so the figures compare across machines). Never run by the tests: `npm run bench`.
 *
 * Input: a synthetic ECS NDJSON file of N events (default 200,000; `--events N`), written to a
 * temporary folder, mixing network and process events on a few hosts so the sequence rule from
 * `samples/rules/` keeps pending sequences and completes some.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../server/src/eql/analyze';
import { replay } from '../server/src/engine/replay';
import { readNdjsonFile } from '../server/src/samples/ndjson';

const RULE = readFileSync(join(__dirname, '../samples/rules/incoming_execution_via_powershell_remoting.eql'), 'utf8');

function syntheticEvent(i: number): Record<string, unknown> {
  const host = `host-${i % 50}`;
  const at = new Date(Date.UTC(2026, 0, 1) + i * 250).toISOString();
  if (i % 3 === 0) {
    return {
      '@timestamp': at,
      event: { category: ['network'], type: ['connection', 'start'], action: 'connection_accepted' },
      host: { id: host, name: host, os: { type: 'windows' } },
      network: { direction: i % 6 === 0 ? 'ingress' : 'egress', protocol: 'http', transport: 'tcp' },
      source: { ip: `10.0.${i % 200}.${i % 250}`, port: 40000 + (i % 20000) },
      destination: { ip: '10.0.0.5', port: i % 9 === 0 ? 5985 : 443 },
    };
  }
  return {
    '@timestamp': at,
    event: { category: ['process'], type: ['start'], action: 'start' },
    host: { id: host, name: host, os: { type: 'windows' } },
    process: {
      pid: 1000 + i,
      name: i % 7 === 0 ? 'whoami.exe' : 'svchost.exe',
      executable: 'C:\\Windows\\System32\\svchost.exe',
      parent: { name: i % 7 === 0 ? 'wsmprovhost.exe' : 'services.exe' },
      command_line: `svchost.exe -k netsvcs -p -s Schedule ${i}`,
    },
  };
}

/** Runs `fn` `rounds` times and returns the fastest wall time in ms (the least disturbed run). */
async function fastest(rounds: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

const USAGE = 'usage: npm run bench -- [--events N]   (N: a positive whole number of events, default 200000)';

/**
 * Reads `--events N` from the command line.
 * @returns the number of events, or an error message (with the usage) when the value is missing or
 *   not a positive whole number.
 */
function eventCount(argv: readonly string[]): number | string {
  const at = argv.indexOf('--events');
  if (at < 0) return 200_000;
  const value = argv[at + 1];
  const count = value === undefined || !/^\d+$/.test(value) ? NaN : Number(value);
  if (!Number.isSafeInteger(count) || count < 1) {
    return `--events needs a positive whole number, got ${value === undefined ? 'nothing' : JSON.stringify(value)}\n${USAGE}`;
  }
  return count;
}

async function main(): Promise<void> {
  const count = eventCount(process.argv);
  if (typeof count === 'string') {
    console.error(count);
    process.exitCode = 2;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'eql-bench-'));
  try {
    await measure(dir, count);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `count` synthetic events into `dir` and prints the timings. */
async function measure(dir: string, count: number): Promise<void> {
  const file = join(dir, 'events.ndjson');
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(JSON.stringify(syntheticEvent(i)));
  writeFileSync(file, lines.join('\n') + '\n');
  const bytes = statSync(file).size;

  const analysis = analyze(RULE);
  if (!analysis.statement || analysis.diagnostics.some((d) => d.severity === 'error')) {
    throw new Error('the sample rule does not check clean');
  }
  const statement = analysis.statement;

  const baseline = await fastest(3, () => {
    const text = readFileSync(file, 'utf8');
    let n = 0;
    for (const line of text.split('\n')) if (line) n += JSON.parse(line) ? 1 : 0;
    return n;
  });
  const reading = await fastest(3, () => readNdjsonFile(file));
  let matches = 0;
  const full = await fastest(3, async () => {
    const { events } = await readNdjsonFile(file);
    matches = replay(statement, events).matches.length;
  });
  const { events } = await readNdjsonFile(file);
  const replayOnly = await fastest(3, () => replay(statement, events));

  const mb = bytes / 1e6;
  const row = (name: string, ms: number): string =>
    `${name.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms  ${(mb / (ms / 1000)).toFixed(1).padStart(7)} MB/s  ${(ms / baseline).toFixed(2)}x baseline`;
  console.log(`${count} events, ${mb.toFixed(1)} MB, sequence rule from samples/rules (${matches} matches)`);
  console.log(row('baseline: readFileSync + JSON.parse', baseline));
  console.log(row('readNdjsonFile (streaming)', reading));
  console.log(row('replay on parsed events', replayOnly));
  console.log(row('read + replay', full));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
