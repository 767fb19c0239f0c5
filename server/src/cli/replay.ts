/**
 * `eql-workbench replay RULE SAMPLES...`: runs one rule over NDJSON sample logs with the semantics
 * of Elasticsearch's `_eql/search` and prints the matches (readable text, or JSON Lines with
 * `--format json`, shape in `matchJson.ts`).
 */
import { ExplanationInput } from '../engine/explanationInput';
import { explainReplay, type Explanation } from '../engine/explain';
import { escapeControlCharacters, toSafeJsonLine } from '../samples/controlCharacters';
import { sampleSources } from './sampleArguments';
import { formatNdjsonProblem } from '../samples/ndjson';
import { HeapGuard, ReplayMemoryError } from '../samples/memoryGuard';
import { replaySamples, type SampleReplayOutcome } from '../samples/pipeline';
import { formatIndexPatternSummary, indexPatternSummaryToJson } from '../samples/indexPatternSummaryText';
import { someEventHadIndex } from '../samples/indexPatterns';
import { ExitCode, type CliIo } from './io';
import { matchToJsonLine } from './matchJson';
import { explanationToJsonLine, formatExplanationText } from './explain';
import { formatMatchText, formatTotalLine } from './matchText';
import { checkRuleFile, formatDiagnostic, printedLines } from './ruleCheck';
import { EqlCompileError, EqlEvaluationError } from '../engine/errors';
import { mappingCheckOptions } from '../eql/mappingCheckOptions';
import { readMappingOption } from './mappingFile';
import { readExceptionsOption } from './exceptionsOption';
import { ExceptionFilter, exceptionEffects, type ExceptionEffects } from '../exceptions/applyExceptions';
import { exceptionEffectsToJson, formatExceptionEffects } from '../exceptions/replayWithExceptions';

/** Options of `replay`, with the meaning of the `_eql/search` request parameters of the same names. */
export interface ReplayCommandOptions {
  format: 'text' | 'json';
  timestampField: string;
  tiebreakerField?: string;
  eventCategoryField: string;
  /** Maximum number of matches; undefined = all. */
  size?: number;
  /** Path of an Elasticsearch index mapping (JSON) read with `loadMapping`. */
  mapping?: string;
  /** Also print what the rule missed and why (`explainReplay`), after the matches. */
  explain?: boolean;
  /**
   * The field options set on the command line; the others take the rule's own options when it has
   * them (a detection-rules TOML rule's `timestamp_override`, `event_category_override`,
   * `tiebreaker_field`), as Kibana runs the rule. Absent: every field option counts as given.
   */
  given?: ReadonlyArray<'timestampField' | 'tiebreakerField' | 'eventCategoryField'>;
  /** False: parse every line (`--no-prefilter`); default: skip lines the rule cannot use unparsed. */
  prefilter?: boolean;
  /** Exception files (Kibana export `.ndjson`, or `.toml`): matching events are left out, as Kibana does. */
  exceptions?: string[];
  /** Index patterns (`--index`, repeatable, each may be a comma list): replace the rule's `index`. */
  index?: string[];
  /** False (`--no-index-filter`): no index patterns apply, not even the rule's. */
  indexFilter?: boolean;
}

/** At most this many malformed-line messages and warnings are printed per sample file. */
export const MAX_PRINTED_LINE_PROBLEMS = 100;

/**
 * Runs `replay`.
 *
 * Order of work: read the mapping and the rule (any failure: exit 2), find the sample files (a
 * missing path, an unreadable folder or a folder without samples is reported as `path: reason`,
 * the others are still replayed, and the exit code is 2; no sample file at all: exit 2 at once), analyse
 * the rule (errors printed on stderr as in `check`: exit 1), read and replay the samples in one
 * stream (`samples/pipeline.ts`: only the events the rule can use are kept; malformed lines
 * reported on stderr as `path:line: message` and skipped, lines with bytes that are not UTF-8 as
 * `path:line: warning: invalid UTF-8 …` and kept; at most {@link MAX_PRINTED_LINE_PROBLEMS} per file,
 * then `path: … and N more problems not shown`; a file that cannot be read, or is UTF-16 or binary,
 * is reported as `path: reason`, the other files are replayed and their matches printed, and the exit
 * code is 2; the total line counts the files read), warn
 * when no event has a value for the event category field, print the matches on stdout
 * (with `explain`, then the explanation: text block, or a final `{"type":"explanation",…}` line).
 * Everything printed from the samples has its control characters escaped.
 *
 * @param rulePath `.eql` or detection-rules `.toml` rule file.
 * @param samples NDJSON files and folders (searched recursively for `*.ndjson` and `*.jsonl`), and
 *   `-` for standard input (read from `io.stdin`, named `<stdin>` in messages and matches).
 * @returns {@link ExitCode.ok} after a complete replay whatever the number of matches,
 *   {@link ExitCode.ruleErrors} when the rule has errors, {@link ExitCode.usage} for unreadable input
 *   and for samples whose kept events would exhaust the heap (`memoryGuard.ts`).
 */
export async function runReplay(
  rulePath: string,
  samples: readonly string[],
  options: ReplayCommandOptions,
  io: CliIo,
): Promise<number> {
  const mappingOption = await readMappingOption(options.mapping, io);
  if (!mappingOption) return ExitCode.usage;
  const { mapping } = mappingOption;

  const checked = await checkRuleFile(rulePath, mappingCheckOptions(mapping));
  if (!checked.rule) {
    for (const line of checked.lines) io.stderr(`${line}\n`);
    return checked.exitCode;
  }

  const exceptionItems = await readExceptionsOption(options.exceptions, io);
  if (exceptionItems === null) return ExitCode.usage;
  const exceptions = exceptionItems ? new ExceptionFilter(exceptionItems) : undefined;

  // A missing path, an unreadable folder or a folder without samples is reported; the other
  // samples are still replayed, and the exit code says that some input could not be read.
  const discovered = await sampleSources(samples, io.stdin);
  for (const error of discovered.errors) io.stderr(`${escapeControlCharacters(error)}\n`);
  if (discovered.sources.length === 0) {
    if (discovered.errors.length === 0) io.stderr('no sample files given\n');
    return ExitCode.usage;
  }

  const rule = checked.rule;
  for (const line of printedLines(rule)) io.stderr(`${line}\n`);
  if (rule.errors > 0) return ExitCode.ruleErrors;
  if (!rule.statement) {
    io.stderr(`${escapeControlCharacters(rulePath)}:1:1: error: no query found\n`);
    return ExitCode.ruleErrors;
  }

  // The rule's own options where no flag was given.
  const fromRule = rule.source.options ?? {};
  const given = new Set(options.given ?? ['timestampField', 'tiebreakerField', 'eventCategoryField']);
  options = {
    ...options,
    timestampField: (!given.has('timestampField') && fromRule.timestampField) || options.timestampField,
    tiebreakerField: (!given.has('tiebreakerField') && fromRule.tiebreakerField) || options.tiebreakerField,
    eventCategoryField: (!given.has('eventCategoryField') && fromRule.eventCategoryField) || options.eventCategoryField,
  };
  // Index patterns: --index, else the rule's own `index`; --no-index-filter turns them off.
  const indexPatterns = options.indexFilter === false ? undefined : options.index?.length ? options.index : fromRule.index;
  const indexFrom = options.index?.length ? '--index' : "the rule's";
  const replayOptions = {
    timestampField: options.timestampField,
    tiebreakerField: options.tiebreakerField,
    eventCategoryField: options.eventCategoryField,
    size: options.size,
    mapping,
  };
  // Problems are printed as they are found, at most MAX_PRINTED_LINE_PROBLEMS per file.
  const reported = new Map<string, number>();
  let outcome: SampleReplayOutcome;
  let explanation: Explanation | undefined;
  let effects: ExceptionEffects | undefined;
  // The explanation keeps only the events it needs (with exceptions, the events the items leave).
  const needs = options.explain ? new ExplanationInput(rule.statement, replayOptions) : undefined;
  try {
    outcome = await replaySamples({
      statement: rule.statement,
      sources: discovered.sources,
      options: replayOptions,
      categoryOptionName: '--event-category-field',
      keepAllEvents: options.explain,
      keepEvent: needs && ((event) => !exceptions?.appliesTo(event.doc) && needs.keep(event)),
      prefilter: options.prefilter,
      exclude: exceptions && ((event) => exceptions.excludes(event.doc)),
      indexPatterns,
      onProblem: (p) => {
        const n = (reported.get(p.file) ?? 0) + 1;
        reported.set(p.file, n);
        if (n <= MAX_PRINTED_LINE_PROBLEMS) io.stderr(`${formatNdjsonProblem(p)}\n`);
      },
    });
    for (const [file, n] of reported) {
      if (n > MAX_PRINTED_LINE_PROBLEMS) {
        io.stderr(`${escapeControlCharacters(file)}: … and ${n - MAX_PRINTED_LINE_PROBLEMS} more problems not shown\n`);
      }
    }
    // Encoding errors and file system errors alike: `path: reason`. The other files are replayed and
    // their matches printed; the exit code still says that some input could not be read.
    for (const u of outcome.unreadable) io.stderr(`${escapeControlCharacters(`${u.path}: ${u.reason}`)}\n`);
    if (outcome.unreadable.length === discovered.sources.length) return ExitCode.usage;
    // An event skipped over an engine limit is already `path:line: warning: …`.
    for (const w of outcome.warnings) io.stderr(`${/:\d+: warning: /.test(w) ? '' : 'warning: '}${escapeControlCharacters(w)}\n`);
    if (needs) {
      // The explanation's records of each kept event grow the heap as the replay's events did.
      const heap = new HeapGuard();
      const events = outcome.events;
      explanation = explainReplay(rule.statement, outcome.allEvents ?? [], { ...replayOptions, omitted: needs.omitted, check: () => heap.check(events) });
    }
    if (exceptions) effects = exceptionEffects(outcome.matchesWithoutExclusions ?? [], outcome.matches, exceptions);
  } catch (e) {
    // A pattern that does not compile, or a script failure on one event (`/ by zero`): Elasticsearch
    // fails the whole search for these, so they are rule errors at the expression's position.
    if (e instanceof EqlEvaluationError || e instanceof EqlCompileError) {
      const span = e.span ?? { start: 0, end: 0 };
      const where = e instanceof EqlEvaluationError && e.source ? ` (evaluating ${e.source.file}:${e.source.line})` : '';
      // formatDiagnostic escapes the message, which may quote event values.
      io.stderr(`${formatDiagnostic(rule.source, { span, severity: 'error', message: `${e.message}${where}`, code: 'evaluation' })}\n`);
      return ExitCode.ruleErrors;
    }
    // Samples too large for the heap: the input's doing, not a bug.
    if (e instanceof ReplayMemoryError) {
      io.stderr(`eql-workbench: replay stopped: ${e.message}\n`);
      return ExitCode.usage;
    }
    io.stderr(`eql-workbench: replay failed: ${escapeControlCharacters((e as Error).message ?? String(e))}\n`);
    return ExitCode.internal;
  }
  const matches = outcome.matches;

  if (options.format === 'json') {
    for (const m of matches) io.stdout(`${matchToJsonLine(m)}\n`);
    if (explanation) io.stdout(`${explanationToJsonLine(explanation)}\n`);
    if (effects) io.stdout(`${toSafeJsonLine(exceptionEffectsToJson(effects))}\n`);
    if (outcome.indexPatterns && someEventHadIndex(outcome.indexPatterns)) io.stdout(`${toSafeJsonLine({ ...indexPatternSummaryToJson(outcome.indexPatterns), prefiltered: outcome.prefiltered })}\n`);
  } else {
    const fields = { timestampField: options.timestampField, eventCategoryField: options.eventCategoryField, mapping };
    matches.forEach((m, i) => io.stdout(`${formatMatchText(m, i + 1, fields).join('\n')}\n`));
    io.stdout(`${formatTotalLine(matches, outcome.events, outcome.files)}\n`);
    if (outcome.indexPatterns) io.stdout(`${formatIndexPatternSummary(outcome.indexPatterns, indexFrom).map(escapeControlCharacters).join('\n')}\n`);
    if (explanation) io.stdout(`\n${formatExplanationText(explanation).join('\n')}\n`);
    if (effects) io.stdout(`\n${formatExceptionEffects(effects).join('\n')}\n`);
  }
  return outcome.unreadable.length > 0 || discovered.errors.length > 0 ? ExitCode.usage : ExitCode.ok;
}
