/**
 * `eql-workbench check RULE...`: reports the problems Elasticsearch would reject (and warnings) in
 * each rule file, one per line on stdout, as `path:line:column: error|warning: message`.
 */
import { checkRuleFile, formatDiagnostic, printedLines } from './ruleCheck';
import { formatEdits } from '../eql/formatter';
import { ExitCode, type CliIo } from './io';
import { mappingCheckOptions } from '../eql/mappingCheckOptions';
import { readMappingOption } from './mappingFile';

/**
 * Runs `check` over rule files, in the order given.
 *
 * @param paths `.eql` and detection-rules `.toml` files.
 * @param options `mapping`: an Elasticsearch index mapping file; when given, fields it lacks are errors.
 *   `formatCheck`: a rule whose query the formatter (`eql/formatter.ts`) would change is reported as
 *   `path:line:column: error: the query is not formatted (…)` at the first change, and counts as an error.
 * @param io where diagnostics (stdout; at most `MAX_PRINTED_DIAGNOSTICS` per file, then a
 *   `… and N more diagnostics not shown` line) and unreadable-file messages (stderr) go.
 * @returns {@link ExitCode.usage} (2) if a file could not be read, else {@link ExitCode.ruleErrors}
 *   (1) if any rule has an error, else {@link ExitCode.ok} (0); warnings alone give 0.
 */
export async function runCheck(paths: readonly string[], options: { mapping?: string; formatCheck?: boolean }, io: CliIo): Promise<number> {
  const mappingOption = await readMappingOption(options.mapping, io);
  if (!mappingOption) return ExitCode.usage;
  const { mapping } = mappingOption;
  const checkOptions = mappingCheckOptions(mapping);
  let unreadable = false;
  let errors = false;
  for (const path of paths) {
    const checked = await checkRuleFile(path, checkOptions, true);
    if (!checked.rule) {
      if (checked.exitCode === ExitCode.usage) {
        unreadable = true;
        for (const line of checked.lines) io.stderr(`${line}\n`);
      } else {
        errors = true;
        for (const line of checked.lines) io.stdout(`${line}\n`);
      }
      continue;
    }
    for (const line of printedLines(checked.rule)) io.stdout(`${line}\n`);
    if (checked.rule.errors > 0) errors = true;
    if (options.formatCheck) {
      const edits = formatEdits(checked.rule.source.query);
      if (edits.length > 0) {
        errors = true;
        const first = edits[0].span;
        io.stdout(`${formatDiagnostic(checked.rule.source, { span: first, severity: 'error', code: 'format', message: `the query is not formatted (${edits.length} whitespace change${edits.length === 1 ? '' : 's'}; format the document in the editor)` })}\n`);
      }
    }
  }
  if (unreadable) return ExitCode.usage;
  return errors ? ExitCode.ruleErrors : ExitCode.ok;
}
