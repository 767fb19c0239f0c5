// Re-runs over cached samples that feed only the events of the rule's categories
// (`samples/categoryIndex.ts`) give exactly what a replay reading the files gives. The reference is
// the uncached replay itself (the engine, reading every line), over random files with multi-valued,
// differently-cased, non-string, null and missing categories, dotted and nested keys, unordered and
// tied timestamps, malformed lines and events without a timestamp; the rules cover an event query,
// a sequence with `until`, a missing-event stage, `any where`, a multi-valued category, a sample,
// two filters of one category, a filter failing on some events, exclusions, a custom event
// category field, a mapped one with ignore_above and an alias.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../server/src/eql/analyze';
import { EqlEvaluationError } from '../../../server/src/engine/errors';
import { loadMapping } from '../../../server/src/engine/mapping';
import type { EventRecord } from '../../../server/src/engine/types';
import { ReplaySession, type ReplayRunOptions } from '../../../server/src/engine/replay';
import { buildCategoryIndex, relevanceBySet, ruleCategories } from '../../../server/src/samples/categoryIndex';
import { replaySamples, type SampleReplayOutcome, type SampleSource } from '../../../server/src/samples/pipeline';
import { SampleCache, sampleContentKey } from '../../../server/src/samples/sampleCache';
import { prng as random } from '../../fuzz/prng';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-catindex-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function statementOf(query: string) {
  const { statement, diagnostics } = analyze(query);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), [], query);
  return statement!;
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
      n: pick([0, 1, 2]),
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
  // Two filters of one category, tried in order on each process event.
  'sequence by host.id [process where process.name == "a"] [process where n == 2] until [process where process.name == "stop"]',
  // Fails (integer division by zero) on a network event, unless a file stage tried first passes it.
  'sequence [file where n == 0] [process where 4 / n == 2] [network where 4 / n == 4]',
];

/**
 * Replay options: the default field; another field; a keyword category with `ignore_above` 6
 * ("network" and "process" have no term then, "file" has); an alias of the category field.
 */
const OPTIONS: ReplayRunOptions[] = [
  {},
  { eventCategoryField: 'kind' },
  { mapping: loadMapping({ properties: { event: { properties: { category: { type: 'keyword', ignore_above: 6 } } } } }) },
  { eventCategoryField: 'cat', mapping: loadMapping({ properties: { cat: { type: 'alias', path: 'kind' }, kind: { type: 'keyword' } } }) },
];

/** Events exclusions leave out (as exception items do), for the replay with and without them. */
const EXCLUDE = (event: EventRecord): boolean => event.doc.n === 1;

/**
 * The outcome's parts a re-run must reproduce (`prefiltered`/`cachedFiles` say how it was read),
 * or the error the replay failed with (message and the event it names).
 */
function visible(o: SampleReplayOutcome | EqlEvaluationError) {
  if (o instanceof EqlEvaluationError) return { error: o.message, source: o.source };
  return {
    matches: o.matches,
    matchesWithoutExclusions: o.matchesWithoutExclusions,
    warnings: o.warnings,
    problems: o.problems,
    unreadable: o.unreadable,
    files: o.files,
    events: o.events,
  };
}

async function run(query: string, sources: SampleSource[], options: ReplayRunOptions, cache?: SampleCache, exclude?: (e: EventRecord) => boolean) {
  const request = { statement: statementOf(query), sources, options, categoryOptionName: 'x', cache, prefilter: cache ? undefined : false, exclude };
  return replaySamples(request).catch((e: unknown) => {
    if (e instanceof EqlEvaluationError) return e;
    throw e;
  });
}

for (const seed of [1, 2, 3, 4, 5]) {
  test(`a cached re-run equals a replay reading the files (seed ${seed})`, async () => {
    const rand = random(seed);
    const sources = [0, 1].map((f) => {
      const path = join(dir, `s${seed}-${f}.ndjson`);
      writeFileSync(path, sampleFile(rand, 60));
      return { path };
    });
    for (const options of OPTIONS) {
      // Filled by a category rule (index built when cached) or by `any` (built on first use).
      for (const fill of ['file where true', 'any where true']) {
        const cache = new SampleCache(1024 ** 3);
        await run(fill, sources, options, cache);
        for (const rule of RULES) {
          for (const exclude of [undefined, EXCLUDE]) {
            const fresh = await run(rule, sources, options, undefined, exclude);
            const again = await run(rule, sources, options, cache, exclude);
            if (!(again instanceof EqlEvaluationError)) assert.equal(again.cachedFiles, sources.length);
            assert.deepEqual(visible(again), visible(fresh), `${rule} with ${JSON.stringify(options)} after ${fill}${exclude ? ', with exclusions' : ''}`);
          }
        }
        const key = await sampleContentKey(sources[0]);
        assert.ok(cache.get(sources[0].path, key!)?.categoryIndexes?.size, 'the category index was used');
      }
    }
  });
}

test('the index gives each event the set of its values, once each, and none to events without one', () => {
  const events = [
    { 'event.category': ['network', 'file', 'network'] },
    { event: { category: 'process' } },
    { other: 1 },
    { event: { category: null } },
    { event: { category: 'file' } },
    { event: { category: { x: 1 } } },
    { event: { category: 'process' } },
    { event: { category: [] } },
  ].map((doc, i) => ({ doc, source: { file: 'f', line: i + 1 } }));
  const index = buildCategoryIndex(events, 'event.category');
  assert.deepEqual([...index.setOf], [1, 2, 0, 0, 3, 4, 2, 0]);
  assert.deepEqual(index.valueSets, [
    { values: [], other: false },
    { values: ['network', 'file'], other: false },
    { values: ['process'], other: false },
    { values: ['file'], other: false },
    { values: [], other: true },
  ]);
  assert.equal(index.withValue, 5);
  assert.deepEqual(ruleCategories(statementOf('sequence [process where true] [network where true] until [file where true]')), ['process', 'network', 'file']);
  assert.equal(ruleCategories(statementOf('sequence [process where true] [any where true]')), undefined);
});

test('each set of category values is tried on the filters of its categories only, by their condition', () => {
  const events = [
    { event: { category: ['network', 'file'] }, n: 1 },
    { event: { category: 'process' }, n: 1 },
    { event: { category: 'file' }, n: 2 },
    { event: { category: { x: 1 } }, n: 1 },
  ].map((doc, i) => ({ doc, source: { file: 'f', line: i + 1 } }));
  const index = buildCategoryIndex(events, 'event.category');
  const ctx = { eventCategoryField: 'event.category' };
  const testsOf = (query: string) => relevanceBySet(index, new ReplaySession(statementOf(query), [], { relevantOnly: true }), ctx);
  // Set ids: 0 none, 1 network+file, 2 process, 3 file, 4 an object.
  let tests = testsOf('sequence [network where n == 1] [file where n == 2]');
  assert.equal(tests[0], undefined);
  assert.equal(tests[2], undefined, 'no filter names process');
  // The network+file event passes the network stage's condition; the file-only event the file stage's.
  assert.equal(tests[1]!(events[0].doc), true);
  assert.equal(tests[3]!(events[2].doc), true);
  // Told the category holds, the condition alone decides (the document's own category is not read).
  assert.equal(tests[3]!({ n: 2 }), true);
  assert.equal(tests[3]!({ n: 1 }), false, 'a file event is not tried on the network stage');
  // An object value passes no category test (term query): the whole filters, which read the field, decide.
  assert.equal(tests[4]!(events[3].doc), false);
  // `==` on the category is case-sensitive (EQL syntax reference): only the object's set may pass.
  tests = testsOf('Process where true');
  assert.deepEqual(tests.map((t) => t !== undefined), [false, false, false, false, true]);
});
