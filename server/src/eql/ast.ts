/**
 * The typed syntax tree of an EQL statement.
 *
 * Every node carries a `span`: 0-based UTF-16 offsets into the query text, `end` exclusive.
 * Offsets (not lines) let a host file (a TOML rule, a Markdown fence) map positions back.
 *
 * Shapes follow Elasticsearch's grammar, `x-pack/plugin/eql/src/main/antlr/EqlBase.g4`, and the
 * plan built from it in `LogicalPlanBuilder.java` / `ExpressionBuilder.java`.
 */

/** A half-open range of 0-based UTF-16 offsets into the query text. */
export interface Span {
  start: number;
  end: number;
}

interface NodeBase {
  span: Span;
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

/** `null`, a number, `true`/`false`, or a string (escapes already decoded into `value`). */
export interface LiteralExpression extends NodeBase {
  kind: 'literal';
  value: string | number | boolean | null;
  /** `integer` and `decimal` follow the grammar's INTEGER_VALUE / DECIMAL_VALUE. */
  type: 'string' | 'integer' | 'decimal' | 'boolean' | 'null';
  /** The source text of the literal, as written (quotes included for strings). */
  raw: string;
}

/** A field reference: `process.name`, `` `my field`.x ``, `?optional.field`, `arr[0]`. */
export interface FieldExpression extends NodeBase {
  kind: 'field';
  /** Dotted name as Elasticsearch resolves it, backticks removed: `process.parent.name`. */
  name: string;
  /** The written parts; numbers are `[N]` array indexes. */
  path: Array<string | number>;
  /** `?field`: a field absent from the mapping is null instead of an error. */
  optional: boolean;
}

/** `not expr` */
export interface NotExpression extends NodeBase {
  kind: 'not';
  operand: Expression;
}

/** `left and right`, `left or right` */
export interface LogicalExpression extends NodeBase {
  kind: 'logical';
  operator: 'and' | 'or';
  left: Expression;
  right: Expression;
}

/** `==`, `!=`, `<`, `<=`, `>`, `>=` (case-sensitive on strings). */
export interface ComparisonExpression extends NodeBase {
  kind: 'comparison';
  operator: '==' | '!=' | '<' | '<=' | '>' | '>=';
  left: Expression;
  right: Expression;
}

/** `value in (a, b)`, `value in~ (…)`, `value not in (…)`, `value not in~ (…)`. */
export interface InExpression extends NodeBase {
  kind: 'in';
  negated: boolean;
  caseInsensitive: boolean;
  value: Expression;
  list: Expression[];
}

/**
 * String matching predicates: `value : "a*"`, `value : ("a", "b")`, `like`, `like~`, `regex`,
 * `regex~`. `:` is always case-insensitive; `like`/`regex` only with `~`.
 */
export interface MatchExpression extends NodeBase {
  kind: 'match';
  operator: ':' | 'like' | 'regex';
  caseInsensitive: boolean;
  value: Expression;
  patterns: Expression[];
  /** True when the patterns were written as a parenthesised list. */
  list: boolean;
}

/** `+ - * / %` */
export interface ArithmeticExpression extends NodeBase {
  kind: 'arithmetic';
  operator: '+' | '-' | '*' | '/' | '%';
  left: Expression;
  right: Expression;
}

/** Unary `-expr` / `+expr`. */
export interface NegateExpression extends NodeBase {
  kind: 'negate';
  operator: '-' | '+';
  operand: Expression;
}

/** `name(args…)` or the case-insensitive form `name~(args…)`. */
export interface CallExpression extends NodeBase {
  kind: 'call';
  /** Name as written, without `~`. */
  name: string;
  caseInsensitive: boolean;
  nameSpan: Span;
  args: Expression[];
}

/** Placeholder where the parser recovered from a syntax error. Never evaluated. */
export interface ErrorExpression extends NodeBase {
  kind: 'error';
}

export type Expression =
  | LiteralExpression
  | FieldExpression
  | NotExpression
  | LogicalExpression
  | ComparisonExpression
  | InExpression
  | MatchExpression
  | ArithmeticExpression
  | NegateExpression
  | CallExpression
  | ErrorExpression;

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/** `category where condition`; `category` is null for `any`. */
export interface EventFilter extends NodeBase {
  kind: 'eventFilter';
  category: string | null;
  categorySpan: Span;
  condition: Expression;
}

/** `with maxspan=30s`: `value` and `unit` as written, `millis` converted. */
export interface TimeSpan extends NodeBase {
  kind: 'timeSpan';
  value: number;
  /** `ms`, `s`, `m`, `h`, `d`, or '' when the unit is missing (a checker error). */
  unit: string;
  millis: number;
}

/** One stage of a sequence or sample: `[filter] by keys with runs=N`, or a missing event `![filter]`. */
export interface Stage extends NodeBase {
  kind: 'stage';
  filter: EventFilter;
  joinKeys: Expression[];
  /** `with runs=N`; undefined when absent. */
  runs?: number;
  runsSpan?: Span;
  /** `![…]`: a missing-event stage (sequences only). */
  missing: boolean;
}

export interface EventQuery extends NodeBase {
  kind: 'event';
  filter: EventFilter;
}

export interface SequenceQuery extends NodeBase {
  kind: 'sequence';
  /** Keys written after `sequence by`; they apply to every stage before its own keys. */
  joinKeys: Expression[];
  maxspan?: TimeSpan;
  stages: Stage[];
  until?: Stage;
}

export interface SampleQuery extends NodeBase {
  kind: 'sample';
  joinKeys: Expression[];
  stages: Stage[];
}

export type Query = EventQuery | SequenceQuery | SampleQuery;

/** `| head 5`, `| tail 3`, and the pipes Elasticsearch rejects (kept so the checker can say so). */
export interface Pipe extends NodeBase {
  kind: 'pipe';
  name: string;
  nameSpan: Span;
  args: Expression[];
}

/** A whole statement: one query and its pipes. */
export interface Statement extends NodeBase {
  kind: 'statement';
  query: Query;
  pipes: Pipe[];
}

export type Node = Expression | EventFilter | TimeSpan | Stage | Query | Pipe | Statement;
