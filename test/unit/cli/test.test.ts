// `eql-workbench test` and `replay --exceptions` run as child processes: exit codes 0/1/2, a bad
// test file reported with its line while the others still run, JUnit XML read back with an XML
// parser and checked for the shape CI tools read (testsuites > testsuite > testcase, counts,
// failure/error elements). Expected results are the hand-worked ones of samples/README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { repoRoot, spawnCli, spawnCliWithPermissions } from './spawnCli';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const RULE = join(repoRoot, 'samples/rules/incoming_execution_via_powershell_remoting.eql');
const LOGS = join(repoRoot, 'samples/logs');

function write(rel: string, text: string): string {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}
const header = `rule = ${JSON.stringify(RULE)}\nsamples = ${JSON.stringify(LOGS)}\n`;

test('test samples: every case of the sample test file passes, exit 0', () => {
  const r = spawnCli(['test', 'samples']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^samples\/rules\/incoming_execution_via_powershell_remoting\.test\.toml$/m);
  assert.equal((r.stdout.match(/^ {2}✓ /gm) ?? []).length, 4);
  assert.match(r.stdout, /\n1 test file: 4 passed, 0 failed, 0 could not run\n$/);
});

test('a case shows the malformed sample lines its replay skipped, with file and line, whatever its outcome', () => {
  // samples/logs-broken/defend-truncated-line.ndjson: line 2 is cut short (samples/README.md).
  const r = spawnCli(['test', 'samples']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, / {2}✓ a truncated line is skipped and the sequence around it still found\n {6}warning: samples\/logs-broken\/defend-truncated-line\.ndjson:2: invalid JSON/);
  // Seven malformed lines beside the sample logs: the first five are shown, then how many more.
  const bad = write('warnings/bad.ndjson', Array.from({ length: 7 }, (_, i) => `{"broken": ${i}`).join('\n') + '\n');
  write('warnings/many.test.toml', `rule = ${JSON.stringify(RULE)}\nsamples = [${JSON.stringify(LOGS)}, ${JSON.stringify(bad)}]\n[[case]]\nname = "two"\nmatches = 2\n`);
  const many = spawnCli(['test', join(dir, 'warnings')]);
  assert.equal(many.status, 0, many.stdout + many.stderr);
  const shown = many.stdout.match(/^ {6}warning: .*bad\.ndjson:(\d+): /gm) ?? [];
  assert.deepEqual(shown.map((l) => Number(/:(\d+): $/.exec(l)![1])), [1, 2, 3, 4, 5]);
  assert.match(many.stdout, /\n {6}… and 2 more warnings\n/);
});

test('a failing case exits 1; a bad test file is reported with file and line, the others still run, exit 2', () => {
  write('suite/a/pass.test.toml', `${header}[[case]]\nname = "two"\nmatches = 2\n`);
  write('suite/b/fail.test.toml', `${header}[[case]]\nname = "three"\nmatches = 3\n`);
  const failing = spawnCli(['test', join(dir, 'suite')]);
  assert.equal(failing.status, 1, failing.stderr);
  assert.match(failing.stdout, / {2}✓ two\n/);
  assert.match(failing.stdout, / {2}✗ three \(.*fail\.test\.toml:3\)\n {6}expected exactly 3 matches, got 2\n/);
  write('suite/c/bad.test.toml', `${header}[[case]]\nname = "x"\nmax_matches = "two"\n`);
  const bad = spawnCli(['test', join(dir, 'suite')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stdout, /error: .*bad\.test\.toml:5: `max_matches` must be a whole number ≥ 0/);
  assert.match(bad.stdout, / {2}✓ two\n/);
  assert.match(bad.stdout, /3 test files: 1 passed, 1 failed, 1 could not run/);
  const missing = spawnCli(['test', join(dir, 'nope')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope: no such file or directory/);
});

test('--reporter junit --output FILE: JUnit XML with one suite per file and one testcase per case', () => {
  const out = join(dir, 'junit.xml');
  const r = spawnCli(['test', '--reporter', 'junit', '--output', out, join(dir, 'suite')]);
  assert.equal(r.status, 2);
  const xml = readFileSync(out, 'utf8');
  assert.equal(XMLValidator.validate(xml), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml);
  const suites = doc.testsuites;
  assert.deepEqual([suites.tests, suites.failures, suites.errors], ['3', '1', '1']);
  const byName = Object.fromEntries(suites.testsuite.map((s: { name: string }) => [s.name.replace(/^.*suite\//, ''), s]));
  assert.deepEqual(Object.keys(byName).sort(), ['a/pass.test.toml', 'b/fail.test.toml', 'c/bad.test.toml']);
  const pass = byName['a/pass.test.toml'].testcase[0];
  assert.equal(pass.name, 'two');
  assert.match(pass.classname, /a\/pass\.test\.toml$/);
  assert.ok(Number(pass.time) >= 0);
  assert.equal(pass.failure, undefined);
  const fail = byName['b/fail.test.toml'];
  assert.deepEqual([fail.tests, fail.failures, fail.errors], ['1', '1', '0']);
  assert.equal(fail.testcase[0].failure.message, 'expected exactly 3 matches, got 2');
  assert.equal(fail.testcase[0].failure.type, 'RuleTestFailure');
  const bad = byName['c/bad.test.toml'];
  assert.deepEqual([bad.tests, bad.errors], ['1', '1']);
  assert.match(bad.testcase[0].error.message, /bad\.test\.toml:5: `max_matches` must be a whole number/);
  // The text report still goes to stdout.
  assert.match(r.stdout, /✓ two/);
});

test('replay --exceptions: the excluded events are left out and the removed match is listed under its item; a bad exception file exits 2', () => {
  const exceptions = 'samples/rules/incoming_execution_via_powershell_remoting.exceptions.toml';
  const r = spawnCli(['replay', '--exceptions', exceptions, 'samples/rules/incoming_execution_via_powershell_remoting.eql', 'samples/logs']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^1 match \(1 sequence\); 36 events read from 4 files$/m);
  assert.match(r.stdout, /exception "IT admin jump host" \(.*exceptions\.toml:5\): left out 2 events, removed 1 match\n {2}samples\/logs\/endpoint\/wks-07\.jsonl:7 .* → samples\/logs\/endpoint\/wks-07\.jsonl:9 /);
  const json = spawnCli(['replay', '--format', 'json', '--exceptions', exceptions, 'samples/rules/incoming_execution_via_powershell_remoting.eql', 'samples/logs']);
  const last = JSON.parse(json.stdout.trimEnd().split('\n').at(-1)!);
  assert.equal(last.type, 'exceptions');
  assert.deepEqual(last.items[0].removed[0].events, [
    { file: 'samples/logs/endpoint/wks-07.jsonl', line: 7 },
    { file: 'samples/logs/endpoint/wks-07.jsonl', line: 9 },
  ]);
  const badFile = write('bad.ndjson', '{"item_id":"x","entries":[{"field":"a","type":"exists","operator":"maybe"}]}\n');
  const bad = spawnCli(['replay', '--exceptions', badFile, 'samples/rules/incoming_execution_via_powershell_remoting.eql', 'samples/logs']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /bad\.ndjson:1: entry on `a`: `operator` must be "included" or "excluded"/);
});

test('replay --exceptions with a file that holds no exception item (a sample log) exits 2 and says so, before any replay', () => {
  const sample = 'samples/logs/endpoint/win-dc01.ndjson';
  const r = spawnCli(['replay', '--exceptions', sample, 'samples/rules/incoming_execution_via_powershell_remoting.eql', 'samples/logs']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^samples\/logs\/endpoint\/win-dc01\.ndjson: no exception items found \(/);
});

test('test FOLDER follows folder links, as the samples search does', () => {
  write('linked/real/one.test.toml', `${header}[[case]]\nname = "two"\nmatches = 2\n`);
  mkdirSync(join(dir, 'linked/top'), { recursive: true });
  symlinkSync('../real', join(dir, 'linked/top/link'));
  const r = spawnCli(['test', join(dir, 'linked/top')]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /link\/one\.test\.toml\n {2}✓ two\n/);
  assert.match(r.stdout, /\n1 test file: 1 passed, 0 failed, 0 could not run\n$/);
});

test('test FOLDER with an unreadable sub-folder reports that sub-folder and still runs the test files found (exit 2)', (t) => {
  const base = mkdtempSync(join(tmpdir(), 'eqlwb-perm-'));
  try {
    chmodSync(base, 0o755);
    mkdirSync(join(base, 'logs/sub'), { recursive: true });
    writeFileSync(join(base, 'a.test.toml'), `${header}[[case]]\nname = "two"\nmatches = 2\n`);
    chmodSync(join(base, 'logs/sub'), 0o000);
    const r = spawnCliWithPermissions(['test', base]);
    if (typeof r === 'string') return t.skip(r);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(r.stderr, `${join(base, 'logs/sub')}: permission denied\n`);
    assert.match(r.stdout, /a\.test\.toml\n {2}✓ two\n/);
    assert.match(r.stdout, /\n1 test file: 1 passed, 0 failed, 0 could not run\n$/);
  } finally {
    chmodSync(join(base, 'logs/sub'), 0o755);
    rmSync(base, { recursive: true, force: true });
  }
});

test('a samples glob with an unreadable sub-folder reports that sub-folder and replays the other samples', (t) => {
  const base = mkdtempSync(join(tmpdir(), 'eqlwb-perm-'));
  try {
    chmodSync(base, 0o755);
    mkdirSync(join(base, 'logs/sub'), { recursive: true });
    mkdirSync(join(base, 'logs/endpoint'), { recursive: true });
    for (const f of ['win-dc01.ndjson', 'wks-07.jsonl']) writeFileSync(join(base, 'logs/endpoint', f), readFileSync(join(LOGS, 'endpoint', f)));
    // The two sample files hold one match each (samples/README.md).
    writeFileSync(join(base, 'a.test.toml'), `rule = ${JSON.stringify(RULE)}\nsamples = ["logs/**/*.{ndjson,jsonl}"]\n[[case]]\nname = "two"\nmatches = 2\n`);
    chmodSync(join(base, 'logs/sub'), 0o000);
    const r = spawnCliWithPermissions(['test', join(base, 'a.test.toml')]);
    if (typeof r === 'string') return t.skip(r);
    assert.match(r.stdout, new RegExp(` {2}✓ two\\n {6}warning: samples: logs/\\*\\*/\\*\\.\\{ndjson,jsonl\\}: ${join(base, 'logs/sub').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: permission denied\\n`), r.stdout + r.stderr);
    assert.match(r.stdout, /\n1 test file: 1 passed, 0 failed, 0 could not run\n$/);
  } finally {
    chmodSync(join(base, 'logs/sub'), 0o755);
    rmSync(base, { recursive: true, force: true });
  }
});
