// Reading rules from .eql and detection-rules .toml files. Positions are counted by hand on the
// fixtures below; TOML string rules follow the TOML 1.0 specification (§ String: a newline right
// after the opening delimiter of a multi-line string is trimmed; literal strings have no escapes;
// basic strings decode `\n`, `\"`, `\uXXXX` and the line-ending backslash).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { encodeTomlStringBody, isEqlRule, readRuleFile, ruleFromEql, ruleFromToml, toQueryOffset, tomlQueryString } from '../../../server/src/samples/ruleFile';
import { lineColumnAt } from '../../../server/src/samples/textPosition';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-rule-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('lineColumnAt: 1-based lines and columns; \\n, \\r\\n and lone \\r end lines', () => {
  const text = 'ab\ncd\r\nef\rgh';
  assert.deepEqual(lineColumnAt(text, 0), { line: 1, column: 1 });
  assert.deepEqual(lineColumnAt(text, 2), { line: 1, column: 3 }); // the \n itself
  assert.deepEqual(lineColumnAt(text, 3), { line: 2, column: 1 }); // 'c'
  assert.deepEqual(lineColumnAt(text, 7), { line: 3, column: 1 }); // 'e' after \r\n
  assert.deepEqual(lineColumnAt(text, 10), { line: 4, column: 1 }); // 'g' after lone \r
  assert.deepEqual(lineColumnAt(text, 99), { line: 4, column: 3 }); // clamped to the end
});

test('a .eql file is the query; offsets map one to one; a byte order mark is dropped', async () => {
  const path = join(dir, 'r.eql');
  writeFileSync(path, '\ufeffprocess where true\n');
  const r = await readRuleFile(path);
  assert.ok(r.rule);
  assert.equal(r.rule.query, 'process where true\n');
  assert.equal(r.rule.format, 'eql');
  assert.equal(r.rule.toFileOffset(8), 8);
});

test('a missing rule file is unreadable', async () => {
  const r = await readRuleFile(join(dir, 'nope.eql'));
  assert.deepEqual(r.problem, { kind: 'unreadable', message: 'no such file or directory' });
});

test("TOML '''literal''' query: the first newline is trimmed and positions map into the file", () => {
  const toml = [
    '[metadata]', // line 1
    'maturity = "production"', // line 2
    '', // line 3
    '[rule]', // line 4
    'name = "x"', // line 5
    'language = "eql"', // line 6
    "query = '''", // line 7
    'process where process.name : "a\\\\b"', // line 8
    "'''", // line 9
  ].join('\n');
  const r = ruleFromToml('r.toml', toml);
  assert.ok(r.rule);
  assert.equal(r.rule.query, 'process where process.name : "a\\\\b"\n');
  assert.equal(r.rule.name, 'x');
  // "where" starts at query offset 8: line 8, column 9 of the file.
  assert.deepEqual(lineColumnAt(toml, r.rule.toFileOffset(8)), { line: 8, column: 9 });
  // The end of the query is the closing delimiter (line 9, column 1).
  assert.deepEqual(lineColumnAt(toml, r.rule.toFileOffset(r.rule.query.length)), { line: 9, column: 1 });
});

test('TOML basic strings: escapes map to their backslash, and columns after them stay right', () => {
  // Line 2: query = "process where a == \"x\" and b"
  // columns: q=1 … the opening quote is column 9, 'p' column 10.
  const toml = '[rule]\nquery = "process where a == \\"x\\" and b"\ntype = "eql"\n';
  const r = ruleFromToml('r.toml', toml);
  assert.ok(r.rule);
  assert.equal(r.rule.query, 'process where a == "x" and b');
  assert.deepEqual(lineColumnAt(toml, r.rule.toFileOffset(0)), { line: 2, column: 10 });
  // query offset 19 is the decoded `"` written as \" at file column 29.
  assert.deepEqual(lineColumnAt(toml, r.rule.toFileOffset(19)), { line: 2, column: 29 });
  // query offset 27 is 'b': the two escapes made the file text 2 characters longer → column 39.
  assert.deepEqual(lineColumnAt(toml, r.rule.toFileOffset(27)), { line: 2, column: 39 });
});

test('TOML multi-line basic string with a line-ending backslash', () => {
  const toml = '[rule]\nquery = """\nprocess where \\\n    true"""\ntype = "eql"\n';
  const r = ruleFromToml('r.toml', toml);
  assert.ok(r.rule);
  assert.equal(r.rule.query, 'process where true');
  // 'true' (query offset 14) is on line 4, column 5.
  assert.deepEqual(lineColumnAt(toml, r.rule.toFileOffset(14)), { line: 4, column: 5 });
});

test('TOML syntax errors, a missing query and another language are invalid rules with a position', () => {
  const broken = ruleFromToml('r.toml', '[rule]\nquery = """abc\n');
  assert.equal(broken.problem?.kind, 'invalid');
  assert.match(broken.problem!.message, /^invalid TOML: /);
  assert.equal(broken.problem && 'line' in broken.problem && broken.problem.line, 2);

  const none = ruleFromToml('r.toml', '[rule]\nname = "x"\n');
  assert.deepEqual(none.problem, {
    kind: 'invalid',
    line: 1,
    column: 1,
    message: 'no query: expected a string `query` in the `[rule]` table',
  });

  const kql = ruleFromToml('r.toml', '[rule]\nlanguage = "kuery"\nquery = "process.name : x"\n');
  assert.deepEqual(kql.problem, {
    kind: 'invalid',
    line: 3,
    column: 10,
    message: 'the rule\'s language is "kuery", not "eql"',
    notEql: true,
  });
  // An EQL rule whose language says otherwise is a broken EQL rule, not another language's.
  const mixed = ruleFromToml('r.toml', '[rule]\ntype = "eql"\nlanguage = "kuery"\nquery = "process where true"\n');
  assert.equal(mixed.problem?.kind === 'invalid' && mixed.problem.notEql, undefined);
  // A TOML file without `[rule]` table is no detection rule at all.
  const cargo = ruleFromToml('Cargo.toml', '[package]\nname = "x"\n');
  assert.deepEqual(cargo.problem, { kind: 'invalid', line: 1, column: 1, message: 'no query: expected a string `query` in the `[rule]` table', noRuleTable: true });
});

test('isEqlRule: `language = "eql"`, or no language and `type = "eql"` (detection-rules schema)', () => {
  assert.equal(isEqlRule({ language: 'eql', type: 'eql' }), true);
  assert.equal(isEqlRule({ type: 'eql' }), true);
  assert.equal(isEqlRule({ type: 'query' }), false);
  assert.equal(isEqlRule({ language: 'kuery', type: 'query' }), false);
  assert.equal(isEqlRule({}), false);
  // A KQL rule without `language`: refused, at the start of its query (line 2, column 10).
  const kql = ruleFromToml('r.toml', '[rule]\nquery = "process.name : x"\ntype = "query"\n');
  assert.deepEqual(kql.problem, {
    kind: 'invalid',
    line: 2,
    column: 10,
    message: 'the rule names no language and its type is "query", not "eql"',
    notEql: true,
  });
});

test('the sample TOML rule holds the same query as the sample .eql rule', async () => {
  const root = join(__dirname, '../../..');
  const eql = await readRuleFile(join(root, 'samples/rules/incoming_execution_via_powershell_remoting.eql'));
  const toml = await readRuleFile(join(root, 'samples/rules/incoming_execution_via_powershell_remoting.toml'));
  assert.ok(eql.rule && toml.rule);
  assert.equal(toml.rule.query, eql.rule.query);
  assert.equal(toml.rule.name, 'Incoming Execution via PowerShell Remoting');
  // The query starts on the line after `query = '''` (line 24), line 25 of the TOML file.
  assert.deepEqual(lineColumnAt(toml.rule.fileText, toml.rule.toFileOffset(0)), { line: 25, column: 1 });
});

// Encodings: UTF-16LE byte order mark FF FE (Unicode Standard §23.8); é in Latin-1 is the byte E9,
// which is not well-formed UTF-8 (Table 3-7). TOML 1.0 requires UTF-8 documents.
test('a UTF-16 rule file, or one with NUL bytes, is unreadable with a clear reason', async () => {
  const utf16 = join(dir, 'ps.eql');
  writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('process where true\r\n', 'utf16le')]));
  const r = await readRuleFile(utf16);
  assert.equal(r.problem?.kind, 'unreadable');
  assert.match(r.problem?.message ?? '', /^the file is UTF-16 encoded \(little-endian\); convert it to UTF-8/);
  const binary = join(dir, 'bin.toml');
  // A NUL far after the start (beyond the first bytes sniffed) is still found.
  writeFileSync(binary, Buffer.concat([Buffer.from(`[rule]\n# ${'x'.repeat(9000)}\n`), Buffer.from([0x00, 0x01, 0x02])]));
  assert.deepEqual((await readRuleFile(binary)).problem, { kind: 'unreadable', message: 'not a text file (it contains NUL bytes)' });
});

test('a byte that is not UTF-8 makes the rule invalid at its line and column', async () => {
  // Line 2 is `process where process.name == "caf\xE9.exe"`: `process where process.name == "caf`
  // is 34 characters, so the byte is at column 35. The byte order mark is not a column.
  const path = join(dir, 'latin1.eql');
  writeFileSync(path, Buffer.concat([Buffer.from('\ufeff// rule\nprocess where process.name == "caf'), Buffer.from([0xe9]), Buffer.from('.exe"\n')]));
  assert.deepEqual((await readRuleFile(path)).problem, {
    kind: 'invalid',
    line: 2,
    column: 35,
    message: 'invalid UTF-8 (byte 0xE9); save the file as UTF-8',
  });
});

test('toQueryOffset: a file offset back to the query, verbatim in literal strings, across escapes in basic ones', () => {
  // Line 2: query = "process where a == \"x\" and b"; the query starts at file offset 16 (7 + 9).
  const toml = '[rule]\nquery = "process where a == \\"x\\" and b"\ntype = "eql"\n';
  const r = ruleFromToml('r.toml', toml);
  assert.ok(r.rule);
  assert.equal(toQueryOffset(r.rule, 16), 0); // before 'p'
  assert.equal(toQueryOffset(r.rule, 15), undefined); // the opening quote: outside
  // `\"` is file offsets 35–36 and query offset 19: before its backslash is before the `"` …
  assert.equal(toQueryOffset(r.rule, 35), 19);
  // … after it (and inside it) is after the `"`.
  assert.equal(toQueryOffset(r.rule, 37), 20);
  assert.equal(toQueryOffset(r.rule, 36), 20);
  // 'b' is query offset 27 at file offset 45; the closing quote (46) is the end of the query.
  assert.equal(toQueryOffset(r.rule, 45), 27);
  assert.equal(toQueryOffset(r.rule, 46), 28);
  assert.equal(toQueryOffset(r.rule, 47), undefined);
  // Round trip on every query offset.
  for (let q = 0; q <= r.rule.query.length; q++) assert.equal(toQueryOffset(r.rule, r.rule.toFileOffset(q)), q);

  // A .eql rule maps one to one.
  const eql = ruleFromEql('r.eql', 'process where true');
  assert.equal(toQueryOffset(eql, 8), 8);
});

test("toQueryOffset: the newline trimmed after ''' is outside the query", () => {
  // query = '''\nabc''' : `'''` at 15–17, the trimmed \n at 18, 'a' at 19.
  const toml = "[rule]\nquery = '''\nabc'''\ntype = \"eql\"\n";
  const r = ruleFromToml('r.toml', toml);
  assert.ok(r.rule);
  assert.equal(toQueryOffset(r.rule, 18), undefined);
  assert.equal(toQueryOffset(r.rule, 19), 0);
  assert.equal(toQueryOffset(r.rule, 22), 3);
});

test('tomlQueryString: the query key and the string form', () => {
  const cases: Array<[string, string, number, number]> = [
    // [document, delimiter, offset of the `query` key, offset of the opening delimiter] (counted by hand)
    ["[rule]\nquery = '''\nprocess where true\n'''\n", "'''", 7, 15],
    ['[rule]\n  query = """process where true"""\n', '"""', 9, 17],
    ["[rule]\nquery = 'process where true'\n", "'", 7, 15],
    ['[rule]\nquery="process where true"\n', '"', 7, 13],
  ];
  for (const [toml, delimiter, keyOffset, openOffset] of cases) {
    const r = ruleFromToml('r.toml', `${toml}type = "eql"\n`);
    assert.ok(r.rule, toml);
    assert.deepEqual(tomlQueryString(r.rule), { delimiter, keyOffset, openOffset }, toml);
  }
  assert.equal(tomlQueryString(ruleFromEql('r.eql', 'process where true')), undefined);
});

test('encodeTomlStringBody: smol-toml reads back the value it writes, or the form cannot hold it', () => {
  const values = ['process.name == "cmd.exe"', 'a\\b', 'x\ny', "it's", 'tab\there'];
  let written = 0;
  for (const delimiter of ['"', '"""', "'", "'''"] as const) {
    for (const value of values) {
      const body = encodeTomlStringBody(value, delimiter);
      if (body === undefined) continue;
      written++;
      const parsed = parseToml(`v = ${delimiter}${body}${delimiter}\n`) as { v: string };
      assert.equal(parsed.v, value, `${delimiter} ${JSON.stringify(value)}`);
    }
  }
  // Basic strings hold all five; '…' holds three (no quote, no newline); '''…''' all five.
  assert.equal(written, 5 + 5 + 3 + 5);
  // What literal strings cannot hold (TOML 1.0 § String: no escapes in literal strings).
  assert.equal(encodeTomlStringBody("it's", "'"), undefined);
  assert.equal(encodeTomlStringBody('x\ny', "'"), undefined);
  assert.equal(encodeTomlStringBody("a'''b", "'''"), undefined);
  // In "…" a quote is always escaped; in """…""" only when asked.
  assert.equal(encodeTomlStringBody('"x"', '"'), '\\"x\\"');
  assert.equal(encodeTomlStringBody('"x"', '"""'), '"x"');
  assert.equal(encodeTomlStringBody('"x"', '"""', true), '\\"x\\"');
});
