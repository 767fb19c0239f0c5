// `eql-workbench check` reports likely field typos as warnings (exit code 0: warnings alone do not
// fail a check), and stays silent on Elastic's prebuilt rules read inside their detection-rules
// checkout (`../shared/detection-rules`). Columns are 1-based, counted by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnCli } from './spawnCli';

const dir = mkdtempSync(join(tmpdir(), 'eqlwb-fields-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('check: a likely field typo is a warning with the suggestion; a custom field is not printed', async () => {
  const rule = join(dir, 'typo.eql');
  // `process where ` is 14 characters: `proces.name` starts at column 15; `and ` then `my.custom` at 44.
  writeFileSync(rule, 'process where proces.name == "cmd.exe" and my.custom == 1\n');
  const r = spawnCli(['check', rule]);
  assert.equal(r.stdout, `${rule}:1:15: warning: Unknown field [proces.name], did you mean [process.name]?\n`);
  assert.equal(r.status, 0);
});

const shared = resolve(__dirname, '..', '..', '..', '..', 'shared', 'detection-rules');
test('check: no output on the prebuilt rules inside their checkout', { skip: existsSync(join(shared, 'rules')) ? false : 'prebuilt rules not found at ../shared/detection-rules' }, async () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.toml')) files.push(join(d, e.name));
    }
  };
  walk(join(shared, 'rules'));
  if (existsSync(join(shared, 'rules_building_block'))) walk(join(shared, 'rules_building_block'));
  assert.equal(files.length, 120);
  const r = spawnCli(['check', ...files]);
  assert.equal(r.stdout, '');
  assert.equal(r.status, 0);
});

test('check --format-check: an unformatted query is an error at its first whitespace change; a formatted one passes', () => {
  const unformatted = join(dir, 'unformatted.eql');
  // `process where` then two spaces: the first change is at column 14.
  writeFileSync(unformatted, 'process where  process.pid==1\n');
  const r = spawnCli(['check', '--format-check', unformatted]);
  assert.equal(r.stdout, `${unformatted}:1:14: error: the query is not formatted (3 whitespace changes; format the document in the editor)\n`);
  assert.equal(r.status, 1);
  const formatted = join(dir, 'formatted.eql');
  writeFileSync(formatted, 'sequence by host.id with maxspan=1m\n  [process where process.pid == 1]\n  [network where true]\n');
  const ok = spawnCli(['check', '--format-check', formatted]);
  assert.equal(ok.stdout, '');
  assert.equal(ok.status, 0);
});
