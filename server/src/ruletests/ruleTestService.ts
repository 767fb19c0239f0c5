/**
 * The `eqlWorkbench/listRuleTests` and `eqlWorkbench/runRuleTests` requests: a rule test file's
 * cases for the Testing view, and their outcomes with the expected and actual matches as text and
 * the sample lines of the offending matches. Plain data in, plain data out.
 */
import { promises as fs } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Match } from '../engine/types';
import type {
  ListRuleTestsParams,
  ListRuleTestsResult,
  RecordReplayParams,
  RecordReplayResult,
  RecordRuleTestCaseParams,
  RecordRuleTestCaseResult,
  RuleTestCaseOutcome,
  RunRuleTestsParams,
  RunRuleTestsResult,
} from '../protocol';
import { describeFsError } from '../samples/fsErrors';
import { matchEvents } from './expectations';
import { recordCase, stableId, testFileFor } from './recordCase';
import * as nodePath from 'node:path';
import { eventText, formatCaseResult, refText } from './report';
import { runTestFile, runTestFileText, type CaseResult, type TestFileResult } from './runner';
import { parseRuleTestFile, type RuleTestCase } from './testFile';

function pathOf(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch {
    throw new Error(`${uri} is not a file URI`);
  }
}

/** The cases of a test file (its open text, or the file on disk). Never throws for bad input. */
export async function listRuleTests(params: ListRuleTestsParams): Promise<ListRuleTestsResult> {
  const path = pathOf(params.uri);
  let text = params.text;
  if (text === undefined) {
    try {
      text = await fs.readFile(path, 'utf8');
    } catch (e) {
      return { cases: [], problems: [{ line: 0, message: describeFsError(e) }] };
    }
  }
  const parsed = parseRuleTestFile(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, path);
  if (!parsed.testFile) return { cases: [], problems: parsed.problems.map((p) => ({ line: p.line, message: p.message })) };
  const rule = parsed.testFile.rule;
  const cwd = nodePath.dirname(path);
  return {
    cases: parsed.testFile.cases.map((c) => ({
      name: c.name,
      line: c.at,
      replay: {
        rule,
        cwd,
        samples: c.samples,
        ...(c.options.timestampField !== undefined ? { timestampField: c.options.timestampField } : {}),
        ...(c.options.tiebreakerField !== undefined ? { tiebreakerField: c.options.tiebreakerField } : {}),
        ...(c.options.eventCategoryField !== undefined ? { eventCategoryField: c.options.eventCategoryField } : {}),
      },
    })),
    problems: [],
  };
}

const toUri = (file: string): string => pathToFileURL(file).toString();

function matchLine(match: Match): string {
  return matchEvents(match).map((e) => `${e.source.file}:${e.source.line}`).join(' → ');
}

/**
 * Expected and actual matches as two texts that line up where they agree: found matches first (the
 * same line on both sides), then the missing ones (expected side only) and the other results
 * (actual side only), so a diff editor shows exactly what differs.
 */
function expectedAndActual(testCase: RuleTestCase, result: CaseResult): { expected: string; actual: string } {
  const c = result.comparison!;
  const expected: string[] = [];
  const actual: string[] = [];
  for (const f of c.found) {
    const line = matchLine(result.matches[f.match]);
    expected.push(line);
    actual.push(line);
  }
  for (const i of c.missing) expected.push(testCase.matches[i].events.map(refText).join(' → '));
  for (const j of c.unexpected) actual.push(matchLine(result.matches[j]));
  const count = (n: number) => `${n} match${n === 1 ? '' : 'es'}`;
  const wanted = testCase.matches.length > 0 ? count(testCase.matches.length) : '(no match listed)';
  return { expected: [`# ${wanted}`, ...expected].join('\n') + '\n', actual: [`# ${count(result.matches.length)}`, ...actual].join('\n') + '\n' };
}

function outcomeOf(file: TestFileResult, result: CaseResult): RuleTestCaseOutcome {
  const testCase = file.testFile!.cases.find((c) => c.name === result.name)!;
  const base = {
    name: result.name,
    line: result.line,
    status: result.status,
    report: formatCaseResult(file, result).join('\n'),
    durationMs: result.durationMs,
    matches: result.matches.map((m) => ({
      events: matchEvents(m).map((e) => {
        const id = stableId(e);
        return { uri: toUri(e.source.file), line: e.source.line, ...(id ? { id } : {}) };
      }),
    })),
    offending: [] as RuleTestCaseOutcome['offending'],
  };
  if (result.status === 'error') return { ...base, message: result.error };
  const c = result.comparison!;
  if (result.status === 'passed') return base;
  const offendingMatches = new Map<number, string>();
  if (c.unexpectedFail) for (const j of c.unexpected) offendingMatches.set(j, `unexpected match #${j + 1}`);
  for (const hit of c.forbidden) offendingMatches.set(hit.matchIndex, `match #${hit.matchIndex + 1} holds the must-not-match event ${refText(hit.ref)}`);
  const offending = [...offendingMatches].map(([j, description]) => {
    const first = matchEvents(result.matches[j])[0];
    return { uri: toUri(first.source.file), line: first.source.line, description: `${description}: ${matchEvents(result.matches[j]).map(eventText).join(' → ')}` };
  });
  return { ...base, message: c.reasons.join('\n'), ...expectedAndActual(testCase, result), offending };
}

/**
 * Runs a test file's cases (as saved on disk).
 * @returns the file's problems (no case ran), or one outcome per case run.
 * @throws Error when the URI is not a `file:` URI.
 */
export async function runRuleTests(params: RunRuleTestsParams): Promise<RunRuleTestsResult> {
  const path = pathOf(params.uri);
  const file = await runTestFile(path, { caseNames: params.cases, exceptions: params.exceptions?.map(pathOf) });
  if (file.status === 'error') return { problems: file.problems.map((p) => ({ line: p.line, message: p.message })), cases: [] };
  return { problems: [], cases: file.cases.map((c) => outcomeOf(file, c)) };
}

/** Thrown when a case cannot be recorded (an invalid test file, a case that cannot run); its message is for the user. */
export class RecordInputError extends Error {}

/**
 * The test file's text with the case's expected result replaced by the matches it produces now
 * (see `recordCase`). Nothing is written: the client shows the difference and writes on approval.
 *
 * @throws RecordInputError when the file is invalid, the case is unknown or cannot run.
 */
export async function recordRuleTestCase(params: RecordRuleTestCaseParams): Promise<RecordRuleTestCaseResult> {
  const path = pathOf(params.uri);
  const file = await runTestFile(path, { caseNames: [params.caseName] });
  if (file.status === 'error') {
    throw new RecordInputError(`The test file cannot be used: ${file.problems.map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message)).join('; ')}`);
  }
  const result = file.cases[0];
  if (!result) throw new RecordInputError(`No case named "${params.caseName}" in ${path}.`);
  if (result.status === 'error') throw new RecordInputError(`The case "${params.caseName}" cannot run: ${result.error}`);
  let text = await fs.readFile(path, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text: recordCase(text, result.line, result.matches, nodePath.dirname(path)), matches: result.matches.length };
}

/** Name of the case a replay in the editor is recorded into. */
export const RECORDED_CASE_NAME = 'recorded from replay';

/**
 * The test file beside a rule (`x.eql` → `x.test.toml`) with the case "recorded from replay" expecting
 * the matches the rule finds now over the replay's sample files: the file and the case are created
 * when missing (the case names the sample files, relative to the test file). Nothing is written.
 *
 * @throws RecordInputError when the existing test file is invalid or the case cannot run.
 */
export async function recordReplayAsTestCase(params: RecordReplayParams): Promise<RecordReplayResult> {
  const rulePath = pathOf(params.ruleUri);
  const path = testFileFor(rulePath);
  const dir = nodePath.dirname(path);
  let text: string | undefined;
  try {
    text = await fs.readFile(path, 'utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  } catch {
    text = undefined;
  }
  const created = text === undefined;
  let base = text ?? `# Rule tests (see the README, "Rule tests").\nrule = ${JSON.stringify(nodePath.basename(rulePath))}\n`;
  const parsedBefore = parseRuleTestFile(base, path);
  const hasCase = parsedBefore.testFile?.cases.some((c) => c.name === RECORDED_CASE_NAME) ?? false;
  if (!hasCase) {
    const samples = params.sampleUris.map((u) => nodePath.relative(dir, pathOf(u)).split(nodePath.sep).join('/'));
    base = `${base.replace(/\s*$/, '\n')}\n[[case]]\nname = ${JSON.stringify(RECORDED_CASE_NAME)}\nsamples = [${samples.map((s) => JSON.stringify(s)).join(', ')}]\n`;
  }
  const file = await runTestFileText(base, path, { caseNames: [RECORDED_CASE_NAME] });
  if (file.status === 'error') {
    throw new RecordInputError(`The test file ${path} cannot be used: ${file.problems.map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message)).join('; ')}`);
  }
  const result = file.cases[0];
  if (!result || result.status === 'error') throw new RecordInputError(`The replay cannot be recorded: ${result?.error ?? 'no case ran'}`);
  return {
    uri: toUri(path),
    text: recordCase(base, result.line, result.matches, dir),
    original: text ?? '',
    created,
    caseName: RECORDED_CASE_NAME,
    matches: result.matches.length,
  };
}
