/**
 * Fields learnt from sample files (server/src/schema/sampleFields.ts, services/sampleIndexer.ts) and
 * what completion and hover make of them. The expected counts are counted by hand on the small
 * fixtures written below.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { CompletionItem, MarkupContent } from 'vscode-languageserver';
import { checkFields } from '../../../server/src/eql/fieldCheck';
import { parse } from '../../../server/src/eql/parser';
import { FileFieldStats, SampleFields } from '../../../server/src/schema/sampleFields';
import { computeCompletions } from '../../../server/src/services/completion';
import { fieldCatalogFor } from '../../../server/src/services/fieldKnowledge';
import { computeHover } from '../../../server/src/services/hover';
import { findSampleFiles, SampleIndexer } from '../../../server/src/services/sampleIndexer';
import { cursor } from './cursor';

const events = [
  { '@timestamp': '2024-01-01T00:00:00Z', event: { category: 'process', type: ['start'] }, process: { name: 'cmd.exe', pid: 4 }, host: { name: 'w1' } },
  { '@timestamp': '2024-01-01T00:00:01Z', event: { category: 'process', type: ['start'] }, process: { name: 'cmd.exe', pid: 5 }, 'my.team': 'red' },
  { '@timestamp': '2024-01-01T00:00:02Z', event: { category: 'process', type: ['end'] }, process: { name: 'powershell.exe', pid: 6 } },
  { '@timestamp': '2024-01-01T00:00:03Z', event: { category: 'network' }, process: { name: 'cmd.exe' }, destination: { port: 445 } },
];

function fields(): SampleFields {
  const stats = new FileFieldStats();
  for (const e of events) stats.add(e);
  const all = new SampleFields();
  all.setFile('a.ndjson', stats);
  return all;
}

const complete = (input: string, samples: SampleFields): CompletionItem[] => {
  const { text, offset } = cursor(input);
  return computeCompletions(text, offset, { samples }).items;
};

describe('sample fields', () => {
  it('counts events per field, JSON types and values, most frequent first', () => {
    const f = fields();
    assert.equal(f.events, 4);
    const name = f.field('process.name')!;
    assert.equal(name.events, 4);
    assert.deepEqual(name.types, { string: 4 });
    assert.deepEqual(name.values, [
      { value: 'cmd.exe', count: 3 },
      { value: 'powershell.exe', count: 1 },
    ]);
    assert.deepEqual(f.field('event.type')!.values, [
      { value: 'start', count: 2 },
      { value: 'end', count: 1 },
    ]);
    assert.deepEqual(f.field('destination.port'), { name: 'destination.port', events: 1, types: { number: 1 }, values: [{ value: 445, count: 1 }], moreValues: false });
    assert.equal(f.field('my.team')!.events, 1); // a dotted key is the same path as nested objects
  });

  it('makes sample fields known to the unknown-field check, leaf fields only', () => {
    const catalog = fieldCatalogFor({ samples: fields().fieldSource() });
    const check = (q: string) => checkFields(parse(q).statement!, catalog).map((d) => [d.code, d.message]);
    assert.deepEqual(check('process where my.team == "red"'), []);
    assert.deepEqual(check('process where my.teem == "red"'), [['field-typo', 'Unknown field [my.teem], did you mean [my.team]?']]);
    // `process` is an object in the samples: names below it are not all known.
    assert.deepEqual(check('process where process.nmae == "x"').map((d) => d[0]), ['field-typo']);
  });

  it('completion: sample fields first, most carried first, with their counts', () => {
    const items = complete('process where |', fields()).filter((i) => i.kind === 5 /* Field */);
    items.sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1));
    assert.deepEqual(items.slice(0, 2).map((i) => [i.label, i.detail]), [
      ['@timestamp', '4 sample events · date'],
      ['event.category', '4 sample events · keyword'],
    ]);
    assert.equal(items.find((i) => i.label === 'my.team')!.detail, '1 sample events · string');
  });

  it('completion follows the samples as they change', () => {
    const f = fields();
    const detail = (label: string) => complete('process where |', f).find((i) => i.label === label)?.detail;
    assert.equal(detail('my.team'), '1 sample events · string');
    const more = new FileFieldStats();
    more.add({ 'my.team': 'blue', 'my.site': 'lab' });
    f.setFile('b.ndjson', more);
    assert.equal(detail('my.team'), '2 sample events · string');
    assert.equal(detail('my.site'), '1 sample events · string');
    f.deleteFile('a.ndjson');
    assert.equal(detail('process.pid'), 'long', 'no longer in the samples: an ECS field with its ECS type');
  });

  it('completion after ==, :, in (, != : the values seen, most frequent first, then ECS values', () => {
    const f = fields();
    const values = (input: string) =>
      complete(input, f)
        .filter((i) => i.kind === 20 /* EnumMember */)
        .sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1))
        .map((i) => [i.label, i.detail]);
    assert.deepEqual(values('process where process.name == |'), [
      ['"cmd.exe"', '3 in the samples'],
      ['"powershell.exe"', '1 in the samples'],
    ]);
    assert.deepEqual(values('process where process.name : |').length, 2);
    assert.deepEqual(values('process where process.name != |').length, 2);
    assert.deepEqual(values('process where process.name in (|').length, 2);
    assert.deepEqual(values('network where destination.port == |'), [['445', '1 in the samples']]);
    // event.category: the sample values, then ECS's other allowed values.
    const categories = values('any where event.category == |');
    assert.deepEqual(categories.slice(0, 2), [
      ['"process"', '3 in the samples'],
      ['"network"', '1 in the samples'],
    ]);
    assert.ok(categories.length > 10 && categories.slice(2).every(([, d]) => d === 'event.category value'));
    // Inside a string.
    assert.deepEqual(
      complete('process where process.name == "c|"', f).map((i) => i.label),
      ['cmd.exe', 'powershell.exe'],
    );
  });

  it('completion: nothing after `maxspan = `, `runs=` or between the two `=` of `==`', () => {
    const f = fields();
    assert.deepEqual(complete('sequence with maxspan = |', f), []);
    assert.deepEqual(complete('sequence with maxspan=|', f), []);
    assert.deepEqual(complete('sequence [process where true] with runs=|', f), []);
    assert.deepEqual(complete('process where process.name =|= "x"', f), []);
  });

  it('hover: a field tells what the samples hold; a category how many events have it', () => {
    const f = fields();
    const hover = (input: string) => ((computeHover(cursor(input).text, cursor(input).offset, f)?.contents as MarkupContent).value);
    assert.match(hover('process where process.na|me == "x"'), /\*\*Samples:\*\* in 4 of 4 events; JSON string\n\nTop values: `"cmd.exe"` \(3\), `"powershell.exe"` \(1\)$/);
    assert.match(hover('process where user.na|me == "x"'), /no event of the 4 indexed has `user.name`/);
    assert.match(hover('proc|ess where true'), /3 of 4 events have `event.category` `process`/);
  });
});

describe('sample indexer', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'eql-samples-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'logs', 'deep'), { recursive: true });
  mkdirSync(path.join(root, 'node_modules', 'x'), { recursive: true });
  writeFileSync(path.join(root, 'logs', 'a.ndjson'), events.slice(0, 2).map((e) => JSON.stringify(e)).join('\n') + '\n{broken\n');
  writeFileSync(path.join(root, 'logs', 'deep', 'b.jsonl'), gzipSync(events.slice(2).map((e) => JSON.stringify(e)).join('\n')));
  writeFileSync(path.join(root, 'node_modules', 'x', 'c.ndjson'), JSON.stringify({ skipped: true }));
  writeFileSync(path.join(root, 'notes.txt'), 'not a sample');

  it('finds the files of the glob, skipping node_modules', async () => {
    assert.deepEqual((await findSampleFiles(root, '**/*.{ndjson,jsonl}')).map((f) => path.relative(root, f)), ['logs/a.ndjson', 'logs/deep/b.jsonl'].map((p) => p.split('/').join(path.sep)));
    assert.deepEqual((await findSampleFiles(root, 'logs/*.ndjson')).length, 1);
  });

  it('indexes plain and gzip files (malformed lines skipped), then keeps current as files change and go', async () => {
    let changes = 0;
    const indexer = new SampleIndexer(() => changes++);
    await indexer.configure(root, undefined);
    assert.equal(indexer.fields.events, 4);
    assert.equal(indexer.fields.field('process.name')!.values[0].count, 3);
    assert.equal(indexer.fields.field('skipped'), undefined);
    assert.equal(changes, 2);
    writeFileSync(path.join(root, 'logs', 'a.ndjson'), JSON.stringify({ process: { name: 'bash' } }));
    await indexer.update(path.join(root, 'logs', 'a.ndjson'));
    assert.equal(indexer.fields.events, 3);
    // a.ndjson now holds one `bash`; b.jsonl one `powershell.exe` and one `cmd.exe`.
    assert.deepEqual(indexer.fields.field('process.name')!.values.map((v) => `${v.value}:${v.count}`).sort(), ['bash:1', 'cmd.exe:1', 'powershell.exe:1']);
    await indexer.update(path.join(root, 'notes.txt')); // not matched by the glob: ignored
    assert.equal(indexer.fields.events, 3);
    indexer.remove(path.join(root, 'logs', 'deep', 'b.jsonl'));
    assert.equal(indexer.fields.events, 1);
  });
});
