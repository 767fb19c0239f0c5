/**
 * JUnit XML of a test run, as CI systems read it (Jenkins, GitLab, GitHub Actions reporters):
 * `<testsuites>` with one `<testsuite>` per test file (`name` = its path) and one `<testcase>` per
 * case (`classname` = the test file's path, `name` = the case's name, `file`, `time` in seconds);
 * a failed case holds `<failure message="…">` with the side-by-side report as text, a case that could
 * not run `<error message="…">`, and a test file that could not be read one `<testcase>` named
 * after the file with an `<error>` listing its problems.
 *
 * Built with `junit-report-builder` (MIT, maintained, ~5M downloads a month, its own typings; it writes
 * the counts `tests`/`failures`/`errors`/`time` on every suite and escapes text through `xmlbuilder`).
 * Chosen over `xmlbuilder2` (a general XML builder: the JUnit element layout and the counts would be
 * ours to get right) and over reporters tied to one test framework (`jest-junit`, `mocha-junit-reporter`).
 */
import builderFactory from 'junit-report-builder';
import { formatCaseResult } from './report';
import type { TestFileResult } from './runner';

/**
 * Builds the JUnit XML document.
 * @param results the run's results, in run order.
 * @returns the XML text (UTF-8 declaration included).
 */
export function toJUnitXml(results: readonly TestFileResult[]): string {
  const builder = builderFactory.newBuilder();
  builder.name('eql-workbench rule tests');
  for (const file of results) {
    const suite = builder.testSuite().name(file.path);
    if (file.status === 'error') {
      const messages = file.problems.map((p) => `${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}`);
      suite.testCase().className(file.path).name(file.path).file(file.path).error(messages[0] ?? 'cannot be read', 'InvalidTestFile', messages.join('\n'));
      continue;
    }
    for (const c of file.cases) {
      const tc = suite.testCase().className(file.path).name(c.name).file(file.path).time(c.durationMs / 1000);
      if (c.status === 'failed') {
        tc.failure(c.comparison?.reasons.join('; '), 'RuleTestFailure');
        tc.stacktrace(formatCaseResult(file, c).join('\n'));
      } else if (c.status === 'error') {
        tc.error(c.error, 'RuleTestError');
      }
    }
  }
  return builder.build();
}
