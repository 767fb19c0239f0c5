// Exception semantics, worked out from Kibana's source:
// x-pack/solutions/security/plugins/lists/server/services/exception_lists/build_exception_filter.ts
// (match → match_phrase, match_any → should of match_phrase, wildcard → wildcard query, exists →
// exists, excluded → must_not, nested → nested query, entries ANDed, items ORed, os_types ANDed as
// host.os.type / host.os.name.caseless, expired items dropped, the whole filter negated) and
// .../security_solution/server/lib/detection_engine/rule_types/eql/build_eql_search_request.ts
// (the filter goes into the `_eql/search` request's `filter`, so events are left out before
// sequences are built).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/eql/analyze';
import { replay } from '../../../server/src/engine/replay';
import type { EventRecord } from '../../../server/src/engine/types';
import { compileExceptionItem, exceptionEffects, filterEvents } from '../../../server/src/exceptions/applyExceptions';
import { readItem, type ExceptionItem } from '../../../server/src/exceptions/exceptionItem';
import { parseExceptionToml, parseKibanaExport } from '../../../server/src/exceptions/readExceptionFile';

const src = { file: 'x', line: 1 };
const item = (entries: unknown[], extra: Record<string, unknown> = {}): ExceptionItem => readItem({ entries, ...extra }, src, 'item');
const applies = (i: ExceptionItem, doc: Record<string, unknown>) => compileExceptionItem(i)(doc);

test('match is exact and case-sensitive (match_phrase on a keyword field); numbers compare by their text; arrays by any element', () => {
  const i = item([{ field: 'user.name', operator: 'included', type: 'match', value: 'admin' }]);
  assert.equal(applies(i, { user: { name: 'admin' } }), true);
  assert.equal(applies(i, { 'user.name': 'admin' }), true);
  assert.equal(applies(i, { user: { name: 'Admin' } }), false);
  assert.equal(applies(i, { user: { name: 'admin2' } }), false);
  assert.equal(applies(i, { user: { name: ['svc', 'admin'] } }), true);
  assert.equal(applies(i, {}), false);
  const port = item([{ field: 'destination.port', operator: 'included', type: 'match', value: '5985' }]);
  assert.equal(applies(port, { destination: { port: 5985 } }), true);
});

test('excluded is the negation (must_not): it holds on events without the field too', () => {
  const i = item([{ field: 'user.name', operator: 'excluded', type: 'match', value: 'admin' }]);
  assert.equal(applies(i, { user: { name: 'admin' } }), false);
  assert.equal(applies(i, { user: { name: 'bob' } }), true);
  assert.equal(applies(i, {}), true);
});

test('match_any holds when the field has any of the values; wildcard takes * and ? case-sensitively; exists needs a non-null value', () => {
  const any = item([{ field: 'process.name', operator: 'included', type: 'match_any', value: ['a.exe', 'b.exe'] }]);
  assert.deepEqual([{ process: { name: 'b.exe' } }, { process: { name: 'c.exe' } }].map((d) => applies(any, d)), [true, false]);
  // The wildcard query's escape character is `\`: a backslash of a Windows path is written `\\` in the value.
  const wild = item([{ field: 'process.executable', operator: 'included', type: 'wildcard', value: 'C:\\\\Windows\\\\*\\\\cmd.ex?' }]);
  assert.equal(applies(wild, { process: { executable: 'C:\\Windows\\System32\\cmd.exe' } }), true);
  assert.equal(applies(wild, { process: { executable: 'c:\\windows\\system32\\cmd.exe' } }), false);
  // Single backslashes escape the next character: `\*` is a literal star.
  const unescaped = item([{ field: 'process.executable', operator: 'included', type: 'wildcard', value: 'C:\\Windows\\*' }]);
  assert.equal(applies(unescaped, { process: { executable: 'C:\\Windows\\System32' } }), false);
  assert.equal(applies(unescaped, { process: { executable: 'C:Windows*' } }), true);
  const exists = item([{ field: 'user.domain', operator: 'included', type: 'exists' }]);
  assert.deepEqual([{ user: { domain: '' } }, { user: { domain: null } }, { user: { domain: [] } }, {}].map((d) => applies(exists, d)), [true, false, false, false]);
  const notExists = item([{ field: 'user.domain', operator: 'excluded', type: 'exists' }]);
  assert.equal(applies(notExists, {}), true);
});

test('entries of an item are ANDed; nested entries must hold on the same element', () => {
  const both = item([
    { field: 'user.name', operator: 'included', type: 'match', value: 'admin' },
    { field: 'source.ip', operator: 'included', type: 'match', value: '10.0.0.1' },
  ]);
  assert.equal(applies(both, { user: { name: 'admin' }, source: { ip: '10.0.0.1' } }), true);
  assert.equal(applies(both, { user: { name: 'admin' }, source: { ip: '10.0.0.2' } }), false);
  const nested = item([
    {
      field: 'file.Ext.code_signature',
      type: 'nested',
      entries: [
        { field: 'subject_name', operator: 'included', type: 'match', value: 'Microsoft' },
        { field: 'trusted', operator: 'included', type: 'match', value: 'true' },
      ],
    },
  ]);
  const sig = (elements: object[]) => ({ file: { Ext: { code_signature: elements } } });
  assert.equal(applies(nested, sig([{ subject_name: 'Microsoft', trusted: true }])), true);
  // Each condition holds on some element, but not both on one: no match (nested query semantics).
  assert.equal(applies(nested, sig([{ subject_name: 'Microsoft', trusted: false }, { subject_name: 'Evil', trusted: true }])), false);
});

test('os_types: the item holds only when host.os.type (or host.os.name.caseless) is one of them; expired items are not applied', () => {
  const i = item([{ field: 'user.name', operator: 'included', type: 'match', value: 'admin' }], { os_types: ['windows'] });
  assert.equal(applies(i, { user: { name: 'admin' }, host: { os: { type: 'windows' } } }), true);
  assert.equal(applies(i, { user: { name: 'admin' }, host: { os: { name: { caseless: 'windows' } } } }), true);
  assert.equal(applies(i, { user: { name: 'admin' }, host: { os: { type: 'linux' } } }), false);
  const expired = item([{ field: 'user.name', operator: 'included', type: 'match', value: 'admin' }], { expire_time: '2020-01-01T00:00:00.000Z' });
  const events: EventRecord[] = [{ doc: { user: { name: 'admin' } }, source: src }];
  const f = filterEvents(events, [expired], new Date('2024-01-01T00:00:00Z'));
  assert.equal(f.kept.length, 1);
  assert.equal(f.filter.items[0].expired, true);
});

test('events are left out before sequences are built: a sequence completes with an earlier event once the newer one is excluded', () => {
  // sequence by host.id [network where true] [process where true]: one pending sequence per stage
  // per key, a newer stage-1 event replaces it ("EQL syntax reference"). Without exceptions the
  // match is line 2 → line 3; excluding line 2's source.ip leaves line 1 pending, so the match
  // becomes line 1 → line 3. Removing alerts afterwards would have left no match at all.
  const statement = analyze('sequence by host.id [network where true] [process where true]').statement!;
  const ev = (line: number, t: string, category: string, extra: object): EventRecord => ({
    doc: { '@timestamp': t, event: { category }, host: { id: 'h' }, ...extra },
    source: { file: 'a.ndjson', line },
  });
  const events = [
    ev(1, '2024-01-01T00:00:01Z', 'network', { source: { ip: '10.0.0.1' } }),
    ev(2, '2024-01-01T00:00:02Z', 'network', { source: { ip: '10.0.0.9' } }),
    ev(3, '2024-01-01T00:00:03Z', 'process', { process: { name: 'x.exe' } }),
  ];
  const lines = (ms: { events: { event?: EventRecord }[] }[]) => ms.map((m) => m.events.map((e) => e.event!.source.line));
  const without = replay(statement, events).matches;
  assert.deepEqual(lines(without), [[2, 3]]);
  const jump = item([{ field: 'source.ip', operator: 'included', type: 'match', value: '10.0.0.9' }], { name: 'jump host' });
  const filtering = filterEvents(events, [jump]);
  const withExceptions = replay(statement, filtering.kept).matches;
  assert.deepEqual(lines(withExceptions), [[1, 3]]);
  const fx = exceptionEffects(without, withExceptions, filtering.filter);
  assert.deepEqual(fx.removedByItem.map((r) => [r.item.name, r.events, lines(r.removed)]), [['jump host', 1, [[2, 3]]]]);
  assert.deepEqual(lines(fx.added), [[1, 3]]);
  assert.deepEqual(fx.removedIndirectly, []);
});

test('a Kibana export: the list line and the summary line are read past, items read with their line, bad lines reported', () => {
  const text = [
    JSON.stringify({ list_id: 'l', name: 'Rule exceptions', type: 'detection', namespace_type: 'single' }),
    JSON.stringify({ item_id: 'i1', list_id: 'l', name: 'Admin', type: 'simple', os_types: [], entries: [{ field: 'user.name', operator: 'included', type: 'match', value: 'admin' }] }),
    '{not json',
    JSON.stringify({ item_id: 'i2', list_id: 'l', name: 'Bad', type: 'simple', entries: [{ field: 'x', operator: 'included', type: 'list', list: { id: 'ips', type: 'ip' } }] }),
    JSON.stringify({ item_id: 'i3', list_id: 'l', type: 'simple', entries: [{ field: 'a', operator: 'sometimes', type: 'match', value: 'b' }] }),
    JSON.stringify({ exported_exception_list_count: 1, exported_exception_list_item_count: 3, missing_exception_list_item_count: 0 }),
  ].join('\n');
  const r = parseKibanaExport(text, 'export.ndjson');
  assert.deepEqual(r.items.map((i) => [i.name, i.itemId, i.source.line]), [['Admin', 'i1', 2]]);
  assert.deepEqual(r.problems.map((p) => p.line), [3, 4, 5]);
  assert.match(r.problems[1].message, /list entry on `x`: value lists live in the cluster/);
  assert.match(r.problems[2].message, /`operator` must be "included" or "excluded"/);
});

test('the hand-written TOML file: [[exception]] items, operator and type default to included/match, problems with their line', () => {
  const text = [
    '[[exception]]', //                                             1
    'name = "admin"', //                                            2
    'entries = [{ field = "user.name", value = "admin" }]', //      3
    '[[exception]]', //                                             4
    'name = "no entries"', //                                       5
    '[[exception]]', //                                             6
    'name = "tables"', //                                           7
    '[[exception.entries]]', //                                     8
    'field = "process.name"', //                                    9
    'type = "match_any"', //                                        10
    'value = ["a", "b"]', //                                        11
  ].join('\n');
  const r = parseExceptionToml(text, 'x.exceptions.toml');
  assert.deepEqual(r.items.map((i) => [i.name, i.source.line, i.entries]), [
    ['admin', 1, [{ type: 'match', field: 'user.name', operator: 'included', value: 'admin' }]],
    ['tables', 6, [{ type: 'match_any', field: 'process.name', operator: 'included', value: ['a', 'b'] }]],
  ]);
  assert.deepEqual(r.problems.map((p) => [p.line, p.message]), [[4, 'an exception item needs `entries` (a non-empty array)']]);
});

test('an error in an entry of the TOML file is reported at the entry, inline or as an [[exception.entries]] table', () => {
  const text = [
    '[[exception]]', //                                                                          1
    'name = "bad op"', //                                                                        2
    'entries = [ { field = "process.name", operator = "include", value = "a.exe" } ]', //         3
    '[[exception]]', //                                                                          4
    'name = "second inline entry"', //                                                           5
    'entries = [', //                                                                            6
    '  { field = "user.name", value = "admin" }, # a comment with [ { ,', //                     7
    '  { field = "host.name", value = "a, {b}" },', //                                           8
    '  { field = "process.pid", type = "match_any", value = [] },', //                           9
    ']', //                                                                                      10
    '[[exception]]', //                                                                          11
    'name = "tables"', //                                                                        12
    '[[exception.entries]]', //                                                                  13
    'field = "a"', //                                                                            14
    'value = "x"', //                                                                            15
    '[[exception.entries]]', //                                                                  16
    'field = "b"', //                                                                            17
    'type = "regex"', //                                                                         18
  ].join('\n');
  const r = parseExceptionToml(text, 'x.exceptions.toml');
  assert.deepEqual(r.items, []);
  assert.deepEqual(r.problems.map((p) => [p.line, p.message]), [
    [3, 'entry on `process.name`: `operator` must be "included" or "excluded"'],
    [9, 'match_any entry on `process.pid` needs a `value`: a non-empty array of non-empty strings'],
    [16, 'entry on `b`: unknown type "regex" (expected match, match_any, wildcard, exists or nested)'],
  ]);
});

test('a file with no exception item is a problem (a sample log given by mistake), an export of an empty list is not', () => {
  const sample = [
    JSON.stringify({ '@timestamp': '2024-01-01T00:00:00Z', event: { category: 'process' }, process: { name: 'a.exe' } }),
    '{}',
  ].join('\n');
  for (const r of [parseKibanaExport(sample, 'good.ndjson'), parseKibanaExport('{}\n', 'good.ndjson'), parseKibanaExport('', 'good.ndjson'), parseExceptionToml('# nothing yet\n', 'good.ndjson')]) {
    assert.deepEqual(r.items, []);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0].line, 0);
    assert.match(r.problems[0].message, /^no exception items found \(/);
  }
  const emptyList = [
    JSON.stringify({ list_id: 'l', name: 'Rule exceptions', type: 'detection', namespace_type: 'single' }),
    JSON.stringify({ exported_exception_list_count: 1, exported_exception_list_item_count: 0, missing_exception_list_item_count: 0 }),
  ].join('\n');
  assert.deepEqual(parseKibanaExport(emptyList, 'export.ndjson'), { items: [], problems: [] });
  // One problem already says what is wrong: no second one.
  assert.deepEqual(parseExceptionToml('exceptions = 1\n', 'x.toml').problems.map((p) => p.line), [1]);
});
