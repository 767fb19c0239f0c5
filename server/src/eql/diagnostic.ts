import type { Span } from './ast';

/**
 * A problem found in EQL text, independent of any editor protocol.
 * `span` is in 0-based UTF-16 offsets into the query text; `code` is a stable identifier
 * (e.g. `syntax`, `unsupported-pipe`) that quick fixes and tests can key on.
 */
export interface EqlDiagnostic {
  span: Span;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  code: string;
  /** Other places the problem concerns (the `[` a missing `]` should close), with a short message each. */
  related?: Array<{ span: Span; message: string }>;
}
