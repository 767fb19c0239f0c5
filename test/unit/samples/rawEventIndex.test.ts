// The index of a raw NDJSON line, read without parsing the line whole, must be what the parsed
// event gives (`eventIndexOf` over `decodeNdjsonLine`): hand-written lines whose answers follow from
// Elasticsearch's backing index names (`.ds-<data stream>-<date>-<generation>`) and the ECS
// data_stream fields, then random lines written with the spellings JSON allows (whitespace, escapes
// other than \u, which the prefilter never leaves unparsed), compared with the parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { eventIndexOf } from '../../../server/src/samples/indexPatterns';
import { decodeNdjsonLine } from '../../../server/src/samples/ndjson';
import { rawEventIndex } from '../../../server/src/samples/rawEventIndex';

const raw = (line: string) => rawEventIndex(Buffer.from(line));

test('a hit line gives its _index; an event gives its data_stream fields; a line with neither gives none', () => {
  assert.deepEqual(raw('{"_index":".ds-logs-endpoint.events.process-default-2024.01.01-000001","_id":"a","_source":{"data_stream":{"type":"metrics"}}}'), {
    index: '.ds-logs-endpoint.events.process-default-2024.01.01-000001',
    dataStream: { name: 'logs-endpoint.events.process-default', exact: true, failureStore: false },
  });
  // A hit without _index: the data_stream fields of its _source.
  assert.deepEqual(raw('{"_id":"a","_source":{"data_stream.type":"logs","data_stream":{"dataset":"system.security"}}}'), {
    dataStream: { name: 'logs-system.security-*', exact: false, failureStore: false },
  });
  assert.deepEqual(raw('{ "message": "\\"data_stream\\":{}", "data_stream" : { "type" : "logs", "dataset" : "x", "namespace" : "default" } }'), {
    dataStream: { name: 'logs-x-default', exact: true, failureStore: false },
  });
  // `_index` inside an event document (not a hit), or a data_stream below the top: no index.
  assert.equal(raw('{"_index":"logs-a","event":{"category":"process"}}'), undefined);
  assert.equal(raw('{"process":{"data_stream":{"type":"logs"}}}'), undefined);
  assert.equal(raw('{"process":{"name":"cmd.exe"}}'), undefined);
  // Not an event: a hit whose _source is not an object, a line that is not an object.
  assert.equal(raw('{"_index":"logs-a","_source":null}'), null);
  assert.equal(raw('{"_index":"logs-a","_source":{}'), null);
  // A hit whose first key is not `_…`: still a hit.
  assert.deepEqual(raw('{"sort":[1],"_index":"winlogbeat-8","_source":{}}'), { index: 'winlogbeat-8' });
});

// Random lines: keys from the set that decides, values that may hold quotes and backslashes.
const text = fc.constantFrom('logs', 'a"b', 'c\\d', '', 'x,y}', 'system.security', 'default', '.ds-logs-a-b-2024.01.01-000001', 'r:logs-a');
const scalar = fc.oneof(text, fc.constantFrom(1, null, true, -2.5e3));
const dataStream = fc.dictionary(fc.constantFrom('type', 'dataset', 'namespace', 'other'), scalar, { maxKeys: 3 });
const doc = fc.record(
  {
    data_stream: fc.oneof(dataStream, scalar, fc.array(dataStream, { maxLength: 2 })),
    'data_stream.type': scalar,
    'data_stream.namespace': scalar,
    process: fc.record({ name: text, data_stream: dataStream }),
    message: text,
  },
  { requiredKeys: [] },
);
const line = fc.oneof(
  doc.map((d) => ({ value: d as unknown })),
  fc.record({ sort: fc.constant([1]), _index: scalar, _id: text, _source: fc.oneof(doc, scalar) }, { requiredKeys: ['_source'] }).map((h) => ({ value: h as unknown })),
  fc.record({ _index: scalar, _source: doc, event: text }, { requiredKeys: ['_source'] }).map((h) => ({ value: h as unknown })),
);

test('random lines: the raw index is the parsed event\'s, whatever the spacing', () => {
  fc.assert(
    fc.property(line, fc.constantFrom('', ' ', '\t', '  \r\n'), ({ value }, space) => {
      const json = JSON.stringify(value, null, space === '' ? undefined : space).replace(/\n/g, ' ');
      const decoded = decodeNdjsonLine(Buffer.from(json), 'x', 1);
      const expected = decoded.event ? eventIndexOf(decoded.event) : null;
      assert.deepEqual(rawEventIndex(Buffer.from(json)), expected, json);
    }),
    { numRuns: 1500 },
  );
});
