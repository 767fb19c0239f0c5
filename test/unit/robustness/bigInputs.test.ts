/**
 * Big inputs: a replay whose kept events would exhaust the JavaScript heap stops with a documented
 * exit code (2) and a message that says what to do, instead of V8's fatal "JavaScript heap out of
 * memory" (SIGABRT, exit 134, nothing printed). Heap figures come from `v8.getHeapStatistics()`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeapGuard, ReplayMemoryError } from '../../../server/src/samples/memoryGuard';
import { repoRoot } from '../cli/spawnCli';

const MiB = 2 ** 20;

test('HeapGuard stops after four checks in a row over 80% of the old generation (heap limit less 48 MiB)', () => {
  let used = 0;
  const guard = new HeapGuard(() => ({ used_heap_size: used, heap_size_limit: 148 * MiB }));
  used = 80 * MiB; // (148 - 48) * 0.8 = 80 MiB: not over
  for (let i = 0; i < 10; i++) guard.check(1);
  used = 81 * MiB;
  guard.check(1);
  guard.check(2);
  used = 10 * MiB; // collected: the count starts again
  guard.check(3);
  used = 81 * MiB;
  guard.check(4);
  guard.check(5);
  guard.check(6);
  assert.throws(() => guard.check(7), (e: Error) => {
    assert.ok(e instanceof ReplayMemoryError);
    assert.match(e.message, /^the replay needs more memory than the JavaScript heap allows \(81 MiB in use of 148 MiB after 7 events\): /);
    assert.match(e.message, /NODE_OPTIONS=--max-old-space-size=MiB\)$/);
    return true;
  });
});

test('replay with a heap too small for the events the rule keeps: exit 2 and a message, never a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eqlwb-big-'));
  try {
    const rule = join(dir, 'all.eql');
    writeFileSync(rule, 'sequence by host.id [process where true] [any where true]\n');
    const line = (i: number) => JSON.stringify({ '@timestamp': i, event: { category: 'process' }, host: { id: `h${i % 50}` }, message: 'x'.repeat(200) });
    // 120,000 events of about 290 bytes: about 33 MiB, every event kept by the rule.
    const samples = join(dir, 'all.ndjson');
    writeFileSync(samples, Array.from({ length: 120_000 }, (_, i) => line(i)).join('\n') + '\n');
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', join(repoRoot, 'server/src/cli.ts'), 'replay', '--format', 'json', rule, samples], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 256 * MiB,
    });
    assert.equal(r.signal, null, r.stderr.slice(0, 500));
    assert.equal(r.status, 2, r.stderr.slice(0, 500));
    assert.match(r.stderr, /^eql-workbench: replay stopped: the replay needs more memory than the JavaScript heap allows \(\d+ MiB in use of \d+ MiB after \d+ events\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replay --explain with a heap too small for the explanation: exit 2 and a message, never a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eqlwb-big-'));
  try {
    const rule = join(dir, 'seq.eql');
    writeFileSync(rule, 'sequence by host.id with maxspan=1m [process where process.name == "a.exe"] [process where process.name == "b.exe"]\n');
    // 100,000 small events of the rule's category, all kept for the explanation: reading them fits
    // a 64 MiB heap, the explanation's records of each event tried by each stage do not.
    const name = (i: number) => (i % 1000 === 0 ? 'a.exe' : i % 1000 === 1 ? 'b.exe' : `c${i % 50}.exe`);
    const line = (i: number) => JSON.stringify({ '@timestamp': i, event: { category: 'process' }, process: { name: name(i) }, host: { id: `h${i % 7}` } });
    const samples = join(dir, 'seq.ndjson');
    writeFileSync(samples, Array.from({ length: 100_000 }, (_, i) => line(i)).join('\n') + '\n');
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', join(repoRoot, 'server/src/cli.ts'), 'replay', '--explain', '--format', 'json', rule, samples], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 256 * MiB,
    });
    assert.equal(r.signal, null, r.stderr.slice(0, 500));
    assert.equal(r.status, 2, r.stderr.slice(0, 500));
    assert.match(r.stderr, /^eql-workbench: replay stopped: the replay needs more memory than the JavaScript heap allows \(\d+ MiB in use of \d+ MiB after 100000 events\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
