/**
 * The debugger's index of sample events: the order is the engine's (`orderEvents`, Elasticsearch's
 * timestamp → tiebreaker → input order), each event read back from its file is the document
 * `readNdjsonFile` reads there, events without a timestamp are left out and found again by line,
 * and files that cannot be addressed by offset (gzip, JSON arrays) are held in memory and said so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyze } from '../../../server/src/eql/analyze';
import { orderEvents, ReplaySession } from '../../../server/src/engine/replay';
import type { EventRecord } from '../../../server/src/engine/types';
import { SampleEventIndex } from '../../../server/src/debug/sampleEventIndex';
import { readNdjsonFile } from '../../../server/src/samples/ndjson';

const root = join(__dirname, '../../..');
const LOGS = ['endpoint/win-dc01.ndjson', 'endpoint/wks-07.jsonl', 'linux/web01.ndjson', 'winlogbeat/sysmon-srv-app02.ndjson'].map((f) => join(root, 'samples/logs', f));

function ordering(query: string, options: { timestampField?: string; tiebreakerField?: string } = {}) {
  const session = new ReplaySession(analyze(query).statement!, [], options);
  return (doc: Record<string, unknown>, i: number) => session.ordinal(doc, i);
}

async function build(files: string[], query = 'any where true', options = {}) {
  const notes: string[] = [];
  const problems: string[] = [];
  const { index, unreadable } = await SampleEventIndex.build(files, ordering(query, options), {
    problem: (p) => problems.push(`${p.line}: ${p.message}`),
    note: (n) => notes.push(n),
  });
  return { index, unreadable, notes, problems };
}

test('the index holds the sample events in the engine order, and reads each one back as readNdjsonFile reads it', async () => {
  const all: EventRecord[] = [];
  for (const f of LOGS) all.push(...(await readNdjsonFile(f)).events);
  const expected = orderEvents(all).ordered;
  const { index, notes } = await build(LOGS);
  try {
    assert.deepEqual(notes, []);
    assert.equal(index.count, expected.length);
    assert.equal(index.count, 36);
    for (let i = 0; i < index.count; i++) {
      assert.deepEqual(index.source(i), expected[i].record.source, `event ${i + 1}`);
      assert.deepEqual(index.ordinal(i), expected[i].ordinal, `event ${i + 1}`);
      assert.deepEqual(index.document(i), expected[i].record.doc, `event ${i + 1}`);
    }
    // Backwards too (a step back reads earlier lines again).
    for (let i = index.count - 1; i >= 0; i--) assert.deepEqual(index.document(i), expected[i].record.doc);
    assert.deepEqual(index.positionsAt(LOGS[0], 4), [4]);
    assert.deepEqual(index.positionsAt(LOGS[0], 99), []);
  } finally {
    index.close();
  }
});

test('a tiebreaker orders events of equal timestamps; events without a timestamp are left out and found by line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eql-index-'));
  const file = join(dir, 'a.ndjson');
  writeFileSync(
    file,
    [
      '{"@timestamp":"2024-01-01T00:00:01Z","seq":2,"n":"b"}',
      '',
      '{"@timestamp":"2024-01-01T00:00:01Z","seq":1,"n":"a"}',
      '{"n":"no time"}',
      'not json',
      '{"@timestamp":"2024-01-01T00:00:00Z","n":"first"}',
    ].join('\r\n'),
  );
  const { index, problems } = await build([file], 'any where true', { tiebreakerField: 'seq' });
  try {
    assert.deepEqual(
      Array.from({ length: index.count }, (_, i) => index.document(i).n),
      ['first', 'a', 'b'],
    );
    assert.deepEqual(Array.from({ length: index.count }, (_, i) => index.source(i).line), [6, 3, 1]);
    assert.equal(index.read, 4);
    assert.deepEqual(index.leftOut(), { count: 1, first: { file, line: 4 } });
    assert.equal(index.leftOutAt(file, 4), true);
    assert.equal(index.leftOutAt(file, 3), false);
    assert.match(problems.join('\n'), /^5: invalid JSON/);
  } finally {
    index.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gzip files and JSON arrays are held in memory, with a note; several events of one line are all found', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eql-index-'));
  const gz = join(dir, 'b.ndjson.gz');
  writeFileSync(gz, gzipSync('{"@timestamp":3,"n":"gz1"}\n{"@timestamp":1,"n":"gz2"}\n'));
  const array = join(dir, 'c.json');
  writeFileSync(array, '[{"@timestamp":2,"n":"arr1"},{"@timestamp":4,"n":"arr2"}]\n');
  const { index, notes } = await build([gz, array]);
  try {
    assert.deepEqual(
      Array.from({ length: index.count }, (_, i) => index.document(i).n),
      ['gz2', 'arr1', 'gz1', 'arr2'],
    );
    assert.deepEqual(index.positionsAt(array, 1), [1, 3]);
    assert.deepEqual(notes, [
      `${gz}: gzip-compressed, so its 2 events are held in memory (events of plain NDJSON files are read from disk as they are needed)`,
      `${array}: a JSON document, not NDJSON, so its 2 events are held in memory (events of plain NDJSON files are read from disk as they are needed)`,
    ]);
  } finally {
    index.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that cannot be read is left out and named; the others are indexed', async () => {
  const { index, unreadable } = await build([join(root, 'samples/logs/no-such-file.ndjson'), LOGS[2]]);
  try {
    assert.deepEqual(index.files, [LOGS[2]]);
    assert.equal(index.count, 3);
    assert.deepEqual(unreadable.map((u) => [u.path, (u.error as NodeJS.ErrnoException).code]), [[join(root, 'samples/logs/no-such-file.ndjson'), 'ENOENT']]);
  } finally {
    index.close();
  }
});

/** Open descriptors of this process (Linux: the entries of /proc/self/fd), or undefined elsewhere. */
function openDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

test('a folder of more files than the open-file pool: every event reads back, and no more than the pool is ever open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eql-index-'));
  const FILES = 300;
  const POOL = 8;
  // File k holds events at seconds k and k + 300: the replay order visits every file, twice.
  const files = Array.from({ length: FILES }, (_, k) => join(dir, `f${String(k).padStart(3, '0')}.ndjson`));
  files.forEach((f, k) => writeFileSync(f, `{"@timestamp":${k * 1000},"n":"${k}a"}\n{"@timestamp":${(k + FILES) * 1000},"n":"${k}b"}\n`));
  let open = 0;
  let mostOpen = 0;
  const opener = {
    open: (path: string) => {
      const fd = openSync(path, 'r');
      mostOpen = Math.max(mostOpen, ++open);
      return fd;
    },
    close: (fd: number) => {
      open--;
      closeSync(fd);
    },
  };
  const before = openDescriptors();
  const notes: string[] = [];
  const { index } = await SampleEventIndex.build(files, ordering('any where true'), { problem: () => undefined, note: (n) => notes.push(n) }, { openFiles: POOL, opener });
  try {
    assert.deepEqual(notes, []);
    assert.equal(index.count, 2 * FILES);
    let mostDescriptors = openDescriptors();
    // Forwards then backwards, as Step Over then Step Back read them.
    const positions = [...Array.from({ length: index.count }, (_, i) => i), ...Array.from({ length: index.count }, (_, i) => index.count - 1 - i)];
    for (const i of positions) {
      const k = i % FILES;
      assert.equal(index.document(i).n, `${k}${i < FILES ? 'a' : 'b'}`, `event ${i + 1}`);
      assert.deepEqual(index.source(i), { file: files[k], line: i < FILES ? 1 : 2 });
      const now = openDescriptors();
      if (now !== undefined) mostDescriptors = Math.max(mostDescriptors!, now);
    }
    assert.ok(mostOpen <= POOL, `at most ${POOL} files open at once, saw ${mostOpen}`);
    assert.ok(index.openFiles <= POOL);
    if (before !== undefined) assert.ok(mostDescriptors! - before <= POOL, `descriptors grew by ${mostDescriptors! - before}, more than the pool of ${POOL}`);
  } finally {
    index.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(open, 0, 'close() closes every descriptor it opened');
});

test('a file opened again after its descriptor was closed: replaced by a rename, it is said changed; deleted, its events read as empty with a note', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eql-index-'));
  const a = join(dir, 'a.ndjson');
  const b = join(dir, 'b.ndjson');
  writeFileSync(a, '{"@timestamp":1,"n":"a1"}\n{"@timestamp":3,"n":"a2"}\n');
  writeFileSync(b, '{"@timestamp":2,"n":"b1"}\n{"@timestamp":4,"n":"b2"}\n');
  const notes: string[] = [];
  const { index } = await SampleEventIndex.build([a, b], ordering('any where true'), { problem: () => undefined, note: (n) => notes.push(n) }, { openFiles: 1 });
  index.onNote = (n) => notes.push(n);
  try {
    assert.deepEqual([0, 1].map((i) => index.document(i).n), ['a1', 'b1']);
    // a.ndjson's descriptor is closed now (pool of one). Same length and times, another file.
    const { mtime, atime } = statSync(a);
    writeFileSync(join(dir, 'new'), '{"@timestamp":1,"n":"A1"}\n{"@timestamp":3,"n":"A2"}\n');
    utimesSync(join(dir, 'new'), atime, mtime);
    renameSync(join(dir, 'new'), a);
    unlinkSync(b);
    index.close(); // drops the cached blocks too, so both files are read again
    assert.equal(index.document(2).n, 'A2');
    assert.deepEqual(notes, [`${a} changed since the replay started: its events are read from the new content at the old places; restart to read it again`]);
    assert.deepEqual(index.document(3), {});
    // Read again (a step back past it): nothing more is said.
    index.close();
    assert.deepEqual(index.document(3), {});
    assert.deepEqual(notes.slice(1), [
      `${b}: no such file or directory`,
      `${b}:2: the event can no longer be read (the file cannot be read); an empty document stands in for it: restart to read the files again`,
    ]);
  } finally {
    index.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
