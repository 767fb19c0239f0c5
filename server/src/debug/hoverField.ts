/**
 * The field name under the mouse in a rule, for the debugger's hover: while a replay is stopped,
 * VS Code asks the extension which text to evaluate at the hovered position
 * (`EvaluatableExpressionProvider`), and its default word (letters and digits) would cut EQL's dotted
 * names (`process.parent.name`) at the dots. A name runs from its first segment to the hovered one,
 * as debuggers evaluate `a.b` when `b` of `a.b.c` is hovered: hovering `parent` shows the
 * `process.parent` object, hovering `name` its value.
 *
 * Only field names give one: not strings, numbers, keywords, function names, the event category
 * before `where`, pipe names, `runs`, nor time units (`30s`). Tokens are the EQL lexer's (`lex`).
 */
import { lex } from '../eql/lexer';
import type { Token } from '../eql/token';
import { toQueryOffset, type RuleSource } from '../samples/ruleFile';

/** A field name in a rule file: its range (0-based UTF-16 offsets in `fileText`, end exclusive) and text. */
export interface HoverField {
  start: number;
  end: number;
  /** The EQL field name as written (`process.parent.name`, `` `my field`.x ``). */
  expression: string;
}

const isName = (t: Token | undefined): boolean => t?.kind === 'identifier' || t?.kind === 'quotedIdentifier';
const isOperator = (t: Token | undefined, text: string): boolean => t?.kind === 'operator' && t.text === text;
const touching = (a: Token, b: Token): boolean => a.span.end === b.span.start;

/**
 * The field name at a position of a rule file.
 *
 * @param rule the rule (an `.eql` file, or a detection-rules TOML file whose query is mapped back
 *   to the file by `toFileOffset`).
 * @param fileOffset 0-based UTF-16 offset in `rule.fileText` of the hovered character.
 * @returns the name from its first segment to the hovered one, or undefined when the position is
 *   outside the query or on anything but a field name.
 */
export function hoverFieldAt(rule: RuleSource, fileOffset: number): HoverField | undefined {
  const at = toQueryOffset(rule, fileOffset);
  if (at === undefined) return undefined;
  const tokens = lex(rule.query).tokens;
  const i = tokens.findIndex((t) => t.span.start <= at && at < t.span.end);
  const token = tokens[i];
  if (i < 0 || !isName(token)) return undefined;
  // The first segment of the dotted name (`host` of `host.id`).
  let first = i;
  while (first >= 2 && isOperator(tokens[first - 1], '.') && touching(tokens[first - 1], tokens[first]) && isName(tokens[first - 2]) && touching(tokens[first - 2], tokens[first - 1])) {
    first -= 2;
  }
  const before = tokens[first - 1];
  let last = i;
  while (isOperator(tokens[last + 1], '.') && isName(tokens[last + 2])) last += 2;
  const after = tokens[last + 1];
  const notAField =
    isOperator(after, '(') || // a function name
    (after?.kind === 'keyword' && after.text === 'where') || // the event category
    isOperator(after, '=') || // `runs=2`, `maxspan=30s`
    isOperator(before, '|') || // a pipe name
    (before !== undefined && (before.kind === 'integer' || before.kind === 'decimal') && touching(before, tokens[first])); // a time unit
  if (notAField) return undefined;
  const startInQuery = tokens[first].span.start;
  const endInQuery = token.span.end;
  return {
    start: rule.toFileOffset(startInQuery),
    end: rule.toFileOffset(endInQuery - 1) + 1,
    expression: rule.query.slice(startInQuery, endInQuery),
  };
}
