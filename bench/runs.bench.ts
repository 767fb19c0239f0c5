/**
 * Sequences with `with runs=N`: time per event as the input grows, to show the matcher is linear in
 * events × expanded stages. Never run by the tests: `npm run bench:runs -- [--sizes 500,1000,2000,4000] [--rounds R]`.
 *
 * Input: N process events (one host, one per millisecond) that pass every stage, so every event
 * extends the newest pending sequence of every expanded stage (the worst case for the matcher).
 * Cases: 10 stages × runs=100 (1,000 expanded stages) and 100 stages × runs=100 (10,000).
 * Baseline measured in the same run: the event query `process where true` over the same events.
 *
 * Prints per case and size: wall time (fastest of R rounds, default 2), µs per event, the ratio of
 * that to the case's µs per event at the smallest size (linear in events: stays near or under 1
 * once the pending sequences fill every stage), and ns per event per expanded stage. The times
 * include building the matches: from the (expanded stages)th event on, every event completes a
 * sequence of that many events, so the output (and the collector's work on it) grows with it.
 */
import { parseArgs } from 'node:util';
import { analyze } from '../server/src/eql/analyze';
import { replay } from '../server/src/engine/replay';
import type { EventRecord } from '../server/src/engine/types';

const USAGE = 'usage: npm run bench:runs -- [--sizes 500,1000,2000,4000] [--rounds R]';

function statementOf(rule: string) {
  const { statement, diagnostics } = analyze(rule);
  if (!statement || diagnostics.some((d) => d.severity === 'error')) throw new Error(`rule does not check clean: ${rule.slice(0, 80)}`);
  return statement;
}

function events(n: number): EventRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    doc: { '@timestamp': 1_700_000_000_000 + i, event: { category: 'process' }, process: { pid: i } },
    source: { file: 'events.ndjson', line: i + 1 },
  }));
}

/** Fastest of `rounds` replays, in ms, and the number of matches. */
function time(rule: string, input: EventRecord[], rounds: number): { ms: number; matches: number } {
  const statement = statementOf(rule);
  let best = Infinity;
  let matches = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    matches = replay(statement, input).matches.length;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms: best, matches };
}

function main(): void {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, rounds: { type: 'string' } } });
  const sizes = (values.sizes ?? '500,1000,2000,4000').split(',').map(Number);
  const rounds = Number(values.rounds ?? 2);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0) || !Number.isInteger(rounds) || rounds <= 0) throw new Error(USAGE);
  const cases = [
    { name: '10 stages × runs=100', stages: 10, runs: 100 },
    { name: '100 stages × runs=100', stages: 100, runs: 100 },
  ];
  for (const c of cases) {
    const rule = `sequence ${Array.from({ length: c.stages }, () => `[process where true] with runs=${c.runs}`).join(' ')}`;
    const expanded = c.stages * c.runs;
    console.log(`${c.name} (${expanded.toLocaleString('en')} expanded stages)`);
    let first: number | undefined;
    for (const n of sizes) {
      const input = events(n);
      const base = time('process where true', input, rounds).ms;
      const { ms, matches } = time(rule, input, rounds);
      const perEvent = (ms * 1000) / n;
      first ??= perEvent;
      console.log(
        `  ${String(n).padStart(6)} events: ${ms.toFixed(0).padStart(7)} ms  ${perEvent.toFixed(1).padStart(8)} µs/event` +
          `  ratio to ${sizes[0]} events ${(perEvent / first).toFixed(2)}  ${((perEvent * 1000) / expanded).toFixed(1)} ns/event/stage` +
          `  ${matches} matches  (baseline event query ${base.toFixed(1)} ms, ${(ms / base).toFixed(0)}×)`,
      );
    }
  }
}

main();
