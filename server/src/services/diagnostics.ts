/**
 * Diagnostics for EQL documents: runs `analyze` and turns its offset-based `EqlDiagnostic`s into
 * LSP `Diagnostic`s (line/character positions).
 */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type CheckOptions } from '../eql/analyze';
import type { EqlDiagnostic } from '../eql/diagnostic';
import { checkFields, type UnknownFieldSeverity } from '../eql/fieldCheck';
import { checkEcsValues } from '../eql/ecsValueCheck';
import type { FieldCatalog } from '../schema/fieldCatalog';

/** The `source` of every diagnostic this server publishes. */
export const DIAGNOSTIC_SOURCE = 'eql';

const SEVERITY: Record<EqlDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * Converts one EQL diagnostic to an LSP diagnostic of `document`.
 *
 * Input: `diagnostic.span` in 0-based UTF-16 offsets into the document text, end exclusive.
 * Output: `range` in 0-based lines and UTF-16 characters (LSP's default position encoding), computed
 * by `TextDocument.positionAt`, which clamps offsets past the end to the end of the text; `source` is
 * `eql`, `code` is the EQL diagnostic code.
 */
export function toLspDiagnostic(document: TextDocument, diagnostic: EqlDiagnostic): Diagnostic {
  const start = Math.max(0, diagnostic.span.start);
  const end = Math.max(start, diagnostic.span.end);
  return {
    range: { start: document.positionAt(start), end: document.positionAt(end) },
    severity: SEVERITY[diagnostic.severity] ?? DiagnosticSeverity.Error,
    source: DIAGNOSTIC_SOURCE,
    code: diagnostic.code,
    message: diagnostic.message,
    ...(diagnostic.related
      ? {
          relatedInformation: diagnostic.related.map((r) => ({
            location: { uri: document.uri, range: { start: document.positionAt(r.span.start), end: document.positionAt(r.span.end) } },
            message: r.message,
          })),
        }
      : {}),
  };
}

/** What the diagnostics know besides the query text. */
export interface DiagnosticsOptions {
  /** Known fields: enables the unknown-field diagnostics (`eql/fieldCheck.ts`). */
  fields?: FieldCatalog;
  /** Severity of likely typos and of fields an authoritative schema lacks (default `warning`). */
  unknownFieldSeverity?: UnknownFieldSeverity;
  /** Checker options (field types from a mapping). */
  check?: CheckOptions;
}

/**
 * The EQL diagnostics of a query text: `analyze` (parse + checker, the way Elasticsearch would
 * check it), the slips in values ECS lists (`eql/ecsValueCheck.ts`) and, with a field catalogue,
 * the unknown-field diagnostics; sorted by start offset.
 * Never throws for any text.
 */
export function queryDiagnostics(text: string, options: DiagnosticsOptions = {}): EqlDiagnostic[] {
  const analyzed = analyze(text, options.check);
  if (!analyzed.statement) return analyzed.diagnostics;
  const statement = analyzed.statement;
  const guarded = (what: string, check: () => EqlDiagnostic[]): EqlDiagnostic[] => {
    try {
      return check();
    } catch (e) {
      return [{ span: { start: 0, end: text.length }, severity: 'error', code: 'internal', message: `Internal ${what} check error: ${(e as Error)?.message ?? e}` }];
    }
  };
  const values = guarded('ECS value', () => checkEcsValues(statement));
  const fields = options.fields ? guarded('field', () => checkFields(statement, options.fields!, options.unknownFieldSeverity)) : [];
  if (values.length === 0 && fields.length === 0) return analyzed.diagnostics;
  return [...analyzed.diagnostics, ...values, ...fields].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}

/**
 * Checks an EQL document (see {@link queryDiagnostics}) and returns its problems as LSP
 * diagnostics. Never throws for any text; an empty array means the rule is accepted.
 */
export function computeDiagnostics(document: TextDocument, options: DiagnosticsOptions = {}): Diagnostic[] {
  return queryDiagnostics(document.getText(), options).map((d) => toLspDiagnostic(document, d));
}
