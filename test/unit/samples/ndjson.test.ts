// NDJSON reading. Expected values come from the NDJSON / JSON Lines format definitions
// (https://github.com/ndjson/ndjson-spec, https://jsonlines.org: one JSON text per line, `\n` or
// `\r\n` line ends) and from hand-written fixtures whose line numbers are counted by hand below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNdjsonProblem, parseNdjsonText, readNdjsonFile } from '../../../server/src/samples/ndjson';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-ndjson-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

test('events keep their 1-based line numbers; blank lines are skipped but counted', async () => {
  // line 1: event, line 2: blank, line 3: whitespace only, line 4: event
  const path = write('a.ndjson', '{"n":1}\n\n   \n{"n":2}\n');
  const r = await readNdjsonFile(path);
  assert.deepEqual(
    r.events.map((e) => [e.doc.n, e.source.line, e.source.file]),
    [
      [1, 1, path],
      [2, 4, path],
    ],
  );
  assert.deepEqual(r.problems, []);
});

test('CRLF line ends and a UTF-8 byte order mark are accepted', async () => {
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const path = write('crlf.ndjson', Buffer.concat([bom, Buffer.from('{"n":1}\r\n{"n":2}\r\n\r\n{"n":"é"}')]));
  const r = await readNdjsonFile(path);
  assert.deepEqual(
    r.events.map((e) => [e.doc.n, e.source.line]),
    [
      [1, 1],
      [2, 2],
      ['é', 4],
    ],
  );
  assert.deepEqual(r.problems, []);
});

test('a malformed line and a line that is not an object are reported as path:line and skipped', async () => {
  // line 1 ok, line 2 truncated object, line 3 array, line 4 number, line 5 null, line 6 ok
  const path = write('bad.ndjson', '{"n":1}\n{"n":\n[1,2]\n42\nnull\n{"n":6}\n');
  const seen: string[] = [];
  const r = await readNdjsonFile(path, (p) => seen.push(formatNdjsonProblem(p)));
  assert.deepEqual(
    r.events.map((e) => e.source.line),
    [1, 6],
  );
  assert.deepEqual(
    r.problems.map((p) => p.line),
    [2, 3, 4, 5],
  );
  assert.equal(seen.length, 4);
  assert.match(seen[0], new RegExp(`^${escape(path)}:2: invalid JSON: `));
  assert.match(seen[1], new RegExp(`^${escape(path)}:3: not a JSON object \\(found an array\\)`));
  assert.match(seen[2], /:4: not a JSON object \(found a number\)/);
  assert.match(seen[3], /:5: not a JSON object \(found null\)/);
});

test('a last line without line end is read; an empty file gives nothing', async () => {
  assert.deepEqual((await readNdjsonFile(write('noeol.ndjson', '{"a":1}\n{"b":2}'))).events.map((e) => e.source.line), [1, 2]);
  assert.deepEqual(await readNdjsonFile(write('empty.ndjson', '')), { events: [], problems: [], warnings: [] });
});

test('lines longer than one read chunk, and \\r\\n split across chunks, are kept whole', async () => {
  // fs streams read 64 KiB chunks; a 200 000-character line spans several of them.
  const big = 'x'.repeat(200_000);
  const path = write('big.ndjson', `{"big":"${big}"}\r\n{"n":2}\r\n`);
  const r = await readNdjsonFile(path);
  assert.equal(r.events.length, 2);
  assert.equal((r.events[0].doc.big as string).length, 200_000);
  assert.equal(r.events[1].source.line, 2);
  // Place \r as the last byte of the first 64 KiB chunk: the \n must not count as another line.
  const pad = 65536 - '{"p":"'.length - '"}'.length - 1;
  const path2 = write('split.ndjson', `{"p":"${'y'.repeat(pad)}"}\r\n{"n":2}\n`);
  const r2 = await readNdjsonFile(path2);
  assert.deepEqual(r2.events.map((e) => e.source.line), [1, 2]);
  assert.deepEqual(r2.problems, []);
});

test('a missing file or a folder rejects with the file system error', async () => {
  await assert.rejects(readNdjsonFile(join(dir, 'nope.ndjson')), { code: 'ENOENT' });
  await assert.rejects(readNdjsonFile(dir), { code: 'EISDIR' });
});

test('parseNdjsonText counts lines like readNdjsonFile (\\n, \\r\\n, lone \\r)', () => {
  const r = parseNdjsonText('\ufeff{"n":1}\r\n{"n":2}\r{"n":3}\n\nnot json\n', 'mem.ndjson');
  assert.deepEqual(r.events.map((e) => [e.doc.n, e.source.line]), [
    [1, 1],
    [2, 2],
    [3, 3],
  ]);
  assert.deepEqual(r.problems.map((p) => [p.file, p.line]), [['mem.ndjson', 5]]);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// --- Encodings. Byte values are from the Unicode Standard (§23.8 byte order marks: FF FE is UTF-16
// little-endian, FE FF big-endian; Table 3-7 well-formed UTF-8) and ISO 8859-1 (é is E9).

/** `text` in UTF-16LE with a byte order mark and CRLF line ends, as Windows PowerShell 5.1's `>` writes. */
function utf16le(text: string, bom = true): Buffer {
  const body = Buffer.from(text.replace(/\n/g, '\r\n'), 'utf16le');
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}

test('a UTF-16 file (byte order mark FF FE or FE FF, or none) is refused as a whole with one clear reason', async () => {
  const lines = '{"@timestamp":"2024-01-01T00:00:00Z","event":{"category":"process"}}\n{"n":2}\n';
  const le = write('ps51.ndjson', utf16le(lines));
  await assert.rejects(readNdjsonFile(le), (e: Error) => {
    assert.match(e.message, /^the file is UTF-16 encoded \(little-endian\); convert it to UTF-8 /);
    assert.equal((e as NodeJS.ErrnoException).code, 'EQLWB_UNSUPPORTED_ENCODING');
    return true;
  });
  const be = Buffer.from(utf16le(lines).subarray(2)).swap16();
  await assert.rejects(readNdjsonFile(write('be.ndjson', Buffer.concat([Buffer.from([0xfe, 0xff]), be]))), /UTF-16 encoded \(big-endian\)/);
  await assert.rejects(readNdjsonFile(write('nobom.ndjson', utf16le(lines, false))), /UTF-16 encoded \(little-endian, no byte order mark\)/);
  // NUL bytes at both even and odd offsets, and a control byte (SOH): not UTF-16, not text.
  await assert.rejects(readNdjsonFile(write('bin.ndjson', Buffer.from([0x7b, 0x00, 0x00, 0x7d, 0x0a, 0x01, 0x00, 0x00]))), {
    message: 'not a text file (it contains NUL bytes and other bytes that are not text)',
  });
});

test('bytes that are not UTF-8 (Latin-1 "café") keep the event, with U+FFFD, and give a warning at their column', async () => {
  // Line 2 is {"p":"caf\xE9.exe"}: `{"p":"caf` is 9 characters, so the bad byte is at column 10.
  const path = write('latin1.ndjson', Buffer.concat([Buffer.from('{"n":1}\n{"p":"caf'), Buffer.from([0xe9]), Buffer.from('.exe"}\n')]));
  const seen: string[] = [];
  const r = await readNdjsonFile(path, (p) => seen.push(formatNdjsonProblem(p)));
  assert.deepEqual(r.events.map((e) => e.source.line), [1, 2]);
  assert.equal(r.events[1].doc.p, 'caf\ufffd.exe');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.warnings.map((w) => [w.line, w.severity]), [[2, 'warning']]);
  assert.equal(seen.length, 1);
  assert.ok(seen[0].startsWith(`${path}:2: warning: invalid UTF-8 (byte 0xE9) at column 10; `), seen[0]);
  // A U+FFFD written in the file (EF BF BD) is well-formed UTF-8: no warning.
  const real = await readNdjsonFile(write('fffd.ndjson', '{"p":"caf\ufffd"}\n'));
  assert.deepEqual([real.events.length, real.warnings], [1, []]);
  // A truncated sequence (E2 82 without its third byte) before the closing quote: column 7.
  const cut = await readNdjsonFile(write('cut.ndjson', Buffer.concat([Buffer.from('{"p":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')])));
  assert.match(cut.warnings[0]?.message ?? '', /^invalid UTF-8 \(byte 0xE2\) at column 7;/);
});

test('a multi-byte character or a lone \\r split across read chunks is kept whole', async () => {
  // é is C3 A9; put C3 as the last byte of the first 64 KiB chunk.
  const pad = 65536 - '{"p":"'.length - 1;
  const path = write('split-utf8.ndjson', `{"p":"${'y'.repeat(pad)}é"}\n{"n":2}\n`);
  const r = await readNdjsonFile(path);
  assert.deepEqual(r.warnings, []);
  assert.equal((r.events[0].doc.p as string).slice(-2), 'yé');
  assert.deepEqual(r.events.map((e) => e.source.line), [1, 2]);
  // A lone \r as the last byte of the first chunk ends line 1; `{` starting the next chunk is line 2.
  const pad2 = 65536 - '{"p":"'.length - '"}'.length - 1;
  const lone = await readNdjsonFile(write('lone-cr.ndjson', `{"p":"${'z'.repeat(pad2)}"}\r{"n":2}\r\r{"n":4}`));
  assert.deepEqual(lone.events.map((e) => e.source.line), [1, 2, 4]);
  assert.deepEqual(lone.problems, []);
});

test('invalid JSON messages give a 1-based column and hold no control characters', async () => {
  // `{"a":1 "b"}`: the unexpected `"` is character 8 (1-based).
  const r = await readNdjsonFile(write('col.ndjson', '{"a":1 "b"}\n'));
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0].message, /^invalid JSON: .* at column 8$/);
  assert.doesNotMatch(r.problems[0].message, /position/);
  // Line 2 (beyond the first bytes examined for NULs) starts with NUL, then ESC sequences.
  const junk = Buffer.concat([Buffer.from(`{"pad":"${'p'.repeat(5000)}"}\n`), Buffer.from([0x00]), Buffer.from('\x1b[2J\x07 nope\n')]);
  const j = await readNdjsonFile(write('junk.ndjson', junk));
  assert.deepEqual(j.problems.map((p) => p.line), [2]);
  assert.doesNotMatch(j.problems[0].message, /[\u0000-\u001f\u007f-\u009f]/);
  assert.match(j.problems[0].message, /\\x00/);
  // parseNdjsonText gives the same message for the same line.
  assert.match(parseNdjsonText('{"a":1 "b"}', 'mem').problems[0].message, / at column 8$/);
});
