/**
 * Entry point VS Code loads as `extensionTestsPath`: runs the mocha test files built next to
 * this file inside the extension host, with the real `vscode` API.
 *
 * Which files run depends on `EQL_E2E_PHASE` (set by test/e2e/run.mjs in the environment of
 * the extension host):
 * - `main` (default): every `*.test.js` except `installed.test.js`, against the extension
 *   loaded from the repo as extensionDevelopmentPath;
 * - `vsix`: only `installed.test.js`, against the extension installed from its .vsix.
 * `EQL_E2E_GREP` narrows the run to tests whose full title matches (a regular expression).
 *
 * Resolves when every test passed; rejects with the failure count otherwise, which the
 * workbench turns into a non-zero exit code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/**
 * Marks the suite's own output lines. The workbench forwards the extension host's console to
 * the runner as log messages among its own; test/e2e/run.mjs prints only the marked ones.
 */
export const OUTPUT_MARKER = '[eql-e2e] ';
/** Prefix of the last line: JSON `{ passes, failures, pending }` for the runner's summary. */
export const RESULT_MARKER = '[eql-e2e-result] ';

/**
 * The workbench forwards console arguments unformatted (joined by commas), so mocha's reporter
 * output is formatted here, one marked line per console call.
 */
function routeReporterOutput(): void {
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  base.consoleLog = (...args: unknown[]) => {
    for (const line of format(...args).split('\n')) console.log(OUTPUT_MARKER + line);
  };
}

export function run(): Promise<void> {
  const phase = process.env.EQL_E2E_PHASE === 'vsix' ? 'vsix' : 'main';
  routeReporterOutput();
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    // Activation starts a language server; the first replay reads the sample files.
    timeout: 30_000,
    slow: 5_000,
  });
  if (process.env.EQL_E2E_GREP) mocha.grep(new RegExp(process.env.EQL_E2E_GREP));

  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => (phase === 'vsix' ? f === 'installed.test.js' : f !== 'installed.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no test files for phase ${phase} in ${__dirname}`));
      return;
    }
    try {
      const runner = mocha.run((failures) => {
        const { passes = 0, pending = 0 } = runner.stats ?? {};
        console.log(RESULT_MARKER + JSON.stringify({ phase, passes, failures, pending }));
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
    } catch (err) {
      reject(err);
    }
  });
}
