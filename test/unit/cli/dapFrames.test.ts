// DAP framing (https://microsoft.github.io/debug-adapter-protocol/overview#base-protocol): header
// fields ended by \r\n, a blank line, then Content-Length bytes. Frames are built by hand here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DapFrameChecker } from '../../../server/src/cli/dapFrames';

const frame = (body: string, header = `Content-Length: ${Buffer.byteLength(body)}`) => `${header}\r\n\r\n${body}`;

test('well-formed frames pass whatever the chunking, byte by byte included, with other fields and UTF-8 bodies', () => {
  const stream = Buffer.from(
    frame('{"seq":1,"type":"request","command":"initialize"}') +
      frame('{"a":"é€😀\\r\\n\\r\\n"}', `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: ${Buffer.byteLength('{"a":"é€😀\\r\\n\\r\\n"}')}`) +
      frame('{"seq":3}'),
  );
  for (const size of [1, 2, 3, 7, 64, stream.length]) {
    const checker = new DapFrameChecker();
    for (let at = 0; at < stream.length; at += size) assert.equal(checker.feed(stream.subarray(at, at + size)), undefined, `chunks of ${size}`);
  }
  // A body holding \r\n\r\n (in a string) is body, not a header end.
  const checker = new DapFrameChecker();
  assert.equal(checker.feed(Buffer.from(frame('{"t":"\r\n\r\nContent-Type: x"}') + frame('{}'))), undefined);
});

test('a header without Content-Length, with one that is not a number of bytes, or without an end is named once', () => {
  const after = new DapFrameChecker();
  assert.equal(after.feed(Buffer.from(frame('{}'))), undefined);
  assert.equal(after.feed(Buffer.from('Content-Type: application/json\r\n\r\n{}')), 'a frame header has no Content-Length');
  assert.equal(after.feed(Buffer.from(frame('{}'))), undefined, 'reported once');
  for (const value of ['abc', '-5', '1.5', '']) {
    assert.equal(new DapFrameChecker().feed(Buffer.from(`Content-Length: ${value}\r\n\r\n{}`)), 'a frame header has no valid Content-Length', value);
  }
  // No space after the colon: the library does not read the field either.
  assert.equal(new DapFrameChecker().feed(Buffer.from('Content-Length:2\r\n\r\n{}')), 'a frame header has no Content-Length');
  const endless = new DapFrameChecker();
  assert.equal(endless.feed(Buffer.alloc(8192, 0x61)), undefined);
  assert.equal(endless.feed(Buffer.from('a')), 'a frame header is longer than 8192 bytes');
});
