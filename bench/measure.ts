/**
 * One measurement of the replay benchmark, run in a child process of its own so that its peak
 * memory (`maxRSS`) is its own. Prints one JSON line: `{ case, ms, events, matches, maxRssMiB }`.
 *
 * Usage: `tsx bench/measure.ts CASE FILE...` where CASE is `floor` (chunked read + `JSON.parse` of
 * every line: the baseline every other case is compared with), the name of a rule in `RULES` (with
 * `:noprefilter`, every line parsed; with `:index`, replayed with `INDEX_PATTERNS`), or
 * `rerun` (d): the PowerShell Remoting rule is replayed once with a cache of parsed samples
 * (`SampleCache`, budget 8 GiB), then its edited version (`RULES['powershell-edited']`) is replayed
 * over the cache, as the editor's live re-run does after a rule edit; only that re-run is timed
 * (`ms`), `fillMs` is the first replay's time, the peak RSS covers both.
 */
import { createReadStream } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../server/src/eql/analyze';
import { replaySamples } from '../server/src/samples/pipeline';
import { SampleCache } from '../server/src/samples/sampleCache';

/** The benchmark's rules, by case name. */
export const RULES: Record<string, string> = {
  // (a) the sample PowerShell Remoting rule.
  powershell: readFileSync(join(__dirname, '../samples/rules/incoming_execution_via_powershell_remoting.eql'), 'utf8'),
  // (b) an event query on a field every process event has.
  event: 'process where process.name == "whoami.exe"',
  // (d) the sample rule after an edit (port 5986 dropped, maxspan widened), re-run over cached samples.
  'powershell-edited': readFileSync(join(__dirname, '../samples/rules/incoming_execution_via_powershell_remoting.eql'), 'utf8')
    .replace('destination.port in (5985, 5986)', 'destination.port == 5985')
    .replace('maxspan = 30s', 'maxspan = 1m'),
  // (c) a three-stage sequence with until and runs.
  sequence: `sequence by host.id with maxspan=5m
    [network where destination.port == 5985]
    [process where process.parent.name : "wsmprovhost.exe"] with runs=2
    [process where process.name == "whoami.exe"]
  until [process where event.type == "end" and process.name == "wsmprovhost.exe"]`,
};

/** Chunked read + JSON.parse of every line, as the replay's reader splits them. */
async function floor(files: string[]): Promise<{ events: number; matches: number }> {
  let events = 0;
  for (const file of files) {
    let rest = '';
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
      const text = rest + (chunk as string);
      let from = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
        if (nl > from && JSON.parse(text.slice(from, nl))) events++;
        from = nl + 1;
      }
      rest = text.slice(from);
    }
    if (rest.trim() !== '' && JSON.parse(rest)) events++;
  }
  return { events, matches: 0 };
}

function statementOf(name: string) {
  const { statement, diagnostics } = analyze(RULES[name]);
  if (!statement || diagnostics.some((d) => d.severity === 'error')) throw new Error(`rule ${name} does not check clean`);
  return statement;
}

/** Index patterns of the `:index` cases: the benchmark's events are in logs-endpoint.events-default. */
const INDEX_PATTERNS = ['logs-endpoint.events.*', 'logs-endpoint.events-*', 'winlogbeat-*'];

async function replayCase(name: string, files: string[], prefilter: boolean, indexPatterns?: string[]): Promise<{ events: number; matches: number }> {
  const out = await replaySamples({ statement: statementOf(name), sources: files.map((path) => ({ path })), options: {}, categoryOptionName: '-', prefilter, indexPatterns });
  return { events: out.events, matches: out.matches.length };
}

/** (d): fills a cache with a first replay, then times the edited rule's re-run over it. */
async function rerunCase(files: string[]): Promise<{ events: number; matches: number; ms: number; fillMs: number; cachedFiles: number }> {
  const cache = new SampleCache(8 * 1024 ** 3);
  const sources = files.map((path) => ({ path }));
  const t0 = process.hrtime.bigint();
  await replaySamples({ statement: statementOf('powershell'), sources, options: {}, categoryOptionName: '-', cache });
  const t1 = process.hrtime.bigint();
  const out = await replaySamples({ statement: statementOf('powershell-edited'), sources, options: {}, categoryOptionName: '-', cache });
  const ms = Number(process.hrtime.bigint() - t1) / 1e6;
  if (out.cachedFiles !== files.length) throw new Error(`only ${out.cachedFiles} of ${files.length} files came from the cache`);
  return { events: out.events, matches: out.matches.length, ms, fillMs: Number(t1 - t0) / 1e6, cachedFiles: out.cachedFiles };
}

async function main(): Promise<void> {
  const [name, ...files] = process.argv.slice(2);
  const prefilter = !name.endsWith(':noprefilter');
  const indexPatterns = name.endsWith(':index') ? INDEX_PATTERNS : undefined;
  const rule = name.replace(/:(noprefilter|index)$/, '');
  const t0 = process.hrtime.bigint();
  const r: { events: number; matches: number; ms?: number } =
    rule === 'floor' ? await floor(files) : rule === 'rerun' ? await rerunCase(files) : await replayCase(rule, files, prefilter, indexPatterns);
  const ms = r.ms ?? Number(process.hrtime.bigint() - t0) / 1e6;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ case: name, ...r, ms, maxRssMiB })}\n`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
