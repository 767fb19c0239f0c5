/**
 * Errors raised while compiling or evaluating EQL expressions.
 *
 * Elasticsearch fails the whole search when a script throws (integer division by zero, a number
 * that does not parse in `number()`, …) and rejects a query whose regular expression does not
 * parse. The replay engine gets the same failures as these typed errors, with the span of the
 * offending expression (0-based UTF-16 offsets into the query text, end exclusive).
 */
import type { Span } from '../eql/ast';
import type { SourceRef } from './types';

/** A query that cannot be compiled (e.g. an invalid or untranslatable regular expression). */
export class EqlCompileError extends Error {
  constructor(
    message: string,
    readonly span?: Span,
  ) {
    super(message);
    this.name = 'EqlCompileError';
  }
}

/**
 * A failure while evaluating an expression on one event (Elasticsearch would fail the search).
 * `source` is the event being evaluated, set by the replay engine.
 */
export class EqlEvaluationError extends Error {
  source?: SourceRef;

  constructor(
    message: string,
    readonly span?: Span,
  ) {
    super(message);
    this.name = 'EqlEvaluationError';
  }
}

/**
 * One event exceeds a limit of this engine that Elasticsearch does not have (so many multi-valued
 * field combinations that trying them all would stall the replay). The replay reports the event as
 * `path:line: warning: …`, treats it as not matching, and goes on with the next one.
 */
export class EventLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventLimitError';
  }
}
