/**
 * `eqlWorkbench/explainEvent` and `eqlWorkbench/explainReplay`: why the sample events passed or
 * failed the stages of a rule, for the editor (hover on a sample line, per-stage counts beside the
 * rule, the "Why not?" part of the results view). Plain data in, plain data out.
 *
 * Both read the rule and the samples as `eqlWorkbench/replay` does (open documents' unsaved text
 * first) and run the engine's own explanations (`engine/eventExplanation.ts`, `engine/explain.ts`)
 * on the same events in the same order. Event references leave as sample URIs; in the words of the
 * explanations, files are named by base name (the full path when two samples share one).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze } from '../eql/analyze';
import type { Span, Statement } from '../eql/ast';
import { EqlCompileError, EqlEvaluationError } from '../engine/errors';
import { explainEventInReplay } from '../engine/eventExplanation';
import { explainReplay, type ExplainOptions } from '../engine/explain';
import { ExplanationInput, type OmittedEvents } from '../engine/explanationInput';
import type { ReplayRunOptions } from '../engine/replay';
import type { EventRecord } from '../engine/types';
import type { ExplainEventParams, ExplainEventResult, ExplainReplayResult, ReplayParams, StageEnd } from '../protocol';
import { type NdjsonResult, parseNdjsonText, readNdjsonFile } from '../samples/ndjson';
import { replaySamples, type SampleSource } from '../samples/pipeline';
import type { RuleSource } from '../samples/ruleFile';
import { lineColumnAt } from '../samples/textPosition';
import { loadRule, ReplayInputError, type OpenDocumentText } from './replayService';
import { eventIndexOf, IndexPatternFilter } from '../samples/indexPatterns';

/** The index an event comes from, as the index pattern summary names it. */
function indexName(event: EventRecord): string {
  const where = eventIndexOf(event);
  return where?.index !== undefined ? `${where.cluster !== undefined ? `${where.cluster}:` : ''}${where.index}` : (where?.dataStream?.name ?? '');
}
import type { RuleReplayOptions } from '../samples/ruleFile';

/** The inputs of an explanation, or the rule's errors. */
type ExplainInput =
  | { ruleErrors: string[] }
  | {
      ruleErrors?: undefined;
      rule: RuleSource;
      statement: Statement;
      events: EventRecord[];
      /** Display name of each sample (as in `EventRecord.source.file`) → its URI. */
      uriOfName: Map<string, string>;
      /** Sample URI → display name. */
      nameOfUri: Map<string, string>;
      options: ExplainOptions;
      /** Events the rule's index patterns leave out, by `file\0line`: the index each comes from (explainEvent only). */
      leftOut: Map<string, string>;
    };

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/**
 * Reads the rule and the sample events (unreadable samples and malformed lines are skipped: the
 * replay reports them).
 */
async function loadInput(params: ReplayParams, openText: OpenDocumentText, ruleOptions?: RuleReplayOptions, needed = false): Promise<ExplainInput> {
  const rule = await loadRule(params.uri, openText);
  const analysis = analyze(rule.query);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !analysis.statement) return { ruleErrors: errors.map((d) => d.message) };
  // As the replay: the events of indices the rule does not search are not even near misses.
  const patterns = params.options.indexFilter === false ? undefined : (ruleOptions ?? rule.options)?.index;
  const { timestampField, tiebreakerField, eventCategoryField } = params.options;
  const options: ReplayRunOptions = {
    timestampField: timestampField || undefined,
    tiebreakerField: tiebreakerField || undefined,
    eventCategoryField: eventCategoryField || undefined,
  };
  if (needed) {
    const { events, uriOfName, nameOfUri, omitted } = await loadNeededSamples(params, analysis.statement, options, patterns);
    return { rule, statement: analysis.statement, events, uriOfName, nameOfUri, options: omitted ? { ...options, omitted } : options, leftOut: new Map() };
  }
  const samples = await loadSamples(params);
  const { uriOfName, nameOfUri } = samples;
  const indexFilter = patterns ? new IndexPatternFilter(patterns) : undefined;
  const leftOut = new Map<string, string>();
  const events = !indexFilter
    ? samples.events
    : samples.events.filter((e) => {
        if (indexFilter.admits(e)) return true;
        leftOut.set(`${e.source.file}\0${e.source.line}`, indexName(e));
        return false;
      });
  return { rule, statement: analysis.statement, events, uriOfName, nameOfUri, options, leftOut };
}

/**
 * Streams the sample files (unsaved texts first, every format the replay reads) through the sample
 * pipeline and keeps only the events an explanation of `statement` needs (`ExplanationInput`); the
 * others are counted in `omitted`. Files are named as {@link loadSamples} names them.
 */
async function loadNeededSamples(params: ReplayParams, statement: Statement, options: ReplayRunOptions, indexPatterns?: string[]): Promise<LoadedSamples> {
  const paths = samplePaths(params);
  const names = sampleNames(paths);
  const openSamples = new Map((params.openSamples ?? []).map((s) => [s.uri, s.text]));
  const uriOfName = new Map<string, string>();
  const nameOfUri = new Map<string, string>();
  const nameOfPath = new Map<string, string>();
  const sources: SampleSource[] = [];
  params.sampleUris.forEach((uri, i) => {
    const path = paths[i];
    if (!path) return;
    const name = names(path);
    uriOfName.set(name, uri);
    nameOfUri.set(uri, name);
    nameOfPath.set(path, name);
    sources.push({ path, text: openSamples.get(uri) });
  });
  const needs = new ExplanationInput(statement, options);
  let outcome;
  try {
    outcome = await replaySamples({ statement, sources, options, categoryOptionName: 'eqlWorkbench.eventCategoryField', keepAllEvents: true, keepEvent: (e) => needs.keep(e), indexPatterns });
  } catch (e) {
    throw asInputError(e);
  }
  // Unreadable files and malformed lines are skipped: the replay reports them.
  const events = (outcome.allEvents ?? []).map((e) => ({ doc: e.doc, source: { file: nameOfPath.get(e.source.file) ?? e.source.file, line: e.source.line } }));
  return { events, uriOfName, nameOfUri, omitted: needs.omitted };
}

function samplePaths(params: ReplayParams): Array<string | undefined> {
  return params.sampleUris.map((uri) => {
    try {
      return fileURLToPath(uri);
    } catch {
      return undefined;
    }
  });
}

/** Names samples by base name, or by path when two share one. */
function sampleNames(paths: Array<string | undefined>): (path: string) => string {
  const counts = new Map<string, number>();
  for (const p of paths) if (p) counts.set(baseName(p), (counts.get(baseName(p)) ?? 0) + 1);
  return (path) => (counts.get(baseName(path)) === 1 ? baseName(path) : path);
}

/** The events of a set of sample files, with the names the explanations give the files. */
interface LoadedSamples {
  events: EventRecord[];
  uriOfName: Map<string, string>;
  nameOfUri: Map<string, string>;
  /** Events left out because the explanation does not need them (see `ExplanationInput`). */
  omitted?: OmittedEvents;
}

/**
 * The samples read last, and what they were read from: hovering line after line of a large sample
 * explains each against the same events, which are then read once. Any change of the files (size
 * or modification time), of the list or of an unsaved text reads them again.
 */
let lastSamples: { key: string; samples: LoadedSamples } | undefined;

/** What decides the content of the samples: URIs, each file's size and modification time, unsaved texts. */
async function samplesKey(params: ReplayParams, paths: Array<string | undefined>): Promise<string | undefined> {
  const hash = createHash('sha256');
  for (let i = 0; i < params.sampleUris.length; i++) {
    hash.update(`${params.sampleUris[i]}\0`);
    const path = paths[i];
    if (!path) continue;
    try {
      const stat = await fs.stat(path);
      hash.update(`${stat.size}:${stat.mtimeMs}\0`);
    } catch {
      return undefined;
    }
  }
  for (const s of params.openSamples ?? []) hash.update(`${s.uri}\0${s.text}\0`);
  return hash.digest('hex');
}

/** Reads the sample files (unsaved texts first), naming each by base name (its path when two share one). */
async function loadSamples(params: ReplayParams): Promise<LoadedSamples> {
  const paths = params.sampleUris.map((uri) => {
    try {
      return fileURLToPath(uri);
    } catch {
      return undefined;
    }
  });
  const key = await samplesKey(params, paths);
  if (key !== undefined && lastSamples?.key === key) return lastSamples.samples;
  const counts = new Map<string, number>();
  for (const p of paths) if (p) counts.set(baseName(p), (counts.get(baseName(p)) ?? 0) + 1);
  const openSamples = new Map((params.openSamples ?? []).map((s) => [s.uri, s.text]));
  const events: EventRecord[] = [];
  const uriOfName = new Map<string, string>();
  const nameOfUri = new Map<string, string>();
  for (let i = 0; i < params.sampleUris.length; i++) {
    const uri = params.sampleUris[i];
    const path = paths[i];
    if (!path) continue;
    const name = counts.get(baseName(path)) === 1 ? baseName(path) : path;
    const text = openSamples.get(uri);
    let read: NdjsonResult;
    try {
      read = text !== undefined ? parseNdjsonText(text, name) : await readNdjsonFile(path);
    } catch {
      continue; // the replay names unreadable files
    }
    uriOfName.set(name, uri);
    nameOfUri.set(uri, name);
    for (const e of read.events) events.push({ doc: e.doc, source: { file: name, line: e.source.line } });
  }
  const samples = { events, uriOfName, nameOfUri };
  lastSamples = key === undefined ? undefined : { key, samples };
  return samples;
}

/** Replaces the `file` of every event reference (`{ file, line }`) with the sample's URI. */
function withUris<T>(value: T, uriOfName: Map<string, string>): T {
  // An integer beyond 2^53 (a bigint, which JSON cannot carry) travels as its digits.
  if (typeof value === 'bigint') return value.toString() as T;
  if (Array.isArray(value)) return value.map((v) => withUris(v, uriOfName)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withUris(v, uriOfName);
  if (typeof out.file === 'string' && typeof out.line === 'number') out.file = uriOfName.get(out.file) ?? out.file;
  return out as T;
}

/** Runs an engine call; what the engine refuses (as Elasticsearch would) becomes a `ReplayInputError`. */
function engine<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw asInputError(e);
  }
}

/** What the engine refuses becomes a `ReplayInputError`; anything else is returned as is. */
function asInputError(e: unknown): unknown {
  if (!(e instanceof EqlEvaluationError || e instanceof EqlCompileError)) return e;
  const where = e instanceof EqlEvaluationError && e.source ? ` (evaluating ${e.source.file}:${e.source.line})` : '';
  return new ReplayInputError(`The rule cannot be replayed: ${e.message}${where}`);
}

/**
 * Explains the event at `params.line` of `params.sampleUri` against the rule `params.uri`.
 *
 * @returns the event's explanation (stages 0-based in data, 1-based in words; event references as
 *   sample URIs), none when the line holds no event, or the rule's error messages.
 * @throws ReplayInputError as `replayRule` does (an unreadable rule, a rule the engine refuses).
 */
export async function explainEvent(params: ExplainEventParams, openText: OpenDocumentText, ruleOptions?: RuleReplayOptions): Promise<ExplainEventResult> {
  const input = await loadInput(params, openText, ruleOptions);
  if (input.ruleErrors) return { ruleErrors: input.ruleErrors };
  const name = input.nameOfUri.get(params.sampleUri);
  if (name === undefined) return {};
  const leftOutFromIndex = input.leftOut.get(`${name}\0${params.line}`);
  if (leftOutFromIndex !== undefined) return { leftOutFromIndex };
  const explanation = engine(() => explainEventInReplay(input.statement, input.events, { file: name, line: params.line }, input.options));
  return explanation ? { explanation: withUris(explanation, input.uriOfName) } : {};
}

/**
 * Explains a replay of the rule `params.uri` (`explainReplay`, the CLI's `replay --explain`) and
 * says where each stage ends in the rule file.
 *
 * @returns the explanation (event references as sample URIs) and the stage ends (0-based lines and
 *   characters of the rule file: positions in the query for an open document, which the caller
 *   maps), or the rule's error messages.
 * @throws ReplayInputError as `replayRule` does.
 */
export async function explainReplayOfRule(params: ReplayParams, openText: OpenDocumentText, ruleOptions?: RuleReplayOptions): Promise<ExplainReplayResult> {
  const input = await loadInput(params, openText, ruleOptions, true);
  if (input.ruleErrors) return { ruleErrors: input.ruleErrors, stageEnds: [] };
  const explanation = engine(() => explainReplay(input.statement, input.events, input.options));
  const query = input.statement.query;
  const at = (stage: number, span: Span): StageEnd => {
    const { line, column } = lineColumnAt(input.rule.fileText, input.rule.toFileOffset(span.end));
    return { stage, position: { line: line - 1, character: column - 1 } };
  };
  const stageEnds =
    query.kind === 'event'
      ? [at(0, query.filter.span)]
      : [...query.stages.map((s, i) => at(i, s.span)), ...(query.kind === 'sequence' && query.until ? [at(-1, query.until.span)] : [])];
  return { explanation: withUris(explanation, input.uriOfName), stageEnds };
}
