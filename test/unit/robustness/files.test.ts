/**
 * Files and output: one bad file never stops the others, a byte order mark opening a later line
 * (two files concatenated) is what it is, and text from samples and arguments never drives the
 * terminal or reads as something else. Character classes: Unicode General Categories Cc, Cf, Zl,
 * Zp (U+061C ARABIC LETTER MARK, U+200B ZERO WIDTH SPACE and U+FEFF are Cf; U+202E is a bidi control).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../cli/spawnCli';
import { escapeControlCharacters, toSafeJsonLine } from '../../../server/src/samples/controlCharacters';
import { parseNdjsonText } from '../../../server/src/samples/ndjson';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-files-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const ev = (s: number, name: string) =>
  JSON.stringify({ '@timestamp': `2024-01-01T00:00:0${s}Z`, event: { category: 'process' }, process: { name } });

test('a file with NUL bytes is reported; the other files are replayed, exit 2', () => {
  const good = join(dir, 'good.ndjson');
  const bad = join(dir, 'nul.ndjson');
  const rule = join(dir, 'any.eql');
  writeFileSync(good, ev(1, 'a') + '\n');
  writeFileSync(bad, ev(2, 'b').replace('"b"', '"\u0000"') + '\n');
  writeFileSync(rule, 'process where true\n');
  const r = spawnCli(['replay', rule, good, bad]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `${bad}: not a text file (it contains NUL bytes)\n`);
  assert.match(r.stdout, /^#1 event\n  .*good\.ndjson:1  2024-01-01T00:00:01Z  process  process\.name=a\n1 match \(1 event\)/);
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
