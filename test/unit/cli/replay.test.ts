// `eql-workbench replay` run as a child process: output formats, options, exit codes 0/1/2,
// malformed-line reporting and folder discovery. Expected matches are worked out by hand from the
// fixtures and from Elasticsearch's documented semantics ("EQL search" page: `timestamp_field`,
// `event_category_field`, `tiebreaker_field`, `size`; "EQL syntax reference": sequences, `by`,
// `maxspan`, missing events `![…]`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, spawnCli, spawnCliWithPermissions } from './spawnCli';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-replay-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}
const ndjson = (...docs: object[]): string => docs.map((d) => JSON.stringify(d)).join('\n') + '\n';
const jsonLines = (out: string): Array<Record<string, unknown>> =>
  out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const RULE = 'samples/rules/incoming_execution_via_powershell_remoting.eql';
const TOML_RULE = 'samples/rules/incoming_execution_via_powershell_remoting.toml';

test('text output over samples/logs: each match with its events, then the total line; exit 0', () => {
  const r = spawnCli(['replay', RULE, 'samples/logs']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trimEnd().split('\n');
  // Hand-worked (samples/README.md): two sequences; 16 + 12 + 5 + 3 = 36 events in 4 files.
  assert.equal(lines.length, 7);
  assert.match(lines[0], /^#1 sequence {2}join keys: \["a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60"\]$/);
  assert.match(lines[1], /^ {2}stage 1 {2}samples\/logs\/endpoint\/win-dc01\.ndjson:4 {2}2024-05-14T09:14:02\.113Z {2}network {2}.*source\.ip=10\.0\.1\.15/);
  assert.match(lines[2], /^ {2}stage 2 {2}samples\/logs\/endpoint\/win-dc01\.ndjson:6 {2}2024-05-14T09:14:04\.520Z {2}process {2}.*process\.name=whoami\.exe/);
  assert.match(lines[3], /^#2 sequence {2}join keys: \["5e0b9d2a-8c47-4a1e-b3f6-2d7c9e1a4b80"\]$/);
  // Epoch milliseconds are shown with their ISO form.
  assert.match(lines[4], /^ {2}stage 1 {2}samples\/logs\/endpoint\/wks-07\.jsonl:7 {2}1715681415250 \(2024-05-14T10:10:15\.250Z\) {2}network/);
  assert.match(lines[5], /^ {2}stage 2 {2}samples\/logs\/endpoint\/wks-07\.jsonl:9 {2}1715681440900 \(2024-05-14T10:10:40\.900Z\) {2}process/);
  assert.equal(lines[6], '2 matches (2 sequences); 36 events read from 4 files');
});

test('--format json: one object per match per line, with type, join_keys and events {file, line}', () => {
  const r = spawnCli(['replay', '--format', 'json', TOML_RULE, 'samples/logs']);
  assert.equal(r.status, 0, r.stderr);
  // Keys in the documented order.
  assert.ok(r.stdout.startsWith('{"type":"sequence","join_keys":["a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60"],"events":[{"file":'), r.stdout);
  assert.deepEqual(jsonLines(r.stdout), [
    {
      type: 'sequence',
      join_keys: ['a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60'],
      events: [
        { file: 'samples/logs/endpoint/win-dc01.ndjson', line: 4 },
        { file: 'samples/logs/endpoint/win-dc01.ndjson', line: 6 },
      ],
    },
    {
      type: 'sequence',
      join_keys: ['5e0b9d2a-8c47-4a1e-b3f6-2d7c9e1a4b80'],
      events: [
        { file: 'samples/logs/endpoint/wks-07.jsonl', line: 7 },
        { file: 'samples/logs/endpoint/wks-07.jsonl', line: 9 },
      ],
    },
  ]);
});

test('--size 1 keeps the first match only', () => {
  const r = spawnCli(['replay', '--format', 'json', '--size', '1', RULE, 'samples/logs']);
  assert.equal(r.status, 0, r.stderr);
  const matches = jsonLines(r.stdout);
  assert.equal(matches.length, 1);
  assert.deepEqual(matches[0].join_keys, ['a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60']);
});

test('malformed lines go to stderr as path:line: message and are skipped; exit stays 0', () => {
  const r = spawnCli(['replay', '--format', 'json', RULE, 'samples/logs-broken']);
  assert.equal(r.status, 0);
  const err = r.stderr.trimEnd().split('\n');
  assert.equal(err.length, 1);
  assert.match(err[0], /^samples\/logs-broken\/defend-truncated-line\.ndjson:2: invalid JSON: /);
  assert.equal(jsonLines(r.stdout).length, 1);
});

test('event queries: "type":"event", no join_keys; folders are searched recursively for *.ndjson and *.jsonl', () => {
  const root = join(dir, 'discovery');
  const ev = (line: number) => ({ '@timestamp': `2024-01-01T00:00:0${line}Z`, event: { category: ['process'] }, n: line });
  write('discovery/b.ndjson', ndjson(ev(1)));
  write('discovery/a/nested.jsonl', ndjson(ev(2), ev(3)));
  write('discovery/ignored.json', ndjson(ev(4)));
  write('discovery/notes.txt', 'not a sample');
  const rule = write('any.eql', 'process where true\n');
  const r = spawnCli(['replay', '--format', 'json', rule, root]);
  assert.equal(r.status, 0, r.stderr);
  // Timestamps order the results: b.ndjson:1 (00:00:01), nested.jsonl:1 (…02), nested.jsonl:2 (…03).
  assert.deepEqual(jsonLines(r.stdout), [
    { type: 'event', events: [{ file: join(root, 'b.ndjson'), line: 1 }] },
    { type: 'event', events: [{ file: join(root, 'a/nested.jsonl'), line: 1 }] },
    { type: 'event', events: [{ file: join(root, 'a/nested.jsonl'), line: 2 }] },
  ]);
});

test('--timestamp-field, --event-category-field and --tiebreaker-field are used', () => {
  // Same time for all three; the tiebreaker `seq` orders them 3, 1, 2 by line (seq 1, 2, 3).
  const docs = [
    { ts: '2024-01-01T00:00:00Z', kind: 'proc', seq: 2 },
    { ts: '2024-01-01T00:00:00Z', kind: 'proc', seq: 3 },
    { ts: '2024-01-01T00:00:00Z', kind: 'proc', seq: 1 },
  ];
  const file = write('custom/fields.ndjson', ndjson(...docs));
  const rule = write('proc.eql', 'proc where true\n');
  const r = spawnCli([
    'replay',
    '--format',
    'json',
    '--timestamp-field',
    'ts',
    '--event-category-field',
    'kind',
    '--tiebreaker-field',
    'seq',
    rule,
    file,
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    jsonLines(r.stdout).map((m) => (m.events as Array<{ line: number }>)[0].line),
    [3, 1, 2],
  );
});

test('a missing-event stage is written as {"missing":true,"stage":N}', () => {
  // A process event and no file event within the maxspan: the sequence matches with stage 1 missing.
  const file = write(
    'missing/events.ndjson',
    ndjson({ '@timestamp': '2024-01-01T00:00:00Z', event: { category: ['process'] }, host: { id: 'h1' } }),
  );
  const rule = write('missing.eql', 'sequence by host.id with maxspan=1m\n  [process where true]\n  ![file where true]\n');
  const r = spawnCli(['replay', '--format', 'json', rule, file]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(jsonLines(r.stdout), [
    { type: 'sequence', join_keys: ['h1'], events: [{ file, line: 1 }, { missing: true, stage: 1 }] },
  ]);
});

test('--mapping: field aliases from an Elasticsearch mapping are followed', () => {
  const mapping = write(
    'mapping/mapping.json',
    JSON.stringify({
      mappings: {
        properties: {
          '@timestamp': { type: 'date' },
          event: { properties: { category: { type: 'keyword' } } },
          process: { properties: { name: { type: 'keyword' } } },
          pname: { type: 'alias', path: 'process.name' },
        },
      },
    }),
  );
  const file = write(
    'mapping/events.ndjson',
    ndjson(
      { '@timestamp': '2024-01-01T00:00:00Z', event: { category: 'process' }, process: { name: 'a.exe' } },
      { '@timestamp': '2024-01-01T00:00:01Z', event: { category: 'process' }, process: { name: 'b.exe' } },
    ),
  );
  const rule = write('alias.eql', 'process where pname == "b.exe"\n');
  const r = spawnCli(['replay', '--format', 'json', '--mapping', mapping, rule, file]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(jsonLines(r.stdout), [{ type: 'event', events: [{ file, line: 2 }] }]);
  assert.equal(spawnCli(['replay', '--mapping', write('mapping/bad.json', '{ nope'), rule, file]).status, 2);
});

test('a rule with errors exits 1 and prints them as check does (on stderr)', () => {
  // `=` at line 1, column 28: "process where process.name = ..."; p(15)…name ends at 26, space 27.
  const rule = write('bad.eql', 'process where process.name = "x"\n');
  const r = spawnCli(['replay', rule, 'samples/logs']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.startsWith(`${rule}:1:28: error: `), r.stderr);
});

test('unreadable input exits 2: missing rule, missing sample, folder without samples', () => {
  const missingRule = spawnCli(['replay', join(dir, 'nope.eql'), 'samples/logs']);
  assert.equal(missingRule.status, 2);
  assert.equal(missingRule.stderr, `${join(dir, 'nope.eql')}: no such file or directory\n`);

  // README, exit code 2 of `replay`: a sample that cannot be read is reported, "the other files are
  // still replayed and their matches printed" (the matches of the first test, over samples/logs).
  const empty = join(dir, 'empty');
  mkdirSync(empty, { recursive: true });
  for (const [bad, message] of [
    ['samples/nope.ndjson', 'samples/nope.ndjson: no such file or directory'],
    [empty, `${empty}: no sample files (*.{ndjson,jsonl,ndjson.gz,jsonl.gz}) found in this folder`],
  ]) {
    for (const args of [['samples/logs', bad], [bad, 'samples/logs']]) {
      const r = spawnCli(['replay', RULE, ...args]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr, `${message}\n`);
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 7, r.stdout);
      assert.equal(lines[6], '2 matches (2 sequences); 36 events read from 4 files');
    }
  }

  const none = spawnCli(['replay', RULE, empty]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no sample files/);
  assert.equal(none.stdout, '');
});

test('the total line counts only the sample files read, not a file that cannot be read', () => {
  // A UTF-16 file is not read (see the UTF-16 test below); samples/logs holds 36 events in 4 files.
  const broken = join(dir, 'unreadable/utf16.ndjson');
  mkdirSync(join(broken, '..'), { recursive: true });
  writeFileSync(broken, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}\r\n', 'utf16le')]));
  const r = spawnCli(['replay', RULE, 'samples/logs', broken]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^${broken.replace(/[.\\/]/g, (c) => `\\${c}`)}: `));
  assert.match(r.stdout, /\n2 matches \(2 sequences\); 36 events read from 4 files\n$/);
});

test('usage errors exit 2: missing arguments, unknown option, bad --format, bad --size', () => {
  assert.equal(spawnCli(['replay', RULE]).status, 2);
  assert.equal(spawnCli(['replay', '--nope', RULE, 'samples/logs']).status, 2);
  assert.equal(spawnCli(['replay', '--format', 'xml', RULE, 'samples/logs']).status, 2);
  assert.equal(spawnCli(['replay', '--size', '-1', RULE, 'samples/logs']).status, 2);
  assert.equal(spawnCli(['replay', '--size', 'ten', RULE, 'samples/logs']).status, 2);
  assert.equal(spawnCli(['frobnicate']).status, 2);
  assert.equal(spawnCli([]).status, 2);
});

test('--help for the program and each command exits 0 and documents the output and exit codes', () => {
  const main = spawnCli(['--help']);
  assert.equal(main.status, 0);
  assert.match(main.stdout, /check/);
  assert.match(main.stdout, /replay/);
  const replay = spawnCli(['replay', '--help']);
  assert.equal(replay.status, 0);
  for (const flag of ['--format', '--timestamp-field', '--tiebreaker-field', '--event-category-field', '--size', '--mapping']) {
    assert.ok(replay.stdout.includes(flag), flag);
  }
  assert.ok(replay.stdout.includes('{"missing":true,"stage":N}'));
  assert.match(replay.stdout, /Exit status/);
  const check = spawnCli(['check', '--help']);
  assert.equal(check.status, 0);
  assert.match(check.stdout, /path:line:column: error\|warning: message/);
});

test('a script failure on one event (integer division by zero) is a rule error at the expression, naming the event; exit 1', () => {
  // Elasticsearch fails the whole search when a script throws ("EQL function reference", divide:
  // division by zero is an error for integers). Hand-worked: pid 5 gives 10 / 5 = 2 (no match),
  // pid 0 on line 2 divides by zero; the division starts at column 15 of the rule.
  const rule = write('div/rule.eql', 'process where 10 / process.pid == 1\n');
  const logs = write(
    'div/a.ndjson',
    ndjson(
      { '@timestamp': '2020-01-01T00:00:00Z', event: { category: 'process' }, process: { pid: 5 } },
      { '@timestamp': '2020-01-01T00:00:01Z', event: { category: 'process' }, process: { pid: 0 } },
    ),
  );
  const r = spawnCli(['replay', rule, logs]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `${rule}:1:15: error: / by zero (evaluating ${logs}:2)\n`);
});

// --- Encodings, untrusted text, caps, write errors. Byte values: Unicode Standard §23.8 (FF FE is
// the UTF-16LE byte order mark) and ISO 8859-1 (é is E9, not well-formed UTF-8 per Table 3-7).

const PROCESS_EVENT = { '@timestamp': '2024-01-01T00:00:00Z', event: { category: 'process' } };

test('a UTF-16LE sample file (Windows PowerShell 5.1 `>`) is one clear error, exit 2; the other files are still replayed', () => {
  const utf16 = join(dir, 'enc/ps51.ndjson');
  mkdirSync(join(utf16, '..'), { recursive: true });
  writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ndjson(PROCESS_EVENT).replace(/\n/g, '\r\n'), 'utf16le')]));
  const good = write('enc/good.ndjson', ndjson(PROCESS_EVENT));
  const rule = write('enc/any.eql', 'process where true\n');
  for (const args of [[utf16], [good, utf16]]) {
    const r = spawnCli(['replay', rule, ...args]);
    assert.equal(r.status, 2);
    // Alone, nothing is replayed; beside a readable file, that file's event is still a match.
    if (args.length === 1) assert.equal(r.stdout, '');
    else assert.match(r.stdout, new RegExp(`^#1 event\\n  ${good.replace(/[.\\/]/g, (c) => `\\${c}`)}:1  `));
    const err = r.stderr.trimEnd().split('\n');
    assert.equal(err.length, 1, r.stderr);
    assert.ok(err[0].startsWith(`${utf16}: the file is UTF-16 encoded (little-endian); convert it to UTF-8 `), err[0]);
    assert.doesNotMatch(r.stderr, /\u0000/);
  }
});

test('a Latin-1 byte in a sample line is a warning at its line and column; the event is still replayed', () => {
  // Line 2: {"@timestamp":…,"p":"caf\xE9.exe"}; the byte follows the 9 characters of `"p":"caf` after the prefix.
  const prefix = JSON.stringify(PROCESS_EVENT).slice(0, -1) + ',"p":"caf';
  const file = join(dir, 'enc/latin1.ndjson');
  writeFileSync(file, Buffer.concat([Buffer.from(ndjson(PROCESS_EVENT) + prefix), Buffer.from([0xe9]), Buffer.from('.exe"}\n')]));
  const rule = write('enc/any2.eql', 'process where true\n');
  const r = spawnCli(['replay', '--format', 'json', rule, file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, `${file}:2: warning: invalid UTF-8 (byte 0xE9) at column ${prefix.length + 1}; the event is kept with U+FFFD in place of such bytes (save the file as UTF-8)\n`);
  assert.equal(jsonLines(r.stdout).length, 2);
});

test('text output escapes control characters from events: no escape sequence, no fake line', () => {
  const evil = { ...PROCESS_EVENT, process: { name: 'x\u001b[2J\n#2 sequence  join keys: []\u2028\u009b' } };
  const file = write('evil/e.ndjson', ndjson(evil));
  const rule = write('evil/any.eql', 'process where true\n');
  const r = spawnCli(['replay', rule, file]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  // Header, one event line, total line: the value stays on its line.
  assert.equal(lines.length, 3, r.stdout);
  assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
  // Quoted, since the value holds spaces: it cannot read as more fields either.
  assert.ok(lines[1].endsWith('process.name="x\\x1b[2J\\n#2 sequence  join keys: []\\u2028\\x9b"'), lines[1]);
  // JSON output: the same join key parses back to the same value, and no raw U+2028 / C1 is written.
  const seqRule = write('evil/seq.eql', 'sequence by process.name\n  [process where true]\n  [process where true]\n');
  const twice = write('evil/twice.ndjson', ndjson(evil, { ...evil, '@timestamp': '2024-01-01T00:00:01Z' }));
  const j = spawnCli(['replay', '--format', 'json', seqRule, twice]);
  assert.equal(j.status, 0, j.stderr);
  assert.doesNotMatch(j.stdout, /[\u007f-\u009f\u2028\u2029]/);
  assert.deepEqual(jsonLines(j.stdout)[0].join_keys, [evil.process.name]);
});

test('malformed-line messages give a 1-based column, escape control characters, and stop after 100 per file', () => {
  // `{"a":1 "b"}`: the unexpected `"` is character 8. It looks like one object and lacks the
  // literal "process", so only --no-prefilter parses it.
  const col = write('junk/col.ndjson', '{"a":1 "b"}\n');
  const rule = write('junk/any.eql', 'process where true\n');
  const r = spawnCli(['replay', '--no-prefilter', rule, col]);
  assert.equal(r.status, 0);
  assert.match(r.stderr, new RegExp(`^${col.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: invalid JSON: .* at column 8\\n$`));
  // 150 junk lines with ESC and BEL: 100 messages, then a count of the 50 others.
  const junk = write('junk/many.ndjson', 'oops \u001b[31m\u0007\n'.repeat(150));
  const m = spawnCli(['replay', rule, junk]);
  assert.equal(m.status, 0);
  const err = m.stderr.trimEnd().split('\n');
  assert.equal(err.length, 101);
  assert.ok(err[0].startsWith(`${junk}:1: invalid JSON: `), err[0]);
  assert.ok(err[99].startsWith(`${junk}:100: `), err[99]);
  assert.equal(err[100], `${junk}: … and 50 more problems not shown`);
  assert.doesNotMatch(m.stderr, /[\u0000-\u0009\u000b-\u001f]/);
});

test('an event category field no event has gives a warning (not for `any`)', () => {
  // samples/logs events all have event.category and none has a field `nope`.
  const r = spawnCli(['replay', '--event-category-field', 'nope', RULE, 'samples/logs']);
  assert.equal(r.status, 0);
  assert.equal(
    r.stderr,
    'warning: no event has a "nope" value (the event category field), so only `any` queries and stages can match; set --event-category-field to the field holding the category\n',
  );
  assert.match(r.stdout, /^0 matches; 36 events read from 4 files\n$/);
  const anyRule = write('cat/any.eql', 'any where true\n');
  const a = spawnCli(['replay', '--format', 'json', '--event-category-field', 'nope', anyRule, 'samples/logs']);
  assert.equal(a.status, 0);
  assert.equal(a.stderr, '');
  // The default field is present: no warning.
  assert.equal(spawnCli(['replay', RULE, 'samples/logs']).stderr, '');
});

test('output that cannot be written (> /dev/full) is reported on stderr with exit 2, no stack trace', { skip: existsSync('/dev/full') ? false : 'no /dev/full on this system' }, () => {
  for (const args of [['replay', RULE, 'samples/logs'], ['check', write('full/bad.eql', "process where process.name == 'x'\n")], ['--help'], ['replay', '--help']]) {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = spawnCli(args, { stdoutFd: fd });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^eql-workbench: cannot write output: ENOSPC/m, args.join(' '));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      closeSync(fd);
    }
  }
});

// ---- --explain -----------------------------------------------------------------------------
// Expected reasons, lines and durations are worked out by hand from the near-miss table of
// samples/README.md and the timestamps of the sample lines (see test/unit/engine/explain.test.ts).

test('--explain (text): after the matches and the total line, per stage counts and each near miss with its reason', () => {
  const r = spawnCli(['replay', '--explain', RULE, 'samples/logs']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trimEnd().split('\n');
  // The matches come first, unchanged.
  assert.equal(lines[6], '2 matches (2 sequences); 36 events read from 4 files');
  assert.equal(lines[7], '');
  assert.equal(lines[8], 'explanation:');
  const has = (line: string) => assert.ok(lines.includes(line), `missing line: ${line}\n${r.stdout}`);
  // 15 network lines in the files, 6 of them pass (win-dc01 4, 10, 12, 15; wks-07 7, 11).
  has('  stage 1 [network]: 6 of 15 network events passed the condition (36 events in all)');
  has('  stage 2 [process]: 9 of 17 process events passed the condition (36 events in all)');
  // Loopback (win-dc01:8, 09:20:00), ::1 (wks-07:2), outgoing (wks-07:4), no protocol (sysmon:2).
  has('      samples/logs/endpoint/win-dc01.ndjson:8  2024-05-14T09:20:00.000Z  not true: source.ip != "127.0.0.1"');
  has('      samples/logs/endpoint/wks-07.jsonl:2  2024-05-14T10:02:00.000Z  not true: source.ip != "::1"');
  has('      samples/logs/endpoint/wks-07.jsonl:4  2024-05-14T10:03:00.000Z  not true: network.direction : ("incoming", "ingress")');
  has('      samples/logs/winlogbeat/sysmon-srv-app02.ndjson:2  2024-05-14T12:01:00.421Z  not true: network.protocol == "http"');
  // The conhost child 0.8 s after win-dc01:10.
  has('      same join key, stage 2 category, condition failed: samples/logs/endpoint/win-dc01.ndjson:11 (+800 ms)  not true: not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"');
  // 31 s later.
  has('      expired: the stage 2 event samples/logs/endpoint/win-dc01.ndjson:14 came 31 s after the first event (maxspan 30 s)');
  // Different hosts: win-dc01:15 at 11:00:00, wks-07:12 at 11:00:03.
  has('      passed stage 2 under another join key: samples/logs/endpoint/wks-07.jsonl:12 (+3 s)  join keys ["5e0b9d2a-8c47-4a1e-b3f6-2d7c9e1a4b80"]');
  // The process before the network event (wks-07:10 at 10:20:00, wks-07:11 at 10:20:05).
  has('    samples/logs/endpoint/wks-07.jsonl:10 passed stage 2, but no sequence of this join key was waiting at stage 1');
  has('      a stage 1 event of this key came only after it: samples/logs/endpoint/wks-07.jsonl:11 (a sequence keeps stage order)');
});

test('--explain --format json: the matches, then one final {"type":"explanation",...} line in snake_case', () => {
  const r = spawnCli(['replay', '--explain', '--format', 'json', RULE, 'samples/logs']);
  assert.equal(r.status, 0, r.stderr);
  const out = jsonLines(r.stdout);
  assert.equal(out.length, 3);
  assert.deepEqual(out.slice(0, 2).map((m) => m.type), ['sequence', 'sequence']);
  const e = out[2] as Record<string, any>;
  assert.ok(r.stdout.trimEnd().split('\n')[2].startsWith('{"type":"explanation","kind":"sequence",'));
  assert.deepEqual([e.events, e.matches, e.completed, e.maxspan_millis], [36, 2, 2, 30000]);
  assert.deepEqual([e.stages[0].passed_category, e.stages[0].passed], [15, 6]);
  const dc01 = e.keys.find((k: any) => k.join_keys[0] === 'a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60');
  const late = dc01.partials.find((p: any) => p.events[0].line === 12);
  assert.deepEqual(late.end, {
    reason: 'expired',
    maxspan_millis: 30000,
    at: { file: 'samples/logs/endpoint/win-dc01.ndjson', line: 14, timestamp: Date.parse('2024-05-14T09:40:31.000Z') },
    elapsed_millis: 31000,
  });
  // Without --explain there is no explanation line.
  assert.equal(jsonLines(spawnCli(['replay', '--format', 'json', RULE, 'samples/logs']).stdout).length, 2);
});

test('--explain over the Empire PowerShell-remoting log: no network event has network.protocol', { skip: existsSync(join(__dirname, '../../../../shared/real-logs/empire_psremoting_stager.ecs.ndjson')) ? false : 'no ../shared/real-logs in this checkout' }, () => {
  const log = join(__dirname, '../../../../shared/real-logs/empire_psremoting_stager.ecs.ndjson');
  const r = spawnCli(['replay', '--explain', RULE, log]);
  assert.equal(r.status, 0, r.stderr);
  // Counted in the file: 74 events with event.category network, none with a network.protocol value.
  assert.match(r.stdout, /^ {2}stage 1 \[network\]: 0 of 74 network events passed the condition/m);
  assert.match(r.stdout, /^ {4}network\.protocol == "http" is not true for any of the 74 network events: no network event has a value for network\.protocol$/m);
  assert.match(r.stdout, /^ {2}no event passed stage 1: no sequence could start$/m);
});

test('--explain escapes control characters taken from events (join keys) in text, and in JSON keeps values', () => {
  const evilKey = 'h\u001b[2J\n#2\u2028\u202e';
  const file = write('explain-evil/e.ndjson', ndjson({ ...PROCESS_EVENT, host: { id: evilKey } }));
  const rule = write('explain-evil/seq.eql', 'sequence by host.id [process where true] [network where true]\n');
  const r = spawnCli(['replay', '--explain', rule, file]);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
  // The pending sequence of that key is reported on one line, its key readable.
  assert.match(r.stdout, /^ {2}join keys \["h\\u001b\[2J\\n#2\\u2028\\u202e"\]: 0 sequences completed, 1 partial sequence \(1 waiting when the input ended\), 0 unmatched events$/m);
  const j = spawnCli(['replay', '--explain', '--format', 'json', rule, file]);
  assert.equal(j.status, 0, j.stderr);
  assert.doesNotMatch(j.stdout, /[\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
  const e = jsonLines(j.stdout).at(-1) as Record<string, any>;
  assert.deepEqual(e.keys[0].join_keys, [evilKey]);
  assert.equal(e.keys[0].partials[0].end.reason, 'no-next-event');
});

test('replay --help names every sample format the replay reads (the formats tested in formats.test.ts)', () => {
  const r = spawnCli(['replay', '--help']);
  assert.equal(r.status, 0);
  for (const name of ['*.ndjson', '*.jsonl', '*.ndjson.gz', '*.jsonl.gz', 'gzip', 'JSON array', 'jq .', 'search responses', '"_source"', '_eql/search', 'hits.events', 'hits.sequences[].events', 'dotted keys', '{"process.name":"x"}', 'line where its document starts']) {
    assert.ok(r.stdout.includes(name), `${name} in:\n${r.stdout}`);
  }
});

test('replay --help documents --explain and the explanation JSON line', () => {
  const r = spawnCli(['replay', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--explain/);
  assert.match(r.stdout, /\{"type":"explanation","kind":"sequence"/);
  assert.match(r.stdout, /"reason" is expired|"end\.reason" is expired/);
});

test('an empty --timestamp-field or --event-category-field is a usage error (exit 2), as Elasticsearch rejects the request', () => {
  // EqlSearchRequest.validate(): "@timestamp field is null or empty", "event category field is null or empty".
  for (const flag of ['--timestamp-field', '--event-category-field']) {
    const r = spawnCli(['replay', flag, '', RULE, 'samples/logs']);
    assert.equal(r.status, 2, flag);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^error: option '${flag} <field>' argument '' is invalid\\. expected a field name \\(Elasticsearch rejects an empty one\\)\\.\\n`));
  }
});

test('a sample folder with an unreadable sub-folder: that sub-folder is reported, the other files are replayed (exit 2)', (t) => {
  const base = mkdtempSync(join(tmpdir(), 'eqlwb-perm-'));
  try {
    chmodSync(base, 0o755);
    mkdirSync(join(base, 'logs/sub'), { recursive: true });
    writeFileSync(join(base, 'logs/ok.ndjson'), ndjson({ '@timestamp': '2024-01-01T00:00:00Z', event: { category: 'process' } }));
    writeFileSync(join(base, 'logs/sub/x.ndjson'), ndjson({ '@timestamp': '2024-01-01T00:00:00Z', event: { category: 'process' } }));
    writeFileSync(join(base, 'rule.eql'), 'process where true\n');
    chmodSync(join(base, 'logs/sub'), 0o000);
    const r = spawnCliWithPermissions(['replay', join(base, 'rule.eql'), join(base, 'logs')]);
    if (typeof r === 'string') return t.skip(r);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(r.stderr, `${join(base, 'logs/sub')}: permission denied\n`);
    assert.match(r.stdout, /^#1 event\n {2}.*ok\.ndjson:1 /);
    assert.match(r.stdout, /\n1 match \(1 event\); 1 event read from 1 file\n$/);
  } finally {
    chmodSync(join(base, 'logs/sub'), 0o755);
    rmSync(base, { recursive: true, force: true });
  }
});

test('replay RULE - reads the samples from standard input (NDJSON, or gzip), matches at <stdin>:LINE, in argument order', () => {
  // Hand-worked (samples/README.md): the WKS-07 sequence is lines 7 and 9 of wks-07.jsonl.
  const wks07 = readFileSync(join(repoRoot, 'samples/logs/endpoint/wks-07.jsonl'));
  const r = spawnCli(['replay', '--format', 'json', RULE, 'samples/logs/endpoint/win-dc01.ndjson', '-'], { input: wks07 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(jsonLines(r.stdout), [
    { type: 'sequence', join_keys: ['a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60'], events: [{ file: 'samples/logs/endpoint/win-dc01.ndjson', line: 4 }, { file: 'samples/logs/endpoint/win-dc01.ndjson', line: 6 }] },
    { type: 'sequence', join_keys: ['5e0b9d2a-8c47-4a1e-b3f6-2d7c9e1a4b80'], events: [{ file: '<stdin>', line: 7 }, { file: '<stdin>', line: 9 }] },
  ]);
  const gz = spawnCli(['replay', RULE, '-'], { input: gzipSync(wks07) });
  assert.equal(gz.status, 0, gz.stderr);
  assert.match(gz.stdout, /^ {2}stage 1 {2}<stdin>:7 /m);
  assert.match(gz.stdout, /^ {2}stage 2 {2}<stdin>:9 /m);
  assert.match(gz.stdout, /\n1 match \(1 sequence\); 12 events read from 1 file\n$/);
});

test('replay RULE - -: standard input given twice is a usage error (exit 2)', () => {
  const r = spawnCli(['replay', RULE, '-', '-'], { input: Buffer.from('') });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, '-: standard input can be given only once\n');
});
