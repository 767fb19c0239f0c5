/**
 * `eql-workbench`: the command line. This file only wires arguments (commander) to the commands in
 * `cli/`; it runs when executed directly (`node dist/cli.js`) and exports {@link runCli} for the
 * `bin/eql-workbench.js` launcher and for tests.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode, processIo, type CliIo } from './cli/io';
import { escapeControlCharacters } from './samples/controlCharacters';
import type { ReplayCommandOptions } from './cli/replay';
import type { TestCommandOptions } from './cli/test';
import { collectRepeated } from './cli/exceptionsOption';
import { EXPLAIN_JSON_NOTES } from './cli/explain';
import { version } from '../../package.json';

const REPLAY_NOTES = `
Output:
  text (default): per match its number, type and join keys, then per event its
  stage (numbered from 1), file:line, timestamp, category and a few ECS fields; then a total line.
  json: one JSON object per match per line (JSON Lines), in result order:
    {"type":"event","events":[{"file":"logs/a.ndjson","line":3}]}
    {"type":"sequence","join_keys":["h1"],"events":[{"file":"…","line":7},{"file":"…","line":9}]}
    {"type":"sample","join_keys":["h1","h2"],"events":[…]}
  "join_keys" is absent for event queries. The placeholder of a missing-event
  stage ![…] is {"missing":true,"stage":N} (N = 0-based stage index).

  --explain: after the matches, what the rule missed and why. Text: per stage
  how many events of its category passed the condition, the condition's
  top-level "and" terms that failed most, the closest near misses; then per
  join key the sequences completed, each partial sequence with why it ended
  (expired: maxspan exceeded; cancelled by until; replaced by a newer one at
  the same stage; no next-stage event) and nearby events that almost extended
  it, and events that passed a stage with nothing waiting at the previous one.
${EXPLAIN_JSON_NOTES}

  Values from the samples are printed with control characters escaped (\\x1b,
  \\n, \\u2028, ...), so an event cannot drive the terminal or fake a line.

Samples:
  Files are read as given, whatever their name; folders are searched
  recursively for *.ndjson, *.jsonl, *.ndjson.gz and *.jsonl.gz (any letter
  case), in sorted path order. The format is told from each file's content:
    - NDJSON / JSON Lines: one event document per line;
    - gzip-compressed (any of these formats; the gzip magic bytes tell it);
    - a JSON array of event documents (or of hits);
    - pretty-printed event documents, one or several in a row (as jq . writes);
    - Elasticsearch search responses or hits, as saved from Kibana Dev Tools
      ({"hits":{"hits":[{"_index":...,"_id":...,"_source":{...}}]}}): each
      hit's _source is an event;
    - _eql/search responses: the events under hits.events and
      hits.sequences[].events.
  Documents may use nested objects, dotted keys ({"process.name":"x"}) or
  both; fields are looked up as Elasticsearch does. Each event points at the
  line where its document starts. Files must be UTF-8.
  Malformed lines (invalid JSON, or not a JSON object) are reported on stderr
  as path:line: message and skipped; a line with bytes that are not UTF-8 is
  reported as path:line: warning: invalid UTF-8 ... and kept (with U+FFFD in
  their place). A line holding a NUL byte is invalid JSON, skipped. A line
  longer than 100 MiB (Elasticsearch's default http.max_content_length) is
  reported as path:line: warning: ... and skipped unread. At most 100 such
  messages are printed per file. A UTF-16 file (as Windows PowerShell 5.1
  writes with >) or a binary file (NUL bytes with other bytes that are not
  text) is reported as path: reason and is unreadable input. When no event has a value for the
  event category field, a warning says so on stderr.

Index patterns:
  A detection-rules TOML rule's index patterns ([rule] index) apply as Kibana
  runs the rule: an event whose _index (search hits) or data_stream.type,
  .dataset and .namespace fields name an index the patterns do not resolve to
  (Elasticsearch multi-target syntax: *, comma lists, -exclusions, data streams
  by name) is left out; an event carrying none of them is kept. --index
  replaces the rule's patterns; --no-index-filter keeps every event. After the
  total line, a summary tells how many events each pattern kept and which
  indices were left out (json: a final {"type":"index_patterns",...} line, when
  some event has an _index or data_stream fields).

Exit status:
  0  the replay ran (whatever the number of matches)
  1  the rule has errors (printed on stderr as path:line:column: error: message)
  2  usage error or unreadable input (missing file, unreadable folder, no sample
     file found, a file that is UTF-16 or not text, unusable mapping), or the
     output cannot be written. A sample file that cannot be read is reported as
     path: reason and the other files are still replayed and their matches
     printed; the exit status is then 2 (nothing is printed on stdout when no
     file could be read). Also 2 when the events the rule keeps would exhaust
     the memory ("replay stopped: ...", saying what to do).
  3  internal error
`;

const CHECK_NOTES = `
Each problem is printed on stdout as path:line:column: error|warning: message
(1-based line and column; for a .toml rule, the position inside the TOML file),
with control characters of quoted text escaped (\\x1b, \\t). At most 100 are
printed per file, then "path: ... and N more diagnostics not shown".
Rule files must be UTF-8: a byte that is not UTF-8 is an error at its position;
a UTF-16 file or a file with NUL bytes ("not a text file") is unreadable.
Folders are searched for *.eql and *.toml rules. Rules of another language
(KQL, ES|QL, machine learning...) are skipped with a note on stderr.

Exit status:
  0  no errors (warnings allowed)
  1  at least one error (including bytes that are not UTF-8, invalid TOML)
  2  usage error or unreadable rule file (missing, UTF-16, not a text file),
     or the output cannot be written
`;

const DEBUG_ADAPTER_NOTES = `
Speaks the Debug Adapter Protocol over stdin/stdout until the client disconnects.
Launch attributes (as in VS Code's launch.json, type "eql-replay"):
  rule                .eql or detection-rules .toml file (required)
  samples             NDJSON files, folders or globs (default: the folder above the rule's folder)
  cwd                 folder relative paths are resolved against (default: the current folder)
  timestampField, tiebreakerField, eventCategoryField
                      default: the TOML rule's timestamp_override, tiebreaker_field and
                      event_category_override, else @timestamp, none, event.category
  stopOnEntry         stop before the first event (default true)
`;

const TEST_NOTES = `
Test files: see README "Rule tests". Each names a rule, its samples and cases
with expectations (number of matches, matches that must be found, events that
must be in no match). Paths inside are relative to the test file.

Exit status:
  0  every case passed
  1  at least one case failed
  2  bad input: a path that is missing or holds no test file, a test file that
     cannot be read or is invalid (printed with file and line; the other files
     still run), a case that cannot run (unreadable samples or exception file,
     a rule with errors), or a report that cannot be written
`;

/** Escapes control and format characters of each line, keeping the line breaks. */
function escapeLines(text: string): string {
  return text.split('\n').map(escapeControlCharacters).join('\n');
}

/** Parses `--size`: a non-negative integer (Elasticsearch rejects negative sizes). */
function parseSize(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer.');
  return Number(value);
}

/**
 * Parses `--timestamp-field` and `--event-category-field`: a field name. Elasticsearch rejects an
 * empty one (`EqlSearchRequest.validate`: "@timestamp field is null or empty", "event category
 * field is null or empty"); it accepts an empty `tiebreaker_field`, which names no tiebreaker.
 */
function parseRequiredField(value: string): string {
  if (value === '') throw new InvalidArgumentError('expected a field name (Elasticsearch rejects an empty one).');
  return value;
}

/**
 * Builds the commander program. Each command's action stores its exit code in `result.code`.
 * @param io where commands and commander (help, usage errors) write.
 */
function createProgram(io: CliIo, result: { code: number }): Command {
  const program = new Command('eql-workbench')
    .description('Check Elastic Security EQL rules and replay them over NDJSON sample logs.')
    // Usage errors quote the arguments, which may come from a shell glob over hostile file names.
    .configureOutput({ writeOut: io.stdout, writeErr: (text) => io.stderr(escapeLines(text)) })
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('check')
    .description('Report the errors and warnings of EQL rules (.eql, or detection-rules .toml).')
    .argument('<rule...>', 'rule files, or folders searched for *.eql and *.toml rules')
    .option('--mapping <file>', 'Elasticsearch index mapping (JSON); fields it lacks are errors, as in Elasticsearch')
    .option('--format-check', 'also report rules whose query is not formatted (exit 1), as the editor formats them')
    .addHelpText('after', CHECK_NOTES)
    .action(async (rules: string[], options: { mapping?: string; formatCheck?: boolean }) => {
      // Commands load on use: `check` does not pull in the replay engine.
      const { runCheck } = await import('./cli/check');
      result.code = await runCheck(rules, options, io);
    });

  program
    .command('replay')
    .description('Replay one EQL rule over sample logs (NDJSON, gzip, JSON, search responses) and print the matches.')
    .argument('<rule>', 'rule file: .eql (one query) or detection-rules .toml')
    .argument('<samples...>', 'sample files (NDJSON, gzip, JSON arrays, search or _eql/search responses: see Samples below), or folders searched for *.ndjson, *.jsonl and their .gz; - reads standard input, named <stdin> in results')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--timestamp-field <field>', 'field holding the event time', parseRequiredField, '@timestamp')
    .option('--tiebreaker-field <field>', 'field ordering events with equal timestamps (default: none, file order)')
    .option('--event-category-field <field>', 'field holding the event category', parseRequiredField, 'event.category')
    .option('--size <n>', 'maximum number of matches (default: all; the _eql/search API defaults to 10)', parseSize)
    .option('--mapping <file>', 'Elasticsearch index mapping (JSON): field types and aliases; fields it lacks are errors')
    .option('--explain', 'after the matches, explain what the rule missed and why (per stage, per join key)')
    .option('--no-prefilter', 'parse every line (default: lines holding none of the literals the rule needs are skipped unparsed, so their JSON errors are not reported)')
    .option('--exceptions <file>', 'exception file (Kibana export .ndjson, or .toml) whose items leave events out, as Kibana does; repeatable', collectRepeated)
    .option('--index <patterns>', "index patterns (comma list, repeatable) matched against each event's _index or data_stream fields, instead of the rule's index", collectRepeated)
    .option('--no-index-filter', "keep every event, whatever its index (default: a TOML rule's index patterns apply)")
    .addHelpText('after', REPLAY_NOTES)
    .action(async (rule: string, samples: string[], options: ReplayCommandOptions, command: Command) => {
      const { runReplay } = await import('./cli/replay');
      // Flags given on the command line override the rule's own options (timestamp_override, …).
      const given = (['timestampField', 'tiebreakerField', 'eventCategoryField'] as const).filter((k) => command.getOptionValueSource(k) === 'cli');
      result.code = await runReplay(rule, samples, { ...options, given }, io);
    });

  program
    .command('debug-adapter')
    .description('Run the replay debugger as a Debug Adapter Protocol server on stdin/stdout (nvim-dap, Emacs dap-mode, JetBrains).')
    .addHelpText('after', DEBUG_ADAPTER_NOTES)
    .action(async () => {
      const { runDebugAdapter } = await import('./cli/debugAdapter');
      result.code = await runDebugAdapter();
    });

  program
    .command('test')
    .description('Run rule test files (*.test.toml): each case passed or failed, expected and actual matches side by side.')
    .argument('[paths...]', 'test files, or folders searched recursively for *.test.toml (default: the current folder)')
    .addOption(new Option('--reporter <reporter>', 'report format').choices(['text', 'junit']).default('text'))
    .option('--output <file>', 'with --reporter junit: write the JUnit XML to this file (the text report goes to stdout)')
    .option('--exceptions <file>', 'exception file (Kibana export .ndjson, or .toml) applied to every case; repeatable', collectRepeated)
    .addHelpText('after', TEST_NOTES)
    .action(async (paths: string[], options: TestCommandOptions) => {
      const { runTest } = await import('./cli/test');
      result.code = await runTest(paths, options, io);
    });

  return program;
}

/**
 * Runs the command line.
 *
 * @param argv the arguments after the program name (`process.argv.slice(2)`).
 * @param io output sinks; default the process's stdout and stderr.
 * @returns the exit code: 0 success, 1 rule errors, 2 usage error or unreadable input, 3 internal
 *   error. (Failed writes to the process's stdout are handled by {@link main}, which exits 2.)
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const result: { code: number } = { code: ExitCode.ok };
  const program = createProgram(io, result);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error.
      return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    io.stderr(`eql-workbench: ${(e as Error)?.stack ?? String(e)}\n`);
    return ExitCode.internal;
  }
  return result.code;
}

/**
 * Runs with the process's arguments and sets `process.exitCode` (output is flushed before exit).
 *
 * Standard output that cannot be written (`> /dev/full`: `ENOSPC`, a closed descriptor) ends the
 * process at once with `eql-workbench: cannot write output: reason` on stderr and exit code 2
 * ({@link ExitCode.usage}); output piped into a command that stops reading (`| head`: `EPIPE`)
 * ends it silently with the exit code reached so far. An exception nothing caught ends it with
 * `eql-workbench: internal error: stack` and {@link ExitCode.internal}.
 */
export function main(): Promise<void> {
  // A failure outside the command's promise would end Node with code 1, read as "rule errors".
  const internal = (e: unknown): void => {
    process.stderr.write(`eql-workbench: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(ExitCode.internal);
  };
  process.on('uncaughtException', internal);
  process.on('unhandledRejection', internal);
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`eql-workbench: cannot write output: ${e.message}\n`);
    process.exit(ExitCode.usage);
  });
  return runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) void main();
