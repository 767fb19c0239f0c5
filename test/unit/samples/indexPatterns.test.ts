// A rule's index patterns over the events of search hits (`_index`) and ECS events (`data_stream.*`).
// Expected values come from Elasticsearch: the reference page "Multi-target syntax" (`test*`,
// `*test`, `te*t`, `*test*`; `test*,-test3`), the cases of `WildcardExpressionResolverTests`
// (`testConvertWildcardsJustIndicesTests`, `testConvertWildcardsTests`, `testMultipleWildcards`),
// `IndexNameExpressionResolver.WildcardExpressionResolver` (an exclusion only after a wildcard;
// dot-prefixed hidden names matched by wildcards only from a dot-prefixed pattern),
// `DataStream.getDefaultBackingIndexName` (`.ds-<data stream>-<yyyy.MM.dd>-<000001>`) and the ECS
// `data_stream` field set (`<type>-<dataset>-<namespace>`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../../server/src/engine/types';
import { eventIndexOf, IndexPatternFilter, starPatternsOverlap } from '../../../server/src/samples/indexPatterns';

const hit = (index: string): EventRecord => ({ doc: {}, source: { file: 'f', line: 1 }, index });
const ecs = (dataStream: Record<string, string>): EventRecord => ({ doc: { data_stream: dataStream }, source: { file: 'f', line: 1 } });

/** The index names among `names` the patterns resolve to, as hits from each. */
function resolve(patterns: string[], names: string[]): string[] {
  const filter = new IndexPatternFilter(patterns);
  return names.filter((n) => filter.admits(hit(n)));
}

const INDICES = ['testXXX', 'testXYY', 'testYYY', 'kuku'];

test('wildcards and names (WildcardExpressionResolverTests.testConvertWildcardsJustIndicesTests)', () => {
  assert.deepEqual(resolve(['testXXX'], INDICES), ['testXXX']);
  assert.deepEqual(resolve(['testXXX', 'testYYY'], INDICES), ['testXXX', 'testYYY']);
  assert.deepEqual(resolve(['testXXX', 'ku*'], INDICES), ['testXXX', 'kuku']);
  assert.deepEqual(resolve(['test*'], INDICES), ['testXXX', 'testXYY', 'testYYY']);
  assert.deepEqual(resolve(['testX*'], INDICES), ['testXXX', 'testXYY']);
  assert.deepEqual(resolve(['testX*', 'kuku'], INDICES), ['testXXX', 'testXYY', 'kuku']);
  assert.deepEqual(resolve(['*'], INDICES), INDICES);
  assert.deepEqual(resolve(['*', '-kuku'], INDICES), ['testXXX', 'testXYY', 'testYYY']);
  // No wildcard before `-testXXX`: it is a name, not an exclusion.
  assert.deepEqual(resolve(['testXXX', '-testXXX'], INDICES), ['testXXX']);
  assert.deepEqual(resolve(['testXXX', '-testX*'], INDICES), ['testXXX']);
  assert.deepEqual(resolve(['testXXX', 'testY*'], INDICES), ['testXXX', 'testYYY']);
});

test('exclusions and order (testConvertWildcardsTests; "Multi-target syntax": test*,-test3)', () => {
  assert.deepEqual(resolve(['test*', '-testYYY'], INDICES), ['testXXX', 'testXYY']);
  assert.deepEqual(resolve(['test*,-test3'], ['test1', 'test2', 'test3']), ['test1', 'test2']);
  assert.deepEqual(resolve(['-kuku'], INDICES), []);
  // An exclusion removes only what came before it.
  assert.deepEqual(resolve(['test*', '-testX*', 'testXYY'], INDICES), ['testXYY', 'testYYY']);
});

test('several wildcards in one pattern (testMultipleWildcards)', () => {
  const names = ['testXXX', 'testXXY', 'testXYY', 'testYYY', 'kuku', 'kukuYYY'];
  assert.deepEqual(resolve(['test*X*'], names), ['testXXX', 'testXXY', 'testXYY']);
  assert.deepEqual(resolve(['test*X*Y'], names), ['testXXY', 'testXYY']);
  assert.deepEqual(resolve(['kuku*Y*'], names), ['kukuYYY']);
  assert.deepEqual(resolve(['*Y*'], names), ['testXXY', 'testXYY', 'testYYY', 'kukuYYY']);
  assert.deepEqual(resolve(['test*Y*X'], names), []);
  assert.deepEqual(resolve(['*Y*X'], names), []);
});

test('the docs\' wildcard forms, comma lists; `?` is no wildcard; case matters', () => {
  const names = ['test', 'mytest', 'teXt', 'tesst', 'atestb', 'Test'];
  assert.deepEqual(resolve(['test*'], names), ['test']);
  assert.deepEqual(resolve(['*test'], names), ['test', 'mytest']);
  assert.deepEqual(resolve(['te*t'], names), ['test', 'teXt', 'tesst']);
  assert.deepEqual(resolve(['*test*'], names), ['test', 'mytest', 'atestb']);
  assert.deepEqual(resolve(['mytest, tesst'], names), ['mytest', 'tesst']);
  assert.deepEqual(resolve(['te?t'], names), []);
});

test('a data stream is matched by its name; its hidden backing indices only by a dot pattern', () => {
  const backing = '.ds-logs-endpoint.events.process-default-2024.01.31-000001';
  assert.deepEqual(eventIndexOf(hit(backing)), {
    index: backing,
    dataStream: { name: 'logs-endpoint.events.process-default', exact: true, failureStore: false },
  });
  assert.equal(eventIndexOf(hit('.ds-my-stream-000002'))?.dataStream?.name, 'my-stream');
  assert.deepEqual(resolve(['logs-endpoint.events.process-*'], [backing]), [backing]);
  assert.deepEqual(resolve(['logs-endpoint.events.*'], [backing]), [backing]);
  assert.deepEqual(resolve(['logs-endpoint.events.process-default'], [backing]), [backing]);
  assert.deepEqual(resolve(['*'], [backing]), [backing]);
  assert.deepEqual(resolve(['.ds-logs-*'], [backing]), [backing]);
  assert.deepEqual(resolve(['*.ds-logs-*'], [backing]), []);
  assert.deepEqual(resolve([backing], [backing]), [backing]);
  assert.deepEqual(resolve(['logs-endpoint.events.network-*', 'winlogbeat-*'], [backing]), []);
  assert.deepEqual(resolve(['logs-*', '-logs-endpoint.events.process-default'], [backing]), []);
  assert.deepEqual(resolve(['*', '-.internal'], ['.internal', 'visible']), ['visible']);
});

test('failure store indices only through ::failures or ::*; remote clusters only through cluster:pattern', () => {
  const failures = '.fs-logs-app-default-2025.03.01-000001';
  const data = '.ds-logs-app-default-2025.03.01-000001';
  assert.deepEqual(resolve(['logs-*'], [data, failures]), [data]);
  assert.deepEqual(resolve(['logs-*::data'], [data, failures]), [data]);
  assert.deepEqual(resolve(['logs-*::failures'], [data, failures]), [failures]);
  assert.deepEqual(resolve(['logs-*::*'], [data, failures]), [data, failures]);
  assert.deepEqual(resolve(['winlogbeat-*'], ['winlogbeat-8.1', 'remote:winlogbeat-8.1']), ['winlogbeat-8.1']);
  assert.deepEqual(resolve(['remote:winlogbeat-*'], ['winlogbeat-8.1', 'remote:winlogbeat-8.1']), ['remote:winlogbeat-8.1']);
  assert.deepEqual(resolve(['*:winlogbeat-*', 'winlogbeat-*'], ['winlogbeat-8.1', 'remote:winlogbeat-8.1']), ['winlogbeat-8.1', 'remote:winlogbeat-8.1']);
});

test('ECS data_stream fields name the data stream; a missing part stands for any value', () => {
  const sysmon = ecs({ type: 'logs', dataset: 'windows.sysmon_operational', namespace: 'default' });
  const datasetOnly = ecs({ dataset: 'windows.sysmon_operational' });
  const security = ecs({ dataset: 'system.security' });
  const filter = (patterns: string[], e: EventRecord) => new IndexPatternFilter(patterns).admits(e);
  assert.equal(filter(['logs-windows.sysmon_operational-*'], sysmon), true);
  assert.equal(filter(['logs-windows.*'], sysmon), true);
  assert.equal(filter(['winlogbeat-*', 'logs-system.security*'], sysmon), false);
  assert.equal(filter(['logs-windows.sysmon_operational-*'], datasetOnly), true);
  assert.equal(filter(['logs-windows.sysmon_operational-default'], datasetOnly), true);
  // A data stream's type is one of ECS's: never `winlogbeat`.
  assert.equal(filter(['winlogbeat-*'], datasetOnly), false);
  assert.equal(filter(['logs-windows.sysmon_operational-*'], security), false);
  // An exclusion needs the whole name: with a part missing, the event might be elsewhere.
  assert.equal(filter(['logs-*', '-logs-windows.sysmon_operational-default'], datasetOnly), true);
  assert.equal(filter(['logs-*', '-logs-windows.sysmon_operational-default'], sysmon), false);
  // Dotted keys read as nested objects.
  assert.equal(filter(['metrics-*'], { doc: { 'data_stream.type': 'metrics', 'data_stream.dataset': 'x', 'data_stream.namespace': 'y' }, source: { file: 'f', line: 1 } }), true);
});

test('events without _index and data_stream are kept; the summary counts per pattern', () => {
  const filter = new IndexPatternFilter(['logs-endpoint.events.process-*', 'winlogbeat-*', 'logs-windows.*', '-logs-windows.powershell-*']);
  const events = [
    hit('.ds-logs-endpoint.events.process-default-2024.01.31-000001'),
    hit('.ds-logs-endpoint.events.process-default-2024.01.31-000001'),
    hit('winlogbeat-7.17.0-2024.01.31'),
    hit('.ds-logs-endpoint.events.network-default-2024.01.31-000001'),
    ecs({ type: 'logs', dataset: 'windows.sysmon_operational', namespace: 'default' }),
    ecs({ type: 'logs', dataset: 'windows.powershell', namespace: 'default' }),
    { doc: { process: { name: 'x' } }, source: { file: 'f', line: 9 } },
  ];
  assert.deepEqual(events.map((e) => filter.admits(e)), [true, true, true, false, true, false, true]);
  assert.deepEqual(filter.summary(), {
    patterns: [
      { pattern: 'logs-endpoint.events.process-*', exclusion: false, events: 2 },
      { pattern: 'winlogbeat-*', exclusion: false, events: 1 },
      { pattern: 'logs-windows.*', exclusion: false, events: 1 },
      { pattern: '-logs-windows.powershell-*', exclusion: true, events: 1 },
    ],
    kept: 4,
    unmatched: 1,
    excluded: 1,
    withoutIndex: 1,
    leftOut: [
      { index: '.ds-logs-endpoint.events.network-default-2024.01.31-000001', events: 1 },
      { index: 'logs-windows.powershell-default', events: 1 },
    ],
    notes: [],
  });
  assert.equal(new IndexPatternFilter([]).active, false);
  assert.deepEqual(new IndexPatternFilter(['-x', 'y']).summary().notes.length, 1);
});

test('starPatternsOverlap: two star patterns share a string', () => {
  assert.equal(starPatternsOverlap('logs-windows.*', 'logs-windows.sysmon_operational-*'), true);
  assert.equal(starPatternsOverlap('winlogbeat-*', 'logs-windows.sysmon_operational-*'), false);
  assert.equal(starPatternsOverlap('*-default', 'logs-x-*'), true);
  assert.equal(starPatternsOverlap('a*c', '*b*'), true);
  assert.equal(starPatternsOverlap('a*c', 'b*'), false);
  assert.equal(starPatternsOverlap('abc', 'abc'), true);
  assert.equal(starPatternsOverlap('abc', 'abd'), false);
  assert.equal(starPatternsOverlap('*', ''), true);
  assert.equal(starPatternsOverlap('a', ''), false);
});
