// A JSON array's elements, split from the raw bytes for the replay, must be the events the
// streaming JSON library reads from the same array (`readJsonDocuments`, an outside parser), at the
// same lines, however the array is written (compact, one element per line, pretty-printed) and cut
// into chunks. Problems are checked on hand-written arrays whose lines are counted by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze } from '../../../server/src/eql/analyze';
import type { EventRecord } from '../../../server/src/engine/types';
import { splitJsonArray } from '../../../server/src/samples/jsonArrayElements';
import { detectSampleFormat, readJsonDocuments } from '../../../server/src/samples/jsonDocuments';
import type { NdjsonProblem } from '../../../server/src/samples/ndjson';
import { replaySamples } from '../../../server/src/samples/pipeline';

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** The events of an array as the replay reads them (every element parsed). */
async function replayed(text: string) {
  const events: EventRecord[] = [];
  const { statement } = analyze('any where true');
  const out = await replaySamples({ statement: statement!, sources: [{ path: 'a.json', text }], options: {}, categoryOptionName: 'x', onEvent: (e) => events.push(e) });
  return { events: events.map((e) => [e.source.line, e.index, e.doc]), problems: out.problems.map((p) => [p.line, p.severity]) };
}

/** The events of an array as the streaming JSON library reads them. */
async function library(text: string) {
  const events: EventRecord[] = [];
  const problems: NdjsonProblem[] = [];
  await readJsonDocuments(chunked(Buffer.from(text), 7), 'json-array', 'a.json', (e) => events.push(e), (p) => problems.push(p));
  return { events: events.map((e) => [e.source.line, e.index, e.doc]), problems: problems.map((p) => [p.line, p.severity]) };
}

const text = fc.constantFrom('a', 'b"c', 'd\\e', '[', '}', ',', ']', '{', 'é', '\u2028', '');
const value = fc.oneof(text, fc.integer(), fc.constant(null), fc.boolean());
const doc = fc.dictionary(fc.constantFrom('x', 'y.z', 'process', '_id'), fc.oneof(value, fc.array(value, { maxLength: 2 }), fc.dictionary(fc.constantFrom('name', '}'), value)), { maxKeys: 3 });
const element = fc.oneof(
  doc,
  doc,
  fc.record({ _index: fc.constantFrom('logs-a', '.ds-logs-b-c-2024.01.01-000001'), _id: text, _source: doc }, { requiredKeys: ['_source'] }),
  value,
);

test('random arrays: the replay reads the events the streaming JSON library reads, at the same lines', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(element, { maxLength: 6 }), fc.constantFrom('compact', 'lines', 'pretty'), async (elements, style) => {
      const json =
        style === 'compact' ? JSON.stringify(elements) : style === 'pretty' ? JSON.stringify(elements, null, 2) : `[\n${elements.map((e) => `  ${JSON.stringify(e)}`).join(',\n')}\n]\n`;
      const expected = await library(json);
      assert.deepEqual(await replayed(json), expected, json);
    }),
    { numRuns: 400 },
  );
});

test('the elements are the same whatever the chunks: a chunk boundary inside a string, after a backslash, inside a number', async () => {
  const text = '[{"a":"x\\\\\\"y"},\n 12345,\n {"b":[1,{"c":"]"}]}]';
  const whole: Array<[string, number]> = [];
  await splitJsonArray(chunked(Buffer.from(text), text.length), 'a.json', (b, l) => whole.push([b.toString(), l]), () => assert.fail());
  assert.deepEqual(whole, [
    ['{"a":"x\\\\\\"y"}', 1],
    ['12345', 2],
    ['{"b":[1,{"c":"]"}]}', 3],
  ]);
  for (let size = 1; size < 12; size++) {
    const split: Array<[string, number]> = [];
    await splitJsonArray(chunked(Buffer.from(text), size), 'a.json', (b, l) => split.push([b.toString(), l]), () => assert.fail());
    assert.deepEqual(split, whole, `chunks of ${size} bytes`);
  }
});

test('what ends the reading: junk between elements, a cut array, a too-large element; the elements before are kept', async () => {
  const problems = async (text: string, max?: number) => {
    const out: Array<[number, string]> = [];
    const lines: number[] = [];
    await splitJsonArray(chunked(Buffer.from(text), 5), 'a.json', (_b, l) => lines.push(l), (p) => out.push([p.line, p.message]), undefined, max);
    return { lines, out };
  };
  // Line 2: a missing comma before the second element.
  assert.deepEqual(await problems('[\n{"a":1} {"b":2},\n{"c":3}]'), {
    lines: [2],
    out: [[2, "invalid JSON: expected ',' or ']' after an array element, found '{'; the rest of the file is not read"]],
  });
  assert.deepEqual(await problems('[{"a":1},\n{"b":'), { lines: [1], out: [[2, 'invalid JSON: the document ends before it is complete (truncated?)']] });
  assert.deepEqual(await problems('[{"a":1},]'), { lines: [1], out: [[1, "invalid JSON: expected an array element, found ']'; the rest of the file is not read"]] });
  assert.deepEqual(await problems('[{"a":1}] x'), { lines: [1], out: [[1, "invalid JSON: unexpected 'x' after the end of the array; the rest of the file is not read"]] });
  // An element of 13 bytes over a limit of 12, starting on line 2.
  assert.deepEqual(await problems('[{"a":1},\n{"b":"12345"},{"c":3}]', 12), {
    lines: [1],
    out: [[2, 'a document larger than 12 bytes starts here; it and the rest of the file are not read']],
  });
  assert.deepEqual(await problems('[]'), { lines: [], out: [] });
});

test('the prefilter applies to array elements: an element without the rule\'s literals is skipped unparsed', async () => {
  const elements = [
    { '@timestamp': 1, event: { category: 'process' }, process: { name: 'cmd.exe' } },
    { '@timestamp': 2, event: { category: 'process' }, process: { name: 'whoami.exe' } },
  ];
  const { statement } = analyze('process where process.name == "whoami.exe"');
  const out = await replaySamples({ statement: statement!, sources: [{ path: 'a.json', text: JSON.stringify(elements, null, 2) }], options: {}, categoryOptionName: 'x' });
  assert.equal(out.events, 2);
  assert.equal(out.prefiltered, 1);
  // The second element opens on line 11 (9 lines per element, after the `[` line).
  assert.deepEqual(out.matches.map((m) => m.events[0].event!.source.line), [11]);
});

// JSON objects: search and _eql/search responses, pretty-printed documents, concatenated streams.
const hit = fc.record({ _index: fc.constantFrom('logs-a', '.ds-logs-b-c-2024.01.01-000001'), _id: text, _source: doc }, { requiredKeys: ['_source'] });
const topLevel = fc.oneof(
  doc,
  fc.record({ took: fc.integer(), hits: fc.record({ total: fc.constant({ value: 1 }), hits: fc.array(fc.oneof(hit, hit, value), { maxLength: 4 }) }) }),
  fc.record({ hits: fc.record({ events: fc.array(hit, { maxLength: 3 }) }), is_partial: fc.boolean() }),
  fc.record({ hits: fc.record({ sequences: fc.array(fc.record({ join_keys: fc.constant(['h']), events: fc.array(hit, { maxLength: 3 }) }), { maxLength: 2 }) }) }),
  // Not responses: `hits` that is no object, or holds no such array.
  fc.record({ hits: fc.oneof(value, fc.record({ count: fc.integer() })), x: text }),
);

/** The events of JSON objects as the replay reads them, and as the streaming JSON library reads them. */
async function objects(text: string) {
  const events: EventRecord[] = [];
  const { statement } = analyze('any where true');
  const out = await replaySamples({ statement: statement!, sources: [{ path: 'a.json', text }], options: {}, categoryOptionName: 'x', onEvent: (e) => events.push(e) });
  const expected: EventRecord[] = [];
  const problems: NdjsonProblem[] = [];
  await readJsonDocuments(chunked(Buffer.from(text), 7), 'json-objects', 'a.json', (e) => expected.push(e), (p) => problems.push(p));
  const shape = (es: EventRecord[]) => es.map((e) => [e.source.line, e.index, e.doc]);
  return { actual: { events: shape(events), problems: out.problems.map((p) => [p.line, p.severity]) }, expected: { events: shape(expected), problems: problems.map((p) => [p.line, p.severity]) } };
}

test('random JSON objects (responses, documents, streams of them): the replay reads the events the streaming JSON library reads', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(topLevel, { minLength: 1, maxLength: 3 }), fc.constantFrom('pretty', 'glued'), async (values, style) => {
      // The first value pretty-printed, so that the content is told to be JSON objects.
      const json = values.map((v, i) => JSON.stringify(v, null, style === 'pretty' || i === 0 ? 2 : undefined)).join(style === 'pretty' ? '\n' : '');
      fc.pre(detectSampleFormat(Buffer.from(json)) === 'json-objects');
      const { actual, expected } = await objects(json);
      assert.deepEqual(actual, expected, json);
    }),
    { numRuns: 400 },
  );
});
