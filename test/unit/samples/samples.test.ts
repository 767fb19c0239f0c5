// Replays the sample rule over the sample logs through the command-line code path (`runCli` with
// `--format json`, in-process) and compares with samples/expected/*.json. The expected files were
// worked out by hand from the rule's meaning (samples/README.md explains every match and every near
// miss); nothing in them was produced by this code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { runCli } from '../../../server/src/cli';
import { bufferIo } from '../../../server/src/cli/io';

const root = join(__dirname, '../../..');

interface Expected {
  rule: string;
  samples: string[];
  problems?: string[];
  matches: unknown[];
}

/** Makes absolute paths in `--format json` output relative to the repository root, with `/`. */
function relativize(line: string): unknown {
  const m = JSON.parse(line) as { events: Array<{ file?: string }> };
  for (const e of m.events) if (e.file !== undefined) e.file = relative(root, e.file).split(sep).join('/');
  return m;
}

async function replayExpected(name: string, rule?: string) {
  const expected = JSON.parse(readFileSync(join(root, 'samples/expected', name), 'utf8')) as Expected;
  const io = bufferIo();
  const args = ['replay', '--format', 'json', join(root, rule ?? expected.rule), ...expected.samples.map((s) => join(root, s))];
  const code = await runCli(args, io);
  return { expected, code, io, matches: io.out.split('\n').filter((l) => l !== '').map(relativize) };
}

test('the sample rule (.eql) finds exactly the hand-worked matches in samples/logs', async () => {
  const { expected, code, io, matches } = await replayExpected('incoming_execution_via_powershell_remoting.json');
  assert.equal(io.err, '', 'samples/logs must replay without warnings or malformed lines');
  assert.equal(code, 0);
  assert.deepEqual(matches, expected.matches);
});

test('the same rule as a detection-rules .toml file gives the same matches', async () => {
  const { expected, code, matches } = await replayExpected(
    'incoming_execution_via_powershell_remoting.json',
    'samples/rules/incoming_execution_via_powershell_remoting.toml',
  );
  assert.equal(code, 0);
  assert.deepEqual(matches, expected.matches);
});

test('samples/logs-broken: the malformed line is reported and skipped, the sequence still found, exit 0', async () => {
  const { expected, code, io, matches } = await replayExpected('incoming_execution_via_powershell_remoting.logs-broken.json');
  assert.equal(code, 0);
  assert.deepEqual(matches, expected.matches);
  const problems = io.err.split('\n').filter((l) => l !== '').map((l) => (l.startsWith(root + sep) ? l.slice(root.length + 1).split(sep).join('/') : l));
  assert.equal(problems.length, expected.problems!.length);
  expected.problems!.forEach((prefix, i) => assert.ok(problems[i].startsWith(prefix), problems[i]));
});
