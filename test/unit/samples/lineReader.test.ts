// Line splitting under a line-length limit: a line longer than the limit is told with its 1-based
// number and byte length and never assembled; the lines around it are read as usual. Expected values
// are counted by hand from the inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LINE_BYTES, splitLines } from '../../../server/src/samples/lineReader';

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
