import type { Statement } from './ast';
import { check, type CheckOptions } from './checker';
import type { EqlDiagnostic } from './diagnostic';
import { parse } from './parser';

export type { CheckOptions } from './checker';

/** Result of {@link analyze}: the statement is fit for replay only when no diagnostic has severity `error`. */
export interface AnalyzeResult {
  statement?: Statement;
  diagnostics: EqlDiagnostic[];
}

/**
 * Parses and checks EQL text: every syntax error and every rejection Elasticsearch makes before
 * running a query (parser, `LogicalPlanBuilder`, `Verifier`, query translation).
 *
 * Input: the query text, and optionally lookups from an index mapping ({@link CheckOptions}:
 * `fieldExists`/`knownFields` enable `unknown-field`; `fieldType`/`hasExactSubfield` enable the
 * type rules on fields; `mapping` is used when compiling the filters; `mappingCheckOptions` builds
 * them all from a loaded mapping). Output: the (possibly partial) statement and all diagnostics sorted by start
 * offset; spans are 0-based UTF-16 offsets into `text`, end exclusive. Never throws.
 */
export function analyze(text: string, options: CheckOptions = {}): AnalyzeResult {
  const parsed = parse(text);
  const diagnostics = [...parsed.diagnostics];
  if (parsed.statement) {
    try {
      const syntaxErrors = parsed.diagnostics.filter((d) => d.code === 'syntax').map((d) => d.span);
      const partial = syntaxErrors.length > 0;
      diagnostics.push(...check(parsed.statement, text, { ...options, partial: options.partial || partial, syntaxErrors }));
    } catch (e) {
      diagnostics.push({
        span: { start: 0, end: text.length },
        severity: 'error',
        message: `Internal checker error: ${e instanceof Error ? e.message : String(e)}`,
        code: 'internal',
      });
    }
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { statement: parsed.statement, diagnostics };
}
