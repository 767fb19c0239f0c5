// Sample discovery: the expected orders below are worked out by hand from the documented rule
// (files as given; folders searched recursively for *.ndjson / *.jsonl, sorted by relative path
// compared by UTF-16 code units, so upper case sorts before lower case and '.' before '/').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverSampleFiles } from '../../../server/src/samples/discover';

const root = mkdtempSync(join(tmpdir(), 'eqlwb-discover-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function touch(rel: string): string {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '{}\n');
  return path;
}

test('folders are searched recursively for *.ndjson and *.jsonl in sorted path order', async () => {
  touch('logs/b.ndjson');
  touch('logs/a.jsonl');
  touch('logs/B.ndjson');
  touch('logs/a/z.ndjson');
  touch('logs/a/deeper/y.jsonl');
  touch('logs/notes.json');
  touch('logs/readme.txt');
  touch('logs/.hidden.ndjson');
  const r = await discoverSampleFiles([join(root, 'logs')]);
  assert.deepEqual(r.errors, []);
  const rel = r.files.map((f) => f.slice(join(root, 'logs').length + 1).split('\\').join('/'));
  // Code-unit order: '.' (0x2E) < '/' (0x2F) < 'B' (0x42) < 'a' (0x61) < 'b' (0x62).
  assert.deepEqual(rel, ['.hidden.ndjson', 'B.ndjson', 'a.jsonl', 'a/deeper/y.jsonl', 'a/z.ndjson', 'b.ndjson']);
});

test('sample file extensions match in any letter case (a folder holding only A.NDJSON and b.JsonL)', async () => {
  touch('upper/A.NDJSON');
  touch('upper/sub/b.JsonL');
  touch('upper/c.JSON');
  const r = await discoverSampleFiles([join(root, 'upper')]);
  assert.deepEqual(r, { files: [join(root, 'upper', 'A.NDJSON'), join(root, 'upper', 'sub', 'b.JsonL')], errors: [] });
});

test('files are used as given, in argument order, whatever their extension; duplicates are dropped', async () => {
  const x = touch('files/x.json');
  const y = touch('files/y.ndjson');
  const r = await discoverSampleFiles([y, x, y]);
  assert.deepEqual(r, { files: [y, x], errors: [] });
});

test('a file found in a folder and also given directly is read once, at its first place', async () => {
  const dir = join(root, 'dup');
  const one = touch('dup/one.ndjson');
  touch('dup/two.ndjson');
  const r = await discoverSampleFiles([one, dir]);
  assert.deepEqual(r.files, [one, join(dir, 'two.ndjson')]);
});

test('missing paths and folders without samples are errors; other arguments are still expanded', async () => {
  const ok = touch('mixed/ok.ndjson');
  mkdirSync(join(root, 'emptydir'), { recursive: true });
  touch('onlytext/readme.txt');
  const missing = join(root, 'missing.ndjson');
  const r = await discoverSampleFiles([missing, ok, join(root, 'emptydir'), join(root, 'onlytext')]);
  assert.deepEqual(r.files, [ok]);
  assert.deepEqual(r.errors, [
    `${missing}: no such file or directory`,
    `${join(root, 'emptydir')}: no sample files (*.{ndjson,jsonl,ndjson.gz,jsonl.gz}) found in this folder`,
    `${join(root, 'onlytext')}: no sample files (*.{ndjson,jsonl,ndjson.gz,jsonl.gz}) found in this folder`,
  ]);
});

test('a symbolic link cycle does not loop', async () => {
  touch('cycle/a.ndjson');
  symlinkSync(join(root, 'cycle'), join(root, 'cycle/loop'));
  const r = await discoverSampleFiles([join(root, 'cycle')]);
  assert.deepEqual(r.files, [join(root, 'cycle', 'a.ndjson')]);
  assert.deepEqual(r.errors, []);
});

test('an unreadable sub-folder is reported', { skip: process.getuid?.() === 0 ? 'running as root: permissions are not enforced' : false }, async () => {
  touch('perm/ok.ndjson');
  touch('perm/locked/x.ndjson');
  chmodSync(join(root, 'perm/locked'), 0o000);
  try {
    const r = await discoverSampleFiles([join(root, 'perm')]);
    assert.deepEqual(r.errors, [`${join(root, 'perm', 'locked')}: permission denied`]);
  } finally {
    chmodSync(join(root, 'perm/locked'), 0o755);
  }
});
