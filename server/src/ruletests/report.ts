/**
 * The readable report of a test run: each case passed or failed, and for a failure the expected and
 * the actual matches side by side (missing and unexpected sequences with `file:line` and key
 * fields), the must-not-match events found in a match, and what the exceptions removed.
 * Values from the samples have their control characters escaped.
 */
import { getFieldValues } from '../engine/fields';
import type { EventRecord, Match } from '../engine/types';
import { SUMMARY_FIELDS } from '../cli/matchText';
import { escapeControlCharacters } from '../samples/controlCharacters';
import { matchEvents } from './expectations';
import { formatExceptionEffects } from '../exceptions/replayWithExceptions';
import { stringifyExact } from '../engine/values';
import { formatIndexPatternSummary } from '../samples/indexPatternSummaryText';
import type { CaseResult, TestFileResult } from './runner';
import type { EventRef, RuleTestCase } from './testFile';

/** Totals of a run. */
export interface RunTotals {
  passed: number;
  failed: number;
  /** Cases that could not run, plus test files that could not be read. */
  errors: number;
}

/** Counts cases by status; a test file that could not be used counts as one error. */
export function runTotals(results: readonly TestFileResult[]): RunTotals {
  const t: RunTotals = { passed: 0, failed: 0, errors: 0 };
  for (const r of results) {
    if (r.status === 'error') t.errors++;
    for (const c of r.cases) {
      if (c.status === 'passed') t.passed++;
      else if (c.status === 'failed') t.failed++;
      else t.errors++;
    }
  }
  return t;
}

/** `file:line` of an event reference as resolved (line references) or as written (field references). */
export function refText(ref: EventRef): string {
  return ref.kind === 'line' ? `${ref.file}:${ref.line}` : ref.text;
}

const MAX_KEY_FIELDS = 3;

/** `file:line` and a few key ECS fields of an event: `logs/a.ndjson:4 process.name=whoami.exe source.ip=…`. */
export function eventText(event: EventRecord): string {
  const fields: string[] = [];
  for (const name of SUMMARY_FIELDS) {
    if (fields.length >= MAX_KEY_FIELDS) break;
    const values = getFieldValues(event.doc, name);
    if (values.length > 0) fields.push(`${name}=${values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',')}`);
  }
  return escapeControlCharacters([`${event.source.file}:${event.source.line}`, ...fields].join(' '));
}

function matchHeader(match: Match, index: number): string {
  const keys = match.joinKeys && match.joinKeys.length > 0 ? ` by ${escapeControlCharacters(stringifyExact(match.joinKeys))}` : '';
  return `#${index + 1} ${match.type}${keys}`;
}

function actualLines(match: Match, index: number): string[] {
  return [matchHeader(match, index), ...matchEvents(match).map((e) => `  ${eventText(e)}`)];
}

function expectedLines(testCase: RuleTestCase, i: number): string[] {
  return [`match ${i + 1} (line ${testCase.matches[i].at})`, ...testCase.matches[i].events.map((r) => `  ${escapeControlCharacters(refText(r))}`)];
}

/**
 * The expected and actual matches side by side, one row per expected match (found: with the result
 * that satisfied it; missing: `(not found)` on the right) and one row per other result
 * (`(not expected)` on the left when it makes the case fail, `(not listed)` when the count allows it).
 * Rows are marked `=` found, `-` missing, `+` unexpected, ` ` not listed.
 */
export function sideBySide(testCase: RuleTestCase, result: CaseResult): string[] {
  const c = result.comparison!;
  const rows: Array<{ mark: string; left: string[]; right: string[] }> = [];
  for (const f of c.found) rows.push({ mark: '=', left: expectedLines(testCase, f.expected), right: actualLines(result.matches[f.match], f.match) });
  for (const i of c.missing) rows.push({ mark: '-', left: expectedLines(testCase, i), right: ['(not found)'] });
  for (const j of c.unexpected) {
    rows.push({ mark: c.unexpectedFail ? '+' : ' ', left: [c.unexpectedFail ? '(not expected)' : '(not listed)'], right: actualLines(result.matches[j], j) });
  }
  if (rows.length === 0) return [];
  const width = Math.min(70, Math.max('expected'.length, ...rows.flatMap((r) => r.left.map((l) => l.length))));
  const pad = (s: string): string => (s.length >= width ? s : s + ' '.repeat(width - s.length));
  const out = [`  ${pad('expected')} | actual`, `  ${'-'.repeat(width)} | ${'-'.repeat(Math.min(70, width))}`];
  for (const r of rows) {
    const n = Math.max(r.left.length, r.right.length);
    for (let k = 0; k < n; k++) out.push(`${k === 0 ? r.mark : ' '} ${pad(r.left[k] ?? '')} | ${r.right[k] ?? ''}`);
  }
  return out;
}

/**
 * The lines of one case's report: `✓ name` or `✗ name (file:line)`, then for a failure the reasons,
 * the side-by-side table, the must-not-match events found (with the match they are in), and, when
 * exception files were applied, the matches each item removed; for a failure, what the rule's index
 * patterns left out (when some event had an `_index` or `data_stream` fields).
 */
export function formatCaseResult(file: TestFileResult, result: CaseResult): string[] {
  const where = `${file.path}:${result.line}`;
  // Samples left out, and lines skipped as malformed, are said whatever the outcome: the case ran without them.
  const unreadable = [
    ...(result.unreadableSamples ?? []).map((u) => `      warning: samples: ${escapeControlCharacters(u)}`),
    ...sampleWarningLines(result.warnings),
  ];
  if (result.status === 'passed') {
    return [`  ✓ ${escapeControlCharacters(result.name)}`, ...unreadable, ...exceptionLines(result).map((l) => `      ${l}`)];
  }
  if (result.status === 'error') {
    return [`  ✗ ${escapeControlCharacters(result.name)} (${where})`, `      error: ${escapeControlCharacters(result.error ?? '')}`];
  }
  const testCase = file.testFile!.cases.find((c) => c.name === result.name)!;
  const c = result.comparison!;
  const lines = [`  ✗ ${escapeControlCharacters(result.name)} (${where})`, ...unreadable];
  for (const reason of c.reasons) lines.push(`      ${escapeControlCharacters(reason)}`);
  for (const l of sideBySide(testCase, result)) lines.push(`      ${l}`);
  for (const hit of c.forbidden) {
    lines.push(`      must not match: ${escapeControlCharacters(refText(hit.ref))} (line ${hit.ref.at}) is in ${matchHeader(result.matches[hit.matchIndex], hit.matchIndex)}:`);
    for (const e of matchEvents(result.matches[hit.matchIndex])) lines.push(`        ${eventText(e)}`);
  }
  for (const l of exceptionLines(result)) lines.push(`      ${l}`);
  // Events left out for their index explain missing matches.
  if (result.indexPatterns) for (const l of formatIndexPatternSummary(result.indexPatterns, "the rule's")) lines.push(`      ${escapeControlCharacters(l)}`);
  return lines;
}

/** Warnings of a case's replay shown under it: the first ones, then how many more. */
const SHOWN_WARNINGS = 5;

/**
 * The replay's warnings under a case (malformed sample lines as `path:line: message`, events
 * without a timestamp, …): at most {@link SHOWN_WARNINGS}, then `… and N more warnings`.
 */
function sampleWarningLines(warnings: readonly string[]): string[] {
  const shown = warnings.slice(0, SHOWN_WARNINGS).map((w) => `      warning: ${escapeControlCharacters(w)}`);
  if (warnings.length > SHOWN_WARNINGS) shown.push(`      … and ${warnings.length - SHOWN_WARNINGS} more warnings`);
  return shown;
}

/** Per exception item, the matches it removed (and matches removed or added by the changed stream). */
export function exceptionLines(result: CaseResult): string[] {
  return result.exceptions ? formatExceptionEffects(result.exceptions) : [];
}

/** The whole report: per file its path and cases (or its problems), then the totals line. */
export function formatRunReport(results: readonly TestFileResult[]): string[] {
  const lines: string[] = [];
  for (const file of results) {
    lines.push(escapeControlCharacters(file.path));
    if (file.status === 'error') {
      for (const p of file.problems) {
        const at = p.line > 0 ? `:${p.line}${p.column ? `:${p.column}` : ''}` : '';
        lines.push(`  error: ${escapeControlCharacters(`${p.file}${at}: ${p.message}`)}`);
      }
      continue;
    }
    for (const c of file.cases) lines.push(...formatCaseResult(file, c));
  }
  const t = runTotals(results);
  lines.push('', `${results.length} test file${results.length === 1 ? '' : 's'}: ${t.passed} passed, ${t.failed} failed, ${t.errors} could not run`);
  return lines;
}
