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

test('a replay recorded beside a rule with no test file: the file is created with the rule, the case and its samples', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { pathToFileURL } = await import('node:url');
  const { recordReplayAsTestCase } = await import('../../../server/src/ruletests/ruleTestService');
  const root = mkdtempSync(join(tmpdir(), 'eqlwb-record-'));
  try {
    mkdirSync(join(root, 'rules'));
    mkdirSync(join(root, 'logs'));
    writeFileSync(join(root, 'rules', 'r.eql'), 'process where process.name == "cmd.exe"\n');
    const events = [
      { '@timestamp': '2026-01-01T00:00:01Z', event: { category: 'process', id: 'a1' }, process: { name: 'cmd.exe' } },
      { '@timestamp': '2026-01-01T00:00:02Z', event: { category: 'process' }, process: { name: 'calc.exe' } },
      { '@timestamp': '2026-01-01T00:00:03Z', event: { category: 'process' }, process: { name: 'cmd.exe' } },
    ];
    writeFileSync(join(root, 'logs', 'a.ndjson'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const r = await recordReplayAsTestCase({
      ruleUri: pathToFileURL(join(root, 'rules', 'r.eql')).toString(),
      sampleUris: [pathToFileURL(join(root, 'logs', 'a.ndjson')).toString()],
    });
    assert.equal(r.created, true);
    assert.equal(r.matches, 2);
    assert.equal(r.uri, pathToFileURL(join(root, 'rules', 'r.test.toml')).toString());
    // Lines 1 and 3 are the cmd.exe starts; line 1 has an event.id, line 3 none.
    assert.equal(
      r.text,
      [
        '# Rule tests (see the README, "Rule tests").',
        'rule = "r.eql"',
        '',
        '[[case]]',
        'name = "recorded from replay"',
        'samples = ["../logs/a.ndjson"]',
        '[[case.match]]',
        'events = [{ "event.id" = "a1" }]',
        '[[case.match]]',
        'events = ["../logs/a.ndjson:3"]',
        '',
      ].join('\n'),
    );
    assert.equal(existsSync(join(root, 'rules', 'r.test.toml')), false, 'nothing is written');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
