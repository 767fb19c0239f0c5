// Integers beyond 2^53 in sample logs are read exactly. Expected values are hand-worked from the
// JSON text (RFC 8259 §6: a number is its decimal digits; a double keeps 53 bits, so
// 9007199254740993 = 2^53 + 1 has no double of its own) and from Elasticsearch's integer types:
// `long` from -2^63 to 2^63 - 1, `unsigned_long` up to 2^64 - 1 (docs "Numeric field types");
// an integer beyond that is read as a double (`StringUtils.parseIntegral`, then `parseDouble`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNdjsonLine, parseNdjsonText } from '../../../server/src/samples/ndjson';
import { readJsonDocuments } from '../../../server/src/samples/jsonDocuments';
import { exactNumber, mayHoldUnsafeInteger, parseJsonExact } from '../../../server/src/samples/exactJson';

const docOf = (line: string) => {
  const r = parseNdjsonLine(line);
  assert.ok(r && 'doc' in r, r && 'error' in r ? r.error : 'blank');
  return r.doc;
};

test('2^53 + 1 and 2^53 read as two different exact integers', () => {
  const a = docOf('{"process":{"pid":9007199254740993}}');
  const b = docOf('{"process":{"pid":9007199254740992}}');
  assert.equal((a.process as { pid: unknown }).pid, 9007199254740993n);
  assert.equal((b.process as { pid: unknown }).pid, 9007199254740992n);
  assert.notEqual((a.process as { pid: unknown }).pid, (b.process as { pid: unknown }).pid);
});

test('ordinary numbers stay numbers; the exact path reads the same values as JSON.parse elsewhere', () => {
  assert.deepEqual(docOf('{"a":1,"b":-2.5,"c":[1e3,9007199254740991],"d":"12345678901234567890"}'), {
    a: 1,
    b: -2.5,
    c: [1000, 9007199254740991],
    d: '12345678901234567890',
  });
  // 16 digits in a string route the line to the exact parser: the values are the same.
  assert.equal(mayHoldUnsafeInteger('{"d":"12345678901234567890"}'), true);
  assert.equal(mayHoldUnsafeInteger('{"pid":4242,"name":"a.exe","port":5985}'), false);
  assert.deepEqual(parseJsonExact('{"x":0.12345678901234567,"y":[12345678901234567]}'), { x: JSON.parse('0.12345678901234567'), y: [12345678901234567n] });
});

test('the 64-bit bounds: long and unsigned_long exactly, beyond 2^64 - 1 a double', () => {
  assert.equal(exactNumber('-9223372036854775808'), -(2n ** 63n));
  assert.equal(exactNumber('9223372036854775807'), 2n ** 63n - 1n);
  assert.equal(exactNumber('18446744073709551615'), 2n ** 64n - 1n);
  assert.equal(exactNumber('18446744073709551616'), 18446744073709551616);
  assert.equal(exactNumber('-9223372036854775809'), -9223372036854775809);
  assert.equal(exactNumber('9007199254740993.0'), 9007199254740992);
  assert.equal(exactNumber('9007199254740991'), 9007199254740991);
});

test('a line with a big integer keeps the usual errors: invalid JSON with its column, duplicate keys', () => {
  // Line 1: `{"pid":` is columns 1–7, the 16 digits 8–23, the comma 24, the `}` 25.
  const text = '{"pid":9007199254740993,}\n{"pid":9007199254740993,"pid":1}\n{"pid":9007199254740993}';
  const r = parseNdjsonText(text, 'x.ndjson');
  assert.deepEqual(
    r.problems.map((p) => [p.line, p.message]),
    [
      [1, 'invalid JSON: Expected double-quoted property name at column 25'],
      [2, "duplicate field 'pid' in one JSON object (Elasticsearch rejects such a document); the event is skipped"],
    ],
  );
  assert.deepEqual(r.events.map((e) => e.doc.pid), [9007199254740993n]);
});

test('JSON arrays and search responses read big integers exactly too', async () => {
  const docs: unknown[] = [];
  async function* chunks() {
    yield Buffer.from('[{"pid": 9007199254740993}, {"pid": 900719925474099');
    yield Buffer.from('2}, {"pid": 5.5}]');
  }
  await readJsonDocuments(chunks(), 'json-array', 'a.json', (e) => docs.push(e.doc), (p) => assert.fail(p.message));
  assert.deepEqual(docs, [{ pid: 9007199254740993n }, { pid: 9007199254740992n }, { pid: 5.5 }]);
});

test('the raw-line check finds every run of 16 digits wherever it lies, and no shorter run', () => {
  for (let len = 14; len <= 40; len++) {
    for (let at = 0; at < 40; at++) {
      const digits = '1'.repeat(len);
      // The run between other characters and shorter runs, at every offset.
      const line = `${'a'.repeat(at)}${digits}x123456789012345y`;
      assert.equal(mayHoldUnsafeInteger(line), len >= 16, `${len} digits at ${at}`);
    }
  }
  assert.equal(mayHoldUnsafeInteger('123456789012345 123456789012345'), false);
  assert.equal(mayHoldUnsafeInteger('1234567890123456'), true);
});
