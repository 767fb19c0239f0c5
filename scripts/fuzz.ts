/**
 * `npm run fuzz -- --inputs N [--seed S]`: the long fuzz run (see `test/fuzz/fuzzer.ts`). Every
 * failing input is written to `test/fuzz/corpus/` (named by its content's hash), so that it joins
 * the regression corpus the unit tests replay. Exit code 0 when nothing failed, 1 otherwise.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { CORPUS, runFuzz } from '../test/fuzz/fuzzer';

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer.');
  return Number(value);
}

const options = new Command('fuzz')
  .option('--inputs <n>', 'number of inputs', count, 100_000)
  .option('--seed <n>', 'PRNG seed (a run is reproducible from it)', count, Date.now() % 2 ** 31)
  .parse(process.argv)
  .opts<{ inputs: number; seed: number }>();

process.stdout.write(`fuzz: ${options.inputs} inputs, seed ${options.seed}\n`);
const report = runFuzz({
  inputs: options.inputs,
  seed: options.seed,
  onProgress: (done) => process.stdout.write(`fuzz: ${done} inputs\n`),
  onFailure: (f) => {
    const name = `${f.kind}-${createHash('sha256').update(f.input).digest('hex').slice(0, 12)}.${f.kind === 'rule' ? 'eql' : 'ndjson'}`;
    writeFileSync(path.join(CORPUS, name), f.input);
    process.stdout.write(`fuzz: FAILURE (${name}): ${f.error.split('\n')[0]}\n`);
  },
});
process.stdout.write(
  `fuzz: ${report.inputs} inputs (${report.rules} rules, ${report.replayed} replayed; ${report.ndjson} NDJSON texts) in ${(report.ms / 1000).toFixed(1)} s; ${report.failures.length} failures\n`,
);
process.exitCode = report.failures.length === 0 ? 0 : 1;
