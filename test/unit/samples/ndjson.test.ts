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
  assert.deepEqual(await readNdjsonFile(write('empty.ndjson', '')), { events: [], problems: [] });
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
