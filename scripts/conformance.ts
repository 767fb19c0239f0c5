/**
 * Conformance runner: replays Elasticsearch's EQL QA specs (and, for reference, python-eql's) with
 * our checker and engine and compares the returned event ids and join keys.
 *
 * Usage: `npm run conformance -- [DIR]`; DIR is the `conformance` folder holding `elasticsearch/` and
 * `python-eql/` (default `../shared/conformance` relative to the repository root).
 *
 * Output: one line per failing case, then `FILE: N passed, N failed` per spec file, then the
 * python-eql line(s), and last the Elasticsearch total alone: `N passed, N failed`.
 * Exit code 1 when an Elasticsearch case fails.
 *
 * Which data, mapping and request fields each spec uses follows the QA harness
 * (`x-pack/plugin/eql/qa/common/src/main/java/org/elasticsearch/test/eql/`):
 * - `EqlSpecTestCase`: test_queries.toml, additional_test_queries.toml, test_queries_date.toml on
 *   index endgame-140 (test_data.json, `@timestamp` from FILETIME), tiebreaker `serial_event_id`;
 * - `EqlExtraSpecTestCase`: test_extra.toml on `extra`, tiebreaker `sequence`;
 * - `EqlMissingEventsSpecTestCase`: test_missing_events.toml on `missing-events`, tiebreaker `sequence`;
 * - `EqlSampleTestCase`: test_sample.toml on sample1,sample2,sample3, no tiebreaker, id field `id`;
 * - `EqlSampleMultipleEntriesTestCase`: test_sample_multi.toml on sample-multi;
 * - `EqlSamplingTestCase` (older): test_sampling.toml on sampling1,sampling2,sampling3;
 * - every request: `size` 50 unless the spec sets one, `result_position` randomly head or tail (we run
 *   both and require both), `max_samples_per_key` when the spec sets one.
 * - queries are checked with `analyze(query, { fieldExists })` against the index mapping (the mapping
 *   file plus Elasticsearch's dynamic mapping of the data), so unknown fields are rejected as
 *   Elasticsearch's Verifier does ("Unknown column").
 * - test_queries_unsupported.toml: the harness of that commit drops from test_queries.toml every case
 *   whose query equals an unsupported entry (`EqlSpec.equals` compares queries) and never runs the
 *   entries themselves. An entry passes when our checker rejects it; an entry our checker accepts is
 *   valid current EQL that was merely not implemented in 2020 (e.g. `exit_code >= 0`), and is
 *   skipped, as Elasticsearch's loader does. The two entries the file itself describes as supported
 *   ("twoSequencesWithKeys", "twoSequencesWithTwoKeys") run as ordinary test_queries.toml cases.
 * - cases marked `case_insensitive = true` only were run by `EqlSpecLoader` in the case-insensitive
 *   mode of the `case_sensitive` request parameter, which Elasticsearch removed: skipped.
 * - cases written for the 2020 grammar that current Elasticsearch rejects (`conformance/obsolete.ts`)
 *   pass only when our checker rejects them.
 * - test_between_queries.toml (two unnamed cases) runs on endgame-140 like test_queries.toml.
 * - test_queries_supported.toml is an older copy (its current equivalents are in
 *   additional_test_queries.toml, per shared/README.md) and is not counted.
 * - `--verbose` also lists skipped cases (with how they would fare), python-eql failures and timing.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../server/src/eql/analyze';
import { replay } from '../server/src/engine/replay';
import type { Match } from '../server/src/engine/types';
import { lookupField } from '../server/src/engine/mapping';
import { OBSOLETE_CASES } from './conformance/obsolete';
import {
  Dataset,
  SUPPORTED_DESPITE_LISTING,
  SpecCase,
  endgameDataset,
  plainDataset,
  readSpecFile,
  unsupportedQueries,
} from './conformance/load';

/** `BaseEqlSpecTestCase.requestSize()`. */
const DEFAULT_SIZE = 50;

interface Outcome {
  passed: number;
  failed: number;
  skipped: number;
}

function checkerOptions(data: Dataset) {
  return { fieldExists: (name: string) => lookupField(data.mapping, name) !== undefined };
}

/** For `--verbose`: how a case that is not counted fares anyway. */
function informational(c: SpecCase, data: Dataset): string {
  if (!process.argv.includes('--verbose')) return '';
  const reason = runCase(c, data);
  return reason === undefined ? 'would pass' : `would fail: ${reason}`;
}

/** True when our checker rejects the query (an error diagnostic or no statement). */
function rejected(query: string, data: Dataset): boolean {
  const { statement, diagnostics } = analyze(query, checkerOptions(data));
  return !statement || diagnostics.some((d) => d.severity === 'error');
}

function idsOf(matches: Match[], idField: string): number[] {
  const ids: number[] = [];
  for (const m of matches) {
    for (const e of m.events) {
      if (e.missing || !e.event) ids.push(-1);
      else ids.push(Number(e.event.doc[idField]));
    }
  }
  return ids;
}

function keysOf(matches: Match[]): string[] {
  const keys: string[] = [];
  for (const m of matches) for (const k of m.joinKeys ?? []) keys.push(k === null ? 'null' : String(k));
  return keys;
}

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Runs one case; returns undefined when it passes, else the reason. */
function runCase(c: SpecCase, data: Dataset): string | undefined {
  const { statement, diagnostics } = analyze(c.query, checkerOptions(data));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!statement || errors.length > 0) {
    return `rejected by the checker: ${errors.map((d) => `${d.code}: ${d.message}`).join('; ') || 'no statement'}`;
  }
  for (const position of ['head', 'tail'] as const) {
    let matches: Match[];
    try {
      matches = replay(statement, data.events, {
        tiebreakerField: data.tiebreakerField,
        size: c.size ?? DEFAULT_SIZE,
        resultPosition: position,
        maxSamplesPerKey: c.maxSamplesPerKey,
        mapping: data.mapping,
      }).matches;
    } catch (e) {
      return `replay error: ${(e as Error).message}`;
    }
    const ids = idsOf(matches, data.idField);
    if (!c.expected.some((alt) => same(alt, ids))) {
      const exp = c.expected.map((a) => `[${a.join(', ')}]`).join(' or ');
      return `expected ${exp}, got [${ids.join(', ')}]${position === 'tail' ? ' (result_position tail)' : ''}`;
    }
    if (c.joinKeys && c.joinKeys.length > 0) {
      const keys = keysOf(matches);
      if (!same(c.joinKeys, keys)) {
        return `join keys: expected [${c.joinKeys.join(', ')}], got [${keys.join(', ')}]`;
      }
    }
  }
  return undefined;
}

function main(): number {
  const root = resolve(__dirname, '..');
  const arg = process.argv.slice(2).find((a) => !a.startsWith('-'));
  const dir = resolve(arg ?? join(root, '..', 'shared', 'conformance'));
  if (!existsSync(dir)) {
    // The suite lives beside the repository, not in it: without it the default run has nothing to
    // replay (a clone on its own), while a folder named on the command line must exist.
    if (arg === undefined) {
      console.log(`conformance suite not found at ${dir}; skipped (pass DIR to run it)`);
      return 0;
    }
    console.error(`conformance folder not found: ${dir}`);
    return 2;
  }
  const esDir = existsSync(join(dir, 'elasticsearch')) ? join(dir, 'elasticsearch') : dir;
  const pyDir = existsSync(join(dir, 'python-eql')) ? join(dir, 'python-eql') : undefined;
  const started = Date.now();

  const endgameMapping = join(esDir, 'endgame-140.mapping');
  const endgame = endgameDataset(esDir, endgameMapping);
  const cache = new Map<string, Dataset>();
  const dataset = (name: string, make: () => Dataset) => {
    return () => {
      let d = cache.get(name);
      if (!d) cache.set(name, (d = make()));
      return d;
    };
  };
  const endgameData = dataset('endgame-140', () => endgame);
  const plan: Array<{ file: string; data: () => Dataset }> = [
    { file: 'test_queries.toml', data: endgameData },
    { file: 'additional_test_queries.toml', data: endgameData },
    { file: 'test_queries_date.toml', data: endgameData },
    { file: 'test_between_queries.toml', data: endgameData },
    { file: 'test_extra.toml', data: dataset('extra', () => plainDataset(esDir, ['extra'], 'sequence', 'sequence')) },
    {
      file: 'test_missing_events.toml',
      data: dataset('missing-events', () => plainDataset(esDir, ['missing-events'], 'sequence', 'sequence')),
    },
    { file: 'test_sample.toml', data: dataset('sample', () => plainDataset(esDir, ['sample1', 'sample2', 'sample3'], undefined, 'id')) },
    { file: 'test_sample_multi.toml', data: dataset('sample-multi', () => plainDataset(esDir, ['sample-multi'], undefined, 'id')) },
    {
      file: 'test_sampling.toml',
      data: dataset('sampling', () => plainDataset(esDir, ['sampling1', 'sampling2', 'sampling3'], undefined, 'id')),
    },
  ];

  const unsupportedPath = join(esDir, 'test_queries_unsupported.toml');
  const unsupported = existsSync(unsupportedPath) ? readSpecFile(unsupportedPath, 'test_queries_unsupported.toml') : [];
  const dropped = unsupportedQueries(unsupported);

  const failures: string[] = [];
  const skippedNotes: string[] = [];
  const perFile: Array<[string, Outcome]> = [];
  const total: Outcome = { passed: 0, failed: 0, skipped: 0 };

  for (const { file, data } of plan) {
    const path = join(esDir, file);
    if (!existsSync(path)) continue;
    const outcome: Outcome = { passed: 0, failed: 0, skipped: 0 };
    for (const c of readSpecFile(path, file)) {
      if (dropped.has(c.query)) {
        outcome.skipped++; // checked below, as test_queries_unsupported.toml
        skippedNotes.push(`${file} ${c.name}: listed in test_queries_unsupported.toml`);
        continue;
      }
      if (c.caseInsensitiveOnly) {
        // EqlSpecLoader: run only in the case-insensitive mode of the `case_sensitive` request
        // parameter, which Elasticsearch removed (7.10+: comparisons are case-sensitive except `:`
        // and the `~` forms). A case-sensitive run skips it.
        outcome.skipped++;
        skippedNotes.push(`${file} ${c.name}: case_insensitive only (mode removed from Elasticsearch); ${informational(c, data())}`);
        continue;
      }
      const obsolete = OBSOLETE_CASES[c.name];
      if (obsolete) {
        if (rejected(c.query, data())) outcome.passed++;
        else {
          outcome.failed++;
          failures.push(`FAIL ${file} ${c.name}: accepted by the checker, current Elasticsearch rejects it (${obsolete})`);
        }
        continue;
      }
      const reason = runCase(c, data());
      if (reason === undefined) outcome.passed++;
      else {
        outcome.failed++;
        failures.push(`FAIL ${file} ${c.name}: ${reason}`);
      }
    }
    perFile.push([file, outcome]);
  }

  if (unsupported.length > 0) {
    const outcome: Outcome = { passed: 0, failed: 0, skipped: 0 };
    for (const c of unsupported) {
      if (SUPPORTED_DESPITE_LISTING.has(c.name)) {
        outcome.skipped++; // run as test_queries.toml cases
        continue;
      }
      if (rejected(c.query, endgame)) outcome.passed++;
      else {
        // Valid current EQL that the 2020 harness listed as not yet supported: its loader only
        // drops the test_queries.toml case with the same query (`EqlSpec.equals` compares queries)
        // and never runs the entry itself, so neither do we.
        outcome.skipped++;
        skippedNotes.push(`test_queries_unsupported.toml ${c.name}: valid current EQL; ${informational(c, endgame)}`);
      }
    }
    perFile.push(['test_queries_unsupported.toml', outcome]);
  }

  if (process.argv.includes('--verbose')) for (const line of skippedNotes) console.log(`SKIP ${line}`);
  for (const line of failures) console.log(line);
  for (const [file, o] of perFile) {
    total.passed += o.passed;
    total.failed += o.failed;
    console.log(`${file}: ${o.passed} passed, ${o.failed} failed${o.skipped ? `, ${o.skipped} skipped` : ''}`);
  }

  if (pyDir && existsSync(join(pyDir, 'test_queries.toml')) && existsSync(join(pyDir, 'test_data.json'))) {
    const py = endgameDataset(pyDir, endgameMapping, 'test_data.json');
    const o: Outcome = { passed: 0, failed: 0, skipped: 0 };
    const pyFailures: string[] = [];
    for (const c of readSpecFile(join(pyDir, 'test_queries.toml'), 'python-eql/test_queries.toml')) {
      if (rejected(c.query, py)) {
        o.skipped++;
        continue;
      }
      const reason = runCase(c, py);
      if (reason === undefined) o.passed++;
      else {
        o.failed++;
        pyFailures.push(`python-eql ${c.name}: ${reason}`);
      }
    }
    if (process.argv.includes('--verbose')) for (const line of pyFailures) console.log(line);
    // python-eql is another dialect (Endgame EQL): where it differs, Elasticsearch is the reference.
    console.log(
      `python-eql dialect (reference only, not a failure): ${o.passed} cases agree with Elasticsearch's semantics, ${o.failed} dialect differences, ${o.skipped} skipped (older syntax)`,
    );
  }

  if (process.argv.includes('--verbose')) console.error(`conformance run took ${Date.now() - started} ms`);
  console.log(`${total.passed} passed, ${total.failed} failed`);
  return total.failed > 0 ? 1 : 0;
}

process.exitCode = main();
