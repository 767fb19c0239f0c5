// The rule test file reader: a valid file read into cases, and every problem of an invalid file
// reported with its 1-based line (lines counted by hand in the texts below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseRuleTestFile } from '../../../server/src/ruletests/testFile';
import { indexTomlLines, lineOf } from '../../../server/src/ruletests/tomlLines';

test('a valid file: rule and paths joined onto the file folder, options merged, counts and event references', () => {
  const text = [
    'rule = "rule.eql"', //                                  1
    'samples = ["logs/**/*.ndjson"]', //                     2
    '[options]', //                                          3
    'timestamp_field = "ts"', //                             4
    '[[case]]', //                                           5
    'name = "two"', //                                       6
    'min_matches = 1', //                                    7
    'max_matches = 3', //                                    8
    'must_not_match = [{ "event.id" = "n1" }, { event.id = 7 }]', // 9
    '[case.options]', //                                     10
    'size = 5', //                                           11
    '[[case.match]]', //                                     12
    'events = ["logs/a.ndjson:4", { "_id" = "x" }]', //      13
    '[[case]]', //                                           14
    'name = "other samples"', //                             15
    'samples = "b.ndjson"', //                               16
  ].join('\n');
  const r = parseRuleTestFile(text, join('t', 'x.test.toml'));
  assert.equal(r.problems, undefined);
  const f = r.testFile!;
  assert.equal(f.rule, join('t', 'rule.eql'));
  assert.equal(f.cases.length, 2);
  const [a, b] = f.cases;
  assert.deepEqual([a.name, a.at, a.samples, a.options], ['two', 5, ['logs/**/*.ndjson'], { timestampField: 'ts', size: 5 }]);
  assert.deepEqual(a.count, { atLeast: 1, atMost: 3 });
  assert.deepEqual(a.mustNotMatch.map((r) => [r.kind, r.kind === 'field' ? r.field : '', r.kind === 'field' ? r.value : '']), [
    ['field', 'event.id', 'n1'],
    ['field', 'event.id', 7],
  ]);
  assert.equal(a.matches.length, 1);
  assert.equal(a.matches[0].at, 12);
  assert.deepEqual(a.matches[0].events[0], { kind: 'line', file: join('t', 'logs/a.ndjson'), line: 4, text: 'logs/a.ndjson:4', at: 13 });
  assert.equal(a.matches[0].events[1].kind, 'field');
  assert.deepEqual([b.name, b.at, b.samples, b.options], ['other samples', 14, ['b.ndjson'], { timestampField: 'ts' }]);
});

test('every problem is reported with its line, sorted by line', () => {
  const text = [
    'rule = 3', //                                           1  not a string
    'sample = "x"', //                                       2  unknown key
    '[options]', //                                          3
    'size = -1', //                                          4  negative
    'colour = "red"', //                                     5  unknown option
    '[[case]]', //                                           6  no name (reported at the header)
    'matches = 2', //                                        7
    'min_matches = 1', //                                    8  combined with matches
    '[[case]]', //                                           9
    'name = "b"', //                                         10
    'must_not_match = [', //                                 11
    '  "a.ndjson:0",', //                                    12 line 0
    '  { "event.id" = "x", "y" = 1 },', //                   13 two fields
    ']', //                                                  14
    '[[case.match]]', //                                     15 no events
    'description = "none"', //                               16
    '[[case]]', //                                           17
    'name = "b"', //                                         18 duplicate
    'samples = "s"', //                                      19
    'result = 1', //                                         20 unknown case key
  ].join('\n');
  const r = parseRuleTestFile(text, 'x.test.toml');
  assert.ok(r.problems);
  assert.deepEqual(
    r.problems.map((p) => [p.line, p.message.replace(/ \(expected.*$/, '')]),
    [
      [1, '`rule` must be a non-empty string: the path of the rule file'],
      [2, 'unknown key `sample`'],
      [4, '`size` must be a whole number ≥ 0'],
      [5, 'unknown option `colour`'],
      [6, 'the case has no `name`'],
      [6, 'no samples: set `samples` (files, folders or globs) at the top of the file or in the case'],
      [7, '`matches` (exactly) cannot be combined with `min_matches` or `max_matches`'],
      [9, 'no samples: set `samples` (files, folders or globs) at the top of the file or in the case'],
      [12, '"a.ndjson:0" is not an event: expected "file:line" (1-based line) or { "field" = value }'],
      [13, 'an event given by a field must be a table with exactly one field and a string, number or boolean value, e.g. { "event.id" = "x" }'],
      [15, '`events` must be a non-empty array of events ("file:line" or { "field" = value }), in stage order'],
      [18, 'duplicate case name "b" (first at line 10)'],
      [20, 'unknown key `result` in a case'],
    ],
  );
});

test('a TOML syntax error is reported at the parser line and column; a file without cases at line 1', () => {
  const syntax = parseRuleTestFile('rule = "r.eql"\n[[case]\nname = "x"\n', 'x.test.toml');
  assert.equal(syntax.problems?.length, 1);
  assert.equal(syntax.problems![0].line, 2);
  assert.match(syntax.problems![0].message, /^invalid TOML: /);
  const empty = parseRuleTestFile('rule = "r.eql"\nsamples = "l"\n', 'x.test.toml');
  assert.deepEqual(empty.problems?.map((p) => [p.line, p.message]), [[1, 'no test case: add at least one `[[case]]` table with a `name`']]);
});

test('the line index follows arrays of tables per parent and skips multi-line strings', () => {
  const text = ['a = 1', "q = '''", '[[case]]', "'''", '[[case]]', 'name = "x"', '[[case.match]]', '[[case]]', '[[case.match]]', 'events = []'].join('\n');
  const index = indexTomlLines(text);
  assert.equal(index.get('case[0]'), 5);
  assert.equal(index.get('case[0].name'), 6);
  assert.equal(index.get('case[0].match[0]'), 7);
  assert.equal(index.get('case[1]'), 8);
  assert.equal(index.get('case[1].match[0].events'), 10);
  assert.equal(lineOf(index, text, 'case[1].match[0].events[3]'), 10);
  assert.equal(lineOf(index, text, 'nothing.here'), 1);
});

test('an empty timestamp_field or event_category_field option is a problem at its line, as Elasticsearch rejects the search', () => {
  // EqlSearchRequest.validate(): "@timestamp field is null or empty", "event category field is null or empty";
  // an empty tiebreaker_field is accepted (it names no tiebreaker).
  const text = ['rule = "r.eql"', 'samples = "l"', '[options]', 'timestamp_field = ""', 'event_category_field = ""', 'tiebreaker_field = ""', '[[case]]', 'name = "a"', 'matches = 1'].join('\n');
  const r = parseRuleTestFile(text, 'x.test.toml');
  assert.deepEqual(r.problems?.map((p) => [p.line, p.message]), [
    [4, '`timestamp_field` must name a field (Elasticsearch rejects an empty one)'],
    [5, '`event_category_field` must name a field (Elasticsearch rejects an empty one)'],
  ]);
});
