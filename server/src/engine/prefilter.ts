/**
 * A raw-line literal prefilter: from each filter of a rule, the literals an event's JSON line must
 * contain for the filter to pass, tested on the line's bytes before it is decoded and parsed. A line
 * that can pass no filter is skipped unparsed (ripgrep's and Hyperscan's idea: a cheap substring
 * search before the full match).
 *
 * It must never skip a line whose event could pass a filter, so every rule below only ever asks for
 * less than the filter does:
 * - Only comparisons of a field with literals give literals: `==`, `:`, `like`, `like~`, `in`,
 *   `in~`, `startsWith`, `endsWith`, `stringContains` and the event category. `not`, `!=`, `not in`,
 *   ranges, `regex`, `cidrMatch`, other functions, arithmetic and `any` give none. `and` needs what
 *   either side needs; `or` needs one literal of each side.
 * - A field mapped to anything but a string type (numbers, dates, ips, booleans, versions compare
 *   by value, not by text) gives none; aliases are resolved first (`resolveAlias`).
 * - A literal is cut at the characters a JSON writer may escape or a re-serialised value may write
 *   differently (`"`, `\`, `/`, controls, whitespace, `{}[]:,`), and only its longest piece is
 *   required. A line holding a `\uXXXX` escape is always parsed (any character may hide there).
 * - Case-insensitive forms (`:`, `~` forms, `in~`) use only ASCII pieces, matched with ASCII case
 *   folding; a line holding any byte above 0x7F is parsed (`ſ`, `ı` and `K` fold to ASCII letters).
 * - Numbers: an event's number may be written `5985`, `5985.0`, `5.985e3` or `5984.99999999999999`
 *   (all parse to 5985), and a number compared as a string is converted (`toEqlString`): a piece made
 *   only of number characters is also satisfied by any exponent or 5-digit fraction in the line.
 *   An integer literal compared with an unmapped field requires its digits (or those forms).
 *
 * Correctness is checked by a property test: replays with and without the prefilter give the
 * same matches for random rules and events (`test/unit/engine/prefilter.test.ts`).
 */
import type { EventFilter, Expression, Statement } from '../eql/ast';
import { FieldMapping, kindOfType, lookupField, resolveAlias } from './mapping';
import { queryFilters } from './queryFilters';
import { parseJavaNumber, toEqlString } from './values';

/** One way a requirement can be met: a literal piece of text, or a pattern over the raw line. */
export type Alternative = { text: string; caseInsensitive: boolean } | { pattern: string };

/** At least one of the alternatives must occur in the line. */
export type AnyOf = Alternative[];

/** Every group must be met (`AnyOf` each); `null`: nothing can be required. */
type Need = AnyOf[] | null;

/** Options that decide how values compare (as for `compileFilter`). */
export interface PrefilterContext {
  eventCategoryField: string;
  mapping?: FieldMapping;
}

/** A compiled prefilter: true when the raw line must be parsed (it may pass some filter). */
export type LinePrefilter = (line: Buffer) => boolean;

/** Characters that end a literal piece: JSON escapes, structure, whitespace (see the module comment). */
const BREAKS = /["\\/{}[\]:,\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/;
/** A case-insensitive piece also ends at any non-ASCII character. */
const BREAKS_CI = /["\\/{}[\]:,\s\u0000-\u001f\u007f-\uffff]/;
/** Pieces made only of characters a number's text may hold (`-1.5E10`, `Infinity`, `NaN`). */
const NUMBERISH = /^[0-9.eE+\-INaifnty]+$/;
/** Other ways a JSON number may be written: an exponent, or a long fraction that rounds. */
const NUMBER_FORMS = '[0-9][eE]|\\.[0-9]{5}';
/** A JSON `\u` escape: a backslash preceded by an even number of backslashes, then `u`. */
const UNICODE_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u/;

/**
 * Compiles the prefilter of a statement.
 *
 * @param statement the analysed statement.
 * @param ctx the event category field and the mapping, as for the replay.
 * @returns the prefilter, or undefined when some filter gives no literal (then every line must be
 *   parsed: nothing is gained).
 */
export function compilePrefilter(statement: Statement, ctx: PrefilterContext): LinePrefilter | undefined {
  const needs = prefilterNeeds(statement, ctx)?.map((groups) => groups.map(toTest));
  if (needs === undefined) return undefined;
  return (line) => {
    // The Latin-1 view (one character per byte) is made once, and only for groups that need it.
    let text: string | undefined;
    const view = (): string => (text ??= line.toString('latin1'));
    if (line.includes(BACKSLASH_U) && UNICODE_ESCAPE.test(view())) return true;
    for (const groups of needs) {
      let all = true;
      for (let i = 0; i < groups.length && all; i++) all = groups[i](line, view);
      if (all) return true;
    }
    return false;
  };
}

/**
 * What each filter of a statement needs, as data: per filter (in `queryFilters` order), the groups
 * a line must meet to pass it (each group by one of its alternatives), groups a byte search can
 * decide first. A line whose JSON holds a `\uXXXX` escape may meet any of them (see the module comment).
 *
 * @returns undefined when some filter needs nothing (every line may pass it).
 */
export function prefilterNeeds(statement: Statement, ctx: PrefilterContext): AnyOf[][] | undefined {
  const needs: AnyOf[][] = [];
  for (const filter of queryFilters(statement.query)) {
    const need = filterNeed(filter, ctx);
    if (need === null || need.length === 0) return undefined;
    needs.push(orderGroups(need));
  }
  return needs;
}

/** A group's test: the raw line, and its Latin-1 view made on demand. */
type GroupTest = (line: Buffer, view: () => string) => boolean;

export const BACKSLASH_U = Buffer.from('\\u', 'latin1');

/** Groups a byte search can decide first (case-sensitive literals only), longest literals first. */
function orderGroups(need: AnyOf[]): AnyOf[] {
  const plain = isPlain;
  const shortest = (g: AnyOf) => Math.min(...g.map((a) => ('text' in a ? a.text.length : 0)));
  return need.slice().sort((a, b) => Number(plain(b)) - Number(plain(a)) || shortest(b) - shortest(a));
}

/** Case-sensitive literals are searched as bytes (`Buffer.includes`); other groups as a regular expression. */
function toTest(group: AnyOf): GroupTest {
  if (isPlain(group)) {
    const needles = group.map((a) => Buffer.from((a as { text: string }).text, 'utf8'));
    return (line) => {
      for (let i = 0; i < needles.length; i++) if (line.includes(needles[i])) return true;
      return false;
    };
  }
  const re = toRegExp(group);
  return (_line, view) => re.test(view());
}

/**
 * What a filter needs, as data (for tests and explanations).
 * @returns groups of alternatives (each group must be met by one of its alternatives), or null.
 */
export function filterNeed(filter: EventFilter, ctx: PrefilterContext): Need {
  const category = filter.category === null ? null : termNeed(ctx.eventCategoryField, filter.category, false, ctx);
  return and(category, need(filter.condition, ctx));
}

function and(a: Need, b: Need): Need {
  if (a === null) return b;
  if (b === null) return a;
  return [...a, ...b];
}

/** The most selective group: the one whose shortest alternative is longest. */
function best(need: AnyOf[]): AnyOf {
  let chosen = need[0];
  let score = -1;
  for (const group of need) {
    const s = Math.min(...group.map((a) => ('text' in a ? a.text.length : 0)));
    if (s > score) {
      score = s;
      chosen = group;
    }
  }
  return chosen;
}

/**
 * What a condition needs. `and` / `or` trees are walked with an explicit stack, each run of one
 * operator flattened into a list of operands, so that chains of thousands of terms (left- or
 * right-nested, as the parser builds them) never deepen the call stack.
 */
function need(root: Expression, ctx: PrefilterContext): Need {
  if (root.kind !== 'logical') return termOrCallNeed(root, ctx);
  interface Frame {
    operator: 'and' | 'or';
    operands: Expression[];
    next: number;
    needs: Need[];
  }
  const frame = (e: Expression & { kind: 'logical' }): Frame => ({ operator: e.operator, operands: operandsOf(e), next: 0, needs: [] });
  const stack: Frame[] = [frame(root)];
  let result: Need = null;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next < top.operands.length) {
      const operand = top.operands[top.next++];
      if (operand.kind === 'logical') stack.push(frame(operand));
      else top.needs.push(termOrCallNeed(operand, ctx));
      continue;
    }
    stack.pop();
    const combined = top.operator === 'and' ? allOf(top.needs) : oneOf(top.needs);
    if (stack.length === 0) result = combined;
    else stack[stack.length - 1].needs.push(combined);
  }
  return result;
}

/** The operands of a run of one logical operator, in order (`a or b or c` → a, b, c). */
function operandsOf(e: Expression & { kind: 'logical' }): Expression[] {
  const operands: Expression[] = [];
  const pending: Expression[] = [e];
  while (pending.length > 0) {
    const x = pending.pop()!;
    if (x.kind === 'logical' && x.operator === e.operator) pending.push(x.right, x.left);
    else operands.push(x);
  }
  return operands;
}

/** `and` of many needs: every group of each side (nothing when no side needs anything). */
function allOf(needs: Need[]): Need {
  let result: Need = null;
  for (const n of needs) if (n !== null) (result ??= []).push(...n);
  return result;
}

/** `or` of many needs: one group holding the best group of each side; null when any side is null. */
function oneOf(needs: Need[]): Need {
  if (needs.some((n) => n === null)) return null;
  return [needs.flatMap((n) => best(n!))];
}

/** What a condition that is not `and` / `or` needs. */
function termOrCallNeed(e: Expression, ctx: PrefilterContext): Need {
  switch (e.kind) {
    case 'comparison': {
      if (e.operator !== '==') return null;
      const [field, literal] = fieldAndLiteral(e.left, e.right);
      if (field === undefined || literal === undefined || literal === null) return null;
      return termNeed(field, literal, false, ctx);
    }
    case 'in': {
      if (e.negated || e.value.kind !== 'field') return null;
      const field = e.value.name;
      const values = e.list.map((x) => (x.kind === 'literal' ? x.value : undefined));
      if (values.some((v) => v === undefined)) return null;
      // Null entries match missing fields (`in~`) or nothing (`in`): either way no literal.
      if (values.some((v) => v === null)) return null;
      return anyOfAll(values.map((v) => termNeed(field, v as string | number | boolean, e.caseInsensitive, ctx)));
    }
    case 'match': {
      if (e.operator === 'regex' || e.value.kind !== 'field') return null;
      const field = e.value.name;
      const patterns = e.patterns.map((x) => (x.kind === 'literal' ? x.value : undefined));
      if (patterns.some((p) => p === undefined || p === null)) return null;
      const ci = e.operator === ':' ? true : e.caseInsensitive;
      return anyOfAll(
        patterns.map((p) => {
          if (typeof p !== 'string' || (e.operator === ':' && !p.includes('*') && !p.includes('?'))) {
            return termNeed(field, p as string | number | boolean, ci, ctx);
          }
          if (!p.includes('*') && !p.includes('?')) return termNeed(field, p, ci, ctx);
          return textNeed(field, p.split(/[*?]/), ci, ctx);
        }),
      );
    }
    case 'call': {
      const name = e.name.toLowerCase();
      if (name !== 'startswith' && name !== 'endswith' && name !== 'stringcontains') return null;
      if (e.args.length !== 2 || e.args[0].kind !== 'field' || e.args[1].kind !== 'literal') return null;
      const arg = e.args[1].value;
      if (typeof arg !== 'string') return null;
      // endsWith / stringContains run as Lucene wildcards, where `*`, `?` and `\` are special.
      const parts = name === 'startswith' ? [arg] : arg.split(/[*?\\]/);
      return textNeed(e.args[0].name, parts, e.caseInsensitive, ctx);
    }
    default:
      return null;
  }
}

/** One group holding one alternative group of each need; null when any is null. */
function anyOfAll(needs: Need[]): Need {
  if (needs.length === 0 || needs.some((n) => n === null)) return null;
  return [needs.flatMap((n) => best(n!))];
}

function fieldAndLiteral(a: Expression, b: Expression): [string | undefined, string | number | boolean | null | undefined] {
  if (a.kind === 'field' && b.kind === 'literal') return [a.name, b.value];
  if (b.kind === 'field' && a.kind === 'literal') return [b.name, a.value];
  return [undefined, undefined];
}

/** The field's kind after aliases, or undefined when the prefilter cannot reason about it. */
function stringLike(field: string, ctx: PrefilterContext): 'auto' | 'string' | undefined {
  const mapping = ctx.mapping;
  const target = resolveAlias(mapping, field);
  const info = lookupField(mapping, target);
  if (!info) return mapping?.closed ? undefined : 'auto';
  const kind = kindOfType(info.type);
  if (kind === 'string' || kind === 'other') return 'string';
  if (kind === 'text') {
    if (!info.exactField) return 'string';
    const exact = lookupField(mapping, info.exactField);
    const exactKind = exact ? kindOfType(exact.type) : 'text';
    return exactKind === 'string' || exactKind === 'text' || exactKind === 'other' ? 'string' : undefined;
  }
  return undefined;
}

/** Equality (case-sensitive or not) of a field with a literal. */
function termNeed(field: string, literal: string | number | boolean, ci: boolean, ctx: PrefilterContext): Need {
  const kind = stringLike(field, ctx);
  if (kind === undefined) return null;
  const text = toEqlString(literal, typeof literal === 'number' && Number.isInteger(literal) ? 'long' : 'unknown');
  if (text === null) return null;
  const piece = longestPiece([text], ci);
  if (piece === undefined) return null;
  const alternatives: Alternative[] = [piece];
  if (NUMBERISH.test(piece.text)) alternatives.push({ pattern: NUMBER_FORMS });
  // Unmapped fields compare numbers by value (`autoTermTest`): 5985 may be written 5985.0, 5.985e3.
  const n = typeof literal === 'number' ? literal : typeof literal === 'string' ? parseJavaNumber(literal) : undefined;
  if (n !== undefined) {
    if (!Number.isInteger(n) || Math.abs(n) >= 2 ** 31) return null;
    const digits = String(Math.abs(n));
    if (!alternatives.some((a) => 'text' in a && a.text === digits)) alternatives.push({ text: digits, caseInsensitive: false });
    if (!alternatives.some((a) => 'pattern' in a)) alternatives.push({ pattern: NUMBER_FORMS });
  }
  return [alternatives];
}

/** A pattern of literal `parts` (wildcards between them) against a field. */
function textNeed(field: string, parts: string[], ci: boolean, ctx: PrefilterContext): Need {
  if (stringLike(field, ctx) === undefined) return null;
  const piece = longestPiece(parts, ci);
  if (piece === undefined) return null;
  return [NUMBERISH.test(piece.text) ? [piece, { pattern: NUMBER_FORMS }] : [piece]];
}

/** The longest piece of the texts between break characters, or undefined when all are empty. */
function longestPiece(texts: string[], ci: boolean): { text: string; caseInsensitive: boolean } | undefined {
  let longest = '';
  for (const t of texts) {
    for (const piece of t.split(ci ? BREAKS_CI : BREAKS)) {
      if (Buffer.byteLength(piece) > Buffer.byteLength(longest)) longest = piece;
    }
  }
  return longest === '' ? undefined : { text: longest, caseInsensitive: ci };
}

/**
 * A group as one regular expression over the line read as Latin-1 (one character per byte). With a
 * case-insensitive literal the whole expression takes the `i` flag (V8 searches such a literal
 * faster than character classes); its case-sensitive literals then match in any case too, which
 * only keeps more lines. Without the `u` flag, case folding never maps a character above 0x7F to
 * ASCII (ECMAScript `Canonicalize`), so bytes of UTF-8 sequences never pass for letters; lines
 * with such bytes are kept by the `[\x80-\xff]` alternative instead (see the module comment).
 */
function toRegExp(group: AnyOf): RegExp {
  const ci = isCaseInsensitive(group);
  return new RegExp(ci ? `${groupSource(group)}|[\\x80-\\xff]` : groupSource(group), ci ? 'i' : '');
}

/** True when a group has a case-insensitive literal: lines with a byte above 0x7F may then meet it. */
export function isCaseInsensitive(group: AnyOf): boolean {
  return group.some((a) => 'text' in a && a.caseInsensitive);
}

/** True when every alternative of a group is a case-sensitive literal (searched as bytes). */
export function isPlain(group: AnyOf): boolean {
  return group.every((a) => 'text' in a && !a.caseInsensitive);
}

/**
 * A group's alternatives as one regular expression source over text read as Latin-1 (one
 * character per byte), to be used with the `i` flag when {@link isCaseInsensitive}; a line with a
 * byte above 0x7F must then be kept besides (see {@link toRegExp}).
 */
export function groupSource(group: AnyOf): string {
  return group.map((a) => ('pattern' in a ? a.pattern : escapeRegExp(Buffer.from(a.text, 'utf8').toString('latin1')))).join('|');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
