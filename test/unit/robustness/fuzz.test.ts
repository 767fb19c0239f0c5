/**
 * The bounded fuzz run and the regression corpus (see `test/fuzz/fuzzer.ts`). Property: no rule
 * or log, however mangled, gives an `internal` diagnostic or an error other than a rule error
 * Elasticsearch also reports; the long run is `npm run fuzz -- --inputs N`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNdjson, checkRule, corpusInputs, eventSets, runFuzz } from '../../fuzz/fuzzer';

test('every input of the regression corpus passes', () => {
  const { rules, ndjson } = corpusInputs();
  assert.ok(rules.length >= 9 && ndjson.length >= 3, 'the corpus is there');
  const sets = eventSets();
  for (const [name, text] of rules) assert.equal(checkRule(text, sets), undefined, name);
  for (const [name, text] of ndjson) assert.equal(checkNdjson(text), undefined, name);
});

test('20,000 random and mutated rules and NDJSON texts: no internal error', () => {
  const report = runFuzz({ inputs: 20_000, seed: 20_251_206 });
  assert.equal(report.inputs, 20_000);
  assert.ok(report.replayed > 1000, `rules replayed: ${report.replayed}`);
  assert.ok(report.ndjson > 3000, `NDJSON texts: ${report.ndjson}`);
  assert.deepEqual(report.failures.map((f) => `${f.kind}: ${f.error}\n${f.input.slice(0, 300)}`), []);
});
