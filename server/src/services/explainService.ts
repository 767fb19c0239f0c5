/**
 * `eqlWorkbench/explainEvent` and `eqlWorkbench/explainReplay`: why the sample events passed or
 * failed the stages of a rule, for the editor (hover on a sample line, per-stage counts beside the
 * rule, the "Why not?" part of the results view). Plain data in, plain data out.
 *
 * Both read the rule and the samples as `eqlWorkbench/replay` does (open documents' unsaved text
 * first, every sample format, through the same sample pipeline and the same parsed-sample cache when
 * given one, with the rule's own options) and run the engine's own explanations
 * (`engine/eventExplanation.ts`, `engine/explain.ts`) on the same events in the same order. The
 * language server runs them in its replay worker (`replayInWorker.ts`). Event references leave as
 * sample URIs; in the words of the explanations, files are named by base name (the full path when
 * two samples share one).
 */
import { fileURLToPath } from 'node:url';
import { analyze } from '../eql/analyze';
import type { Span, Statement } from '../eql/ast';
import { EqlCompileError, EqlEvaluationError } from '../engine/errors';
import { explainEventInReplay } from '../engine/eventExplanation';
import { explainReplay, type ExplainOptions } from '../engine/explain';
import { ExplanationInput } from '../engine/explanationInput';
import type { ReplayRunOptions } from '../engine/replay';
import type { EventRecord } from '../engine/types';
import type { ExplainEventParams, ExplainEventResult, ExplainReplayResult, ReplayParams, StageEnd } from '../protocol';
import { exceptionFilterForUris } from '../exceptions/replayExceptions';
import { eventIndexOf, IndexPatternFilter } from '../samples/indexPatterns';
import { replaySamples, type SampleSource } from '../samples/pipeline';
import type { RuleSource } from '../samples/ruleFile';
import { lineColumnAt } from '../samples/textPosition';
import { loadRule, ReplayInputError, ruleFieldOptions, type OpenDocumentText, type ReplayHooks } from './replayService';

/** The index an event comes from, as the index pattern summary names it. */
function indexName(event: EventRecord): string {
  const where = eventIndexOf(event);
  return where?.index !== undefined ? `${where.cluster !== undefined ? `${where.cluster}:` : ''}${where.index}` : (where?.dataStream?.name ?? '');
}

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
      /** Events an exception item leaves out, by `file\0line`: the item's name (explainEvent only). */
      excepted: Map<string, string>;
    };

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/**
 * Reads the rule and the sample events (unreadable samples and malformed lines are skipped: the
 * replay reports them). `needed`: keep only the events a replay explanation needs
 * (`ExplanationInput`), counting the others; otherwise every event is kept (an event's explanation
 * steps the sequence through all of them), and those the rule's index patterns leave out are
 * named in `leftOut`.
 */
async function loadInput(params: ReplayParams, openText: OpenDocumentText, hooks: ReplayHooks, needed: boolean): Promise<ExplainInput> {
  const rule = await loadRule(params.uri, openText);
  const analysis = analyze(rule.query);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !analysis.statement) return { ruleErrors: errors.map((d) => d.message) };
  const statement = analysis.statement;
  // As the replay: the rule's own options, and the events of indices the rule does not search are
  // not even near misses.
  const own = hooks.ruleOptions ?? rule.options ?? {};
  const options: ReplayRunOptions = ruleFieldOptions(params.options, own);
  const patterns = params.options.indexFilter === false ? undefined : own.index;
  const samples = sampleSources(params);
  const needs = needed ? new ExplanationInput(statement, options) : undefined;
  const indexFilter = !needed && patterns ? new IndexPatternFilter(patterns) : undefined;
  const leftOut = new Map<string, string>();
  // As the replay: the events exception items leave out are not seen by the rule (the replay warns
  // about unreadable exception files).
  const exceptions = (await exceptionFilterForUris(params.exceptionUris)).filter;
  const excepted = new Map<string, string>();
  const keyOf = (e: EventRecord) => `${samples.nameOfPath.get(e.source.file) ?? e.source.file}\0${e.source.line}`;
  let outcome;
  try {
    outcome = await replaySamples({
      statement,
      sources: samples.sources,
      options,
      categoryOptionName: 'eqlWorkbench.eventCategoryField',
      keepAllEvents: true,
      keepEvent: (e) => {
        if (indexFilter && !indexFilter.admits(e)) {
          leftOut.set(keyOf(e), indexName(e));
          return false;
        }
        const item = exceptions?.items.find((i) => !i.expired && i.test(e.doc));
        if (item) {
          if (!needed) excepted.set(keyOf(e), item.item.name);
          return false;
        }
        return needs ? needs.keep(e) : true;
      },
      // A replay explanation drops the events the index patterns leave out as the replay does; an
      // event's explanation filters them itself, to tell the hovered one it is not replayed.
      indexPatterns: needed ? patterns : undefined,
      cache: hooks.cache,
      signal: hooks.signal,
      onProgress: hooks.onProgress,
    });
  } catch (e) {
    throw asInputError(e);
  }
  const events = (outcome.allEvents ?? []).map((e) => ({ doc: e.doc, source: { file: samples.nameOfPath.get(e.source.file) ?? e.source.file, line: e.source.line } }));
  const explainOptions: ExplainOptions = needs ? { ...options, omitted: needs.omitted } : options;
  return { rule, statement, events, uriOfName: samples.uriOfName, nameOfUri: samples.nameOfUri, options: explainOptions, leftOut, excepted };
}

/** The sample files of a request (unsaved texts first), and the names the explanations give them. */
interface NamedSources {
  sources: SampleSource[];
  /** Display name (base name, or the path when two samples share one) → sample URI. */
  uriOfName: Map<string, string>;
  /** Sample URI → display name. */
  nameOfUri: Map<string, string>;
  /** Path → display name. */
  nameOfPath: Map<string, string>;
}

function sampleSources(params: ReplayParams): NamedSources {
  const paths = params.sampleUris.map((uri) => {
    try {
      return fileURLToPath(uri);
    } catch {
      return undefined; // the replay names URIs that are not files
    }
  });
  const counts = new Map<string, number>();
  for (const p of paths) if (p) counts.set(baseName(p), (counts.get(baseName(p)) ?? 0) + 1);
  const openSamples = new Map((params.openSamples ?? []).map((s) => [s.uri, s.text]));
  const named: NamedSources = { sources: [], uriOfName: new Map(), nameOfUri: new Map(), nameOfPath: new Map() };
  params.sampleUris.forEach((uri, i) => {
    const path = paths[i];
    if (!path) return;
    const name = counts.get(baseName(path)) === 1 ? baseName(path) : path;
    named.uriOfName.set(name, uri);
    named.nameOfUri.set(uri, name);
    named.nameOfPath.set(path, name);
    named.sources.push({ path, text: openSamples.get(uri) });
  });
  return named;
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
 * @param hooks as for `replayRule`: `signal` stops reading the samples (the promise rejects with its
 *   reason), `cache` holds parsed sample files between requests, `ruleOptions` those of an open
 *   TOML rule (else the rule file's own).
 * @returns the event's explanation (stages 0-based in data, 1-based in words; event references as
 *   sample URIs), none when the line holds no event, the index the event comes from when the
 *   rule's index patterns leave it out, or the rule's error messages.
 * @throws ReplayInputError as `replayRule` does (an unreadable rule, a rule the engine refuses).
 */
export async function explainEvent(params: ExplainEventParams, openText: OpenDocumentText, hooks: ReplayHooks = {}): Promise<ExplainEventResult> {
  const input = await loadInput(params, openText, hooks, false);
  if (input.ruleErrors) return { ruleErrors: input.ruleErrors };
  const name = input.nameOfUri.get(params.sampleUri);
  if (name === undefined) return {};
  const leftOutFromIndex = input.leftOut.get(`${name}\0${params.line}`);
  if (leftOutFromIndex !== undefined) return { leftOutFromIndex };
  const leftOutByException = input.excepted.get(`${name}\0${params.line}`);
  if (leftOutByException !== undefined) return { leftOutByException };
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
 * @param hooks as for {@link explainEvent}.
 * @throws ReplayInputError as `replayRule` does.
 */
export async function explainReplayOfRule(params: ReplayParams, openText: OpenDocumentText, hooks: ReplayHooks = {}): Promise<ExplainReplayResult> {
  const input = await loadInput(params, openText, hooks, true);
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
