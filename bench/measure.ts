/**
 * One measurement of the replay benchmark, run in a child process of its own so that its peak
 * memory (`maxRSS`) is its own. Prints one JSON line: `{ case, ms, events, matches, maxRssMiB }`.
 *
 * Usage: `tsx bench/measure.ts CASE FILE...` where CASE is `floor` (chunked read + `JSON.parse` of
 * every line: the baseline every other case is compared with), or the name of a rule in `RULES`.
 */
import { createReadStream } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../server/src/eql/analyze';
import { replaySamples } from '../server/src/samples/pipeline';

/** The benchmark's rules, by case name. */
export const RULES: Record<string, string> = {
  // (a) the sample PowerShell Remoting rule.
  powershell: readFileSync(join(__dirname, '../samples/rules/incoming_execution_via_powershell_remoting.eql'), 'utf8'),
  // (b) an event query on a field every process event has.
  event: 'process where process.name == "whoami.exe"',
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

async function replayCase(name: string, files: string[], prefilter: boolean): Promise<{ events: number; matches: number }> {
  const { statement, diagnostics } = analyze(RULES[name]);
  if (!statement || diagnostics.some((d) => d.severity === 'error')) throw new Error(`rule ${name} does not check clean`);
  const out = await replaySamples({ statement, sources: files.map((path) => ({ path })), options: {}, categoryOptionName: '-', prefilter });
  return { events: out.events, matches: out.matches.length };
}

async function main(): Promise<void> {
  const [name, ...files] = process.argv.slice(2);
  const prefilter = !name.endsWith(':noprefilter');
  const rule = name.replace(/:noprefilter$/, '');
  const t0 = process.hrtime.bigint();
  const r = rule === 'floor' ? await floor(files) : await replayCase(rule, files, prefilter);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ case: name, ms, ...r, maxRssMiB })}\n`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
