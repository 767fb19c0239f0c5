// bin/eql-workbench.js: a missing bundle gets the "run `npm run build`" message (exit 3); a module
// missing inside the bundle is not mistaken for it (Node's own error, exit 1). Node's message format
// "Cannot find module '<request>'" followed by a "Require stack" is from Node's CommonJS loader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const launcher = join(__dirname, '../../../bin/eql-workbench.js');

test('the launcher tells a missing build apart from a module missing inside the build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eqlwb-launcher-'));
  try {
    mkdirSync(join(dir, 'bin'));
    copyFileSync(launcher, join(dir, 'bin', 'eql-workbench.js'));
    const run = () => spawnSync(process.execPath, [join(dir, 'bin', 'eql-workbench.js')], { encoding: 'utf8' });

    const noBuild = run();
    assert.equal(noBuild.status, 3);
    assert.equal(noBuild.stderr, 'eql-workbench: dist/cli.js is missing; run `npm run build` first.\n');

    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'cli.js'), "require('./not-there');\n");
    const brokenBuild = run();
    assert.equal(brokenBuild.status, 1);
    assert.match(brokenBuild.stderr, /Cannot find module '\.\/not-there'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
