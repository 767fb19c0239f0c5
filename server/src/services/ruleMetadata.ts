/**
 * Checks of a detection-rules TOML rule's metadata that concern its EQL: detection-rules' schema
 * wants an EQL rule to say so twice, `type = "eql"` and `language = "eql"`, and to hold a query.
 *
 * - `rule-type-language` (error): one of the two says `eql` and the other something else — the
 *   rule is then either not run as EQL or rejected by the repository's validation;
 * - `empty-query` (error): an EQL rule whose `query` holds only whitespace;
 * - `empty-field-override` (error): an EQL rule whose `timestamp_override` or
 *   `event_category_override` is empty (or blank). Kibana passes them to `_eql/search` as
 *   `timestamp_field` and `event_category_field`, and Elasticsearch rejects the search
 *   (`EqlSearchRequest.validate`: "@timestamp field is null or empty", "event category field is
 *   null or empty").
 *
 * Other TOML files (no `[rule]` table, KQL rules with neither field saying `eql`) get nothing.
 */
import { parse as parseToml } from 'smol-toml';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { RULE_FILE_DIAGNOSTIC_SOURCE } from './ruleDocument';

/**
 * The metadata diagnostics of a TOML document (0-based LSP ranges covering the offending
 * `key = value` line, from the key). Never throws; a TOML syntax error gives nothing here (it is
 * reported by `ruleDocument`).
 */
export function ruleMetadataDiagnostics(document: TextDocument): Diagnostic[] {
  const text = document.getText();
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch {
    return [];
  }
  const rule = doc.rule;
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return [];
  const { type, language, query } = rule as Record<string, unknown>;
  const out: Diagnostic[] = [];
  const at = (key: string, message: string, code: string): void => {
    const range = keyRange(document, key);
    if (range) out.push({ range, severity: DiagnosticSeverity.Error, source: RULE_FILE_DIAGNOSTIC_SOURCE, code, message });
  };
  if (type === 'eql' && language !== undefined && language !== 'eql') {
    at('language', `An \`eql\` rule needs \`language = "eql"\`; this one says ${JSON.stringify(language)}`, 'rule-type-language');
  }
  if (language === 'eql' && type !== undefined && type !== 'eql') {
    at('type', `A rule with \`language = "eql"\` needs \`type = "eql"\`; this one says ${JSON.stringify(type)}`, 'rule-type-language');
  }
  const isEql = language === 'eql' || (language === undefined && type === 'eql');
  if (isEql && typeof query === 'string' && query.trim() === '') at('query', 'The EQL rule has an empty query', 'empty-query');
  for (const [key, field] of EMPTY_OVERRIDE_CHECKS) {
    const value = (rule as Record<string, unknown>)[key];
    if (isEql && typeof value === 'string' && value.trim() === '') {
      at(key, `\`${key}\` is empty: Elasticsearch rejects the search ("${field} field is null or empty"); remove the key to use the default field`, 'empty-field-override');
    }
  }
  return out;
}

/** The `[rule]` keys that must not be empty, with the field Elasticsearch's message names. */
const EMPTY_OVERRIDE_CHECKS: ReadonlyArray<[string, string]> = [
  ['timestamp_override', '@timestamp'],
  ['event_category_override', 'event category'],
];

/** The range of `key = …` in the `[rule]` table (from the key to the end of its line). */
function keyRange(document: TextDocument, key: string): { start: { line: number; character: number }; end: { line: number; character: number } } | undefined {
  const lines = document.getText().split(/\r\n|\r|\n/);
  let inRule = false;
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$/.exec(lines[i]);
    if (header) inRule = header[1] === 'rule';
    const m = inRule ? new RegExp(`^(\\s*)${key}\\s*=`).exec(lines[i]) : null;
    if (m) return { start: { line: i, character: m[1].length }, end: { line: i, character: lines[i].length } };
  }
  return undefined;
}
