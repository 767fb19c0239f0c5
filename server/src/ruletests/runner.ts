/**
 * Running rule test files: read the test file, the rule, the samples and the exception files, replay
 * each case through the shared sample pipeline (`replaySamples`, the same engine session as the
 * command line's and the editor's replay), and compare
 * the matches with the case's expectations.
 *
 * Options of a detection-rules rule apply first (its `[rule]` table's `timestamp_override`,
 * `event_category_override`, `tiebreaker_field`, and `max_signals` as `size`, 100 when absent, as
 * Kibana sends `size: maxSignals` in `rule_types/eql/build_eql_search_request.ts`), then the test
 * file's `[options]`, then the case's. The rule's `index` patterns apply to every case: events whose
 * `_index` or `data_stream` fields name another index are left out, as Kibana never searches them.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { inFolder } from './testFile';
import { parse as parseToml } from 'smol-toml';
import { analyze } from '../eql/analyze';
import type { Statement } from '../eql/ast';
import { mappingCheckOptions } from '../eql/mappingCheckOptions';
import { EqlCompileError, EqlEvaluationError } from '../engine/errors';
import type { FieldMapping } from '../engine/mapping';
import { loadMapping } from '../engine/mapping';
import type { ReplayRunOptions } from '../engine/replay';
import type { EventRecord, Match } from '../engine/types';
import { ExceptionFilter, exceptionEffects, type ExceptionEffects } from '../exceptions/applyExceptions';
import { formatExceptionProblem, readExceptionFiles } from '../exceptions/readExceptionFile';
import { describeFsError } from '../samples/fsErrors';
import { formatNdjsonProblem } from '../samples/ndjson';
import { ReplayMemoryError } from '../samples/memoryGuard';
import { replaySamples, type SampleReplayOutcome } from '../samples/pipeline';
import { someEventHadIndex, type IndexPatternSummary } from '../samples/indexPatterns';
import { isTable, readRuleFile, type RuleSource } from '../samples/ruleFile';
import { lineColumnAt } from '../samples/textPosition';
import { compareCase, refersTo, type CaseComparison } from './expectations';
import { expandSamplePatterns } from './samplePatterns';
import { parseRuleTestFile, type EventRef, type RuleTestCase, type RuleTestFile, type TestFileProblem, type TestReplayOptions } from './testFile';

/** Kibana's default `max_signals` of a rule (the `size` of its `_eql/search` request). */
export const DEFAULT_MAX_SIGNALS = 100;

/** The outcome of one case. `error`: it could not run (unreadable samples, a rule the engine refuses). */
export interface CaseResult {
  name: string;
  /** 1-based line of the case's `[[case]]` header in the test file. */
  line: number;
  status: 'passed' | 'failed' | 'error';
  /** For `error`: what stopped the case. */
  error?: string;
  comparison?: CaseComparison;
  /** The replay's matches (with the exceptions applied), in result order. */
  matches: Match[];
  /** Malformed sample lines and engine notes. */
  warnings: string[];
  /** Sample sub-folders that could not be read (`pattern: folder: reason`); the case ran on the other samples. */
  unreadableSamples?: string[];
  /** What the exception files did (absent without exceptions). */
  exceptions?: ExceptionEffects;
  /** What the rule's index patterns kept (absent when it has none, or no event had an `_index` or `data_stream` fields). */
  indexPatterns?: IndexPatternSummary;
  /** Wall-clock time of the case, in milliseconds. */
  durationMs: number;
}

/** The outcome of one test file. `error`: the file (or its rule) could not be used; no case ran. */
export interface TestFileResult {
  path: string;
  status: 'ok' | 'error';
  problems: TestFileProblem[];
  /** The test file as read (absent when it could not be read). */
  testFile?: RuleTestFile;
  cases: CaseResult[];
}

/** Options of a run. */
export interface RunOptions {
  /** Exception files applied to every case, besides the test file's own. */
  exceptions?: string[];
  /** Only the cases with these names (all when absent). */
  caseNames?: string[];
}

/** The rule's own `_eql/search` options, from a detection-rules `[rule]` table. */
export function ruleOptions(rule: RuleSource): ReplayRunOptions {
  if (rule.format !== 'toml') return {};
  let doc: unknown;
  try {
    doc = parseToml(rule.fileText);
  } catch {
    return {};
  }
  const table = isTable(doc) && isTable(doc.rule) ? doc.rule : {};
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const maxSignals = table.max_signals;
  return {
    timestampField: text(table.timestamp_override),
    eventCategoryField: text(table.event_category_override),
    tiebreakerField: text(table.tiebreaker_field),
    size: typeof maxSignals === 'number' && Number.isInteger(maxSignals) && maxSignals > 0 ? maxSignals : DEFAULT_MAX_SIGNALS,
  };
}

function problemAt(file: string, line: number, message: string): TestFileProblem {
  return { file, line, message };
}

/**
 * Runs one test file.
 *
 * @param path the test file, as given (relative paths inside it are joined onto its folder).
 * @param options extra exception files, a case filter.
 * @returns `error` with every problem (file and 1-based line) when the test file, its rule or its
 *   mapping cannot be used; else one result per case. Never throws for bad input.
 */
export async function runTestFile(path: string, options: RunOptions = {}): Promise<TestFileResult> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    return { path, status: 'error', problems: [problemAt(path, 0, describeFsError(e))], cases: [] };
  }
  return runTestFileText(text, path, options);
}

/**
 * Runs a test file from its text (an editor's, or one about to be written), as {@link runTestFile}.
 * @param text the file's content; @param path where it is (or will be): paths inside are relative to its folder.
 */
export async function runTestFileText(text: string, path: string, options: RunOptions = {}): Promise<TestFileResult> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parsed = parseRuleTestFile(text, path);
  if (!parsed.testFile) return { path, status: 'error', problems: parsed.problems, cases: [] };
  const testFile = parsed.testFile;
  const ruleLine = 1 + text.split(/\r\n|\n|\r/).findIndex((l) => /^\s*rule\s*=/.test(l));

  const read = await readRuleFile(testFile.rule);
  if (read.problem) {
    const where = read.problem.kind === 'invalid' ? `${testFile.rule}:${read.problem.line}:${read.problem.column}: ` : `${testFile.rule}: `;
    return { path, status: 'error', problems: [problemAt(path, ruleLine, `the rule cannot be used: ${where}${read.problem.message}`)], testFile, cases: [] };
  }
  const rule = read.rule;
  const base = ruleOptions(rule);
  const dir = nodePath.dirname(path);
  const cases: CaseResult[] = [];
  for (const testCase of testFile.cases) {
    if (options.caseNames && !options.caseNames.includes(testCase.name)) continue;
    cases.push(await runCase(testCase, rule, base, dir, options));
  }
  return { path, status: 'ok', problems: [], testFile, cases };
}

async function loadMappingFile(path: string): Promise<FieldMapping> {
  return loadMapping(await fs.readFile(path, 'utf8'));
}

function toRunOptions(base: ReplayRunOptions, o: TestReplayOptions, mapping: FieldMapping | undefined): ReplayRunOptions {
  return {
    ...base,
    ...(o.timestampField !== undefined ? { timestampField: o.timestampField } : {}),
    ...(o.tiebreakerField !== undefined ? { tiebreakerField: o.tiebreakerField || undefined } : {}),
    ...(o.eventCategoryField !== undefined ? { eventCategoryField: o.eventCategoryField } : {}),
    ...(o.size !== undefined ? { size: o.size } : {}),
    ...(o.resultPosition !== undefined ? { resultPosition: o.resultPosition } : {}),
    ...(o.maxSamplesPerKey !== undefined ? { maxSamplesPerKey: o.maxSamplesPerKey } : {}),
    mapping,
  };
}

/** The statement of a rule, or the first error as `file:line:column: message`. */
function ruleStatement(rule: RuleSource, mapping: FieldMapping | undefined): { statement?: Statement; error?: string } {
  const analysis = analyze(rule.query, mappingCheckOptions(mapping));
  const firstError = analysis.diagnostics.find((d) => d.severity === 'error');
  if (firstError || !analysis.statement) {
    const at = lineColumnAt(rule.fileText, rule.toFileOffset(firstError?.span.start ?? 0));
    return { error: `the rule has errors: ${rule.path}:${at.line}:${at.column}: ${firstError?.message ?? 'no query found'}` };
  }
  return { statement: analysis.statement };
}

async function runCase(
  testCase: RuleTestCase,
  rule: RuleSource,
  base: ReplayRunOptions,
  dir: string,
  options: RunOptions,
): Promise<CaseResult> {
  const started = performance.now();
  const result = (partial: Omit<CaseResult, 'name' | 'line' | 'durationMs'>): CaseResult => ({
    name: testCase.name,
    line: testCase.at,
    durationMs: performance.now() - started,
    ...partial,
  });
  const fail = (error: string): CaseResult => result({ status: 'error', error, matches: [], warnings: [] });

  let mapping: FieldMapping | undefined;
  if (testCase.options.mapping !== undefined) {
    const mappingPath = inFolder(dir, testCase.options.mapping);
    try {
      mapping = await loadMappingFile(mappingPath);
    } catch (e) {
      return fail(`${mappingPath}: cannot use as mapping: ${e instanceof Error && !('code' in e) ? e.message : describeFsError(e)}`);
    }
  }
  const { statement, error } = ruleStatement(rule, mapping);
  if (!statement) return fail(error!);

  const samples = await expandSamplePatterns(testCase.samples, dir);
  if (samples.errors.length > 0) return fail(`samples: ${samples.errors.join('; ')}`);

  const exceptionPaths = [...testCase.exceptions.map((p) => inFolder(dir, p)), ...(options.exceptions ?? [])];
  let exceptions: ExceptionFilter | undefined;
  if (exceptionPaths.length > 0) {
    const read = await readExceptionFiles(exceptionPaths);
    if (read.problems.length > 0) return fail(`exceptions: ${read.problems.map(formatExceptionProblem).join('; ')}`);
    exceptions = new ExceptionFilter(read.items);
  }

  // The shared sample pipeline; the case may name events the rule never keeps: only those are kept
  // (the first event each reference names), so samples of any size run in bounded memory.
  const refs = [...testCase.matches.flatMap((m) => m.events), ...testCase.mustNotMatch];
  const named = new Map<EventRef, EventRecord>();
  let outcome: SampleReplayOutcome;
  try {
    outcome = await replaySamples({
      statement,
      sources: samples.files.map((file) => ({ path: file })),
      options: toRunOptions(base, testCase.options, mapping),
      categoryOptionName: 'event_category_field',
      onEvent: (event) => {
        for (const ref of refs) if (!named.has(ref) && refersTo(ref, event)) named.set(ref, event);
      },
      exclude: exceptions && ((event) => exceptions.excludes(event.doc)),
      indexPatterns: rule.options?.index,
    });
  } catch (e) {
    if (e instanceof EqlEvaluationError || e instanceof EqlCompileError) {
      const where = e instanceof EqlEvaluationError && e.source ? ` (evaluating ${e.source.file}:${e.source.line})` : '';
      return fail(`the rule cannot be replayed: ${e.message}${where}`);
    }
    if (e instanceof ReplayMemoryError) return fail(`replay stopped: ${e.message}`);
    throw e;
  }
  if (outcome.unreadable.length > 0) return fail(outcome.unreadable.map((u) => `${u.path}: ${u.reason}`).join('; '));
  const warnings = [...outcome.problems.map(formatNdjsonProblem), ...outcome.warnings];
  const matches = outcome.matches;
  const effects = exceptions ? exceptionEffects(outcome.matchesWithoutExclusions ?? [], matches, exceptions) : undefined;
  const events = [...new Set(named.values())];
  const comparison = compareCase(testCase, matches, events);
  return result({
    status: comparison.passed ? 'passed' : 'failed',
    comparison,
    matches,
    warnings,
    ...(samples.warnings.length > 0 ? { unreadableSamples: samples.warnings } : {}),
    ...(effects ? { exceptions: effects } : {}),
    ...(outcome.indexPatterns && someEventHadIndex(outcome.indexPatterns) ? { indexPatterns: outcome.indexPatterns } : {}),
  });
}

/**
 * Runs several test files, one after the other.
 * @param paths test files as given.
 */
export async function runTestFiles(paths: readonly string[], options: RunOptions = {}): Promise<TestFileResult[]> {
  const results: TestFileResult[] = [];
  for (const path of paths) results.push(await runTestFile(path, options));
  return results;
}
