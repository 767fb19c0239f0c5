/**
 * Replay throughput and memory, as ratios against a floor measured in the same run: a chunked read
 * + `JSON.parse` of every line of the same file, in the same process type (a child process per
 * measurement, so each peak RSS is its own). Never run by the tests: `npm run bench`.
 *
 *   npm run bench -- [--events N] [--relevant F] [--dir D] [--rounds R] [--real-logs PATH] [--json]
 *
 * Input: ECS-shaped NDJSON of N events (default 1,000,000; about 600 bytes each) generated once into
 * D (default the system temp folder; reused when present, never in the repository), mixing network,
 * process, file and authentication events on 200 hosts; a fraction F (default 0.002) of the events
 * are the ones the rules look for, in bursts of four on one host (a WinRM connection, two
 * wsmprovhost.exe children, whoami.exe).
 * With `--real-logs`, the PowerShell Remoting rule is also replayed over the NDJSON files there.
 * With `--json`, the same events are also written as a JSON array (one element per line) and as a
 * search response (`hits.hits[]._source`, one hit per line, as Dev Tools saves it, indented), and
 * replayed from those, against the floor of the NDJSON file (the same events).
 *
 * The `powershell:index` case replays the PowerShell Remoting rule with index patterns (all the
 * events carry `data_stream` fields), so each line the prefilter skips is still counted per pattern.
 *
 * Each case prints wall time (fastest of R rounds, default 2), events/s, the ratio to the floor
 * (floor time / case time: above 1 is faster than the floor) and its peak RSS. The `rerun` case (d)
 * times only a re-run of the edited PowerShell Remoting rule over the parsed samples a first replay
 * cached (the editor's live re-run after a rule edit); its peak RSS includes the cache.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const USAGE = 'usage: npm run bench -- [--events N] [--relevant F] [--dir D] [--rounds R] [--real-logs PATH] [--json]';

function option(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at < 0 ? undefined : argv[at + 1];
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number, got ${JSON.stringify(value)}\n${USAGE}`);
  return n;
}

/**
 * One synthetic ECS event. `burst` (0–3, or -1) places the event in a burst of four on one host that
 * the rules look for: a WinRM connection, two wsmprovhost.exe children, whoami.exe.
 */
function event(i: number, burst: number, burstHost: number): Record<string, unknown> {
  const relevant = burst >= 0;
  const hostName = `host-${relevant ? burstHost : i % 200}`;
  const host = { id: `id-${hostName}`, name: hostName, hostname: hostName, os: { type: 'windows', family: 'windows', version: '10.0' }, ip: [`10.1.${i % 200}.7`] };
  const base = {
    '@timestamp': new Date(Date.UTC(2026, 0, 1) + i * 50).toISOString(),
    agent: { type: 'endpoint', version: '8.15.0', id: `agent-${i % 200}` },
    ecs: { version: '8.11.0' },
    data_stream: { type: 'logs', dataset: 'endpoint.events', namespace: 'default' },
    host,
    user: { name: i % 5 === 0 ? 'SYSTEM' : `user${i % 40}`, domain: 'CORP' },
  };
  if (relevant) {
    switch (burst) {
      case 0:
        return {
          ...base,
          event: { category: ['network'], type: ['connection', 'start'], action: 'connection_accepted', kind: 'event' },
          network: { direction: 'ingress', protocol: 'http', transport: 'tcp' },
          source: { ip: `10.2.${i % 250}.9`, port: 50000 + (i % 10000) },
          destination: { ip: '10.1.0.5', port: 5985 },
        };
      case 1:
      case 2:
        return {
          ...base,
          event: { category: ['process'], type: ['start'], action: 'start', kind: 'event' },
          process: { pid: i, name: 'powershell.exe', executable: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', command_line: 'powershell.exe -enc AAAA', parent: { name: 'wsmprovhost.exe', pid: i - 1 } },
        };
      default:
        return {
          ...base,
          event: { category: ['process'], type: ['start'], action: 'start', kind: 'event' },
          process: { pid: i, name: 'whoami.exe', executable: 'C:\\Windows\\System32\\whoami.exe', command_line: 'whoami /all', parent: { name: 'powershell.exe', pid: i - 1 } },
        };
    }
  }
  switch (i % 4) {
    case 0:
      return {
        ...base,
        event: { category: ['network'], type: ['connection', 'start'], action: 'connection_attempted', kind: 'event' },
        network: { direction: 'egress', protocol: 'tls', transport: 'tcp' },
        source: { ip: `10.1.${i % 200}.7`, port: 40000 + (i % 20000) },
        destination: { ip: `93.184.${i % 250}.34`, port: 443 },
      };
    case 1:
      return {
        ...base,
        event: { category: ['process'], type: ['start'], action: 'start', kind: 'event' },
        process: { pid: 1000 + i, name: 'svchost.exe', executable: 'C:\\Windows\\System32\\svchost.exe', command_line: `svchost.exe -k netsvcs -p -s Schedule ${i}`, parent: { name: 'services.exe', pid: 700 } },
      };
    case 2:
      return {
        ...base,
        event: { category: ['file'], type: ['creation'], action: 'creation', kind: 'event' },
        file: { path: `C:\\Users\\user${i % 40}\\AppData\\Local\\Temp\\tmp${i}.dat`, name: `tmp${i}.dat`, extension: 'dat', size: i % 65536 },
        process: { pid: 2000 + (i % 500), name: 'chrome.exe' },
      };
    default:
      return {
        ...base,
        event: { category: ['authentication'], type: ['start'], action: 'logged-in', outcome: 'success', kind: 'event' },
        source: { ip: `10.3.${i % 250}.1` },
        winlog: { event_id: '4624', logon: { type: 'Network' }, channel: 'Security' },
      };
  }
}

/** Writes the synthetic file once (streaming, never the whole file in memory). */
export async function generate(path: string, count: number, fraction: number): Promise<void> {
  const out = createWriteStream(path);
  // One burst of four relevant events every `every` events.
  const every = Math.max(8, Math.round(4 / fraction));
  for (let i = 0; i < count; i++) {
    const at = i % every;
    const burst = at >= every - 4 ? at - (every - 4) : -1;
    if (!out.write(`${JSON.stringify(event(i, burst, Math.floor(i / every) % 200))}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

interface Measurement {
  case: string;
  ms: number;
  /** The re-run case: the first replay, which filled the cache (ms). */
  fillMs?: number;
  events: number;
  matches: number;
  maxRssMiB: number;
}

function measure(name: string, files: string[], rounds: number): Measurement {
  let best: Measurement | undefined;
  for (let r = 0; r < rounds; r++) {
    // The re-run case holds every parsed event in its cache: give its heap room.
    const heap = name === 'rerun' ? ['--max-old-space-size=8192'] : [];
    const run = spawnSync(process.execPath, [...heap, '--import', 'tsx', join(__dirname, 'measure.ts'), name, ...files], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`${name} failed: ${run.stderr}`);
    const m = JSON.parse(run.stdout.trim().split('\n').pop()!) as Measurement;
    if (!best || m.ms < best.ms) best = { ...m, maxRssMiB: Math.max(m.maxRssMiB, best?.maxRssMiB ?? 0) };
  }
  return best!;
}

/**
 * Writes the events of an NDJSON file as a JSON array (`array`) or a search response (`hits`),
 * one element per line (streaming).
 */
async function rewrite(from: string, to: string, shape: 'array' | 'hits'): Promise<void> {
  const out = createWriteStream(to);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  await write(shape === 'array' ? '[\n' : '{\n  "took": 12,\n  "timed_out": false,\n  "hits": {\n    "hits": [\n');
  let rest = '';
  let n = 0;
  const element = (line: string): string =>
    shape === 'array' ? line : `      {"_index": ".ds-logs-endpoint.events-default-2026.01.01-000001", "_id": "e${n}", "_score": null, "_source": ${line}}`;
  for await (const chunk of createReadStream(from, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line !== '') await write(`${n++ === 0 ? '' : ',\n'}${element(line)}`);
  }
  if (rest !== '') await write(`${n++ === 0 ? '' : ',\n'}${element(rest)}`);
  await write(shape === 'array' ? '\n]\n' : '\n    ]\n  }\n}\n');
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

function report(title: string, files: string[], cases: string[], rounds: number, floorFiles: string[] = files): void {
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  console.log(`\n${title}: ${files.length} file(s), ${(bytes / 1e6).toFixed(0)} MB; load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const floor = measure('floor', floorFiles, rounds);
  const row = (m: Measurement): string =>
    `${m.case.padEnd(26)} ${m.ms.toFixed(0).padStart(7)} ms  ${((m.events / m.ms) * 1000).toFixed(0).padStart(9)} events/s  ${(floor.ms / m.ms).toFixed(2).padStart(6)}x floor  peak RSS ${m.maxRssMiB.toFixed(0).padStart(4)} MiB  ${m.matches} matches` +
    (m.fillMs !== undefined ? `  (after a first replay filling the cache in ${m.fillMs.toFixed(0)} ms)` : '');
  console.log(row(floor));
  for (const c of cases) console.log(row(measure(c, files, rounds)));
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const count = positive(option(argv, '--events'), 1_000_000, '--events');
  const fraction = positive(option(argv, '--relevant'), 0.002, '--relevant');
  const rounds = positive(option(argv, '--rounds'), 2, '--rounds');
  const dir = option(argv, '--dir') ?? tmpdir();
  const file = join(dir, `eql-bench-${count}-${fraction}.ndjson`);
  if (!existsSync(file)) {
    console.log(`generating ${file} …`);
    await generate(file, count, fraction);
  }
  const cases = ['powershell', 'powershell:noprefilter', 'powershell:index', 'event', 'sequence', 'rerun'];
  report(`${count} synthetic events (${fraction * 100}% relevant)`, [file], cases, rounds);
  if (argv.includes('--json')) {
    for (const shape of ['array', 'hits'] as const) {
      const json = file.replace(/\.ndjson$/, `.${shape}.json`);
      if (!existsSync(json)) await rewrite(file, json, shape);
      report(`the same events as ${shape === 'array' ? 'a JSON array' : 'a search response'} (floor: the NDJSON file)`, [json], ['powershell', 'powershell:noprefilter', 'event'], rounds, [file]);
    }
  }
  const real = option(argv, '--real-logs');
  if (real) {
    const files = statSync(real).isDirectory()
      ? readdirSync(real, { recursive: true })
          .map(String)
          .filter((f) => /\.(ndjson|jsonl)$/i.test(f))
          .sort()
          .map((f) => join(real, f))
      : [real];
    report(`real logs ${real}`, files, ['powershell', 'powershell:noprefilter'], rounds);
  }
}

// Also imported for its generator (`bench/debugStep.bench.ts`).
if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
