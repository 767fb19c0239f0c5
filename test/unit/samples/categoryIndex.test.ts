// Re-runs over cached samples that feed only the events of the rule's categories
// (`samples/categoryIndex.ts`) give exactly what a replay reading the files gives. The reference is
// the uncached replay itself (the engine, reading every line), over random files with multi-valued,
// differently-cased, non-string, null and missing categories, dotted and nested keys, unordered and
// tied timestamps, malformed lines and events without a timestamp; the rules cover an event query,
// a sequence with `until`, a missing-event stage, `any where`, a multi-valued category, a sample
// and a custom event category field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../server/src/eql/analyze';
import type { ReplayRunOptions } from '../../../server/src/engine/replay';
import { buildCategoryIndex, ruleCategories, selectCategories } from '../../../server/src/samples/categoryIndex';
import { replaySamples, type SampleReplayOutcome, type SampleSource } from '../../../server/src/samples/pipeline';
import { SampleCache, sampleContentKey } from '../../../server/src/samples/sampleCache';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-catindex-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function statementOf(query: string) {
  const { statement, diagnostics } = analyze(query);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), [], query);
  return statement!;
}

/** Mulberry32: a small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES: unknown[] = [
  'process',
  'network',
  'file',
  'Process',
  ['network', 'file'],
  ['process', 'process'],
  ['registry', 'network'],
  [],
  null,
  7,
  true,
  { nested: 'process' },
];

function sampleFile(rand: () => number, lines: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const r = rand();
    if (r < 0.03) {
      out.push('{"truncated": ');
      continue;
    }
    const doc: Record<string, unknown> = {
      host: { id: pick(['h1', 'h2']) },
      process: { name: pick(['a', 'b', 'stop']) },
      kind: pick(['process', 'network', 'file']),
    };
    if (r > 0.05) doc['@timestamp'] = Math.floor(rand() * 20);
    const category = r < 0.12 ? undefined : pick(CATEGORIES);
    if (category !== undefined) {
      if (rand() < 0.3) doc['event.category'] = category;
      else doc.event = { category };
    }
    out.push(JSON.stringify(doc));
  }
  return out.join('\n') + '\n';
}

const RULES = [
  'process where process.name == "a"',
  'process where true | tail 3',
  'sequence by host.id [process where process.name == "a"] [network where true] until [process where process.name == "stop"]',
  'sequence by host.id with maxspan=5ms [process where process.name == "a"] ![network where true] [file where true]',
  'any where process.name == "b"',
  'sequence [network where true] [file where true]',
  'registry where true',
  'sample by host.id [process where true] [network where true]',
  'Process where true',
];

/** The outcome's parts a re-run must reproduce (`prefiltered`/`cachedFiles` say how it was read). */
function visible(o: SampleReplayOutcome) {
  return { matches: o.matches, warnings: o.warnings, problems: o.problems, unreadable: o.unreadable, files: o.files, events: o.events };
}

async function run(query: string, sources: SampleSource[], options: ReplayRunOptions, cache?: SampleCache) {
  return replaySamples({ statement: statementOf(query), sources, options, categoryOptionName: 'x', cache, prefilter: cache ? undefined : false });
}

for (const seed of [1, 2, 3, 4, 5]) {
  test(`a cached re-run equals a replay reading the files (seed ${seed})`, async () => {
    const rand = random(seed);
    const sources = [0, 1].map((f) => {
      const path = join(dir, `s${seed}-${f}.ndjson`);
      writeFileSync(path, sampleFile(rand, 60));
      return { path };
    });
    for (const options of [{}, { eventCategoryField: 'kind' }]) {
      // Filled by a category rule (index built when cached) or by `any` (built on first use).
      for (const fill of ['file where true', 'any where true']) {
        const cache = new SampleCache(1024 ** 3);
        await run(fill, sources, options, cache);
        for (const rule of RULES) {
          const fresh = await run(rule, sources, options);
          const again = await run(rule, sources, options, cache);
          assert.equal(again.cachedFiles, sources.length);
          assert.deepEqual(visible(again), visible(fresh), `${rule} with ${JSON.stringify(options)} after ${fill}`);
        }
        const key = await sampleContentKey(sources[0]);
        assert.ok(cache.get(sources[0].path, key!)?.categoryIndexes?.size, 'the category index was used');
      }
    }
  });
}

test('the index lists each event under each of its values, once, and leaves out events without one', () => {
  const events = [
    { 'event.category': ['network', 'file', 'network'] },
    { event: { category: 'process' } },
    { other: 1 },
    { event: { category: null } },
    { event: { category: 'file' } },
    { event: { category: { x: 1 } } },
  ].map((doc, i) => ({ doc, source: { file: 'f', line: i + 1 } }));
  const index = buildCategoryIndex(events, 'event.category');
  assert.deepEqual([...index.byValue.get('snetwork')!.positions], [0]);
  assert.deepEqual([...index.byValue.get('sfile')!.positions], [0, 4]);
  assert.deepEqual([...index.other], [5]);
  assert.equal(index.withValue, 4);
  const ctx = { eventCategoryField: 'event.category' };
  // Merged in file order, the multi-valued event once; the object-valued event always.
  assert.deepEqual([...selectCategories(index, ['network', 'file'], ctx)], [0, 4, 5]);
  // `==` on the category is case-sensitive (EQL syntax reference).
  assert.deepEqual([...selectCategories(index, ['Process'], ctx)], [5]);
  assert.deepEqual(ruleCategories(statementOf('sequence [process where true] [network where true] until [file where true]')), ['process', 'network', 'file']);
  assert.equal(ruleCategories(statementOf('sequence [process where true] [any where true]')), undefined);
});
