// The rule test runner on the engine's replay: the sample rule's test file passes (expected matches
// worked out by hand in samples/README.md); a case fails with a missing match, with an unexpected
// match, with a must-not-match event in a match and with a wrong count, each shown side by side; a
// case that cannot run is an error, the other cases still run. (Each test file below starts with two
// lines, `rule` and `samples`, so its first `[[case]]` is on line 3.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTestFile, ruleOptions, DEFAULT_MAX_SIGNALS } from '../../../server/src/ruletests/runner';
import { formatCaseResult, formatRunReport, runTotals } from '../../../server/src/ruletests/report';
import { ruleFromEql, ruleFromToml } from '../../../server/src/samples/ruleFile';

const root = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'eqlwb-ruletests-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const RULE = join(root, 'samples/rules/incoming_execution_via_powershell_remoting.eql');
const LOGS = join(root, 'samples/logs');
const DC01 = join(LOGS, 'endpoint/win-dc01.ndjson');
const WKS07 = join(LOGS, 'endpoint/wks-07.jsonl');

function testFile(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `rule = ${JSON.stringify(RULE)}\nsamples = ${JSON.stringify(LOGS)}\n${body}`);
  return path;
}

test('the sample rule test file passes: every case of samples/rules/*.test.toml', async () => {
  const r = await runTestFile(join(root, 'samples/rules/incoming_execution_via_powershell_remoting.test.toml'));
  assert.equal(r.status, 'ok', JSON.stringify(r.problems));
  assert.deepEqual(
    r.cases.map((c) => [c.name, c.status]),
    [
      ['true positives: commands run over WinRM on WIN-DC01 and WKS-07', 'passed'],
      ['near misses are in no match', 'passed'],
      ['a truncated line is skipped and the sequence around it still found', 'passed'],
      ['the admin jump host exception removes the WKS-07 alert', 'passed'],
    ],
  );
  // The truncated line 2 is reported, not fatal.
  assert.ok(r.cases[2].warnings.some((w) => /defend-truncated-line\.ndjson:2: invalid JSON/.test(w)));
  // The exception left out the two events from 10.0.2.44 (wks-07.jsonl lines 7 and 11) and removed the WKS-07 sequence.
  const fx = r.cases[3].exceptions!;
  assert.equal(fx.removedByItem[0].events, 2);
  assert.deepEqual(fx.removedByItem[0].removed.map((m) => m.events.map((e) => e.event!.source.line)), [[7, 9]]);
});

test('a missing expected match and an unexpected one fail the case and are shown side by side', async () => {
  const path = testFile(
    'diff.test.toml',
    `[[case]]\nname = "whoami ends"\n[[case.match]]\nevents = [${JSON.stringify(`${DC01}:4`)}, ${JSON.stringify(`${DC01}:7`)}]\n[[case.match]]\nevents = [${JSON.stringify(`${WKS07}:7`)}, ${JSON.stringify(`${WKS07}:9`)}]\n`,
  );
  const r = await runTestFile(path);
  const c = r.cases[0];
  assert.equal(c.status, 'failed');
  // Hand-worked: the rule finds dc01 4→6 and wks-07 7→9; dc01 4→7 is not a match (line 7 is a process end).
  assert.deepEqual(c.comparison!.missing, [0]);
  assert.deepEqual(c.comparison!.found, [{ expected: 1, match: 1 }]);
  assert.deepEqual(c.comparison!.unexpected, [0]);
  assert.deepEqual(c.comparison!.reasons, ['1 expected match not found', '1 unexpected match']);
  const lines = formatCaseResult(r, c);
  const table = lines.slice(lines.findIndex((l) => l.includes('expected') && l.includes('| actual')));
  assert.match(table.find((l) => l.trimStart().startsWith('- '))!, /match 1 \(line 5\) +\| \(not found\)/);
  assert.match(table.find((l) => l.trimStart().startsWith('+ '))!, /\(not expected\) +\| #1 sequence by \["a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60"\]/);
  assert.ok(table.some((l) => /\| {3}.*win-dc01\.ndjson:6 .*process\.name=whoami\.exe/.test(l)), table.join('\n'));
  assert.ok(table.some((l) => l.trimStart().startsWith('= ')));
});

test('must-not-match events found in a match, and a wrong count, fail with the match named', async () => {
  const path = testFile(
    'forbidden.test.toml',
    `[[case]]\nname = "no dc01"\nmust_not_match = [{ "host.name" = "WIN-DC01" }]\n[[case]]\nname = "at most one"\nmax_matches = 1\n[[case]]\nname = "between"\nmin_matches = 2\nmax_matches = 2\n`,
  );
  const r = await runTestFile(path);
  assert.deepEqual(r.cases.map((c) => c.status), ['failed', 'failed', 'passed']);
  assert.deepEqual(r.cases[0].comparison!.forbidden.map((f) => f.matchIndex), [0]);
  assert.ok(formatCaseResult(r, r.cases[0]).some((l) => l.includes('must not match: host.name = "WIN-DC01" (line 5) is in #1 sequence')));
  assert.deepEqual(r.cases[1].comparison!.reasons, ['expected at most 1 match, got 2']);
  // With a count and no listed matches, the results are shown as "not listed" and do not fail by themselves.
  assert.equal(r.cases[1].comparison!.unexpectedFail, false);
});

test('an event named by the case that no sample holds fails the case; a case that cannot run is an error and the next one still runs', async () => {
  const path = testFile(
    'errors.test.toml',
    `[[case]]\nname = "typo"\nmust_not_match = [${JSON.stringify(`${DC01}:99`)}]\n[[case]]\nname = "no samples"\nsamples = "missing-folder"\n[[case]]\nname = "fine"\nmatches = 2\n`,
  );
  const r = await runTestFile(path);
  assert.deepEqual(r.cases.map((c) => c.status), ['failed', 'error', 'passed']);
  assert.match(r.cases[0].comparison!.reasons[0], /1 named event is in no sample: .*win-dc01\.ndjson:99/);
  assert.match(r.cases[1].error!, /missing-folder: no such file or directory/);
  assert.deepEqual(runTotals([r]), { passed: 1, failed: 1, errors: 1 });
  assert.equal(formatRunReport([r]).at(-1), '1 test file: 1 passed, 1 failed, 1 could not run');
});

test('field references: an expected match given by field values; a rule file that is missing makes the file an error', async () => {
  const ok = await runTestFile(
    testFile('fields.test.toml', `[[case]]\nname = "by field"\nmatches = 2\n[[case.match]]\nevents = [{ "source.ip" = "10.0.2.44" }, { "process.parent.name" = "WsmProvHost.exe" }]\n`),
  );
  assert.equal(ok.cases[0].status, 'passed', JSON.stringify(ok.cases[0].comparison?.reasons));
  const path = join(dir, 'norule.test.toml');
  writeFileSync(path, `samples = "x"\nrule = "nope.eql"\n[[case]]\nname = "x"\n`);
  const bad = await runTestFile(path);
  assert.equal(bad.status, 'error');
  assert.equal(bad.problems[0].line, 2);
  assert.match(bad.problems[0].message, /the rule cannot be used: .*nope\.eql: no such file or directory/);
});

// detection-rules' schema names the timestamp option `timestamp_override` (Kibana: `timestampOverride`).
test("a detection-rules rule's own options apply: timestamp_override, event_category_override, tiebreaker_field, max_signals (100 when absent)", () => {
  const toml = (extra: string) =>
    ruleFromToml('r.toml', `[rule]\ntype = "eql"\nlanguage = "eql"\n${extra}query = '''any where true'''\n`).rule!;
  assert.deepEqual(ruleOptions(toml('')), { timestampField: undefined, eventCategoryField: undefined, tiebreakerField: undefined, size: DEFAULT_MAX_SIGNALS });
  assert.deepEqual(ruleOptions(toml('timestamp_override = "event.created"\nevent_category_override = "event.type"\ntiebreaker_field = "event.sequence"\nmax_signals = 7\n')), {
    timestampField: 'event.created',
    eventCategoryField: 'event.type',
    tiebreakerField: 'event.sequence',
    size: 7,
  });
  assert.deepEqual(ruleOptions(ruleFromEql('r.eql', 'any where true')), {});
});

// A TOML rule's `index` patterns apply to its test cases, as Kibana never searches other indices
// (ECS `data_stream`: the data stream is `<type>-<dataset>-<namespace>`). Hand-worked: line 1 is from
// logs-endpoint.events.process-default (kept), line 2 from logs-windows.sysmon_operational-default
// (no pattern: left out), line 3 carries no data_stream (kept).
test("a TOML rule's index patterns leave out the events of other indices in its cases; a failure says so", async () => {
  const rulePath = join(dir, 'indexed.toml');
  writeFileSync(rulePath, `[rule]\ntype = "eql"\nlanguage = "eql"\nindex = ["logs-endpoint.events.*"]\nquery = '''process where process.name == "cmd.exe"'''\n`);
  const start = (s: number, dataset?: string) =>
    JSON.stringify({ '@timestamp': `2024-01-01T00:00:0${s}Z`, event: { category: 'process' }, process: { name: 'cmd.exe' }, ...(dataset ? { data_stream: { type: 'logs', dataset, namespace: 'default' } } : {}) });
  const samples = join(dir, 'indexed.ndjson');
  writeFileSync(samples, [start(1, 'endpoint.events.process'), start(2, 'windows.sysmon_operational'), start(3)].join('\n') + '\n');
  const path = join(dir, 'indexed.test.toml');
  const at = (line: number) => JSON.stringify(`${samples}:${line}`);
  writeFileSync(
    path,
    `rule = ${JSON.stringify(rulePath)}\nsamples = ${JSON.stringify(samples)}\n[[case]]\nname = "kept"\n[[case.match]]\nevents = [${at(1)}]\n[[case.match]]\nevents = [${at(3)}]\n[[case]]\nname = "expects the Sysmon event"\n[[case.match]]\nevents = [${at(2)}]\n`,
  );
  const r = await runTestFile(path);
  assert.equal(r.status, 'ok', JSON.stringify(r.problems));
  assert.deepEqual(r.cases.map((c) => c.status), ['passed', 'failed']);
  assert.deepEqual(r.cases[1].indexPatterns?.leftOut, [{ index: 'logs-windows.sysmon_operational-default', events: 1 }]);
  const report = formatCaseResult(r, r.cases[1]).join('\n');
  assert.match(report, /index patterns \(the rule's\): 2 events kept, 1 left out/);
  assert.match(report, /left out from: logs-windows\.sysmon_operational-default \(1\)/);
});
