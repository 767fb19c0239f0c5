/**
 * Event queries of Elasticsearch's EQL QA suite, run through compileFilter over `test_data.json`.
 *
 * Setup as Elasticsearch's QA `DataLoader` does it: the index mapping is `endgame-140.mapping` plus
 * dynamic mapping of the other fields of the data (hence `inferMapping`), and the Windows FILETIME
 * `timestamp` becomes epoch milliseconds in `@timestamp`. Results are ordered by timestamp, then by
 * the tiebreaker `serial_event_id` (`event.sequence`), and `| head n` / `| tail n` applied.
 * Left out, as in the conformance runner (`scripts/conformance.ts`): queries equal to an entry of
 * `test_queries_unsupported.toml` (the QA harness drops them: `EqlSpec.equals` compares queries),
 * those marked `case_insensitive = true` (the removed case-insensitive mode), and those the project
 * records as written for the 2020 grammar that current Elasticsearch rejects
 * (`scripts/conformance/obsolete.ts`, shown as skipped with the reason). Any other query our checker
 * rejects fails here: it is valid EQL by the suite. Sequence and sample queries belong to the
 * replay engine's tests.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { analyze } from '../../../../server/src/eql/analyze';
import { unsupportedQueries } from '../../../../scripts/conformance/load';
import { OBSOLETE_CASES } from '../../../../scripts/conformance/obsolete';
import { compileFilter } from '../../../../server/src/engine/filter';
import { inferMapping, loadMapping } from '../../../../server/src/engine/mapping';

const suite = join(__dirname, '../../../../../shared/conformance/elasticsearch');
const haveSuite = existsSync(suite);

interface Spec {
  name?: string;
  query: string;
  expected_event_ids: number[] | number[][];
  case_insensitive?: boolean;
}

describe('Elasticsearch QA event queries over test_data.json', { skip: haveSuite ? false : `conformance suite not found at ${suite}` }, () => {
  if (!haveSuite) return;
  const data: Array<Record<string, any>> = JSON.parse(readFileSync(join(suite, 'test_data.json'), 'utf8'));
  for (const d of data) d['@timestamp'] = Math.round(d.timestamp / 10000 - 11644473600000);
  data.sort((a, b) => a.timestamp - b.timestamp || a.serial_event_id - b.serial_event_id);
  const mapping = inferMapping(data, loadMapping(readFileSync(join(suite, 'endgame-140.mapping'), 'utf8')));
  const unsupported = unsupportedQueries(
    (parseToml(readFileSync(join(suite, 'test_queries_unsupported.toml'), 'utf8')) as unknown as { queries: Spec[] }).queries.map((q) => ({
      name: q.name ?? '',
      query: q.query,
    })),
  );
  for (const file of ['test_queries.toml', 'additional_test_queries.toml', 'test_between_queries.toml', 'test_queries_date.toml']) {
    const specs = (parseToml(readFileSync(join(suite, file), 'utf8')) as unknown as { queries: Spec[] }).queries;
    specs.forEach((spec, i) => {
      const name = spec.name ?? `${file}#${i + 1}`;
      if (spec.case_insensitive || unsupported.has(spec.query.trim())) return;
      const title = `${file} ${name}: ${spec.query.trim().replace(/\s+/g, ' ')}`;
      const obsolete = spec.name ? OBSOLETE_CASES[spec.name] : undefined;
      if (obsolete) {
        it(title, { skip: `obsolete: ${obsolete}` }, () => {});
        return;
      }
      const r = analyze(spec.query);
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      if (!r.statement || errors.length > 0) {
        it(title, () => {
          assert.fail(`rejected by the checker: ${errors.map((d) => `${d.code}: ${d.message}`).join('; ') || 'no statement'}`);
        });
        return;
      }
      const st = r.statement;
      if (st.query.kind !== 'event' || st.pipes.some((p) => p.name !== 'head' && p.name !== 'tail')) return;
      const filter = st.query.filter;
      const pipes = st.pipes;
      it(title, () => {
        const f = compileFilter(filter, { eventCategoryField: 'event.category', mapping });
        let got = data.filter((d) => f(d)).map((d) => d.serial_event_id as number);
        for (const p of pipes) {
          const arg = p.args[0];
          const n = arg && arg.kind === 'literal' ? Number(arg.value) : 10;
          got = p.name === 'head' ? got.slice(0, n) : got.slice(-n);
        }
        const expected = spec.expected_event_ids;
        if (Array.isArray(expected[0])) {
          assert.ok((expected as number[][]).some((e) => JSON.stringify(e) === JSON.stringify(got)), `got ${JSON.stringify(got)}`);
        } else {
          assert.deepEqual(got, expected);
        }
      });
    });
  }
});
