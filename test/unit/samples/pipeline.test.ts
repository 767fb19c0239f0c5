// The streaming sample pipeline: one reader for the command line and the editor. Expected values
// are hand-worked from the fixtures written below and the EQL docs ("EQL syntax reference":
// sequences order events by timestamp, whatever the file order; "EQL search": ties keep the
// implicit tiebreaker, here file then line order), and gzip from RFC 1952 (node:zlib writes it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyze } from '../../../server/src/eql/analyze';
import { ReplaySession } from '../../../server/src/engine/replay';
import type { EventRecord } from '../../../server/src/engine/types';
import { formatNdjsonProblem } from '../../../server/src/samples/ndjson';
import { replaySamples } from '../../../server/src/samples/pipeline';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-pipeline-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function statementOf(query: string) {
  const { statement, diagnostics } = analyze(query);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return statement!;
}

const ndjson = (docs: object[]) => docs.map((d) => JSON.stringify(d)).join('\n') + '\n';
const SEQUENCE = 'sequence by host.id [process where process.name == "a"] [process where process.name == "b"]';
const where = (m: { events: Array<{ event?: EventRecord }> }) => m.events.map((e) => `${e.event!.source.file.slice(dir.length + 1)}:${e.event!.source.line}`);

test('a sequence spanning two files whose events are out of timestamp order is found as in sorted input', async () => {
  // later.ndjson comes first but holds the later event "b"; earlier.ndjson holds "a".
  const later = write('later.ndjson', ndjson([{ '@timestamp': 20, event: { category: 'process' }, host: { id: 'h' }, process: { name: 'b' } }]));
  const earlier = write(
    'earlier.ndjson',
    ndjson([
      { '@timestamp': 30, event: { category: 'process' }, host: { id: 'x' }, process: { name: 'zzz' } },
      { '@timestamp': 10, event: { category: 'process' }, host: { id: 'h' }, process: { name: 'a' } },
    ]),
  );
  const out = await replaySamples({ statement: statementOf(SEQUENCE), sources: [{ path: later }, { path: earlier }], options: {}, categoryOptionName: 'x' });
  assert.deepEqual(out.matches.map(where), [['earlier.ndjson:2', 'later.ndjson:1']]);
  assert.equal(out.events, 3);
  assert.equal(out.files, 2);
});

test('only the events some filter of the rule passes are kept by the session', () => {
  const session = new ReplaySession(
    statementOf('sequence [process where process.name == "a"] [process where process.name == "b"] until [network where true]'),
    [],
    { relevantOnly: true },
  );
  const docs = [
    { '@timestamp': 1, event: { category: 'process' }, process: { name: 'a' } }, // stage 1
    { '@timestamp': 2, event: { category: 'process' }, process: { name: 'c' } }, // no filter
    { '@timestamp': 3, event: { category: 'file' } }, // no filter
    { '@timestamp': 4, event: { category: 'network' } }, // until
    { '@timestamp': 5, event: { category: 'process' }, process: { name: 'b' } }, // stage 2
  ];
  const kept = docs.map((doc, i) => session.add({ doc, source: { file: 'f', line: i + 1 } }));
  assert.deepEqual(kept, [true, false, false, true, true]);
  assert.equal(session.added, 5);
  assert.deepEqual(session.events.map((e) => e.record.source.line), [1, 4, 5]);
  // The until event at 4 lies between the two stages: no match (docs, "until" keyword).
  assert.deepEqual(session.finish().matches, []);
  assert.throws(() => session.add({ doc: {}, source: { file: 'f', line: 6 } }), /once stepping has started/);
});

test('a gzip-compressed file is recognised by its content, whatever its name', async () => {
  const gz = write('events.log', gzipSync(ndjson([{ '@timestamp': 1, event: { category: 'process' }, process: { name: 'a' } }, { nope: 1 }]) + '{bad\n'));
  const out = await replaySamples({ statement: statementOf('process where process.name == "a"'), sources: [{ path: gz }], options: {}, categoryOptionName: 'x' });
  assert.deepEqual(out.matches.map(where), [['events.log:1']]);
  assert.equal(out.events, 2);
  assert.deepEqual(
    out.problems.map((p) => [p.line, p.severity]),
    [[3, 'error']],
  );
});

test('an unreadable file is named and the others are still replayed; an open text replaces the file on disk', async () => {
  const good = write('good.ndjson', ndjson([{ '@timestamp': 1, event: { category: 'process' }, process: { name: 'on disk' } }]));
  const out = await replaySamples({
    statement: statementOf('process where true'),
    sources: [{ path: join(dir, 'missing.ndjson') }, { path: good, text: '\ufeff{"@timestamp": 2, "event": {"category": "process"}}\r\n\r\n{"@timestamp": 3, "event": {"category": "process"}}' }],
    options: {},
    categoryOptionName: 'x',
  });
  assert.deepEqual(out.unreadable.map((u) => [u.path.slice(dir.length + 1), /no such file/.test(u.reason)]), [['missing.ndjson', true]]);
  assert.deepEqual(out.matches.map(where), [['good.ndjson:1'], ['good.ndjson:3']]);
  assert.equal(out.files, 1);
});

test('the category warning is given when no event read has the category field', async () => {
  const f = write('nocat.ndjson', ndjson([{ '@timestamp': 1, kind: 'process' }]));
  const out = await replaySamples({ statement: statementOf('process where true'), sources: [{ path: f }], options: {}, categoryOptionName: 'the-option' });
  assert.equal(out.warnings.length, 1);
  assert.match(out.warnings[0], /no event has a "event.category" value .* set the-option/);
});

test('an aborted signal stops the replay with its reason', async () => {
  const lines: object[] = [];
  for (let i = 0; i < 20_000; i++) lines.push({ '@timestamp': i, event: { category: 'process' }, pad: 'x'.repeat(40) });
  const big = write('big.ndjson', ndjson(lines));
  const controller = new AbortController();
  const progress: number[] = [];
  await assert.rejects(
    replaySamples({
      statement: statementOf('process where true'),
      sources: [{ path: big }],
      options: {},
      categoryOptionName: 'x',
      signal: controller.signal,
      onProgress: (p) => {
        progress.push(p.events);
        if (progress.length === 1) controller.abort(new Error('stopped by the user'));
      },
    }),
    /stopped by the user/,
  );
  assert.equal(progress.length, 1);
  assert.ok(progress[0] > 0 && progress[0] < 20_000);
});

test('the prefilter skips lines the rule cannot use unparsed, yet a line that is not one {…} object is still parsed and reported', async () => {
  const f = write(
    'mixed.ndjson',
    [
      JSON.stringify({ '@timestamp': 1, event: { category: 'process' }, process: { name: 'a' } }),
      JSON.stringify({ '@timestamp': 2, event: { category: 'network' } }),
      '{"@timestamp": 3, "event": {"category": "fi', // truncated
      '{"a":1 "b"}', // malformed, but looks like one object and lacks "a"'s literal
    ].join('\n'),
  );
  const statement = statementOf('process where process.name == "a"');
  const fast = await replaySamples({ statement, sources: [{ path: f }], options: {}, categoryOptionName: 'x' });
  assert.deepEqual(fast.matches.map(where), [['mixed.ndjson:1']]);
  assert.equal(fast.prefiltered, 2);
  assert.equal(fast.events, 3);
  assert.deepEqual(fast.problems.map((p) => p.line), [3]);
  const full = await replaySamples({ statement, sources: [{ path: f }], options: {}, categoryOptionName: 'x', prefilter: false });
  assert.deepEqual(full.matches.map(where), [['mixed.ndjson:1']]);
  assert.deepEqual(full.problems.map((p) => p.line), [3, 4]);
  assert.equal(full.prefiltered, 0);
});

test('a line longer than the limit is skipped unread with a path:line warning; the lines around it replay', async () => {
  const a = JSON.stringify({ '@timestamp': 1, event: { category: 'process' }, process: { name: 'a' } });
  const big = JSON.stringify({ '@timestamp': 2, event: { category: 'process' }, process: { name: 'a', args: 'x'.repeat(500) } });
  const f = write('long.ndjson', `${a}\n${big}\n${a}\n`);
  const statement = statementOf('process where process.name == "a"');
  const seen: string[] = [];
  const r = await replaySamples({ statement, sources: [{ path: f }], options: {}, categoryOptionName: 'x', maxLineBytes: 200, onProblem: (p) => seen.push(formatNdjsonProblem(p)) });
  assert.deepEqual(r.matches.map(where), [['long.ndjson:1'], ['long.ndjson:3']]);
  assert.deepEqual(seen, [`${f}:2: warning: the line is ${Buffer.byteLength(big)} bytes long, more than the limit of 200 bytes; it is skipped unread`]);
  assert.equal(Buffer.byteLength(big), 580); // 80 bytes of JSON around the 500 x's, counted by hand
});

test('onEvent sees every event, also those no filter of the rule passes, none kept in the outcome', async () => {
  const f = write('seen.ndjson', ndjson([
    { '@timestamp': 1, event: { category: 'process' }, process: { name: 'a' } },
    { '@timestamp': 2, event: { category: 'network' } },
  ]));
  const seen: number[] = [];
  const r = await replaySamples({ statement: statementOf('process where process.name == "a"'), sources: [{ path: f }], options: {}, categoryOptionName: 'x', onEvent: (e) => seen.push(e.source.line) });
  assert.deepEqual(seen, [1, 2]);
  assert.equal(r.allEvents, undefined);
  assert.equal(r.prefiltered, 0);
});

test('a JSON array element larger than the limit is reported where it starts; the events before it replay, the rest is not read', async () => {
  const a = { '@timestamp': 1, event: { category: 'process' }, process: { name: 'a' } };
  const big = { '@timestamp': 2, event: { category: 'process' }, process: { name: 'a', args: 'x'.repeat(5000) } };
  // Line 1 `[`, lines 2-3 small documents, line 4 the big one, line 5 another small one.
  const f = write('array.json', `[\n${JSON.stringify(a)},\n${JSON.stringify(a)},\n${JSON.stringify(big)},\n${JSON.stringify(a)}\n]\n`);
  const seen: string[] = [];
  const r = await replaySamples({
    statement: statementOf('process where process.name == "a"'),
    sources: [{ path: f }],
    options: {},
    categoryOptionName: 'x',
    maxLineBytes: 1000,
    onProblem: (p) => seen.push(formatNdjsonProblem(p)),
  });
  assert.deepEqual(r.matches.map(where), [['array.json:2'], ['array.json:3']]);
  assert.deepEqual(seen, [`${f}:4: warning: a document larger than 1000 bytes starts here; it and the rest of the file are not read`]);
});
