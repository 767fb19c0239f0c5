/**
 * `splitLines`: each line's bytes, 1-based number and byte offset in the content, whatever the
 * line terminators (`\n`, `\r\n`, a lone `\r`, as editors count lines) and wherever the chunks split.
 * Expected values: the content itself (the bytes at each offset are the line) and the lines as
 * written by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitLines } from '../../../server/src/samples/lineReader';

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function linesOf(content: Buffer, size: number): Promise<Array<[string, number, number]>> {
  const out: Array<[string, number, number]> = [];
  await splitLines(chunksOf(content, size), (bytes, line, offset) => out.push([bytes.toString('utf8'), line, offset]));
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
    const lines = await linesOf(content, size);
    assert.deepEqual(lines, expected, `chunks of ${size}`);
    for (const [text, , offset] of lines) assert.equal(content.subarray(offset, offset + Buffer.byteLength(text)).toString('utf8'), text);
  }
});
