// Finding rule test files among `test` arguments. Expected lists are worked out by hand from the
// documented rule: files as given; folders searched recursively for *.test.toml (node_modules and
// .git left out), sorted by path below the folder; symbolic links followed, each folder searched
// once; an unreadable folder reported with its own path while the rest is still searched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverTestFiles } from '../../../server/src/ruletests/discoverTests';

const root = mkdtempSync(join(tmpdir(), 'eqlwb-discover-tests-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function touch(rel: string): string {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '');
  return path;
}

test('folders are searched recursively in sorted path order; node_modules and .git are left out', async () => {
  touch('suite/b.test.toml');
  touch('suite/a/z.test.toml');
  touch('suite/A.TEST.TOML');
  touch('suite/rule.toml');
  touch('suite/node_modules/dep/x.test.toml');
  touch('suite/.git/y.test.toml');
  const r = await discoverTestFiles([join(root, 'suite')]);
  assert.deepEqual(r.files, [join(root, 'suite/A.TEST.TOML'), join(root, 'suite/a/z.test.toml'), join(root, 'suite/b.test.toml')]);
  assert.deepEqual(r.errors, []);
});

test('a folder reached through a symbolic link is searched; a link cycle is searched once', async () => {
  touch('links/real/a.test.toml');
  mkdirSync(join(root, 'links/top'), { recursive: true });
  symlinkSync('../real', join(root, 'links/top/linked'));
  symlinkSync('..', join(root, 'links/real/up'));
  const r = await discoverTestFiles([join(root, 'links/top')]);
  assert.deepEqual(r.files, [join(root, 'links/top/linked/a.test.toml')]);
  assert.deepEqual(r.errors, []);
});

test('missing paths and folders without test files are errors; the other arguments are still used', async () => {
  const one = touch('mixed/one.test.toml');
  mkdirSync(join(root, 'empty'));
  const r = await discoverTestFiles([join(root, 'nope'), join(root, 'empty'), join(root, 'mixed'), one]);
  assert.deepEqual(r.files, [one]);
  assert.deepEqual(r.errors, [`${join(root, 'nope')}: no such file or directory`, `${join(root, 'empty')}: no rule test files (*.test.toml) in this folder`]);
});

test(
  'an unreadable sub-folder is reported with its own path, and the test files elsewhere are still found',
  { skip: process.getuid?.() === 0 ? 'running as root: permissions are not enforced' : false },
  async () => {
    const found = touch('perm/a.test.toml');
    touch('perm/logs/sub/x.ndjson');
    chmodSync(join(root, 'perm/logs/sub'), 0o000);
    try {
      const r = await discoverTestFiles([join(root, 'perm')]);
      assert.deepEqual(r.files, [found]);
      assert.deepEqual(r.errors, [`${join(root, 'perm/logs/sub')}: permission denied`]);
    } finally {
      chmodSync(join(root, 'perm/logs/sub'), 0o755);
    }
  },
);
