// The raw-line prefilter must never change a replay's result: for random rules and random events,
// written with the JSON spellings a log writer may choose (\uXXXX escapes, `\/`, 5985.0, 5.985e3,
// dotted keys or nested objects, arrays), the replay with the prefilter gives exactly the matches
// of the replay that parses every line. The reference is the unfiltered replay itself (the
// engine's own semantics, tested elsewhere against Elasticsearch's docs and conformance suite).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze } from '../../../server/src/eql/analyze';
import { compilePrefilter, filterNeed } from '../../../server/src/engine/prefilter';
import { loadMapping } from '../../../server/src/engine/mapping';
import { replaySamples } from '../../../server/src/samples/pipeline';
import type { Match } from '../../../server/src/engine/types';

// Characters chosen for the traps: JSON escapes (" \ /), case folding to ASCII (K Kelvin sign,
// ſ long s, ı dotless i), non-ASCII, wildcard characters, digits and number characters.
const CHARS = ['a', 'A', 'b', 'k', 's', 'S', 'i', 'I', '/', '\\', '"', 'é', '\u212a', '\u017f', '\u0131', '*', '?', ' ', '5', '9', '8', '.', '-', 'e', '\n'];
const str = fc.array(fc.constantFrom(...CHARS), { minLength: 0, maxLength: 3 }).map((cs) => cs.join(''));
// Values shared by rules and events, so that comparisons often hit.
// 2^53 + 1 and 2^53: integers a double cannot tell apart, read exactly (bigints).
const SHARED = [5985, 1000, 0, -3, 1.5, 9007199254740993n, 9007199254740992n, '5985', 'k', 's', 'i', '\u212a', '\u017f', '\u0131', 'a/b', 'a\\b', 'x"y', 'windows', 'Windows', 'wsmprovhost.exe', 'true'];
const scalar = fc.oneof(str, fc.constantFrom(...SHARED), fc.boolean());
const value = fc.oneof(scalar, scalar, scalar, fc.array(scalar, { maxLength: 3 }));
// Field names and categories without the letters of CHARS, so that short literals are selective.
const FIELDS = ['F', 'G.H'];

/** A JSON writer that picks, per character and per number, one of the spellings JSON allows. */
function writeJson(v: unknown, choices: () => number, escapes = true): string {
  if (typeof v === 'string') {
    let out = '"';
    for (const c of v) {
      const pick = choices() % 4;
      const code = c.codePointAt(0)!;
      if (escapes && pick === 0 && code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
      else if (c === '/' && pick === 1) out += '\\/';
      else out += JSON.stringify(c).slice(1, -1);
    }
    return `${out}"`;
  }
  if (typeof v === 'number') {
    const pick = choices() % 4;
    if (Number.isInteger(v) && pick === 1) return `${v}.0`;
    if (Number.isInteger(v) && v !== 0 && pick === 2) return `${v / 1000}e3`;
    if (Number.isInteger(v) && pick === 3) return `${v} `;
    return JSON.stringify(v);
  }
  if (typeof v === 'bigint') return choices() % 2 === 0 ? `${v}` : `${v} `;
  if (Array.isArray(v)) return `[${v.map((x) => writeJson(x, choices, escapes)).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${writeJson(k, choices, escapes)}: ${writeJson(x, choices, escapes)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const event = fc.record({
  category: fc.constantFrom('proc', 'net', 'Proc', undefined),
  values: fc.array(fc.tuple(fc.constantFrom(...FIELDS, 'J'), value), { maxLength: 3 }),
  nested: fc.boolean(),
  choices: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
  // A search hit around the event (`jq -c '.hits.hits[]'`): its literals are inside `_source`.
  hit: fc.constantFrom(undefined, { _index: 'logs-windows-default', _id: 'k' }, { _index: '.ds-logs-a-b-2024.01.01-000001', _score: 1.5, sort: [5985] }, { _id: 'wsmprovhost.exe' }),
  // Where the event was stored, for the rule's index patterns (an object, dotted keys, or a part).
  dataStream: fc.constantFrom(undefined, { data_stream: { type: 'logs', dataset: 'a', namespace: 'b' } }, { 'data_stream.dataset': 'windows', 'data_stream.type': 'logs' }, { data_stream: { namespace: 'k' } }),
});
// Index patterns a rule may have: none, wildcards, an exclusion, an exact name, hidden indices.
const INDEX_PATTERNS = [undefined, ['logs-*'], ['logs-*', '-logs-a-b'], ['logs-windows*', 'logs-a-b'], ['.ds-logs-*', 'other']];

/** One event line: dotted keys or nested objects, spelled by `writeJson`; in a search hit or not. */
function eventLine(e: { category?: string; values: Array<[string, unknown]>; nested: boolean; choices: number[]; hit?: object; dataStream?: object }, ts: number): string {
  const doc: Record<string, unknown> = { T: ts, ...e.dataStream };
  if (e.category !== undefined) doc['C.D'] = e.category;
  for (const [f, v] of e.values) doc[f] = v;
  let structured: Record<string, unknown> = doc;
  if (e.nested) {
    structured = {};
    for (const [k, v] of Object.entries(doc)) {
      const path = k.split('.');
      let at = structured;
      for (const p of path.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
      at[path[path.length - 1]] = v;
    }
  }
  let i = 0;
  // One line in four may use \uXXXX escapes (such lines are always parsed).
  return writeJson(e.hit ? { ...e.hit, _source: structured } : structured, () => e.choices[i++ % e.choices.length], e.choices[0] % 4 === 0);
}

function eqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
function eqlLiteral(v: unknown): string {
  return typeof v === 'string' ? eqlString(v) : String(v);
}

const FIXED_LITERALS = ['WSMPROVHOST.EXE', 'wsm*.exe', '*s*', '*k*', 'I*', '*/*', '*\\*', 'a?', '59*', '*.0', true];
/** Variants of an event's value as a rule would write it: other case, folded, inside wildcards. */
const FOLDS: Record<string, string> = { '\u212a': 'k', '\u017f': 's', '\u0131': 'i' };
function variants(v: unknown): unknown[] {
  if (typeof v !== 'string') return [v];
  const folded = [...v].map((c) => FOLDS[c] ?? c).join('');
  return [v, v.toUpperCase(), v.toLowerCase(), folded, folded.toUpperCase(), `*${v}*`, `${folded}*`, `*${v.slice(1)}`];
}

function rules(fromEvents: unknown[], pairs: Array<[string, unknown]>): fc.Arbitrary<string> {
const literal = fromEvents.length > 0
  ? fc.oneof(str, fc.constantFrom(...SHARED, ...FIXED_LITERALS), fc.constantFrom(...fromEvents), fc.constantFrom(...fromEvents))
  : fc.oneof(str, fc.constantFrom(...SHARED, ...FIXED_LITERALS));
const field = fc.constantFrom(...FIELDS);
const textLiteral = literal.map((l) => (typeof l === 'string' ? l : String(l)));
// Comparisons of an event's field with a variant of its own value: they often match.
const targeted: fc.Arbitrary<string>[] =
  pairs.length === 0
    ? []
    : [
        fc
          .constantFrom(...pairs)
          .chain(([f, v]) => fc.tuple(fc.constant(f), fc.constantFrom(...variants(v)), fc.constantFrom('==', ':', 'like~', 'in~', 'in', 'stringContains~', 'endsWith~')))
          .map(([f, l, op]) =>
            op === 'in~' || op === 'in' ? `${f} ${op} (${eqlLiteral(l)})` : op.endsWith('~') && op !== 'like~' ? `${op}(${f}, ${eqlString(String(l))})` : `${f} ${op} ${eqlLiteral(l)}`,
          ),
      ];
// Mostly comparisons that give literals; the others (which give none) now and then.
const leaf: fc.Arbitrary<string> = fc.oneof(
  ...targeted.map((arbitrary) => ({ arbitrary, weight: 8 })),
  { arbitrary: fc.tuple(field, fc.constantFrom('==', ':', 'like', 'like~', ':'), literal).map(([f, op, l]) => `${f} ${op} ${eqlLiteral(l)}`), weight: 6 },
  { arbitrary: fc.tuple(fc.constantFrom('startsWith~', 'endsWith~', 'stringContains~', 'startsWith', 'stringContains'), field, textLiteral).map(([fn, f, s]) => `${fn}(${f}, ${eqlString(s)})`), weight: 2 },
  fc.tuple(field, fc.constantFrom('!=', ':', 'like', 'like~'), literal).map(([f, op, l]) => `${f} ${op} ${eqlLiteral(l)}`),
  fc.tuple(field, fc.constantFrom('in', 'in~', 'not in', ': '), fc.array(literal, { minLength: 1, maxLength: 3 })).map(([f, op, ls]) => `${f} ${op} (${ls.map(eqlLiteral).join(', ')})`),
  fc.tuple(fc.constantFrom('startsWith', 'endsWith', 'stringContains', 'startsWith~', 'endsWith~', 'stringContains~'), field, str).map(([fn, f, s]) => `${fn}(${f}, ${eqlString(s)})`),
  fc.tuple(field, fc.constantFrom('>', '<=')).map(([f, op]) => `${f} ${op} 5`),
  fc.tuple(field).map(([f]) => `length(${f}) == 1`),
);
const condition: fc.Arbitrary<string> = fc.letrec<{ c: string }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: leaf, weight: 4 },
    { arbitrary: fc.tuple(tie('c'), fc.constantFrom('and', 'or'), tie('c')).map(([l, op, r]) => `(${l} ${op} ${r})`), weight: 2 },
    { arbitrary: tie('c').map((c) => `not ${c}`), weight: 1 },
  ),
})).c;
const filter = fc.tuple(fc.constantFrom('any', 'proc', 'net'), condition).map(([cat, c]) => `${cat} where ${c}`);
return fc.oneof(
  { arbitrary: filter, weight: 4 },
  fc.tuple(filter, filter).map(([a, b]) => `sequence by J [${a}] [${b}]`),
  fc.tuple(filter, filter, filter).map(([a, b, u]) => `sequence [${a}] [${b}] until [${u}]`),
  fc.tuple(filter, filter).map(([a, b]) => `sequence [${a}] ![${b}] [proc where true]`),
);
}

const shape = (ms: Match[]) => ms.map((m) => m.events.map((e) => (e.missing ? 'missing' : e.event!.source.line)));

test('prefiltered and unfiltered replays give identical matches for random rules and events', async () => {
  let prefiltered = 0;
  let withPrefilter = 0;
  let hits = 0;
  let hitLineMatches = 0;
  let countedSkipped = 0;
  const mappingJson = { mappings: { properties: { F: { type: 'keyword' }, alias: { type: 'alias', path: 'F' }, J: { type: 'long' } } } };
  await fc.assert(
    fc.asyncProperty(
      fc.array(event, { maxLength: 12 }).chain((events) => {
        const pairs = events.flatMap((e) => e.values.flatMap(([f, v]) => (Array.isArray(v) ? v : [v]).map((x): [string, unknown] => [f, x])));
        const fromEvents = pairs.flatMap(([, v]) => variants(v));
        return fc.tuple(rules(fromEvents, pairs.filter(([f]) => f !== 'J')), fc.constant(events));
      }),
      fc.boolean(),
      fc.constantFrom(...INDEX_PATTERNS),
      // The seams of the chunk prefilter: lines across chunks, hits at a chunk's first or last
      // byte, every line terminator, a last line with or without one.
      fc.constantFrom(1, 2, 3, 7, 16, 61, 256 * 1024),
      fc.constantFrom('\n', '\r\n', '\r'),
      fc.boolean(),
      async ([query, events], withMapping, indexPatterns, chunkBytes, terminator, finalTerminator) => {
      const analysis = analyze(query);
      fc.pre(analysis.statement !== undefined && !analysis.diagnostics.some((d) => d.severity === 'error'));
      const statement = analysis.statement!;
      const lines = events.map((e, i) => eventLine(e, 1000 + (i % 5)));
      const text = lines.join(terminator) + (finalTerminator ? terminator : '');
      const mapping = withMapping ? loadMapping(mappingJson) : undefined;
      const run = (prefilter: boolean) =>
        replaySamples({ statement, sources: [{ path: 'events.ndjson', text }], options: { mapping, timestampField: 'T', eventCategoryField: 'C.D' }, categoryOptionName: 'x', prefilter, indexPatterns, chunkBytes });
      let plain;
      try {
        plain = await run(false);
      } catch {
        fc.pre(false); // rules Elasticsearch refuses at run time (e.g. a pattern) are not the prefilter's concern
        return;
      }
      const fast = await run(true);
      const keep = compilePrefilter(statement, { eventCategoryField: 'C.D', mapping });
      if (keep) withPrefilter++;
      prefiltered += fast.prefiltered;
      if (fast.prefiltered > 0 && plain.matches.length > 0) hits++;
      for (const m of plain.matches) for (const e of m.events) if (e.event && events[e.event.source.line - 1].hit) hitLineMatches++;
      assert.deepEqual(shape(fast.matches), shape(plain.matches), `${query}\n${text}`);
      // Whatever the chunks, the lines skipped are exactly those the line prefilter rejects.
      const rejected = keep ? lines.filter((l) => !keep(Buffer.from(l))).length : 0;
      assert.equal(fast.prefiltered, rejected, `${query} (chunks of ${chunkBytes} bytes)\n${text}`);
      assert.equal(fast.events, plain.events);
      // The index patterns count the lines left unparsed as they count the parsed ones.
      assert.deepEqual(fast.indexPatterns, plain.indexPatterns, `${query} ${JSON.stringify(indexPatterns)}\n${text}`);
      if (indexPatterns && fast.prefiltered > 0) countedSkipped++;
      },
    ),
    { numRuns: 2500 },
  );
  // The property is only worth something if the prefilter did skip lines.
  assert.ok(withPrefilter > 1000, `rules with a prefilter: ${withPrefilter}`);
  assert.ok(prefiltered > 2000, `lines skipped: ${prefiltered}`);
  assert.ok(hits > 100, `runs with skipped lines and matches: ${hits}`);
  assert.ok(countedSkipped > 300, `runs with index patterns and skipped lines: ${countedSkipped}`);
  assert.ok(hitLineMatches > 300, `matched events read from search hits: ${hitLineMatches}`);
});

test('the sample rule needs its literals: a line without them is skipped, with them or a \\u escape it is parsed', () => {
  const { statement } = analyze(
    'sequence by host.id [network where destination.port in (5985, 5986) and network.direction : "ingress"] [process where process.parent.name : "wsmprovhost.exe"]',
  );
  const keep = compilePrefilter(statement!, { eventCategoryField: 'event.category' })!;
  assert.ok(keep);
  const line = (o: object | string) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o));
  assert.equal(keep(line({ event: { category: 'network' }, destination: { port: 443 }, network: { direction: 'ingress' } })), false);
  assert.equal(keep(line({ event: { category: 'network' }, destination: { port: 5985 }, network: { direction: 'INGRESS' } })), true);
  // 5.985e3 is 5985.
  assert.equal(keep(line('{"event":{"category":"network"},"destination":{"port":5.985e3},"network":{"direction":"ingress"}}')), true);
  // `:` is case-insensitive: WSMPROVHOST.EXE passes.
  assert.equal(keep(line({ event: { category: 'process' }, process: { parent: { name: 'WSMPROVHOST.EXE' } } })), true);
  assert.equal(keep(line({ event: { category: 'process' }, process: { parent: { name: 'services.exe' } } })), false);
  // \u0077 is "w": parsed whatever it says.
  assert.equal(keep(line('{"event":{"category":"process"},"process":{"parent":{"name":"\\u0077smprovhost.exe"}}}')), true);
  // An escaped backslash before u is not a \u escape (C:\\users).
  assert.equal(keep(line('{"event":{"category":"process"},"process":{"executable":"C:\\\\users\\\\x.exe"}}')), false);

});

test('case-insensitive literals keep lines with characters that fold to ASCII letters (Java toLowerCase(toUpperCase(c)))', () => {
  // KELVIN SIGN folds to k, LATIN SMALL LETTER LONG S to s, DOTLESS I to i (java.lang.Character).
  for (const [query, value] of [
    ['any where a : "*k*"', '\u212a'],
    ['any where a like~ "s"', '\u017f'],
    ['any where a in~ ("i")', '\u0131'],
    ['any where stringContains~(a, "k")', '\u212a'],
  ]) {
    const { statement } = analyze(query);
    const keep = compilePrefilter(statement!, { eventCategoryField: 'event.category' })!;
    assert.ok(keep, query);
    const raw = Buffer.from(JSON.stringify({ a: JSON.parse(`"${value}"`) }));
    assert.equal(keep(raw), true, query);
    // The same rule with `==` (case-sensitive) skips such a line.
    const cs = compilePrefilter(analyze('any where a == "k"').statement!, { eventCategoryField: 'event.category' })!;
    assert.equal(cs(raw), false);
  }
});

test('chains of thousands of `or` / `and` terms compile without deepening the stack, and keep their literals', async () => {
  // 4,000 terms: the recursive walk overflowed Node's default stack here (3,000 still fitted).
  const terms = Array.from({ length: 4000 }, (_, i) => `process.name == "p${i}"`);
  const orRule = analyze(`process where ${terms.join(' or ')}`).statement!;
  const keepOr = compilePrefilter(orRule, { eventCategoryField: 'event.category' })!;
  assert.ok(keepOr);
  const line = (name: string) => Buffer.from(JSON.stringify({ event: { category: 'process' }, process: { name } }));
  // One group per filter: the category, and one literal of each of the 4,000 terms.
  const needOr = filterNeed(orRule.query.kind === 'event' ? orRule.query.filter : assert.fail('event query'), { eventCategoryField: 'event.category' })!;
  assert.equal(needOr.length, 2);
  assert.deepEqual(needOr[0], [{ text: 'process', caseInsensitive: false }]);
  assert.equal(needOr[1].length, 4000);
  assert.deepEqual(needOr[1][3999], { text: 'p3999', caseInsensitive: false });
  assert.equal(keepOr(line('p3999')), true);
  assert.equal(keepOr(line('q')), false);
  // `and`: every term's literal is needed (4,000 groups plus the category).
  const andRule = analyze(`process where ${terms.join(' and ')}`).statement!;
  const needAnd = filterNeed(andRule.query.kind === 'event' ? andRule.query.filter : assert.fail('event query'), { eventCategoryField: 'event.category' })!;
  assert.equal(needAnd.length, 4001);
  // Mixed: (a and b) or (c and d) … 2,000 times: one literal of each `and` pair.
  const pairs = Array.from({ length: 2000 }, (_, i) => `(process.name == "a${i}" and user.name == "bb${i}")`);
  const mixed = analyze(`process where ${pairs.join(' or ')}`).statement!;
  const needMixed = filterNeed(mixed.query.kind === 'event' ? mixed.query.filter : assert.fail('event query'), { eventCategoryField: 'event.category' })!;
  assert.equal(needMixed.length, 2);
  assert.equal(needMixed[1].length, 2000);
  // The longer literal of each pair: bb0, not a0.
  assert.deepEqual(needMixed[1][0], { text: 'bb0', caseInsensitive: false });
  // The whole sample replay, as the command line and the editor run it.
  const text = ['p3999', 'x', 'p17'].map((n, i) => JSON.stringify({ '@timestamp': `2024-01-01T00:00:0${i}Z`, event: { category: 'process' }, process: { name: n } })).join('\n');
  const outcome = await replaySamples({ statement: orRule, sources: [{ path: 'chain.ndjson', text }], options: {}, categoryOptionName: 'x' });
  assert.deepEqual(outcome.matches.map((m) => m.events.map((e) => e.event?.source.line)), [[1], [3]]);
  assert.equal(outcome.prefiltered, 1);
});
