/**
 * `eql-workbench replay RULE SAMPLES...`: runs one rule over NDJSON sample logs with the semantics
 * of Elasticsearch's `_eql/search` and prints the matches (readable text, or JSON Lines with
 * `--format json`, shape in `matchJson.ts`).
 */
import type { FieldMapping } from '../engine/mapping';
import { replay } from '../engine/replay';
import type { EventRecord, Match } from '../engine/types';
import { discoverSampleFiles } from '../samples/discover';
import { describeFsError } from '../samples/fsErrors';
import { formatNdjsonProblem, readNdjsonFile } from '../samples/ndjson';
import { ExitCode, type CliIo } from './io';
import { matchToJson } from './matchJson';
import { formatMatchText, formatTotalLine } from './matchText';
import { checkRuleFile, formatDiagnostic } from './ruleCheck';
import { EqlCompileError, EqlEvaluationError } from '../engine/errors';
import { checkOptionsFor, readMappingFile } from './mappingFile';

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
}

/**
 * Runs `replay`.
 *
 * Order of work: read the mapping and the rule and find the sample files (any failure: exit 2), analyse
 * the rule (errors printed on stderr as in `check`: exit 1), read the samples (malformed lines
 * reported on stderr as `path:line: message` and skipped), replay, print the matches on stdout.
 *
 * @param rulePath `.eql` or detection-rules `.toml` rule file.
 * @param samples NDJSON files and folders (searched recursively for `*.ndjson` and `*.jsonl`).
 * @returns {@link ExitCode.ok} after a complete replay whatever the number of matches,
 *   {@link ExitCode.ruleErrors} when the rule has errors, {@link ExitCode.usage} for unreadable input.
 */
export async function runReplay(
  rulePath: string,
  samples: readonly string[],
  options: ReplayCommandOptions,
  io: CliIo,
): Promise<number> {
  let mapping: FieldMapping | undefined;
  if (options.mapping !== undefined) {
    const read = await readMappingFile(options.mapping);
    if (read.error !== undefined) {
      io.stderr(`${read.error}\n`);
      return ExitCode.usage;
    }
    mapping = read.mapping;
  }

  const checked = await checkRuleFile(rulePath, checkOptionsFor(mapping));
  if (!checked.rule) {
    for (const line of checked.lines) io.stderr(`${line}\n`);
    return checked.exitCode;
  }

  const discovered = await discoverSampleFiles(samples);
  if (discovered.errors.length > 0 || discovered.files.length === 0) {
    for (const error of discovered.errors) io.stderr(`${error}\n`);
    if (discovered.errors.length === 0) io.stderr('no sample files given\n');
    return ExitCode.usage;
  }

  const rule = checked.rule;
  for (const line of rule.lines) io.stderr(`${line}\n`);
  if (rule.errors > 0) return ExitCode.ruleErrors;
  if (!rule.statement) {
    io.stderr(`${rulePath}:1:1: error: no query found\n`);
    return ExitCode.ruleErrors;
  }

  const events: EventRecord[] = [];
  for (const file of discovered.files) {
    try {
      const read = await readNdjsonFile(file, (p) => io.stderr(`${formatNdjsonProblem(p)}\n`));
      for (const e of read.events) events.push(e);
    } catch (e) {
      io.stderr(`${file}: ${describeFsError(e)}\n`);
      return ExitCode.usage;
    }
  }

  let matches: Match[];
  try {
    const result = replay(rule.statement, events, {
      timestampField: options.timestampField,
      tiebreakerField: options.tiebreakerField,
      eventCategoryField: options.eventCategoryField,
      size: options.size,
      mapping,
    });
    matches = result.matches;
    for (const w of result.warnings) io.stderr(`warning: ${w}\n`);
  } catch (e) {
    // A pattern that does not compile, or a script failure on one event (`/ by zero`): Elasticsearch
    // fails the whole search for these, so they are rule errors at the expression's position.
    if (e instanceof EqlEvaluationError || e instanceof EqlCompileError) {
      const span = e.span ?? { start: 0, end: 0 };
      const where = e instanceof EqlEvaluationError && e.source ? ` (evaluating ${e.source.file}:${e.source.line})` : '';
      io.stderr(`${formatDiagnostic(rule.source, { span, severity: 'error', message: `${e.message}${where}`, code: 'evaluation' })}\n`);
      return ExitCode.ruleErrors;
    }
    io.stderr(`eql-workbench: replay failed: ${(e as Error).message ?? String(e)}\n`);
    return ExitCode.internal;
  }

  if (options.format === 'json') {
    for (const m of matches) io.stdout(`${JSON.stringify(matchToJson(m))}\n`);
  } else {
    const fields = { timestampField: options.timestampField, eventCategoryField: options.eventCategoryField, mapping };
    matches.forEach((m, i) => io.stdout(`${formatMatchText(m, i + 1, fields).join('\n')}\n`));
    io.stdout(`${formatTotalLine(matches, events.length, discovered.files.length)}\n`);
  }
  return ExitCode.ok;
}
