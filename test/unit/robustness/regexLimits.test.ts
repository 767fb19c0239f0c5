/**
 * Regular expressions Elasticsearch refuses are checker errors with its messages, so no pattern can
 * stall a replay. Sources: Lucene `TooComplexToDeterminizeException` ("Determinizing <pattern> would
 * require more than 10000 effort.", default work limit 10,000), Elasticsearch `RegexpQueryBuilder`
 * (`index.max_regex_length`, default 1000). Hand-worked: `(a|b)*a(a|b){20}` needs 2^21 subsets
 * (the 21st character from the end), `a{1,1000}a{1,1000}b` about 2,000 subsets of up to 1,000 states.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/eql/analyze';

const errorsOf = (q: string) => analyze(q).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

test('a regex too complex to determinize is refused with Lucene\'s message', () => {
  assert.deepEqual(errorsOf('process where process.name regex "a{1,1000}a{1,1000}b"'), [
    'Determinizing a{1,1000}a{1,1000}b would require more than 10000 effort.',
  ]);
  assert.deepEqual(errorsOf('process where process.name regex~ "(a|b)*a(a|b){20}"'), ['Determinizing (a|b)*a(a|b){20} would require more than 10000 effort.']);
  assert.deepEqual(errorsOf('process where process.name regex "(a{1,1000}){1,1000}"'), ['Determinizing (a{1,1000}){1,1000} would require more than 10000 effort.']);
});

test('a regex longer than index.max_regex_length (1000) is refused', () => {
  const long = 'x'.repeat(1001);
  assert.deepEqual(errorsOf(`process where process.name regex "${long}"`), [
    'The length of regex [1001] used in the Regexp Query request has exceeded the allowed maximum of [1000]. This maximum can be set by changing the [index.max_regex_length] index level setting.',
  ]);
  assert.deepEqual(errorsOf(`process where process.name regex "${'x'.repeat(1000)}"`), []);
});

test('the patterns of real rules stay accepted', () => {
  for (const p of ['[a-z]{2,5}\\\\.exe', '.*\\\\\\\\temp\\\\\\\\.*', '(a|b)*a(a|b){3}', '[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}', '<1-65535>', 'a{1000}', '.*a.*b.*c.*']) {
    assert.deepEqual(errorsOf(`process where process.name regex "${p}"`), [], p);
  }
});

test('a large bounded repeat gets the clean repetition error, never an out-of-memory crash', () => {
  // x{1,n} is n nested optional copies: n positions, n - 1 transitions between copies (hand-worked),
  // under the effort budget for n < 100,000, then refused by the repeat limit of the regex engine.
  for (const n of [2000, 11000, 15000, 99999]) {
    assert.deepEqual(errorsOf(`process where process.name regex "a{1,${n}}"`), [
      `cannot run regular expression [a{1,${n}}]: repetition counts above 1000 are not supported`,
    ]);
  }
  assert.deepEqual(errorsOf('process where process.name regex "a{99999}"'), [
    'cannot run regular expression [a{99999}]: repetition counts above 1000 are not supported',
  ]);
});

test('a dense position automaton is refused as too complex without being built whole', () => {
  // (a?){1,1500}: after k a's, every later copy is still possible: subsets of 1500, 1499, … states,
  // over a million units of effort (hand-worked); its automaton has about 1.1 million transitions.
  assert.deepEqual(errorsOf('process where process.name regex "(a?){1,1500}"'), [
    'Determinizing (a?){1,1500} would require more than 10000 effort.',
  ]);
  assert.deepEqual(errorsOf('process where process.name regex "((a?){1,100}){1,1000}"'), [
    'Determinizing ((a?){1,100}){1,1000} would require more than 10000 effort.',
  ]);
});
