/**
 * One-line explanations of EQL's keywords and pipes, for hover and completion documentation.
 * Semantics as described by Elasticsearch's "EQL syntax reference" and "EQL pipe reference"
 * (Elasticsearch docs, reference/query-languages/eql/eql-syntax and eql-pipe-ref), and as checked in
 * `checker.ts` (e.g. `runs` between 1 and 100, `sample` without `maxspan`/`until`).
 */

/** The Elasticsearch "EQL syntax reference" page. */
export const EQL_SYNTAX_REFERENCE_URL = 'https://www.elastic.co/docs/reference/query-languages/eql/eql-syntax';
/** The Elasticsearch "EQL pipe reference" page. */
export const EQL_PIPE_REFERENCE_URL = 'https://www.elastic.co/docs/reference/query-languages/eql/eql-pipe-ref';
/** The Elasticsearch "EQL function reference" page. */
export const EQL_FUNCTION_REFERENCE_URL = 'https://www.elastic.co/docs/reference/query-languages/eql/eql-function-ref';

/** Documentation of one keyword: a one-line explanation and the reference section it comes from. */
export interface EqlKeywordDoc {
  /** The keyword as written, e.g. `maxspan`. */
  keyword: string;
  /** Short syntax reminder, e.g. `sequence with maxspan=30s`. */
  syntax: string;
  /** One sentence on its semantics. */
  summary: string;
  /** The reference page (with section anchor) that documents it. */
  url: string;
}

const syntax = (anchor: string) => `${EQL_SYNTAX_REFERENCE_URL}#${anchor}`;
const kw = (keyword: string, syntaxText: string, summary: string, url: string): EqlKeywordDoc => ({ keyword, syntax: syntaxText, summary, url });

const DOCS: readonly EqlKeywordDoc[] = [
  kw('where', 'category where condition', 'Connects an event category to the condition an event of that category must match.', syntax('eql-basic-syntax')),
  kw('any', 'any where condition', 'Matches events of any category, including documents without an event category field.', syntax('eql-syntax-match-any-event-category')),
  kw('sequence', 'sequence [by keys] [with maxspan=time] [stage] [stage] … [until [stage]]',
    'Matches an ordered series of events, one per stage, in ascending timestamp order (tiebreaker next).', syntax('eql-sequences')),
  kw('sample', 'sample by keys [stage] [stage] …',
    'Matches one event per stage sharing the join key values, in any chronological order; maxspan, runs and until are not supported.', syntax('eql-samples')),
  kw('by', 'sequence by keys / [stage] by keys',
    'Join keys: the events of a match must share these values, even from different fields (keys after `sequence`/`sample` apply to every stage).', syntax('eql-by-keyword')),
  kw('with', 'sequence with maxspan=time / [stage] with runs=N', 'Introduces `maxspan` on a sequence or `runs` on a stage.', syntax('eql-with-maxspan-keywords')),
  kw('maxspan', 'sequence with maxspan=30s',
    'All events of a matching sequence must occur within this time of the first event; units ms, s, m, h, d.', syntax('eql-with-maxspan-keywords')),
  kw('until', 'sequence … until [stage]',
    'Expiration event: a sequence expires if an event matching the until stage occurs between its matching events (not if it occurs after them); it is never part of the results.', syntax('eql-until-keyword')),
  kw('runs', '[stage] with runs=N',
    'Repeats the stage N times in a row (1 to 100); the same as writing the stage N times.', syntax('eql-with-runs-statement')),
  kw('not', 'not condition / value not in (…)', 'Negates a condition; `not in` checks that a value is in none of the listed values.', syntax('eql-syntax-logical-operators')),
  kw('and', 'condition and condition', 'True when both conditions are true.', syntax('eql-syntax-logical-operators')),
  kw('or', 'condition or condition', 'True when either condition is true.', syntax('eql-syntax-logical-operators')),
  kw('in', 'value in (a, b, …)', 'True when the value equals one of the listed values (case-sensitive; `in~` ignores case).', syntax('eql-syntax-lookup-operators')),
  kw('in~', 'value in~ (a, b, …)', 'Like `in`, but compares strings case-insensitively.', syntax('eql-syntax-lookup-operators')),
  kw('like', 'value like "pat*"', 'Wildcard match (`*` zero or more characters, `?` exactly one), case-sensitive; `like~` ignores case (as `:` does).', syntax('eql-syntax-pattern-comparison-keywords')),
  kw('like~', 'value like~ "pat*"', 'Case-insensitive wildcard match.', syntax('eql-syntax-pattern-comparison-keywords')),
  kw('regex', 'value regex "re"', 'Regular expression match (Elasticsearch regular expression syntax), case-sensitive; `regex~` ignores case.', syntax('eql-syntax-pattern-comparison-keywords')),
  kw('regex~', 'value regex~ "re"', 'Case-insensitive regular expression match.', syntax('eql-syntax-pattern-comparison-keywords')),
  kw('true', 'true', 'Boolean literal.', syntax('eql-syntax-conditions')),
  kw('false', 'false', 'Boolean literal.', syntax('eql-syntax-conditions')),
  kw('null', 'null', 'The null value; `?field != null` matches events where the field has a value, `?field == null` those where it has none.', syntax('eql-syntax-check-field-exists')),
  kw('head', '| head N', 'Returns up to N matches, starting with the earliest ones.', `${EQL_PIPE_REFERENCE_URL}#eql-pipe-head`),
  kw('tail', '| tail N', 'Returns up to N matches, starting with the most recent ones.', `${EQL_PIPE_REFERENCE_URL}#eql-pipe-tail`),
];

const BY_KEYWORD = new Map(DOCS.map((d) => [d.keyword, d]));

/** Documentation of a keyword or pipe name (`maxspan`, `until`, `runs`, `sequence`, `head`, …); undefined when unknown. */
export function eqlKeywordDoc(keyword: string): EqlKeywordDoc | undefined {
  return BY_KEYWORD.get(keyword);
}

/** Markdown rendering of a keyword's documentation: syntax, summary, and a link to the reference. */
export function eqlKeywordMarkdown(doc: EqlKeywordDoc): string {
  const page = doc.url.startsWith(EQL_PIPE_REFERENCE_URL) ? 'EQL pipe reference' : 'EQL syntax reference';
  return ['```eql', doc.syntax, '```', '', doc.summary, '', `[${page}](${doc.url})`].join('\n');
}
