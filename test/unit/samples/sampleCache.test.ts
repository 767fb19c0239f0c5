// The cache of parsed sample files behind re-runs: its budget and least-recently-used eviction
// (hand-worked sizes), and replays over it: a re-run gives what a fresh replay of the same files
// gives, a changed file (on disk or as unsaved text) is read again alone, a file too large for the
// budget streams as before. Expected matches are hand-worked from the fixtures (EQL syntax
// reference: `==` compares case-sensitively; a sequence by host.id pairs events of one host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyze } from '../../../server/src/eql/analyze';
import type { EventRecord } from '../../../server/src/engine/types';
import { replaySamples, type SampleSource } from '../../../server/src/samples/pipeline';
import { estimateSampleBytes, SampleCache, type CachedSample } from '../../../server/src/samples/sampleCache';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-cache-'));
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
const proc = (t: number, host: string, name: string) => ({ '@timestamp': t, event: { category: 'process' }, host: { id: host }, process: { name } });
const entry = (key: string, bytes: number): CachedSample => ({ key, events: [], problems: [], warnings: [], bytes });
const lines = (m: { events: Array<{ event?: EventRecord }> }) => m.events.map((e) => `${e.event!.source.file.slice(dir.length + 1)}:${e.event!.source.line}`);

function replay(query: string, sources: SampleSource[], cache?: SampleCache) {
  return replaySamples({ statement: statementOf(query), sources, options: {}, categoryOptionName: 'x', cache });
}

test('the cache holds entries within its budget and evicts the least recently used first', () => {
  const cache = new SampleCache(100);
  assert.ok(cache.set('a', entry('ka', 40)));
  assert.ok(cache.set('b', entry('kb', 40)));
  assert.equal(cache.usedBytes, 80);
  // Using "a" makes "b" the least recently used: adding 40 more bytes (120 > 100) evicts "b".
  assert.ok(cache.get('a', 'ka'));
  assert.ok(cache.set('c', entry('kc', 40)));
  assert.deepEqual(cache.paths(), ['a', 'c']);
  assert.equal(cache.usedBytes, 80);
  // An entry larger than the whole budget is refused and evicts nothing.
  assert.equal(cache.set('d', entry('kd', 101)), false);
  assert.deepEqual(cache.paths(), ['a', 'c']);
  // A smaller budget evicts until the rest fits (least recently used first: "a").
  cache.setBudget(50);
  assert.deepEqual(cache.paths(), ['c']);
  assert.equal(cache.usedBytes, 40);
});

test('a lookup with another content key drops that file only', () => {
  const cache = new SampleCache(1000);
  cache.set('a', entry('v1', 10));
  cache.set('b', entry('v1', 20));
  assert.equal(cache.get('a', 'v2'), undefined);
  assert.deepEqual(cache.paths(), ['b']);
  assert.equal(cache.usedBytes, 20);
  assert.equal(cache.get('b', 'v1')?.bytes, 20);
});

test('a re-run with another rule comes from the cache and matches as a fresh replay', async () => {
  const a = write('a.ndjson', ndjson([proc(1, 'h1', 'cmd.exe'), proc(2, 'h1', 'whoami.exe'), proc(3, 'h2', 'whoami.exe')]));
  const cache = new SampleCache(1 << 20);
  const first = await replay('process where process.name == "cmd.exe"', [{ path: a }], cache);
  assert.equal(first.cachedFiles, 0);
  assert.deepEqual(first.matches.map(lines), [['a.ndjson:1']]);
  // The edited rule needs events the first one did not keep: the cache holds them all.
  const rule = 'sequence by host.id [process where process.name == "cmd.exe"] [process where process.name == "whoami.exe"]';
  const second = await replay(rule, [{ path: a }], cache);
  assert.equal(second.cachedFiles, 1);
  assert.equal(second.events, 3);
  assert.deepEqual(second.matches.map(lines), [['a.ndjson:1', 'a.ndjson:2']]);
  const fresh = await replay(rule, [{ path: a }]);
  assert.deepEqual(second.matches.map(lines), fresh.matches.map(lines));
});

test('skipped lines and gzip truncation are reported again on a cached re-run', async () => {
  const full = gzipSync(ndjson([proc(1, 'h', 'a'), proc(2, 'h', 'b')]) + '{broken\n' + ndjson([proc(3, 'h', 'a')]));
  // Cut before the gzip trailer: the complete lines are read, the stream is truncated.
  const gz = write('cut.ndjson.gz', full.subarray(0, full.length - 8));
  const cache = new SampleCache(1 << 20);
  const query = 'process where process.name == "a"';
  const first = await replay(query, [{ path: gz }], cache);
  const second = await replay(query, [{ path: gz }], cache);
  assert.equal(second.cachedFiles, 1);
  for (const out of [first, second]) {
    assert.deepEqual(out.problems.map((p) => [p.line, p.severity]), [[3, 'error']]);
    assert.equal(out.warnings.filter((w) => /truncated/.test(w)).length, 1);
  }
  assert.deepEqual(second.matches.map(lines), first.matches.map(lines));
});

test('a file changed on disk is read again, the other file still comes from the cache', async () => {
  const a = write('two-a.ndjson', ndjson([proc(1, 'h', 'x')]));
  const b = write('two-b.ndjson', ndjson([proc(2, 'h', 'y')]));
  const cache = new SampleCache(1 << 20);
  const query = 'process where process.name == "z"';
  assert.deepEqual((await replay(query, [{ path: a }, { path: b }], cache)).matches, []);
  write('two-b.ndjson', ndjson([proc(2, 'h', 'y'), proc(3, 'h', 'z')]));
  const after = await replay(query, [{ path: a }, { path: b }], cache);
  assert.equal(after.cachedFiles, 1);
  assert.deepEqual(after.matches.map(lines), [['two-b.ndjson:2']]);
  assert.equal(after.events, 3);
  // Both are cached now.
  assert.equal((await replay(query, [{ path: a }, { path: b }], cache)).cachedFiles, 2);
});

test('an unsaved text is cached by its content: another text is parsed again', async () => {
  const path = join(dir, 'open.ndjson');
  const cache = new SampleCache(1 << 20);
  const query = 'process where process.name == "z"';
  const v1 = ndjson([proc(1, 'h', 'x')]);
  await replay(query, [{ path, text: v1 }], cache);
  assert.equal((await replay(query, [{ path, text: v1 }], cache)).cachedFiles, 1);
  const v2 = ndjson([proc(1, 'h', 'z')]);
  const edited = await replay(query, [{ path, text: v2 }], cache);
  assert.equal(edited.cachedFiles, 0);
  assert.deepEqual(edited.matches.map(lines), [['open.ndjson:1']]);
});

test('files larger than the budget are not cached and still replay in full', async () => {
  const docs = Array.from({ length: 50 }, (_, i) => proc(i, 'h', i === 49 ? 'z' : 'x'));
  const big = write('big.ndjson', ndjson(docs));
  const small = write('small.ndjson', ndjson([proc(100, 'h', 'z')]));
  const smallBytes = estimateSampleBytes(ndjson([proc(100, 'h', 'z')]).length, 1);
  // Room for the small file only.
  const cache = new SampleCache(smallBytes + 10);
  const query = 'process where process.name == "z"';
  for (let run = 0; run < 2; run++) {
    const out = await replay(query, [{ path: big }, { path: small }], cache);
    assert.deepEqual(out.matches.map(lines), [['big.ndjson:50'], ['small.ndjson:1']]);
    assert.equal(out.events, 51);
    assert.equal(out.cachedFiles, run);
  }
  assert.deepEqual(cache.paths(), [small]);
  assert.equal(cache.usedBytes, smallBytes);
});
