// Recording a case's expected result: its [[case.match]] tables and count keys are replaced by the
// matches given, events named by a stable id when they have one, else by file:line relative to the
// test file; the rest of the file is kept as written (expected texts written by hand).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Match } from '../../../server/src/engine/types';
import { recordCase, testFileFor } from '../../../server/src/ruletests/recordCase';
import { parseRuleTestFile } from '../../../server/src/ruletests/testFile';

const dir = join('/w', 'rules');
const ev = (file: string, line: number, doc: Record<string, unknown> = {}) => ({ stage: 0, missing: false, event: { doc, source: { file, line } } });
const seq = (...events: ReturnType<typeof ev>[]): Match => ({ type: 'sequence', joinKeys: ['h'], events: events.map((e, i) => ({ ...e, stage: i })) });

const TEXT = [
  'rule = "r.eql"', //                 1
  'samples = "../logs"', //            2
  '', //                               3
  '[[case]]', //                       4
  'name = "one"', //                   5
  'matches = 5', //                    6
  'must_not_match = ["../logs/a.ndjson:9"]', // 7
  '[case.options]', //                 8
  'size = 10', //                      9
  '[[case.match]]', //                 10
  'events = ["../logs/a.ndjson:1"]', // 11
  '', //                               12
  '# the second case', //              13
  '[[case]]', //                       14
  'name = "two"', //                   15
  'min_matches = 1', //                16
  '',
].join('\n');

test('the case gets one [[case.match]] per match, stable ids first; count keys and old matches go; the rest stays', () => {
  const matches = [
    seq(ev('/w/logs/a.ndjson', 4, { event: { id: 'e-4' } }), ev('/w/logs/b.ndjson', 6)),
    seq(ev('/w/logs/a.ndjson', 7), ev('/w/logs/b.ndjson', 8, { _id: 'doc8' })),
  ];
  const out = recordCase(TEXT, 4, matches, dir);
  assert.equal(
    out,
    [
      'rule = "r.eql"',
      'samples = "../logs"',
      '',
      '[[case]]',
      'name = "one"',
      'must_not_match = ["../logs/a.ndjson:9"]',
      '[case.options]',
      'size = 10',
      '[[case.match]]',
      'events = [{ "event.id" = "e-4" }, "../logs/b.ndjson:6"]',
      '[[case.match]]',
      'events = ["../logs/a.ndjson:7", { "_id" = "doc8" }]',
      '',
      '# the second case',
      '[[case]]',
      'name = "two"',
      'min_matches = 1',
      '',
    ].join('\n'),
  );
  // The result is a valid test file whose first case lists those matches.
  const parsed = parseRuleTestFile(out, join(dir, 'x.test.toml'));
  assert.equal(parsed.problems, undefined);
  assert.equal(parsed.testFile!.cases[0].matches.length, 2);
});

test('no match: `matches = 0` among the case keys, before its sub-tables; the last case of a file; CRLF kept', () => {
  const out = recordCase(TEXT.replace(/\n/g, '\r\n'), 4, [], dir);
  assert.match(out, /\r\nname = "one"\r\nmust_not_match = \["\.\.\/logs\/a\.ndjson:9"\]\r\nmatches = 0\r\n\[case\.options\]\r\nsize = 10\r\n\r\n# the second case/);
  const last = recordCase(TEXT, 14, [seq(ev('/w/logs/a.ndjson', 2))], dir);
  assert.ok(last.endsWith('[[case]]\nname = "two"\n[[case.match]]\nevents = ["../logs/a.ndjson:2"]\n'), last);
  assert.throws(() => recordCase(TEXT, 5, [], dir), /line 5 is not a \[\[case\]\] header/);
  assert.equal(testFileFor('/w/rules/x.eql'), '/w/rules/x.test.toml');
});
