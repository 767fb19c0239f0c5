/**
 * Diagnostics for EQL documents: runs `analyze` and turns its offset-based `EqlDiagnostic`s into
 * LSP `Diagnostic`s (line/character positions).
 */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../eql/analyze';
import type { EqlDiagnostic } from '../eql/diagnostic';

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
  };
}

/**
 * Checks an EQL document the way Elasticsearch would (`analyze` = parse + checker) and returns its
 * problems as LSP diagnostics, in the order `analyze` reports them. Never throws for any text
 * (`analyze` never throws); an empty array means the rule is accepted.
 */
export function computeDiagnostics(document: TextDocument): Diagnostic[] {
  return analyze(document.getText()).diagnostics.map((d) => toLspDiagnostic(document, d));
}
