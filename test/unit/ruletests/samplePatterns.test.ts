// Expanding a rule test's `samples` globs: a glob's folder is searched as sample folders are, so
// a folder link below it is followed (a file reached through it matches the glob by its path
// through the link), and a glob matching nothing is an error naming the pattern.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSamplePatterns } from '../../../server/src/ruletests/samplePatterns';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-patterns-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a glob follows a folder link below its base: logs/**/*.ndjson finds logs/linked/b.ndjson', async () => {
  mkdirSync(join(dir, 'elsewhere'), { recursive: true });
  mkdirSync(join(dir, 'logs/own'), { recursive: true });
  writeFileSync(join(dir, 'elsewhere/b.ndjson'), '{}\n');
  writeFileSync(join(dir, 'logs/own/a.ndjson'), '{}\n');
  symlinkSync('../elsewhere', join(dir, 'logs/linked'));
  const r = await expandSamplePatterns(['logs/**/*.ndjson'], dir);
  assert.deepEqual(r, { files: [join(dir, 'logs/linked/b.ndjson'), join(dir, 'logs/own/a.ndjson')], errors: [], warnings: [] });
});

test('a glob matching no file is an error naming the pattern and its folder', async () => {
  mkdirSync(join(dir, 'empty'), { recursive: true });
  const r = await expandSamplePatterns(['empty/*.ndjson'], dir);
  assert.deepEqual(r, { files: [], errors: [`empty/*.ndjson: no file matches this pattern (in ${join(dir, 'empty')})`], warnings: [] });
});
