// Line splitting under a line-length limit: a line longer than the limit is told with its 1-based
// number and byte length and never assembled; the lines around it are read as usual. Expected values
// are counted by hand from the inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MAX_LINE_BYTES, openSampleContent, splitLines, type LineSkipper } from '../../../server/src/samples/lineReader';

async function* chunksOf(...parts: Array<string | Buffer>): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.isBuffer(p) ? p : Buffer.from(p);
}

async function split(limit: number, ...parts: Array<string | Buffer>): Promise<string[]> {
  const seen: string[] = [];
  await splitLines(chunksOf(...parts), (bytes, line) => seen.push(`${line}:${bytes.toString()}`), undefined, {
    maxLineBytes: limit,
    onOversizedLine: (line, bytes) => seen.push(`${line}:oversized ${bytes}`),
  });
  return seen;
}

test('the default limit is 100 MiB, Elasticsearch default http.max_content_length (100mb)', () => {
  assert.equal(MAX_LINE_BYTES, 104857600);
});

test('a line longer than the limit is told with its number and length; the others are read', async () => {
  // Line 2 is 16 bytes across two chunks, line 4 is 17 bytes without terminator; line 3 is exactly 10.
  assert.deepEqual(await split(10, '{"a":1}\n0123456789AB', 'CDEF\n{"b":2345}\r\n', '0123456789ABCDEFG'), [
    '1:{"a":1}',
    '2:oversized 16',
    '3:{"b":2345}',
    '4:oversized 17',
  ]);
  // Over the limit within one chunk, then a CR line end; a lone CR ends a line too.
  assert.deepEqual(await split(4, 'abcdef\r\nab\rabcde'), ['1:oversized 6', '2:ab', '3:oversized 5']);
});

test('a line of many chunks over the limit is dropped as it is read: 64 MiB without a newline, limit 1 MiB', async () => {
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  async function* stream(): AsyncGenerator<Buffer> {
    for (let i = 0; i < 256; i++) yield chunk;
    yield Buffer.from('\n{"after":1}\n');
  }
  const seen: string[] = [];
  await splitLines(stream(), (bytes, line) => seen.push(`${line}:${bytes.toString()}`), undefined, {
    maxLineBytes: 1024 * 1024,
    onOversizedLine: (line, bytes) => seen.push(`${line}:oversized ${bytes}`),
  });
  assert.deepEqual(seen, [`1:oversized ${64 * 1024 * 1024}`, '2:{"after":1}']);
});

// Byte offsets: each line's offset in the content, whatever the line terminators (`\n`, `\r\n`, a
// lone `\r`, as editors count lines) and wherever the chunks split. Expected values: the content
// itself (the bytes at each offset are the line) and the offsets counted by hand.
async function* chunksOfSize(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function linesWithOffsets(content: Buffer, size: number): Promise<Array<[string, number, number]>> {
  const out: Array<[string, number, number]> = [];
  await splitLines(chunksOfSize(content, size), (bytes, line, offset) => out.push([bytes.toString('utf8'), line, offset]));
  return out;
}

test('splitLines gives each line its byte offset, after a byte order mark, across \\n, \\r\\n and lone \\r, at every chunk size', async () => {
  const content = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\r\n{"b":"é"}\r\r\n{"c":3}\n\n{"d":4}')]);
  // Offsets by hand: BOM (3 bytes); {"a":1} at 3 (7 bytes + \r\n); {"b":"é"} at 12 (10 bytes: é is 2);
  // \r ends it at 22, the empty line 3 starts at 23 and ends at \r\n; {"c":3} at 25; blank line at 33; {"d":4} at 34.
  const expected: Array<[string, number, number]> = [
    ['{"a":1}', 1, 3],
    ['{"b":"é"}', 2, 12],
    ['', 3, 23],
    ['{"c":3}', 4, 25],
    ['', 5, 33],
    ['{"d":4}', 6, 34],
  ];
  for (const size of [1, 2, 3, 5, 8, 13, content.length]) {
    const lines = await linesWithOffsets(content, size);
    assert.deepEqual(lines, expected, `chunks of ${size}`);
    for (const [text, , offset] of lines) assert.equal(content.subarray(offset, offset + Buffer.byteLength(text)).toString('utf8'), text);
  }
});

// A skipper (the chunk prefilter's hook): here the lines to visit are those holding an `X` (found
// by a plain search over the chunk) and those starting with `#` (refused by `skip`); every other
// line is passed over, still numbered. Expected lines and offsets by hand; at every chunk size the
// visited lines are the same, with their numbers and offsets.
function xSkipper(skipped: string[]): LineSkipper {
  return {
    lines: (chunk) => (at) => chunk.indexOf(0x58, at),
    skip: (chunk, start, end) => {
      if (chunk[start] === 0x23) return false;
      skipped.push(chunk.toString('utf8', start, end));
      return true;
    },
  };
}

test('a skipper passes over lines without a hit, at every chunk size: hits at a line\'s first and last byte, \\n, \\r\\n, lone \\r, no final terminator', async () => {
  // Line 1 is always visited (it may open with a byte order mark); line 2 has X first, line 4 last;
  // line 6 starts with # (refused by skip); line 7 (X) ends the content without terminator.
  const content = Buffer.from('aaa\nXbb\r\nccc\rddX\neee\r\n#ff\nggX');
  const expected: Array<[string, number, number]> = [
    ['aaa', 1, 0],
    ['Xbb', 2, 4],
    ['ddX', 4, 13],
    ['#ff', 6, 22],
    ['ggX', 7, 26],
  ];
  // Lines 3 and 5 are passed over when they lie whole in one chunk, else visited (as they would be).
  const passable: Array<[string, number, number]> = [
    ['ccc', 3, 9],
    ['eee', 5, 17],
  ];
  for (let size = 1; size <= content.length; size++) {
    const visited: Array<[string, number, number]> = [];
    const skipped: string[] = [];
    await splitLines(chunksOfSize(content, size), (bytes, line, offset) => visited.push([bytes.toString('utf8'), line, offset]), undefined, { skipper: xSkipper(skipped) });
    const all = [...expected, ...passable].sort((a, b) => a[1] - b[1]);
    assert.deepEqual(visited, all.filter(([text]) => !skipped.includes(text)), `chunks of ${size}`);
    for (const line of skipped) assert.ok(line === 'ccc' || line === 'eee', `chunks of ${size}: ${line}`);
    if (size === content.length) assert.deepEqual(skipped, ['ccc', 'eee']);
  }
});

test('a skipper never passes over a line over the length limit: it is told as oversized', async () => {
  const seen: string[] = [];
  const skipped: string[] = [];
  await splitLines(chunksOf('{"a":1}\nabcdefghijk\nabc\n'), (bytes, line) => seen.push(`${line}:${bytes.toString()}`), undefined, {
    maxLineBytes: 10,
    onOversizedLine: (line, bytes) => seen.push(`${line}:oversized ${bytes}`),
    skipper: xSkipper(skipped),
  });
  assert.deepEqual(seen, ['1:{"a":1}', '2:oversized 11']);
  assert.deepEqual(skipped, ['abc']);
});

test('a file read into one reused buffer (reuseChunks) gives its content chunk by chunk; a gzip file is inflated whole all the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eqlwb-reuse-'));
  try {
    const content = Buffer.from(Array.from({ length: 500 }, (_, i) => `{"n":${i}}\n`).join(''));
    const plain = join(dir, 'a.ndjson');
    const zipped = join(dir, 'a.ndjson.gz');
    writeFileSync(plain, content);
    writeFileSync(zipped, gzipSync(content));
    for (const file of [plain, zipped]) {
      const reading = { chunkBytes: 100, reuseChunks: true };
      const copies: Buffer[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const chunk of await openSampleContent(file, undefined, undefined, reading)) {
        copies.push(Buffer.from(chunk));
        buffers.add(chunk.buffer);
      }
      assert.deepEqual(Buffer.concat(copies), content, file);
      // The plain file's 100-byte chunks all come in one buffer, read again and again.
      if (file === plain) assert.equal(buffers.size, 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
