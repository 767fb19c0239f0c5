/**
 * `eql-workbench test [PATHS...]`: runs rule test files (`*.test.toml`; folders searched
 * recursively) and reports each case as passed or failed, with the expected and actual matches
 * side by side for a failure; `--reporter junit` writes JUnit XML for CI.
 */
import { promises as fs } from 'node:fs';
import { discoverTestFiles } from '../ruletests/discoverTests';
import { toJUnitXml } from '../ruletests/junit';
import { formatRunReport, runTotals } from '../ruletests/report';
import { runTestFiles } from '../ruletests/runner';
import { escapeControlCharacters } from '../samples/controlCharacters';
import { describeFsError } from '../samples/fsErrors';
import { ExitCode, type CliIo } from './io';

/** Options of `test`. */
export interface TestCommandOptions {
  reporter: 'text' | 'junit';
  /** Where the JUnit XML goes (default: stdout, instead of the text report). */
  output?: string;
  /** Exception files applied to every case, besides each test file's own. */
  exceptions?: string[];
}

/**
 * Runs `test`.
 *
 * @param paths test files and folders; none: the current folder.
 * @returns {@link ExitCode.ok} when every case passed, {@link ExitCode.ruleErrors} (1) when a case
 *   failed, {@link ExitCode.usage} (2) for bad input: a path that is missing or holds no test file,
 *   a test file that cannot be read or is invalid (reported with file, line and reason; the other
 *   files still run), a case that cannot run (unreadable samples, a rule with errors), or an output
 *   file that cannot be written.
 */
export async function runTest(paths: readonly string[], options: TestCommandOptions, io: CliIo): Promise<number> {
  const discovered = await discoverTestFiles(paths.length > 0 ? paths : ['.']);
  for (const error of discovered.errors) io.stderr(`${escapeControlCharacters(error)}\n`);
  const results = await runTestFiles(discovered.files, { exceptions: options.exceptions });
  const xml = options.reporter === 'junit' ? toJUnitXml(results) : undefined;
  if (xml !== undefined && options.output === undefined) io.stdout(xml);
  else io.stdout(`${formatRunReport(results).join('\n')}\n`);
  if (xml !== undefined && options.output !== undefined) {
    try {
      await fs.writeFile(options.output, xml);
    } catch (e) {
      io.stderr(`${escapeControlCharacters(options.output)}: cannot write the report: ${describeFsError(e)}\n`);
      return ExitCode.usage;
    }
  }
  const totals = runTotals(results);
  if (discovered.errors.length > 0 || totals.errors > 0 || discovered.files.length === 0) return ExitCode.usage;
  return totals.failed > 0 ? ExitCode.ruleErrors : ExitCode.ok;
}
