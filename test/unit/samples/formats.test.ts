// Sample formats told from their content. The shapes are Elasticsearch's response bodies ("Search
// API" response: hits.hits[]._index/_id/_source; "EQL search API" response: hits.events[] for event
// queries, hits.sequences[].events[] for sequences); field lookup follows the mapping docs
// ("Object field type": `{"process.name": "x"}` and `{"process": {"name": "x"}}` index the same
// field). Expected lines are counted by hand in the fixtures below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyze } from '../../../server/src/eql/analyze';
import { detectSampleFormat } from '../../../server/src/samples/jsonDocuments';
import { replaySamples } from '../../../server/src/samples/pipeline';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-formats-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function replayed(query: string, path: string) {
  const { statement } = analyze(query);
  const out = await replaySamples({ statement: statement!, sources: [{ path }], options: {}, categoryOptionName: 'x' });
  return { out, at: out.matches.map((m) => m.events.map((e) => e.event!.source.line)) };
}

const HITS = `{
  "took": 3,
  "timed_out": false,
  "hits": {
    "total": { "value": 2, "relation": "eq" },
    "hits": [
      {
        "_index": ".ds-logs-endpoint.events.process-default-2024.01.01-000001",
        "_id": "a1",
        "_source": { "@timestamp": "2024-01-01T00:00:01Z", "event": { "category": "process" }, "process": { "name": "whoami.exe" } }
      },
      {
        "_index": ".ds-logs-endpoint.events.process-default-2024.01.01-000001",
        "_id": "a2",
        "_source": {
          "@timestamp": "2024-01-01T00:00:02Z",
          "event": { "category": "process" },
          "process.name": "whoami.exe"
        }
      }
    ]
  }
}
`;

test('a search response saved from Kibana Dev Tools: each hit is its _source, at the line where the hit starts', async () => {
  const path = write('search.json', HITS);
  assert.equal(detectSampleFormat(Buffer.from(HITS)), 'search-response');
  const { out, at } = await replayed('process where process.name == "whoami.exe"', path);
  // Hit 1 opens on line 7, hit 2 on line 12; the second uses a dotted key.
  assert.deepEqual(at, [[7], [12]]);
  assert.equal(out.events, 2);
  assert.deepEqual(out.problems, []);
});

test('an _eql/search response: events of an event query and of each sequence', async () => {
  const eql = JSON.stringify({
    is_partial: false,
    hits: {
      total: { value: 1 },
      sequences: [
        {
          join_keys: ['h'],
          events: [
            { _index: 'i', _id: '1', _source: { '@timestamp': 1, event: { category: 'network' }, host: { id: 'h' } } },
            { _index: 'i', _id: '2', _source: { '@timestamp': 2, event: { category: 'process' }, host: { id: 'h' } } },
          ],
        },
      ],
    },
  });
  const path = write('eql-response.json', eql);
  assert.equal(detectSampleFormat(Buffer.from(eql)), 'search-response');
  const { at } = await replayed('sequence by host.id [network where true] [process where true]', path);
  // One line: both events start on line 1.
  assert.deepEqual(at, [[1, 1]]);
  const events = write('eql-events.json', JSON.stringify({ hits: { events: [{ _index: 'i', _id: '1', _source: { '@timestamp': 1, event: { category: 'process' } } }] } }));
  assert.deepEqual((await replayed('process where true', events)).at, [[1]]);
});

test('a JSON array of documents, pretty-printed: lines where each document starts; a non-object element is reported', async () => {
  const text = '[\n  {"@timestamp": 1, "event": {"category": "process"}},\n  42,\n  {\n    "@timestamp": 2,\n    "event": {"category": "process"}\n  }\n]\n';
  const path = write('array.json', text);
  assert.equal(detectSampleFormat(Buffer.from(text)), 'json-array');
  const { out, at } = await replayed('process where true', path);
  assert.deepEqual(at, [[2], [4]]);
  assert.deepEqual(out.problems.map((p) => [p.line, /not a JSON object \(found a number\)/.test(p.message)]), [[3, true]]);
});

test('a truncated JSON document keeps the events read before the cut and says so', async () => {
  const path = write('cut.json', '[\n{"@timestamp": 1, "event": {"category": "process"}},\n{"@timestamp": 2, "event"');
  const { out, at } = await replayed('process where true', path);
  assert.deepEqual(at, [[2]]);
  assert.equal(out.problems.length, 1);
  assert.match(out.problems[0].message, /^invalid JSON/);
});

test('gzip-compressed hits are decompressed, then told apart by content', async () => {
  const path = write('search.json.gz', gzipSync(HITS));
  assert.deepEqual((await replayed('process where process.name == "whoami.exe"', path)).at, [[7], [12]]);
});

test('a mixed NDJSON file: dotted keys, nested objects and both in one document find the same field', async () => {
  const lines = [
    { '@timestamp': 1, 'event.category': 'process', 'process.parent.name': 'wsmprovhost.exe' },
    { '@timestamp': 2, event: { category: 'process' }, process: { parent: { name: 'wsmprovhost.exe' } } },
    { '@timestamp': 3, event: { category: 'process' }, process: { 'parent.name': 'wsmprovhost.exe' } },
    { '@timestamp': 4, event: { category: 'process' }, process: { parent: { name: 'explorer.exe' } } },
  ];
  const path = write('mixed.ndjson', lines.map((l) => JSON.stringify(l)).join('\n'));
  assert.equal(detectSampleFormat(Buffer.from(JSON.stringify(lines[0]) + '\n')), 'ndjson');
  assert.deepEqual((await replayed('process where process.parent.name : "WSMPROVHOST.EXE"', path)).at, [[1], [2], [3]]);
});

test('NDJSON whose first line is malformed stays NDJSON: the line is reported, the next ones read', async () => {
  const text = '{"a": 1 "b"}\n{"@timestamp": 1, "event": {"category": "process"}}\n';
  assert.equal(detectSampleFormat(Buffer.from(text)), 'ndjson');
  const path = write('bad-first.ndjson', text);
  const { statement } = analyze('process where true');
  const out = await replaySamples({ statement: statement!, sources: [{ path }], options: {}, categoryOptionName: 'x', prefilter: false });
  assert.deepEqual(out.problems.map((p) => p.line), [1]);
  assert.equal(out.matches.length, 1);
});
