// `eql-workbench check`: output format `path:line:column: severity: message` and exit codes
// (0 no error, 1 errors, 2 unreadable input / usage). The positions are counted by hand on the
// fixtures below. The rejected constructs are Elasticsearch's: single-quoted strings ("EQL syntax
// reference" → Strings: use double quotes) and `=` instead of `==` (the grammar has no `=`
// comparison; Elasticsearch reports it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from './spawnCli';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-check-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const good = write(
  'good.eql',
  'sequence by host.id with maxspan=30s\n  [network where destination.port == 5985]\n  [process where process.parent.name : "wsmprovhost.exe"]\n',
);

// Line 3 is `  [process where process.parent.name : 'wsmprovhost.exe']`:
// columns 1-2 spaces, 3 '[', 4-10 process, 12-16 where, 18-36 process.parent.name, 38 ':', 40 the quote.
const singleQuoted = write(
  'single.eql',
  "sequence by host.id with maxspan=30s\n  [network where destination.port == 5985]\n  [process where process.parent.name : 'wsmprovhost.exe']\n",
);

// TOML: the query starts on line 9 (after `query = '''` on line 8); line 10 is
// `    process.args = "/c"`: 4 spaces, process.args at 5-16, '=' at column 18.
const tomlRule = write(
  'broken.toml',
  [
    '[metadata]',
    'maturity = "development"',
    '',
    '[rule]',
    'name = "Broken"',
    'type = "eql"',
    'language = "eql"',
    "query = '''",
    'process where process.name == "cmd.exe" and',
    '    process.args = "/c"',
    "'''",
    '',
  ].join('\n'),
);

test('a valid rule prints nothing and exits 0', () => {
  const r = spawnCli(['check', good]);
  assert.equal(r.stdout, '');
  assert.equal(r.status, 0);
});

test('an error in a .eql rule is printed as path:line:column: error: message, exit 1', () => {
  const r = spawnCli(['check', singleQuoted]);
  assert.equal(r.status, 1);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1);
  assert.ok(lines[0].startsWith(`${singleQuoted}:3:40: error: `), lines[0]);
  assert.match(lines[0], /single quotes/);
});

test('an error in a .toml rule is reported at its line and column in the TOML file', () => {
  const r = spawnCli(['check', tomlRule]);
  assert.equal(r.status, 1);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1);
  assert.ok(lines[0].startsWith(`${tomlRule}:10:18: error: `), lines[0]);
  assert.match(lines[0], /==/);
});

test('several rules: problems of each, exit 1 if any has an error', () => {
  const r = spawnCli(['check', good, singleQuoted, tomlRule]);
  assert.equal(r.status, 1);
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split(': ')[0]),
    [`${singleQuoted}:3:40`, `${tomlRule}:10:18`],
  );
});

test('a TOML syntax error is reported at its position with exit 1', () => {
  // Line 2 `query = """abc` opens a string that is never closed; smol-toml reports line 2.
  const bad = write('syntax.toml', '[rule]\nquery = """abc\nname = "x"\n');
  const r = spawnCli(['check', bad]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: error: invalid TOML: `));
});

test('a KQL rule (`type = "query"`, no `language`) is refused like in the editor, at its query, exit 1', () => {
  // detection-rules' schema: only `type = "eql"` / `language = "eql"` rules hold EQL. Line 3
  // `query = "process.name : cmd.exe"`: the opening quote is column 9, the query starts at column 10.
  const kql = write('kql.toml', '[rule]\ntype = "query"\nquery = "process.name : cmd.exe"\n');
  const r = spawnCli(['check', kql]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, `${kql}:3:10: error: the rule names no language and its type is "query", not "eql"\n`);
});

test('a missing rule file exits 2 with path: reason on stderr', () => {
  const missing = join(dir, 'missing.eql');
  const r = spawnCli(['check', good, missing]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `${missing}: no such file or directory\n`);
});

test('a folder given as RULE exits 2 (README: usage errors or unreadable input), the other rules still checked', () => {
  const bad = write('broken.eql', 'process where foo(\n');
  const r = spawnCli(['check', dir, bad]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `${dir}: is a folder, not a file\n`);
  assert.match(r.stdout, /broken\.eql:1:15: error: Unknown function \[foo\]/);
});

test('the sample rules check clean', () => {
  const r = spawnCli([
    'check',
    'samples/rules/incoming_execution_via_powershell_remoting.eql',
    'samples/rules/incoming_execution_via_powershell_remoting.toml',
  ]);
  assert.equal(r.stdout, '');
  assert.equal(r.status, 0);
});

test('with --mapping, a field the mapping lacks is an error (Elasticsearch: "Unknown column")', () => {
  const mapping = write(
    'mapping.json',
    JSON.stringify({ mappings: { properties: { '@timestamp': { type: 'date' }, event: { properties: { category: { type: 'keyword' } } }, process: { properties: { name: { type: 'keyword' } } } } } }),
  );
  // `process.title` starts at column 15 of line 1.
  const rule = write('unknown.eql', 'process where process.title == "x"\n');
  const r = spawnCli(['check', '--mapping', mapping, rule]);
  assert.equal(r.status, 1);
  assert.ok(r.stdout.startsWith(`${rule}:1:15: error: `), r.stdout);
  const known = write('known.eql', 'process where process.name == "x"\n');
  assert.equal(spawnCli(['check', '--mapping', mapping, known]).status, 0);
});

test('with --mapping, the mapped field types are checked as Elasticsearch does (VerifierTests)', () => {
  const mapping = write(
    'typed-mapping.json',
    JSON.stringify({ mappings: { properties: { '@timestamp': { type: 'date' }, event: { properties: { category: { type: 'keyword' } } }, pid: { type: 'long' }, md5: { type: 'keyword' } } } }),
  );
  // VerifierTests.testIncorrectUsageOfStringEquals: `:` on a long field; `pid` starts at column 11.
  const colon = write('colon-on-long.eql', 'any where pid : 123\n');
  const r = spawnCli(['check', '--mapping', mapping, colon]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, `${colon}:1:11: error: first argument of [:] must be [string], found value [pid] type [long]; consider using [==] instead\n`);
  // VerifierTests.testKeysWithDifferentTypes: join keys of a long and a keyword field.
  const keys = write('key-types.eql', 'sequence [process where true] by pid [process where true] by md5\n');
  const k = spawnCli(['check', '--mapping', mapping, keys]);
  assert.equal(k.status, 1);
  assert.match(k.stdout, /Sequence key \[md5\] type \[keyword\] is incompatible with key \[pid\] type \[long\]/);
  // Without a mapping the field types are unknown and both rules are accepted.
  assert.equal(spawnCli(['check', colon, keys]).status, 0);
});

test('usage errors exit 2: no rule, unknown option', () => {
  assert.equal(spawnCli(['check']).status, 2);
  assert.equal(spawnCli(['check', '--bogus', good]).status, 2);
});

// --- Encodings, binary files, untrusted text, caps. Byte values: Unicode Standard §23.8 (FF FE is
// the UTF-16LE byte order mark) and ISO 8859-1 (é is E9, not well-formed UTF-8 per Table 3-7).

function writeBytes(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('a binary rule file is "not a text file" (exit 2, one line), not a flood of errors', () => {
  // 256 bytes 00…FF repeated: NULs at even and odd offsets.
  const junk = writeBytes('junk.eql', Buffer.from(Array.from({ length: 2560 }, (_, i) => i % 256)));
  const r = spawnCli(['check', junk]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `${junk}: not a text file (it contains NUL bytes and other bytes that are not text)\n`);
});

test('a UTF-16LE rule file (Windows PowerShell 5.1 `>`) is unreadable with one clear reason, exit 2', () => {
  const utf16 = writeBytes('ps51.eql', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('process where true\r\n', 'utf16le')]));
  const r = spawnCli(['check', utf16]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.startsWith(`${utf16}: the file is UTF-16 encoded (little-endian); convert it to UTF-8 `), r.stderr);
  assert.equal(r.stderr.split('\n').length, 2);
});

test('a Latin-1 byte in a rule is an error at its line and column, exit 1', () => {
  // `process where process.name == "caf` is 34 characters: the byte is at column 35.
  const latin1 = writeBytes('latin1.eql', Buffer.concat([Buffer.from('process where process.name == "caf'), Buffer.from([0xe9]), Buffer.from('.exe"\n')]));
  const r = spawnCli(['check', latin1]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, `${latin1}:1:35: error: invalid UTF-8 (byte 0xE9); save the file as UTF-8\n`);
});

test('messages quoting source text escape control characters; at most 100 diagnostics per file', () => {
  // `process where ` is 14 characters; then 150 BEL characters separated by spaces, at columns
  // 15, 17, …: each is an "unexpected character" error (Elasticsearch's lexer has no such token).
  const bells = write('bells.eql', `process where ${Array(150).fill('\u0007').join(' ')}`);
  const r = spawnCli(['check', bells]);
  assert.equal(r.status, 1);
  const lines = r.stdout.trimEnd().split('\n');
  assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f]/);
  assert.ok(lines[0].startsWith(`${bells}:1:15: error: `), lines[0]);
  assert.match(lines[0], /\\x07/);
  assert.equal(lines.length, 101);
  assert.match(lines[100], new RegExp(`^${bells.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: … and \\d+ more diagnostics not shown \\(\\d+ errors, 0 warnings\\)$`));
  // With ESC: the terminal never receives it.
  const esc = write('esc.eql', 'process where process.name == "a" and \u001b[2J\n');
  const e = spawnCli(['check', esc]);
  assert.equal(e.status, 1);
  assert.doesNotMatch(e.stdout, /\u001b/);
  assert.match(e.stdout, /\\x1b/);
});

test('a TOML rule with an empty timestamp_override or event_category_override is an error at the key (exit 1), for check and replay', () => {
  // Kibana passes them as timestamp_field / event_category_field; EqlSearchRequest.validate()
  // rejects an empty one ("@timestamp field is null or empty", "event category field is null or empty").
  const rule = write('empty-override.toml', '[rule]\nname = "x"\ntype = "eql"\nlanguage = "eql"\ntimestamp_override = ""\n  event_category_override = ""\nquery = "process where true"\n');
  const r = spawnCli(['check', rule]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(
    r.stdout,
    `${rule}:5:1: error: \`timestamp_override\` is empty: Elasticsearch rejects the search ("@timestamp field is null or empty"); remove the key to use the default field\n` +
      `${rule}:6:3: error: \`event_category_override\` is empty: Elasticsearch rejects the search ("event category field is null or empty"); remove the key to use the default field\n`,
  );
  const replay = spawnCli(['replay', rule, 'samples/logs']);
  assert.equal(replay.status, 1);
  assert.equal(replay.stdout, '');
  assert.match(replay.stderr, /:5:1: error: `timestamp_override` is empty/);
});
