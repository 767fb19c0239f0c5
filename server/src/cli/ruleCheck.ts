/**
 * Loading a rule file and running the EQL checker on it, with diagnostics printed the way compilers
 * print them: `path:line:column: error|warning: message`.
 */
import { analyze, type CheckOptions } from '../eql/analyze';
import type { Statement } from '../eql/ast';
import type { EqlDiagnostic } from '../eql/diagnostic';
import { escapeControlCharacters } from '../samples/controlCharacters';
import { readRuleFile, type RuleSource } from '../samples/ruleFile';
import { lineColumnAt } from '../samples/textPosition';
import { ExitCode } from './io';
import { queryDiagnostics } from '../services/diagnostics';
import { fieldCatalogFor } from '../services/fieldKnowledge';
import { ruleMetadataDiagnostics } from '../services/ruleMetadata';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** Severities printed by the command line; `information` and `hint` are editor-only and not printed. */
const PRINTED: ReadonlySet<EqlDiagnostic['severity']> = new Set(['error', 'warning']);

/** At most this many diagnostics are printed per rule file (a binary or wrong file can give thousands). */
export const MAX_PRINTED_DIAGNOSTICS = 100;

/** A rule file after reading and analysis. */
export interface CheckedRule {
  source: RuleSource;
  /** Present when analysis produced a statement; usable for replay only when `errors` is 0. */
  statement?: Statement;
  /** The diagnostics to print, in file order. */
  diagnostics: EqlDiagnostic[];
  errors: number;
  /** One `path:line:column: severity: message` line (no newline) per diagnostic. */
  lines: string[];
  /**
   * Errors of a TOML rule's `[rule]` table outside its query, as `path:line:column: error: message`
   * lines (counted in `errors`): the editor's `empty-field-override` check (`services/ruleMetadata.ts`).
   */
  ruleTableLines?: string[];
}

/**
 * The lines to print for a checked rule: its first {@link MAX_PRINTED_DIAGNOSTICS} diagnostic lines,
 * then, if there are more, `path: … and N more diagnostics not shown (E errors, W warnings)`.
 */
export function printedLines(rule: CheckedRule, max = MAX_PRINTED_DIAGNOSTICS): string[] {
  if (rule.ruleTableLines?.length) return [...rule.ruleTableLines, ...printedLines({ ...rule, ruleTableLines: undefined }, max)];
  if (rule.lines.length <= max) return rule.lines;
  const rest = rule.diagnostics.slice(max);
  const errors = rest.filter((d) => d.severity === 'error').length;
  const warnings = rest.length - errors;
  const summary = `${escapeControlCharacters(rule.source.path)}: … and ${rest.length} more diagnostics not shown (${errors} errors, ${warnings} warnings)`;
  return [...rule.lines.slice(0, max), summary];
}

/**
 * Reads and analyses one rule file.
 *
 * @param path the rule file (`.eql` or detection-rules `.toml`) as the user wrote it.
 * @param options checker options (from `mappingCheckOptions(mapping)` when a mapping is known).
 * @param fieldCheck also report likely field typos (`eql/fieldCheck.ts`: ECS, plus the schemas of a
 *   detection-rules checkout holding the file) — unless `options` already checks fields against a mapping.
 * @returns `{ rule }` when the file held a query (which may still have errors), or `{ exitCode,
 *   lines }` when it did not: {@link ExitCode.usage} for an unreadable file (`path: reason`: missing,
 *   a folder, UTF-16 encoded, not a text file), {@link ExitCode.ruleErrors} for a file that is not a
 *   usable rule (`path:line:column: error: …`: bytes that are not UTF-8, TOML syntax, no query).
 *   Control characters in printed paths and messages are escaped.
 */
export async function checkRuleFile(
  path: string,
  options: CheckOptions = {},
  fieldCheck = false,
): Promise<{ rule: CheckedRule; exitCode?: undefined; lines?: undefined } | { rule?: undefined; exitCode: number; lines: string[] }> {
  const read = await readRuleFile(path);
  if (read.problem) {
    const p = read.problem;
    const shown = escapeControlCharacters(path);
    const message = escapeControlCharacters(p.message);
    return p.kind === 'unreadable'
      ? { exitCode: ExitCode.usage, lines: [`${shown}: ${message}`] }
      : { exitCode: ExitCode.ruleErrors, lines: [`${shown}:${p.line}:${p.column}: error: ${message}`] };
  }
  const source = read.rule;
  const result = analyze(source.query, options);
  const fields = fieldCheck && !options.fieldExists ? fieldCatalogFor({ file: path, tomlText: source.format === 'toml' ? source.fileText : undefined }) : undefined;
  const all = fields ? queryDiagnostics(source.query, { check: options, fields }) : result.diagnostics;
  const diagnostics = all
    .filter((d) => PRINTED.has(d.severity))
    .sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  const lines = diagnostics.map((d) => formatDiagnostic(source, d));
  const ruleTableLines = source.format === 'toml' ? ruleTableErrors(source) : [];
  const errors = diagnostics.filter((d) => d.severity === 'error').length + ruleTableLines.length;
  return { rule: { source, statement: result.statement, diagnostics, errors, lines, ...(ruleTableLines.length > 0 ? { ruleTableLines } : {}) } };
}

/** The `[rule]` table's keys Elasticsearch would reject (`empty-field-override`), as printed lines. */
function ruleTableErrors(source: RuleSource): string[] {
  const document = TextDocument.create('file:///rule.toml', 'toml', 1, source.fileText);
  return ruleMetadataDiagnostics(document)
    .filter((d) => d.code === 'empty-field-override')
    .map((d) => `${escapeControlCharacters(source.path)}:${d.range.start.line + 1}:${d.range.start.character + 1}: error: ${escapeControlCharacters(String(d.message))}`);
}

/**
 * Formats a diagnostic at its position in the rule file: `path:line:column: severity: message`.
 * Line and column are 1-based (column in UTF-16 code units) and computed from the start of the
 * diagnostic's span, mapped from the query into the file (for a TOML rule, into the TOML text).
 * Messages quote source text, which may hold anything: line breaks become spaces and other control
 * characters are escaped (`\x1b`), in the path too, so that one diagnostic is one harmless line.
 */
export function formatDiagnostic(source: RuleSource, d: EqlDiagnostic): string {
  const at = lineColumnAt(source.fileText, source.toFileOffset(d.span.start));
  const message = escapeControlCharacters(d.message.replace(/\r?\n/g, ' '));
  return `${escapeControlCharacters(source.path)}:${at.line}:${at.column}: ${d.severity}: ${message}`;
}
