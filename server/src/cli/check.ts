/**
 * `eql-workbench check RULE...`: reports the problems Elasticsearch would reject (and warnings) in
 * each rule file, one per line on stdout, as `path:line:column: error|warning: message`. A folder
 * is searched for rules (`*.eql`, `*.toml`); rules of another language (KQL, ES|QL, machine
 * learning…) are skipped, as the editor leaves them alone.
 */
import { promises as fs } from 'node:fs';
import { isRuleTestFileName } from '../ruletests/testFile';
import { escapeControlCharacters } from '../samples/controlCharacters';
import { searchFolder } from '../samples/discover';
import { checkRuleFile, formatDiagnostic, printedLines } from './ruleCheck';
import { formatEdits } from '../eql/formatter';
import { ExitCode, type CliIo } from './io';
import { mappingCheckOptions } from '../eql/mappingCheckOptions';
import { readMappingOption } from './mappingFile';

/** Folders never searched for rules: dependencies and version control. */
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '.git']);

/** A rule file name searched for in folders: `.eql`, or `.toml` but not a rule test file (`*.test.toml`). */
function isRuleFileName(name: string): boolean {
  return /\.(eql|toml)$/i.test(name) && !isRuleTestFileName(name);
}

/**
 * The rule files of `check`'s arguments: a file as given; a folder searched recursively (symbolic
 * links followed, `node_modules` and `.git` left out) for {@link isRuleFileName}, sorted by path.
 * @returns the files (each with whether it was found in a folder) and one `path: reason` per
 *   argument or folder below that cannot be used (missing, unreadable, no rule file).
 */
async function ruleFiles(args: readonly string[]): Promise<{ files: Array<{ path: string; inFolder: boolean }>; problems: string[] }> {
  const files: Array<{ path: string; inFolder: boolean }> = [];
  const problems: string[] = [];
  for (const arg of args) {
    let folder = false;
    try {
      folder = (await fs.stat(arg)).isDirectory();
    } catch {
      // Not there or unreadable: checkRuleFile says so, as for any file.
    }
    if (!folder) {
      files.push({ path: arg, inFolder: false });
      continue;
    }
    const found = await searchFolder(arg, { wanted: isRuleFileName, skipFolder: (name) => SKIPPED_FOLDERS.has(name) });
    problems.push(...found.problems);
    if (found.files.length === 0 && found.problems.length === 0) problems.push(`${arg}: no rule files (*.eql, *.toml) in this folder`);
    for (const path of found.files) files.push({ path, inFolder: true });
  }
  return { files, problems };
}

/**
 * Runs `check` over rule files, in the order given, and the rules found in folders.
 *
 * @param paths `.eql` and detection-rules `.toml` files, and folders searched for them. A TOML rule
 *   of another language (neither `type` nor `language` says `eql`) is skipped: named, with a note
 *   on stderr; found in a folder, counted in one note. A `.toml` file found in a folder that holds
 *   no `[rule]` query (`pyproject.toml`) is not a rule and is passed over.
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
  const { files, problems } = await ruleFiles(paths);
  for (const problem of problems) io.stderr(`${escapeControlCharacters(problem)}\n`);
  if (problems.length > 0) unreadable = true;
  let skippedInFolders = 0;
  for (const { path, inFolder } of files) {
    const checked = await checkRuleFile(path, checkOptions, true);
    if (!checked.rule) {
      if (checked.notEql) {
        if (inFolder) skippedInFolders++;
        else io.stderr(`${escapeControlCharacters(path)}: skipped: not an EQL rule (${checked.lines[0].replace(/^.*?: error: /, '')})\n`);
        continue;
      }
      if (inFolder && checked.noRuleTable) continue;
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
  if (skippedInFolders > 0) io.stderr(`${skippedInFolders} ${skippedInFolders === 1 ? 'rule' : 'rules'} of another language (KQL, ES|QL, machine learning…) skipped\n`);
  if (unreadable) return ExitCode.usage;
  return errors ? ExitCode.ruleErrors : ExitCode.ok;
}
