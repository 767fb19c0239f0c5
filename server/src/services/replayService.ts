/**
 * The `eqlWorkbench/replay` request: analyze a rule, read its NDJSON sample files and replay the
 * rule over them with Elasticsearch EQL semantics. Plain data in, plain data out.
 */
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../eql/analyze';
import type { Expression, Query, Statement } from '../eql/ast';
import { EqlCompileError, EqlEvaluationError } from '../engine/errors';
import { getFieldValue } from '../engine/fields';
import type { Match, MatchedEvent } from '../engine/types';
import type { MalformedLine, ReplayMatch, ReplayMatchEvent, ReplayParams, ReplayRequestOptions, ReplayResult } from '../protocol';
import type { ReplayRunOptions } from '../engine/replay';
import { replaySamples, type SampleProgress, type SampleSource } from '../samples/pipeline';
import { exceptionFilterForUris, replayExceptionEffects } from '../exceptions/replayExceptions';
import type { SampleCache } from '../samples/sampleCache';
import { ruleFromEql, readRuleFile, type RuleReplayOptions, type RuleSource } from '../samples/ruleFile';
import { toLspDiagnostic } from './diagnostics';

/** Thrown for input the replay cannot start from (a rule that is neither open nor readable). */
export class ReplayInputError extends Error {}

/** Cancellation and progress of one replay request. */
export interface ReplayHooks {
  /** Aborts the replay between two chunks read (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Told of bytes and events read after each chunk. */
  onProgress?: (progress: SampleProgress) => void;
  /** The options of an open detection-rules TOML document (its text on disk may be older). */
  ruleOptions?: RuleReplayOptions;
  /** Parsed sample files kept between replays (see `SampleReplayRequest.cache`). */
  cache?: SampleCache;
}

/** Returns the text of a document the client has open, or `undefined` when it is not open. */
export type OpenDocumentText = (uri: string) => string | undefined;

/**
 * Replays the rule `params.uri` over the sample files `params.sampleUris`.
 *
 * - The rule text is the open document's (unsaved edits included) when `openText` knows it, else
 *   the file on disk: a `.eql` file is the query, a detection-rules `.toml` file holds it in
 *   `[rule] query` (`readRuleFile`); diagnostics are then placed in the TOML file.
 * - When `analyze` reports an error, nothing is read or replayed: the result carries the rule's
 *   diagnostics (LSP ranges, 0-based) and no matches.
 * - Sample files are read in the order given; their events enter the engine in that order (file
 *   order, then line order), which decides ties as in Elasticsearch (`replay()` sorts by timestamp,
 *   then tiebreaker, stably). A sample listed in `params.openSamples` is parsed from that text (the
 *   client's unsaved editor) instead of the file on disk. Malformed lines are skipped and listed with
 *   1-based lines; an unreadable sample file is skipped and named in `warnings`.
 * - When events were read but none has a value for the event category field while the query has a
 *   stage other than `any`, `warnings` says so (only `any` can match then: the setting is likely wrong).
 * - `tiebreakerField: ''` means no tiebreaker.
 *
 * @returns matches with, per event, its sample URI, 1-based line, 0-based stage and a short summary
 *   (timestamp, category, action, process name) for display.
 * @throws ReplayInputError when the rule is not open and its URI is not a readable `file:` URI, is
 *   not a usable rule file, or the engine refuses the statement (`EqlCompileError`, e.g. a regular
 *   expression it cannot compile; `EqlEvaluationError`, e.g. an integer division by zero on an
 *   event: Elasticsearch fails the search for both). Any other exception is a defect and is
 *   rethrown as is.
 */
export async function replayRule(params: ReplayParams, openText: OpenDocumentText, hooks: ReplayHooks = {}): Promise<ReplayResult> {
  const rule = await loadRule(params.uri, openText);
  const analysis = analyze(rule.query);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !analysis.statement) {
    const document = TextDocument.create(params.uri, 'eql', 0, rule.fileText);
    const inFile = (o: number): number => rule.toFileOffset(o);
    return {
      diagnostics: errors.map((d) =>
        toLspDiagnostic(document, { ...d, span: { start: inFile(d.span.start), end: inFile(d.span.end) } }),
      ),
      matches: [],
      malformedLines: [],
      sampleFiles: 0,
      events: 0,
      warnings: [],
    };
  }
  const statement = analysis.statement;

  const warnings: string[] = [];
  const uriOfPath = new Map<string, string>();
  const sources: SampleSource[] = [];
  const openSamples = new Map((params.openSamples ?? []).map((s) => [s.uri, s.text]));
  for (const uri of params.sampleUris) {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch {
      warnings.push(`${uri}: not a file URI; skipped`);
      continue;
    }
    uriOfPath.set(path, uri);
    sources.push({ path, text: openSamples.get(uri) });
  }

  const own = hooks.ruleOptions ?? rule.options ?? {};
  const fieldOptions = ruleFieldOptions(params.options, own);
  const exceptions = await exceptionFilterForUris(params.exceptionUris);
  warnings.push(...exceptions.warnings);
  let outcome;
  try {
    outcome = await replaySamples({
      statement,
      sources,
      options: fieldOptions,
      categoryOptionName: 'eqlWorkbench.eventCategoryField',
      signal: hooks.signal,
      onProgress: hooks.onProgress,
      cache: hooks.cache,
      exclude: exceptions.filter && ((event) => exceptions.filter!.excludes(event.doc)),
      indexPatterns: params.options.indexFilter === false ? undefined : own.index,
    });
  } catch (e) {
    // The engine refuses what Elasticsearch refuses with a readable message: pass it on as the
    // rule's problem. Anything else is a defect: the request handler logs it as an internal error.
    if (!(e instanceof EqlEvaluationError || e instanceof EqlCompileError)) throw e;
    const where = e instanceof EqlEvaluationError && e.source ? ` (evaluating ${e.source.file}:${e.source.line})` : '';
    throw new ReplayInputError(`The rule cannot be replayed: ${e.message}${where}`);
  }
  for (const u of outcome.unreadable) warnings.push(`${u.path}: cannot be read (${u.reason}); skipped`);
  const malformedLines: MalformedLine[] = [];
  for (const p of outcome.problems) {
    if (p.severity === 'warning') warnings.push(`${p.file}:${p.line}: ${p.message}`);
    else malformedLines.push({ uri: uriOfPath.get(p.file) ?? p.file, line: p.line, message: p.message });
  }
  const keyFields = joinKeyFieldsByStage(statement.query);
  const summaryFields = {
    timestamp: fieldOptions.timestampField || '@timestamp',
    category: fieldOptions.eventCategoryField || 'event.category',
  };
  const toProtocol = (m: Match): ReplayMatch => toReplayMatch(m, statement, keyFields, uriOfPath, summaryFields);
  return {
    ...(exceptions.filter ? { exceptions: replayExceptionEffects(outcome.matchesWithoutExclusions ?? [], outcome.matches, exceptions.filter, toProtocol) } : {}),
    matches: outcome.matches.map(toProtocol),
    malformedLines,
    ...(outcome.indexPatterns ? { indexPatterns: outcome.indexPatterns } : {}),
    sampleFiles: outcome.files,
    ...(outcome.cachedFiles !== undefined ? { cachedSampleFiles: outcome.cachedFiles } : {}),
    events: outcome.events,
    warnings: [...warnings, ...outcome.warnings],
  };
}

/**
 * The `_eql/search` field options a rule replays with: a detection rule's own `timestamp_override`,
 * `event_category_override` and `tiebreaker_field` win over the request's (the editor's settings),
 * as Kibana runs the rule (it sends them as `timestamp_field`, `event_category_field` and
 * `tiebreaker_field`: Kibana's `build_eql_search_request.ts`). Shared by the replay and the
 * explanations, so both order and filter the same events.
 *
 * @param requested the request's options; an empty string means unset (`tiebreakerField: ''`: none).
 * @param own the rule's options (`RuleSource.options`, or those of the open TOML document).
 * @returns the options for `ReplaySession` / `replaySamples`, `undefined` for those unset.
 */
export function ruleFieldOptions(requested: ReplayRequestOptions, own: RuleReplayOptions): Pick<ReplayRunOptions, 'timestampField' | 'tiebreakerField' | 'eventCategoryField'> {
  return {
    timestampField: own.timestampField || requested.timestampField || undefined,
    tiebreakerField: own.tiebreakerField || requested.tiebreakerField || undefined,
    eventCategoryField: own.eventCategoryField || requested.eventCategoryField || undefined,
  };
}

/**
 * The rule a request names: the open document's text (unsaved edits included) when `openText` knows
 * it, else the `.eql` or detection-rules `.toml` file on disk.
 * @throws ReplayInputError when the rule is not open and is not a readable, usable rule file (the
 *   message names the file and, for a TOML syntax error, its 1-based line and column).
 */
export async function loadRule(uri: string, openText: OpenDocumentText): Promise<RuleSource> {
  const open = openText(uri);
  if (open !== undefined) return ruleFromEql(uri, open);
  let path: string;
  try {
    path = fileURLToPath(uri);
  } catch {
    throw new ReplayInputError(`The rule ${uri} is not open and is not a file; open it in an editor first.`);
  }
  const read = await readRuleFile(path);
  if (read.problem) {
    const where = read.problem.kind === 'invalid' ? `:${read.problem.line}:${read.problem.column}` : '';
    throw new ReplayInputError(`The rule ${path}${where} cannot be used: ${read.problem.message}`);
  }
  return read.rule;
}

/** Join key names per stage: the query-level `by` keys, then the stage's own (EQL join key order). */
function joinKeyFieldsByStage(query: Query): string[][] {
  if (query.kind === 'event') return [[]];
  return query.stages.map((stage) => [...query.joinKeys, ...stage.joinKeys].map(keyName));
}

function keyName(expr: Expression): string {
  if (expr.kind === 'field') return expr.name;
  // Join keys are fields in practice; anything else is shown by its kind.
  return `<${expr.kind}>`;
}

function toReplayMatch(
  match: Match,
  statement: Statement,
  keyFields: string[][],
  uriOfPath: Map<string, string>,
  fields: { timestamp: string; category: string },
): ReplayMatch {
  const query = statement.query;
  return {
    type: match.type,
    ...(match.joinKeys !== undefined ? { joinKeys: match.joinKeys.map(toJsonValue) } : {}),
    stageCount: query.kind === 'event' ? 1 : query.stages.length,
    events: match.events.map((e) => toReplayMatchEvent(e, keyFields, uriOfPath, fields)),
  };
}

function toReplayMatchEvent(
  matched: MatchedEvent,
  keyFields: string[][],
  uriOfPath: Map<string, string>,
  fields: { timestamp: string; category: string },
): ReplayMatchEvent {
  const joinKeyFields = keyFields[matched.stage] ?? [];
  const base = { stage: matched.stage, missing: matched.missing, ...(joinKeyFields.length ? { joinKeyFields } : {}) };
  const event = matched.event;
  if (matched.missing || !event) return { uri: '', line: 0, ...base };
  const doc = event.doc;
  const out: ReplayMatchEvent = { uri: uriOfPath.get(event.source.file) ?? event.source.file, line: event.source.line, ...base };
  const timestamp = getFieldValue(doc, fields.timestamp);
  if (typeof timestamp === 'string' || typeof timestamp === 'number') out.timestamp = timestamp;
  const category = displayText(getFieldValue(doc, fields.category));
  if (category !== undefined) out.category = category;
  const action = displayText(getFieldValue(doc, 'event.action'));
  if (action !== undefined) out.action = action;
  const processName = displayText(getFieldValue(doc, 'process.name'));
  if (processName !== undefined) out.processName = processName;
  return out;
}

/** A keyword value for display: a string, or the strings of an array joined by `, ` (ECS `event.category` is an array). */
function displayText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const strings = value.filter((v): v is string => typeof v === 'string');
    return strings.length > 0 ? strings.join(', ') : undefined;
  }
  return undefined;
}

/** Join key values travel as JSON: anything JSON cannot carry (bigint, undefined) becomes a string or null. */
function toJsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  return value;
}
