// UTF-8 validation and encoding sniffing. Expected offsets come from the Unicode Standard, Table 3-7
// "Well-Formed UTF-8 Byte Sequences" (C0/C1 never lead, E0 needs A0–BF next, ED needs 80–9F (no
// surrogates), F0 needs 90–BF, F4 needs 80–8F (nothing above U+10FFFF), F5–FF never occur), and
// §23.8 "Byte Order Mark" (FF FE: UTF-16LE, FE FF: UTF-16BE, FF FE 00 00: UTF-32LE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { BINARY_FILE_REASON, detectUnsupportedEncoding, firstInvalidUtf8 } from '../../../server/src/samples/encoding';

const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

test('firstInvalidUtf8: well-formed sequences pass, each ill-formed one is found at its first byte', () => {
  assert.equal(firstInvalidUtf8(b()), -1);
  assert.equal(firstInvalidUtf8(b(0x41, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80)), -1); // A é € 😀
  assert.equal(firstInvalidUtf8(b(0xef, 0xbf, 0xbd)), -1); // U+FFFD itself
  assert.equal(firstInvalidUtf8(b(0xf4, 0x8f, 0xbf, 0xbf)), -1); // U+10FFFF
  assert.equal(firstInvalidUtf8(b(0x63, 0x61, 0x66, 0xe9)), 3); // Latin-1 "café"
  assert.equal(firstInvalidUtf8(b(0x41, 0xc0, 0xaf)), 1); // overlong "/"
  assert.equal(firstInvalidUtf8(b(0xe0, 0x80, 0xaf)), 0); // overlong, 3 bytes
  assert.equal(firstInvalidUtf8(b(0xed, 0xa0, 0x80)), 0); // surrogate U+D800
  assert.equal(firstInvalidUtf8(b(0xf4, 0x90, 0x80, 0x80)), 0); // U+110000
  assert.equal(firstInvalidUtf8(b(0xf5, 0x80, 0x80, 0x80)), 0);
  assert.equal(firstInvalidUtf8(b(0x41, 0x80)), 1); // lone continuation byte
  assert.equal(firstInvalidUtf8(b(0x41, 0x42, 0xe2, 0x82)), 2); // truncated at the end
  assert.equal(firstInvalidUtf8(b(0xe2, 0x28, 0xa1)), 0); // bad continuation
});

test('detectUnsupportedEncoding: byte order marks, UTF-16 without one, binary, and plain UTF-8', () => {
  assert.match(detectUnsupportedEncoding(b(0xff, 0xfe, 0x7b, 0x00)) ?? '', /^the file is UTF-16 encoded \(little-endian\); convert it to UTF-8/);
  assert.match(detectUnsupportedEncoding(b(0xfe, 0xff, 0x00, 0x7b)) ?? '', /UTF-16 encoded \(big-endian\)/);
  assert.match(detectUnsupportedEncoding(b(0xff, 0xfe, 0x00, 0x00, 0x7b, 0, 0, 0)) ?? '', /UTF-32 encoded \(little-endian\)/);
  assert.match(detectUnsupportedEncoding(b(0x00, 0x00, 0xfe, 0xff)) ?? '', /UTF-32 encoded \(big-endian\)/);
  // "{}" in UTF-16LE / BE without byte order mark.
  assert.match(detectUnsupportedEncoding(b(0x7b, 0x00, 0x7d, 0x00)) ?? '', /little-endian, no byte order mark/);
  assert.match(detectUnsupportedEncoding(b(0x00, 0x7b, 0x00, 0x7d)) ?? '', /big-endian, no byte order mark/);
  // NUL bytes at odd and even offsets, the other bytes text: text with NUL bytes (each such line is skipped).
  assert.equal(detectUnsupportedEncoding(b(0x7b, 0x00, 0x00, 0x7d)), undefined);
  assert.equal(detectUnsupportedEncoding(Uint8Array.from([...Buffer.from('{"a":1}\n{"b":2}\n'), 0])), undefined);
  assert.equal(detectUnsupportedEncoding(b(0xef, 0xbb, 0xbf, 0x7b, 0x7d)), undefined); // UTF-8 with BOM
  assert.equal(detectUnsupportedEncoding(Buffer.from('{"p":"café"}\n')), undefined);
  assert.equal(detectUnsupportedEncoding(b()), undefined);
});

// Binary or text with NUL bytes: the bytes other than NUL are text as file(1) sees it (its
// `text_chars` table: BEL..CR, ESC and 0x20-0x7E are text) and well-formed UTF-8 from 0x80 on.
test('detectUnsupportedEncoding: real binary files are refused, text with NUL bytes is not', () => {
  // An ELF executable (the running Node) and a PNG image: binary.
  const elf = Buffer.alloc(65536);
  const fd = openSync(process.execPath, 'r');
  readSync(fd, elf, 0, elf.length, 0);
  closeSync(fd);
  assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]); // the ELF magic number
  assert.equal(detectUnsupportedEncoding(elf), BINARY_FILE_REASON);
  const png = readFileSync(join(__dirname, '../../../client/media/screenshot-replay.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]); // the PNG signature
  assert.equal(detectUnsupportedEncoding(png), BINARY_FILE_REASON);
  // A NUL with one other control byte (SOH, 0x01) or a lone 0xFF: binary.
  assert.equal(detectUnsupportedEncoding(Buffer.from('{"a":"\u0000\u0001"}\n')), BINARY_FILE_REASON);
  assert.equal(detectUnsupportedEncoding(Buffer.concat([Buffer.from('{"a":"\u0000'), b(0xff), Buffer.from('"}')])), BINARY_FILE_REASON);
  // A zero-filled block (as a crash leaves in a log) before NDJSON lines, with tabs, ESC and UTF-8: text.
  const log = Buffer.concat([Buffer.alloc(5000), Buffer.from('\n{"p":"café\t\u001b[0m😀"}\n'.repeat(200))]);
  assert.equal(detectUnsupportedEncoding(log), undefined);
  // Only the first 8000 bytes count (git's window); a sequence cut by its end is not held against the file.
  assert.equal(detectUnsupportedEncoding(Buffer.concat([Buffer.alloc(8000), b(0x01)])), undefined);
  assert.equal(detectUnsupportedEncoding(Buffer.concat([Buffer.alloc(7999), Buffer.from('é')])), undefined); // C3 | A9
  assert.equal(detectUnsupportedEncoding(Buffer.concat([Buffer.alloc(7999), b(0xc3)])), BINARY_FILE_REASON); // C3 at the very end of the file
});
