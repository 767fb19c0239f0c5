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
import { constants as zlibConstants, gzipSync } from 'node:zlib';
import { analyze } from '../../../server/src/eql/analyze';
import { detectSampleFormat } from '../../../server/src/samples/jsonDocuments';
import { parseNdjsonText, readNdjsonFile } from '../../../server/src/samples/ndjson';
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
  assert.equal(detectSampleFormat(Buffer.from(HITS)), 'json-objects');
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
  assert.equal(detectSampleFormat(Buffer.from(eql)), 'json-objects');
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

// Three event documents as `JSON.stringify(doc, null, 2)` (and Python's json.dumps(indent=2), and
// `jq .`) write them: 9 lines each, so they start on lines 1, 10 and 19 when concatenated.
const PRETTY = [0, 1, 2].map((i) =>
  JSON.stringify({ '@timestamp': `2024-01-01T00:00:0${i}Z`, event: { category: 'process' }, process: { name: `n${i}` } }, null, 2),
);

test('one pretty-printed event document is read as one event', async () => {
  const text = `${PRETTY[0]}\n`;
  assert.equal(text.split('\n').length - 1, 9);
  const path = write('one.json', text);
  assert.equal(detectSampleFormat(Buffer.from(text)), 'json-objects');
  const { out, at } = await replayed('process where process.name == "n0"', path);
  assert.deepEqual(at, [[1]]);
  assert.equal(out.events, 1);
  assert.deepEqual(out.problems, []);
});

test('a concatenated stream of pretty-printed documents (jq .): every document, at the line where it starts', async () => {
  const path = write('jq.json', PRETTY.map((d) => `${d}\n`).join(''));
  const { out, at } = await replayed('process where true', path);
  assert.deepEqual(at, [[1], [10], [19]]);
  assert.equal(out.events, 3);
  assert.deepEqual(out.problems, []);
  // Without newlines between them too (`{…}{…}`).
  assert.equal((await replayed('process where true', write('glued.json', PRETTY.join('')))).out.events, 3);
});

test('a broken document in a stream: the documents before it are kept, the error names its line and where the document starts', async () => {
  // The second document loses its closing brace (line 18 would hold it): the third's `{` on line
  // 18 is where the parser fails, inside the document opened on line 10.
  const broken = PRETTY[1].slice(0, -2);
  const text = `${PRETTY[0]}\n${broken}\n${PRETTY[2]}\n`;
  const path = write('broken.json', text);
  const { out, at } = await replayed('process where true', path);
  assert.deepEqual(at, [[1]]);
  assert.equal(out.problems.length, 1);
  assert.equal(out.problems[0].line, 18);
  assert.match(out.problems[0].message, /^invalid JSON \(in the document starting at line 10\): .*the rest of the file is not read/);
});

test('search responses whose hits have only _source (filter_path=hits.hits._source, or took and hits) are read hit by hit', async () => {
  const source = (i: number) => ({ '@timestamp': i, event: { category: 'process' }, process: { name: `n${i}` } });
  const filtered = JSON.stringify({ hits: { hits: [{ _source: source(1) }, { _source: source(2) }] } });
  assert.equal(detectSampleFormat(Buffer.from(filtered)), 'json-objects');
  const one = await replayed('process where process.name == "n2"', write('filtered.json', filtered));
  assert.deepEqual(one.at, [[1]]);
  assert.equal(one.out.events, 2);
  // Pretty-printed with `took`: hit 1 opens on line 5, hit 2 on line 16 (11 lines per hit).
  const took = JSON.stringify({ took: 1, hits: { hits: [{ _source: source(1) }, { _source: source(2) }] } }, null, 2);
  const two = await replayed('process where true', write('took.json', took));
  assert.deepEqual(two.at, [[5], [16]]);
  assert.equal(two.out.events, 2);
  // A response with no hits has no events (it is not itself an event).
  assert.equal((await replayed('any where true', write('empty.json', JSON.stringify({ took: 1, hits: { hits: [] } }, null, 2)))).out.events, 0);
});

test('a truncated gzip file: its complete lines are replayed, the partial last line dropped, and a warning names the file', async () => {
  const line = (i: number) => JSON.stringify({ '@timestamp': i, event: { category: 'process' }, process: { name: `n${i}` } });
  // Three complete lines and half of a fourth, compressed without the final block and trailer
  // (Z_SYNC_FLUSH at the end): the stream `zcat` reports as "unexpected end of file".
  const content = `${line(1)}\n${line(2)}\n${line(3)}\n${line(4).slice(0, 20)}`;
  const path = write('cut.ndjson.gz', gzipSync(content, { finishFlush: zlibConstants.Z_SYNC_FLUSH }));
  const { out, at } = await replayed('process where true', path);
  assert.deepEqual(at, [[1], [2], [3]]);
  assert.equal(out.events, 3);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(out.unreadable, []);
  assert.equal(out.warnings.length, 1);
  assert.ok(out.warnings[0].startsWith(`${path}: the gzip file is truncated`), out.warnings[0]);
  // The same file read whole (readNdjsonFile): three events and a warning at line 4.
  const read = await readNdjsonFile(path);
  assert.equal(read.events.length, 3);
  assert.deepEqual(read.warnings.map((w) => [w.line, /truncated/.test(w.message)]), [[4, true]]);
  // Complete, the same content gives its four lines and no warning.
  const whole = await replayed('process where true', write('whole.ndjson.gz', gzipSync(`${line(1)}\n${line(2)}\n${line(3)}\n${line(4)}\n`)));
  assert.equal(whole.out.events, 4);
  assert.deepEqual(whole.out.warnings, []);
});

// The hits of HITS written one per line, as `jq -c '.hits.hits[]'` writes them, with a plain event
// document between them, a hit whose _source was left out of the search (`_source: false` in the
// request: the hit has no _source object), and a document that holds `_source` beside fields of its
// own (not a hit: `event` is no key of a hit).
const HIT_LINES = [
  JSON.stringify(JSON.parse(HITS).hits.hits[0]),
  JSON.stringify({ '@timestamp': '2024-01-01T00:00:03Z', event: { category: 'process' }, process: { name: 'whoami.exe' } }),
  JSON.stringify({ _score: 1.0, ...JSON.parse(HITS).hits.hits[1], sort: [1704067202000] }),
  JSON.stringify({ _index: 'logs-x', _id: 'a3', _source: null }),
  JSON.stringify({ _source: { process: { name: 'whoami.exe' } }, '@timestamp': '2024-01-01T00:00:04Z', event: { category: 'process' }, process: { name: 'whoami.exe' } }),
];

test('search hits one per NDJSON line (jq -c .hits.hits[]): each is its _source, and keeps its _index', async () => {
  const text = `${HIT_LINES.join('\n')}\n`;
  assert.equal(detectSampleFormat(Buffer.from(text)), 'ndjson');
  const path = write('hits.ndjson', text);
  const { out, at } = await replayed('process where process.name == "whoami.exe"', path);
  // Lines 1 and 3 are hits (their events have process.name); lines 2 and 5 are event documents.
  // Matches come in @timestamp order: 00:01 (line 1), 00:02 (line 3), 00:03 (line 2), 00:04 (line 5).
  assert.deepEqual(at, [[1], [3], [2], [5]]);
  // Line 4 holds none of the rule's literals: the prefilter skips it unparsed, unreported.
  assert.deepEqual(out.problems, []);
  const read = await readNdjsonFile(path);
  assert.deepEqual(read.problems.map((p) => [p.line, p.message]), [[4, 'a hit without a _source object (request _source in the search)']]);
  assert.deepEqual(
    read.events.map((e) => [e.source.line, e.index, e.doc['@timestamp']]),
    [
      [1, '.ds-logs-endpoint.events.process-default-2024.01.01-000001', '2024-01-01T00:00:01Z'],
      [2, undefined, '2024-01-01T00:00:03Z'],
      [3, '.ds-logs-endpoint.events.process-default-2024.01.01-000001', '2024-01-01T00:00:02Z'],
      [5, undefined, '2024-01-01T00:00:04Z'],
    ],
  );
  // The text of an open editor reads the same.
  assert.deepEqual(parseNdjsonText(text, 'hits.ndjson').events.map((e) => [e.source.line, e.index]), read.events.map((e) => [e.source.line, e.index]));
  // The _index of a hit line decides the index patterns, as for a response: endpoint events are
  // searched by logs-endpoint.*, not by logs-system.*; the plain documents carry no index (kept).
  const { statement } = analyze('process where true');
  const endpoint = await replaySamples({ statement: statement!, sources: [{ path }], options: {}, categoryOptionName: 'x', indexPatterns: ['logs-endpoint.*'] });
  assert.equal(endpoint.matches.length, 4);
  const system = await replaySamples({ statement: statement!, sources: [{ path }], options: {}, categoryOptionName: 'x', indexPatterns: ['logs-system.*'] });
  assert.deepEqual(system.matches.map((m) => m.events[0].event!.source.line), [2, 5]);
  assert.deepEqual([system.indexPatterns?.unmatched, system.indexPatterns?.withoutIndex], [2, 2]);
});
