/**
 * The bounded pool of open sample files: never more than its capacity open, the least recently read
 * file closed first (worked by hand below), a closed file opened again when read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileHandlePool } from '../../../server/src/debug/fileHandlePool';

/** A fake file system: descriptors are numbers, the log says what was opened and closed. */
function fakeOpener() {
  const log: string[] = [];
  const open = new Map<number, string>();
  let next = 100;
  return {
    log,
    open,
    opener: {
      open: (path: string) => {
        log.push(`open ${path}`);
        open.set(next, path);
        return next++;
      },
      close: (fd: number) => {
        log.push(`close ${open.get(fd)}`);
        open.delete(fd);
      },
    },
  };
}

test('the least recently read file is closed to make room, and opened again when read', () => {
  const fs = fakeOpener();
  const pool = new FileHandlePool(['a', 'b', 'c'], 2, fs.opener);
  assert.deepEqual(pool.get(0), { fd: 100, reopened: true });
  assert.deepEqual(pool.get(1), { fd: 101, reopened: true });
  assert.deepEqual(pool.get(0), { fd: 100, reopened: false });
  // b is now the least recently read: c takes its place.
  pool.get(2);
  assert.deepEqual(fs.log, ['open a', 'open b', 'close b', 'open c']);
  assert.deepEqual([...fs.open.values()].sort(), ['a', 'c']);
  assert.deepEqual(pool.get(1), { fd: 103, reopened: true });
  assert.deepEqual(fs.log.slice(4), ['close a', 'open b']);
  assert.equal(pool.size, 2);
  pool.closeAll();
  assert.equal(fs.open.size, 0);
  assert.equal(pool.size, 0);
});

test('adopted descriptors count against the capacity; makeRoom leaves room for one more', () => {
  const fs = fakeOpener();
  const pool = new FileHandlePool(['a', 'b', 'c'], 2, fs.opener);
  for (let file = 0; file < 3; file++) {
    pool.makeRoom();
    assert.ok(fs.open.size <= 1);
    pool.adopt(file, fs.opener.open(['a', 'b', 'c'][file]));
  }
  assert.deepEqual([...fs.open.values()].sort(), ['b', 'c']);
  assert.deepEqual(pool.get(2), { fd: 102, reopened: false });
  assert.throws(() => new FileHandlePool([], 0), /at least one file/);
});
