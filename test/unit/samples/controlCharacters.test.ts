// Escaping of terminal-interpreted characters. The character classes are those of the Unicode
// Standard (C0 U+0000–U+001F, DEL U+007F, C1 U+0080–U+009F, U+2028 LINE SEPARATOR, U+2029
// PARAGRAPH SEPARATOR) and UAX #9 (bidirectional formatting characters); the expected strings are
// written by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControlCharacters, toSafeJsonLine } from '../../../server/src/samples/controlCharacters';

test('C0, DEL, C1, line breaks and bidirectional overrides are shown as escapes', () => {
  assert.equal(escapeControlCharacters('a\x1b[2Jb'), 'a\\x1b[2Jb');
  assert.equal(escapeControlCharacters('x\n#2 sequence\r\t'), 'x\\n#2 sequence\\r\\t');
  assert.equal(escapeControlCharacters('\x00\x07\x7f\x80\x9b\x9f'), '\\x00\\x07\\x7f\\x80\\x9b\\x9f');
  assert.equal(escapeControlCharacters('l\u2028p\u2029'), 'l\\u2028p\\u2029');
  assert.equal(escapeControlCharacters('\u202egpj.exe'), '\\u202egpj.exe');
});

test('other characters, backslashes included, are kept as is', () => {
  const text = 'C:\\Windows\\System32\\cmd.exe café 日本 😀 \u00a0 ~';
  assert.equal(escapeControlCharacters(text), text);
  assert.equal(escapeControlCharacters(''), '');
});

test('toSafeJsonLine: one line of JSON without raw controls, that parses back to the same value (RFC 8259 §7 escapes)', () => {
  const value = { file: 'a\u2028b\u202ec\u009bd\u007f', line: 3, note: 'tab\there\nnext', plain: 'C:\\x' };
  const line = toSafeJsonLine(value);
  // Written by hand: JSON.stringify escapes tab and line feed itself; the others become \uXXXX.
  assert.equal(line, '{"file":"a\\u2028b\\u202ec\\u009bd\\u007f","line":3,"note":"tab\\there\\nnext","plain":"C:\\\\x"}');
  assert.deepEqual(JSON.parse(line), value);
});
