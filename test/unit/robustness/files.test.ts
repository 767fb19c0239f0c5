/**
 * Files and output: one bad file never stops the others, a byte order mark opening a later line
 * (two files concatenated) is what it is, and text from samples and arguments never drives the
 * terminal or reads as something else. Character classes: Unicode General Categories Cc, Cf, Zl,
 * Zp (U+061C ARABIC LETTER MARK, U+200B ZERO WIDTH SPACE and U+FEFF are Cf; U+202E is a bidi control).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, spawnCli } from '../cli/spawnCli';
import { escapeControlCharacters, toSafeJsonLine } from '../../../server/src/samples/controlCharacters';
import { parseNdjsonText } from '../../../server/src/samples/ndjson';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-files-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const ev = (s: number, name: string) =>
  JSON.stringify({ '@timestamp': `2024-01-01T00:00:0${s}Z`, event: { category: 'process' }, process: { name } });

test('a binary file is refused with its name and reason; the other files are replayed, exit 2', () => {
  const good = join(dir, 'good.ndjson');
  // A real PNG image given as a sample: binary (NUL bytes, control bytes, bytes that are not UTF-8).
  const bad = join(dir, 'image.ndjson');
  const rule = join(dir, 'any.eql');
  writeFileSync(good, ev(1, 'a') + '\n');
  writeFileSync(bad, readFileSync(join(repoRoot, 'client/media/screenshot-replay.png')));
  writeFileSync(rule, 'process where true\n');
  const r = spawnCli(['replay', rule, good, bad]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `${bad}: not a text file (it contains NUL bytes and other bytes that are not text)\n`);
  assert.match(r.stdout, /^#1 event\n  .*good\.ndjson:1  2024-01-01T00:00:01Z  process  process\.name=a\n1 match \(1 event\)/);
});

test('a text file with NUL bytes loses only the lines holding them, wherever they are (first line, or a zero-filled block)', () => {
  const file = join(dir, 'nul.ndjson');
  const rule = join(dir, 'any.eql');
  // Line 1: a NUL in a value (column 88, counted by hand); line 2: good; line 3: a zero-filled block of 5000 bytes; line 4: good.
  writeFileSync(file, Buffer.concat([Buffer.from(ev(1, 'a').replace('"a"', '"\u0000"') + '\n' + ev(2, 'b') + '\n'), Buffer.alloc(5000), Buffer.from('\n' + ev(3, 'c') + '\n')]));
  writeFileSync(rule, 'process where true\n');
  const r = spawnCli(['replay', '--no-prefilter', rule, file]);
  assert.equal(r.status, 0, r.stderr);
  const problems = r.stderr.split('\n').filter(Boolean);
  assert.equal(problems.length, 2, r.stderr);
  assert.ok(problems[0].startsWith(`${file}:1: invalid JSON: Bad control character in string literal at column 88`), problems[0]);
  assert.ok(problems[1].startsWith(`${file}:3: invalid JSON: `), problems[1]);
  assert.match(r.stdout, /nul\.ndjson:2 .*process\.name=b\n/);
  assert.match(r.stdout, /nul\.ndjson:4 .*process\.name=c\n2 matches \(2 events\)/);
});

test('a byte order mark opening a later line of a file on disk (two files concatenated) is skipped like the first', () => {
  const file = join(dir, 'concatenated.ndjson');
  const rule = join(dir, 'any.eql');
  writeFileSync(file, `\ufeff${ev(1, 'a')}\r\n\ufeff${ev(2, 'b')}\n`);
  writeFileSync(rule, 'process where true\n');
  const r = spawnCli(['replay', rule, file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /concatenated\.ndjson:1 .*process\.name=a\n[^]*concatenated\.ndjson:2 .*process\.name=b\n2 matches/);
});

test('a byte order mark opening a later line (files concatenated) is ignored, as at the start of a file', () => {
  const read = parseNdjsonText(`\ufeff${ev(1, 'a')}\n\ufeff${ev(2, 'b')}\n${ev(3, 'c')}`, 'cat.ndjson');
  assert.deepEqual(read.problems, []);
  assert.deepEqual(read.events.map((e) => [e.source.line, (e.doc.process as { name: string }).name]), [[1, 'a'], [2, 'b'], [3, 'c']]);
  // Only one: a second mark is no longer a file boundary, and the line is reported.
  assert.equal(parseNdjsonText(`\ufeff\ufeff${ev(1, 'a')}`, 'x').problems.length, 0, 'a leading mark of the text and one of the line');
  assert.equal(parseNdjsonText(`${ev(1, 'a')}\n\ufeff\ufeff${ev(1, 'a')}`, 'x').problems.length, 1);
});

test('format and bidirectional characters are escaped in text and in JSON lines', () => {
  assert.equal(escapeControlCharacters('a\u061cb\u200bc\ufeffd\u202ee\u00adf'), 'a\\u061cb\\u200bc\\ufeffd\\u202ee\\xadf');
  assert.equal(escapeControlCharacters('tag\u{e0041}'), 'tag\\u{e0041}');
  assert.equal(escapeControlCharacters('lone\ud800x'), 'lone\\ud800x');
  assert.equal(escapeControlCharacters('C:\\Windows\\é 😀'), 'C:\\Windows\\é 😀');
  const line = toSafeJsonLine({ v: 'a\u200bb\ufeff\u{e0041}' });
  assert.equal(line, '{"v":"a\\u200bb\\ufeff\\udb40\\udc41"}');
  assert.deepEqual(JSON.parse(line), { v: 'a\u200bb\ufeff\u{e0041}' });
});

test('text output quotes values with spaces, = or , and escapes the characters inside', () => {
  const file = join(dir, 'values.ndjson');
  const rule = join(dir, 'any2.eql');
  writeFileSync(file, ev(1, 'lsass.exe process.name=evil\u200b') + '\n' + ev(2, 'plain.exe') + '\n');
  writeFileSync(rule, 'process where true\n');
  const r = spawnCli(['replay', rule, file]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(lines[1].endsWith('  process  process.name="lsass.exe process.name=evil\\u200b"'), lines[1]);
  assert.ok(lines[3].endsWith('  process  process.name=plain.exe'), lines[3]);
});

test('the argument parser quotes a hostile argument with its control characters escaped', () => {
  const r = spawnCli(['replay', '--\u001b[2J\u202e.eql']);
  assert.equal(r.status, 2);
  assert.doesNotMatch(r.stderr, /[\u001b\u202e]/);
  assert.match(r.stderr, /unknown option '--\\x1b\[2J\\u202e\.eql'/);
});
