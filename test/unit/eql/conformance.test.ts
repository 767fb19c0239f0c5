/**
 * Walks Elasticsearch's EQL QA specs (`../shared/conformance/elasticsearch/*.toml`, see
 * `/work/shared/README.md`) and checks `analyze` in both directions:
 * - every query Elasticsearch accepts produces no error;
 * - every query in `test_queries_unsupported.toml` that Elasticsearch rejects before running it is rejected.
 *
 * Which cases count follows Elasticsearch's QA harness: cases of `test_queries.toml` that also appear in
 * `test_queries_unsupported.toml` (compared as specs, not only by name: several names differ in case or
 * suffix, e.g. `simpleHeadwithSort2`/`simpleHeadWithSort2`, so we match by name or by query text) are not
 * run, so they are not expected to pass. Exceptions are listed below with their reason.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { analyze } from '../../../server/src/eql/analyze';

const DIR = path.resolve(__dirname, '../../../../shared/conformance/elasticsearch');
const present = fs.existsSync(DIR);

interface SpecQuery {
  name?: string;
  query: string;
}

/** TOML has no null, but some specs write `join_keys = [null]`; the keys are irrelevant here, so drop them. */
function loadSpec(file: string): SpecQuery[] {
  const text = fs.readFileSync(path.join(DIR, file), 'utf8').replace(/^(\s*join_keys\s*=)[^\]]*\]/gm, '$1 []');
  return (parseToml(text) as unknown as { queries: SpecQuery[] }).queries;
}

/** Field names of an Elasticsearch mapping (`properties`, nested objects and multi-fields), dotted. */
function mappingFields(file: string): Set<string> {
  const json = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
  const out = new Set<string>();
  const walk = (props: Record<string, { properties?: object; fields?: object }>, prefix: string): void => {
    for (const [k, v] of Object.entries(props)) {
      out.add(prefix + k);
      if (v.properties) walk(v.properties as never, `${prefix}${k}.`);
      if (v.fields) walk(v.fields as never, `${prefix}${k}.`);
    }
  };
  walk(json.properties ?? json.mappings.properties, '');
  return out;
}

const errors = (q: string, fields?: Set<string>) =>
  analyze(q, fields ? { fieldExists: (n) => fields.has(n) } : {}).diagnostics.filter((d) => d.severity === 'error');

/**
 * Cases in files Elasticsearch accepts that current Elasticsearch rejects. `test_queries.toml` and
 * `additional_test_queries.toml` come from commit 057ebd7 (see SOURCES.tsv), whose grammar still had
 * `:` as a comparison operator over any expressions, `!:`, `?"…"` raw strings, `join`, and the
 * `match`/`matchLite` functions. Elasticsearch issue #62652 ("Significant EQL changes in 7.10") lists the
 * removal of `?"`/`?'` (PR #62539, replaced by `"""`), and the current grammar's `predicate` rule takes only
 * constants after `:`; the current "EQL function reference" has no `match`/`matchLite`; `join` is rejected.
 * Each entry: the diagnostic code our checker must give.
 */
const OLDER_DIALECT: Record<string, string> = {
  // test_queries.toml
  nullEqualityAndInWithHead: 'constant-required',
  nullEqualityWithGtAndHead: 'constant-required',
  nullEqualityWithLtAndHead: 'constant-required',
  doubleJoinWithByUntilAndHead: 'unsupported-join',
  threeJoinsWithUntil2: 'unsupported-join',
  twoSequencesWithHead: 'unsupported-join',
  multipleConditions2: 'unsupported-not-match',
  indexOf4: 'unsupported-not-match',
  indexOf5: 'unsupported-not-match',
  indexOf6: 'unsupported-not-match',
  indexOf7: 'unsupported-not-match',
  twoAdds: 'constant-required',
  stringNumberConversion1: 'constant-required',
  stringNumberConversion2: 'constant-required',
  stringNumberConversion3: 'constant-required',
  // `field - 1 : 81`: in the current grammar `:` attaches to the primary next to it, so this is
  // `field - (1 : 81)`, arithmetic on a boolean, which type resolution rejects.
  fieldMath1: 'type-mismatch',
  fieldMath2: 'type-mismatch',
  fieldMath3: 'type-mismatch',
  fieldMath4: 'type-mismatch',
  fieldMath5: 'type-mismatch',
  fieldMath6: 'type-mismatch',
  // additional_test_queries.toml
  additionalMathWithFields1: 'type-mismatch',
  additionalMathWithFields2: 'type-mismatch',
  additionalMathWithFields3: 'type-mismatch',
  additionalMathWithFields4: 'type-mismatch',
  additionalMathWithFields5: 'type-mismatch',
  additionalMathWithFields6: 'type-mismatch',
  additionalMathWithFields7: 'type-mismatch',
  cidrMatchAdditional2: 'constant-required',
  concatWithCondition1: 'unsupported-not-match',
  numberStringEquality: 'constant-required',
  matchWithCharacterClasses1: 'question-mark-string',
  matchLiteAdditional: 'question-mark-string',
  matchWithCharacterClasses2: 'question-mark-string',
  multiPatternMatch: 'unknown-function',
  matchWithSubstring: 'unknown-function',
  moduloEqualsField: 'constant-required',
};

/**
 * Entries of `test_queries_unsupported.toml` that are valid queries: Elasticsearch lists them because
 * its results differ from the expected ids (written for the case-insensitive python-eql dialect) or for
 * history, not because it rejects them. Evidence: they use only accepted syntax, and Elasticsearch's
 * VerifierTests.testQueryOk accepts `process where exit_code > -1` and `process where -1 < exit_code` verbatim.
 */
const UNSUPPORTED_BUT_VALID: Record<string, string> = {
  twoSequencesWithKeys: 'the file comment: kept as the emulated first query of test_queries.toml',
  twoSequencesWithTwoKeys: 'the file comment: kept as the emulated first query of test_queries.toml',
  processWithStringComparisonCaseInsensitive1: 'valid; listed for its expected ids (written for case-insensitive comparison)',
  processWithStringComparisonCaseInsensitive2: 'valid; listed for its expected ids (written for case-insensitive comparison)',
  processWithStringComparisonCaseInsensitive3: 'valid; listed for its expected ids (written for case-insensitive comparison)',
  processWithStringComparisonCaseInsensitive4: 'valid; listed for its expected ids (written for case-insensitive comparison)',
  simpleTail: 'valid; listed for its expected ids',
  exitCodeGtZero: 'valid (exit_code is in mapping-default.json); listed for its expected ids',
  zeroLteExitCode: 'valid; listed for its expected ids',
  exitCodeLteZero: 'valid; listed for its expected ids',
  exitCodeLtOne: 'valid; listed for its expected ids',
  exitCodeGtMinusOne: 'valid; listed for its expected ids',
  minusOneLtExitCode: 'valid; listed for its expected ids',
  notExitCodeGtWithHead1: 'valid; listed for its expected ids',
  notExitCodeGtWithHead2: 'valid; listed for its expected ids',
  notExitCodeGtWithHead3: 'valid; listed for its expected ids',
  simpleStringEquality: 'valid; listed for its expected ids',
  substring3: 'valid (`:` on a function result); listed for its expected ids',
  concatCaseInsensitive: 'valid; listed for its expected ids',
  betweenCaseSensitive: 'valid; listed for its expected ids',
  lengthCaseSensitive: 'valid; listed for its expected ids',
};

/** Rejected by Elasticsearch's Verifier only against the mapping ("Unknown column"): checked with mapping-default.json. */
const UNKNOWN_FIELD_CASES = new Set(['equalsNullHead', 'fakeField', 'fakeFieldWithHead2', 'badFieldWithLength']);

describe('Elasticsearch conformance specs', { skip: present ? false : 'shared conformance data not found at ../shared' }, () => {
  const accepted = [
    'additional_test_queries.toml',
    'test_between_queries.toml',
    'test_extra.toml',
    'test_missing_events.toml',
    'test_queries.toml',
    'test_queries_date.toml',
    'test_sample.toml',
    'test_sample_multi.toml',
    'test_sampling.toml',
  ].filter((f) => present && fs.existsSync(path.join(DIR, f)));
  const norm = (q: string): string => q.replace(/\s+/g, ' ').trim();
  const unsupported = present ? loadSpec('test_queries_unsupported.toml') : [];
  const unsupportedNames = new Set(unsupported.map((q) => q.name));
  const unsupportedQueries = new Set(unsupported.map((q) => norm(q.query)));

  for (const file of accepted) {
    it(`accepts every query of ${file}`, () => {
      const failures: string[] = [];
      let checked = 0;
      for (const q of loadSpec(file)) {
        if (file === 'test_queries.toml' && (unsupportedNames.has(q.name) || unsupportedQueries.has(norm(q.query)))) continue;
        const errs = errors(q.query);
        const older = q.name ? OLDER_DIALECT[q.name] : undefined;
        if (older) {
          assert.ok(errs.some((d) => d.code === older), `${file} ${q.name}: expected a [${older}] rejection (older dialect)`);
          continue;
        }
        checked++;
        if (errs.length) failures.push(`${q.name ?? q.query}: ${errs.map((d) => d.message).join('; ')}`);
      }
      assert.deepEqual(failures, []);
      assert.ok(checked > 0);
    });
  }

  it('rejects every query of test_queries_unsupported.toml that Elasticsearch rejects before running it', () => {
    const fields = mappingFields('mapping-default.json');
    const wronglyAccepted: string[] = [];
    const wronglyRejected: string[] = [];
    for (const q of loadSpec('test_queries_unsupported.toml')) {
      const name = q.name ?? '';
      if (name in UNSUPPORTED_BUT_VALID) {
        const errs = errors(q.query);
        if (errs.length) wronglyRejected.push(`${name}: ${errs[0].message}`);
        continue;
      }
      const errs = errors(q.query, UNKNOWN_FIELD_CASES.has(name) ? fields : undefined);
      if (errs.length === 0) wronglyAccepted.push(name);
    }
    assert.deepEqual(wronglyAccepted, []);
    assert.deepEqual(wronglyRejected, []);
  });

  it('reports unknown fields against mapping-default.json the way the Verifier does', () => {
    const fields = mappingFields('mapping-default.json');
    // test_queries_unsupported.toml `fakeField`: `process where fake_field : "*"`
    const errs = errors('process where fake_field : "*"', fields);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].code, 'unknown-field');
    assert.equal(errs[0].message, 'Unknown column [fake_field]');
    assert.deepEqual(errs[0].span, { start: 14, end: 24 });
  });
});
