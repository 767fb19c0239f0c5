/**
 * Completion for EQL text (`textDocument/completion` and `completionItem/resolve`).
 *
 * What is offered depends on the tokens before the cursor, so it works on half-typed text:
 * - query start: the ECS event categories, `any`, `sequence`, `sample`; after `[`/`![`: the categories and `any`;
 * - after a category: `where`;
 * - after `where`, `and`, `or`, `not`, `(`, `,` and comparison/arithmetic operators: the samples'
 *   fields (with how many events carry them), then ECS fields (detail: ECS type; documentation,
 *   resolved lazily: ECS description; in `process where …` the `process.*` fields sort first), functions (snippets with their
 *   parameters, and the `~` form where Elasticsearch has one), `true`, `false`, `null`, `not`;
 *   after `by`: fields only;
 * - after `field ==`/`!=`/`:`/`like`/`regex`/`in (` where the field has ECS allowed values
 *   (`event.category`, `event.type`, `event.kind`, `event.outcome`, …): those values, quoted;
 *   inside a string compared with such a field: the values themselves;
 * - after `sequence`: `by`, `with maxspan=`; after `sample`: `by`; after `sequence by keys`: `with maxspan=`;
 * - after a stage's `]` (and its `by` keys): `by`, `with runs=`, `until` (sequences only);
 * - after a complete operand in a condition: `and`, `or`, `in`, `in~`, `not in`, `like`, `like~`, `regex`, `regex~`;
 * - after `|`: the pipes `head`, `tail`.
 * Nothing inside comments. Grammar facts from Elasticsearch's `EqlBase.g4` and "EQL syntax reference".
 */
import { TIME_UNIT_MILLIS } from '../eql/timeUnits';
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Range,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { EQL_FUNCTIONS, type EqlFunctionInfo } from '../eql/functions';
import { lex } from '../eql/lexer';
import { KEYWORDS, type Token } from '../eql/token';
import { ecsAllowedValues, ecsEventCategories, ecsField, type EcsAllowedValue } from '../schema/ecs';
import { eqlKeywordDoc, eqlKeywordMarkdown } from '../schema/eqlKeywords';
import { allowedValueMarkdown, categoryMarkdown, ecsFieldMarkdown, functionMarkdown, functionSignature } from './hover';
import type { SampleFieldStat } from '../schema/sampleFields';
import { FIELD_SORT, fieldItems } from './fieldCompletionItems';

/** What the client can do, from its `initialize` capabilities. */
export interface CompletionOptions {
  /** `textDocument.completion.completionItem.snippetSupport`: functions are inserted as snippets with parameter placeholders. */
  snippetSupport?: boolean;
  /**
   * `textDocument.completion.completionList.itemDefaults` includes `editRange` (LSP 3.17): the range
   * to replace is sent once in `itemDefaults.editRange` instead of in every item's `textEdit`, which
   * keeps the ~2,600-item field list small.
   */
  editRangeDefault?: boolean;
  /**
   * Fields learnt from the workspace's samples: they rank first (with how many events carry them),
   * and their values are offered after `==`, `!=`, `:`, `in (` before ECS's allowed values.
   */
  samples?: SampleCompletionData;
}

/** What completion reads of the fields learnt from the samples (`SampleFields`). */
export interface SampleCompletionData {
  fields(): ReadonlyMap<string, SampleFieldStat>;
}

/** Values offered per field, most frequent first. */
const MAX_VALUE_ITEMS = 50;

/**
 * Completion items at `offset` of `text`.
 *
 * Input: the whole EQL text and a 0-based UTF-16 cursor offset (clamped to the text). Output: an LSP
 * `CompletionList` (`isIncomplete` false: the client filters). The range to replace (0-based
 * lines/characters) covers what is already typed of the word, dotted field names included
 * (`process.pa|` replaces `process.pa`); it is in each item's `textEdit`, or, with
 * `options.editRangeDefault`, once in `itemDefaults.editRange`, with `textEditText` on the items whose
 * text differs from their label (items inside a string keep their own `textEdit`). ECS field items
 * carry no documentation until {@link resolveCompletionItem} (there are ~2,600 of them); they are
 * built once per field catalogue ({@link fieldItems}). Never throws: any failure yields an empty list.
 */
export function computeCompletions(text: string, offset: number, options: CompletionOptions = {}): CompletionList {
  try {
    const at = Math.max(0, Math.min(offset, text.length));
    const shared: { range?: Range } = {};
    const items = completionsAt(text, at, options, shared);
    return options.editRangeDefault && shared.range && items.length > 0
      ? { isIncomplete: false, itemDefaults: { editRange: shared.range }, items }
      : { isIncomplete: false, items };
  } catch {
    return { isIncomplete: false, items: [] };
  }
}

/**
 * `completionItem/resolve`: adds the ECS documentation (type, description, example, allowed values)
 * to a field item produced by {@link computeCompletions} (kind `Field`, label = the ECS name). Other
 * items are returned unchanged. Never throws.
 */
export function resolveCompletionItem(item: CompletionItem): CompletionItem {
  try {
    const field = item.kind === CompletionItemKind.Field && typeof item.label === 'string' ? ecsField(item.label) : undefined;
    if (!field || item.documentation) return item;
    return { ...item, documentation: { kind: MarkupKind.Markdown, value: ecsFieldMarkdown(field) } };
  } catch {
    return item;
  }
}

/**
 * True when `offset` lies inside `token` and the token is a string or a comment, so that what is
 * typed there is text, not EQL: strictly between the quotes of a closed string, anywhere after the
 * opening quote of an unterminated one, after `//` up to the end of its line, inside `/* … *\/`.
 */
export function isInsideStringOrComment(token: Token, offset: number): boolean {
  if (offset <= token.span.start) return false;
  if (token.kind === 'lineComment') return offset <= token.span.end;
  if (token.kind === 'blockComment') return offset < token.span.end || (offset === token.span.end && !token.text.endsWith('*/'));
  if (token.kind === 'string') return offset < token.span.end || (offset === token.span.end && !stringIsClosed(token));
  return false;
}

/** Whether a string token has its closing quote(s). */
function stringIsClosed(token: Token): boolean {
  const open = openingQuoteLength(token);
  const quote = token.text.slice(open - (token.quote === 'triple' || token.quote === 'questionTriple' ? 3 : 1), open);
  const body = token.text.slice(open);
  if (quote.length === 3) return body.length >= 3 && body.endsWith('"""');
  if (body.length < 1 || !body.endsWith(quote)) return false;
  // The closing quote must not be escaped: count the backslashes before it.
  let backslashes = 0;
  for (let i = body.length - 2; i >= 0 && body[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}

/** Length of `"`, `"""`, `?"`, `'` … at the start of a string token. */
function openingQuoteLength(token: Token): number {
  const q = token.quote ?? 'double';
  return (q.startsWith('question') ? 1 : 0) + (q === 'triple' || q === 'questionTriple' ? 3 : 1);
}

// ------------------------------------------------------------------------------------------------

const isOp = (t: Token | undefined, ...ops: string[]): boolean => t?.kind === 'operator' && ops.includes(t.text);
const isKw = (t: Token | undefined, ...kws: string[]): boolean => t?.kind === 'keyword' && kws.includes(t.text);
const isName = (t: Token | undefined): boolean => t?.kind === 'identifier' || t?.kind === 'quotedIdentifier';
const isWord = (t: Token | undefined): boolean => isName(t) || t?.kind === 'keyword' || t?.kind === 'tildeIdentifier';

const COMPARISON = ['==', '!=', '<', '<=', '>', '>=', '='];
const ARITHMETIC = ['+', '-', '*', '/', '%'];
/** Operators whose right side must be a constant (EqlBase.g4 `predicate`). */
const CONSTANT_OPERATORS = [':', 'like', 'like~', 'regex', 'regex~'];

/** Sort groups: allowed values first, then fields (those of the event category's field set first), functions, keywords. */
const SORT = { value: 'a', field: FIELD_SORT, function: 'c', keyword: 'd' } as const;

/** The items at `offset`; `shared.range` is set to the word range when the items use the list's default range. */
function completionsAt(text: string, offset: number, options: CompletionOptions, shared: { range?: Range }): CompletionItem[] {
  const { tokens } = lex(text);
  const doc = TextDocument.create('', 'eql', 0, text);
  const before: Token[] = [];
  for (const t of tokens) {
    if (t.kind === 'eof' || t.span.start >= offset) break;
    if (isInsideStringOrComment(t, offset)) return t.kind === 'string' ? stringValueItems(before, t, offset, doc, options.samples, conditionCategory(before, before.length - 1)) : [];
    // Inside an operator (`=|=`, `!|=`): nothing can be inserted there.
    if (t.kind === 'operator' && t.span.start < offset && offset < t.span.end) return [];
    if (t.kind !== 'lineComment' && t.kind !== 'blockComment') before.push(t);
  }

  const unitStart = timeUnitStart(before, offset);
  if (unitStart !== undefined) {
    const unitRange: Range = { start: doc.positionAt(unitStart), end: doc.positionAt(offset) };
    if (options.editRangeDefault) shared.range = unitRange;
    return new Items(unitRange, options, undefined).timeUnits().list;
  }

  // The word being typed (with the dotted name it continues) is replaced by the completion.
  let start = offset;
  let k = before.length - 1;
  const last = before[k];
  if (last && last.span.end >= offset) {
    // The cursor is at the end of (or inside) the last token: complete that word.
    if (isWord(last)) {
      start = last.span.start;
      k--;
    } else if (!isOp(last, '.', '[', '![', '(', ',', '|', ...COMPARISON, ...ARITHMETIC, ':', '?')) {
      // Glued to a number, a string or a closing bracket: nothing can follow without a space.
      return [];
    }
  }
  while (k >= 1 && isOp(before[k], '.') && before[k].span.end === start && isName(before[k - 1]) && before[k - 1].span.end === before[k].span.start) {
    start = before[k - 1].span.start;
    k -= 2;
  }
  if (k >= 0 && isOp(before[k], '?') && before[k].span.end === start) k--; // `?optional.field`
  const head = before.slice(0, k + 1);
  const prev = head[k];
  const range: Range = { start: doc.positionAt(start), end: doc.positionAt(offset) };
  const items = new Items(range, options, conditionCategory(head, k));
  if (options.editRangeDefault) shared.range = range;
  const kind = queryKind(head);

  if (!prev) return items.categories(true).keywords(['sequence', 'sample']).list;
  if (isOp(prev, '[', '![')) return items.categories(true).list;
  if (isOp(prev, '|')) return items.keywords(['head', 'tail']).list;
  if (isKw(prev, 'sequence')) return items.keywords(['by', 'with maxspan=']).list;
  if (isKw(prev, 'sample')) return items.keywords(['by']).list;
  if (isKw(prev, 'with')) return items.keywords([withIsOnStage(head) ? 'runs=' : 'maxspan=']).list;
  if (isKw(prev, 'until', 'in', 'in~')) return []; // `[` or `(` comes next
  // `with maxspan = |` and `with runs = |` take a number: nothing to suggest.
  if (isOp(prev, '=') && (isKw(head[k - 1], 'maxspan') || (head[k - 1]?.kind === 'identifier' && head[k - 1].text === 'runs'))) return [];
  if (isOp(prev, ']')) return items.keywords(afterStage(kind, false)).list;
  if (isKw(prev, 'by')) return items.fields().list;
  if (isCategoryPosition(head, k)) return items.keywords(['where']).list;

  if (isOp(prev, '(', ',')) {
    const open = enclosingParen(head, k);
    const opener = open >= 0 ? head[open - 1] : undefined;
    if (opener && (isKw(opener, 'in', 'in~', ...CONSTANT_OPERATORS) || isOp(opener, ':'))) {
      return items.allowedValues(fieldBefore(head, open - 2), true).constants().list;
    }
    if (open < 0 && isOp(prev, ',') && ['keys', 'headerKeys', 'stageKeys'].includes(regionOf(head, k))) return items.fields().list;
    return items.expressionStart().list;
  }
  if (isOp(prev, ':') || isKw(prev, 'like', 'like~', 'regex', 'regex~')) {
    return items.allowedValues(fieldBefore(head, k - 1), true).constants().list;
  }
  if (isOp(prev, '==', '!=')) return items.allowedValues(fieldBefore(head, k - 1), true).expressionStart().list;
  if (isKw(prev, 'where', 'and', 'or', 'not') || isOp(prev, ...COMPARISON, ...ARITHMETIC)) return items.expressionStart().list;

  if (endsOperand(prev)) {
    switch (regionOf(head, k)) {
      case 'condition':
        return items.keywords(['and', 'or', 'in', 'in~', 'not in', 'like', 'like~', 'regex', 'regex~']).list;
      case 'headerKeys':
        return kind === 'sequence' ? items.keywords(['with maxspan=']).list : [];
      case 'stageKeys':
        return items.keywords(afterStage(kind, true)).list;
      case 'runs':
        return kind === 'sequence' ? items.keywords(['until']).list : [];
      default:
        return [];
    }
  }
  return [];
}

/**
 * Where the unit of `maxspan=N` starts when the cursor is right after the number (`maxspan = 5|`)
 * or in a unit glued to it (`maxspan=5m|`); undefined anywhere else.
 */
function timeUnitStart(before: readonly Token[], offset: number): number | undefined {
  let n = before.length - 1;
  const last = before[n];
  if (!last || last.span.end !== offset) return undefined;
  let start = offset;
  if (last.kind === 'identifier' && before[n - 1]?.span.end === last.span.start) {
    start = last.span.start;
    n--;
  }
  const num = before[n];
  if (num?.kind !== 'integer' && num?.kind !== 'decimal') return undefined;
  return isOp(before[n - 1], '=') && isKw(before[n - 2], 'maxspan') ? start : undefined;
}

/**
 * The event category of the condition token `k` is in (`process` in `[process where …|`), found by
 * scanning back to the `where` at bracket depth 0; undefined outside a condition or for `any`.
 */
function conditionCategory(tokens: readonly Token[], k: number): string | undefined {
  let brackets = 0;
  for (let i = k; i >= 1; i--) {
    const t = tokens[i];
    if (isOp(t, ']')) brackets++;
    else if (isOp(t, '[', '![')) {
      if (brackets === 0) return undefined;
      brackets--;
    } else if (brackets === 0 && isKw(t, 'where')) {
      const category = tokens[i - 1];
      return isName(category) || category.kind === 'string' ? String(category.value ?? category.text) : undefined;
    } else if (brackets === 0 && (isKw(t, 'by', 'with', 'until') || isOp(t, '|'))) return undefined;
  }
  return undefined;
}

/** The kind of query the tokens start: `sequence` (also the rejected `join`), `sample` or an event query. */
function queryKind(tokens: readonly Token[]): 'sequence' | 'sample' | 'event' {
  const first = tokens[0];
  if (isKw(first, 'sequence', 'join')) return 'sequence';
  if (isKw(first, 'sample')) return 'sample';
  return 'event';
}

/** What may follow a stage (or its `by` keys): `by` (unless given), `with runs=` and `until` in sequences. */
function afterStage(kind: 'sequence' | 'sample' | 'event', hasKeys: boolean): string[] {
  const out = hasKeys ? [] : ['by'];
  if (kind === 'sequence') out.push('with runs=', 'until');
  return out;
}

/** `with` after a stage is `with runs=`; after `sequence [by …]` it is `with maxspan=`. */
function withIsOnStage(tokens: readonly Token[]): boolean {
  for (let i = tokens.length - 2; i >= 0; i--) {
    if (isOp(tokens[i], ']')) return true;
    if (isKw(tokens[i], 'sequence', 'sample', 'join')) return false;
  }
  return false;
}

/** The token at `k` is an event category: the first token of the query or of a stage (`[process`). */
function isCategoryPosition(tokens: readonly Token[], k: number): boolean {
  const t = tokens[k];
  if (!(isName(t) || t.kind === 'string' || isKw(t, 'any'))) return false;
  return k === 0 || isOp(tokens[k - 1], '[', '![');
}

/** Whether a token can end an operand (so an operator or a connective may follow). */
function endsOperand(t: Token): boolean {
  return isName(t) || ['string', 'integer', 'decimal'].includes(t.kind) || isOp(t, ')', ']') || isKw(t, 'true', 'false', 'null');
}

/** Index of the unclosed `(` that encloses position `k` (inclusive), or -1. */
function enclosingParen(tokens: readonly Token[], k: number): number {
  let depth = 0;
  for (let i = k; i >= 0; i--) {
    if (isOp(tokens[i], ')')) depth++;
    else if (isOp(tokens[i], '(')) {
      if (depth === 0) return i;
      depth--;
    } else if (isOp(tokens[i], '[', '![', '|') && depth === 0) return -1;
  }
  return -1;
}

/**
 * The dotted field name that ends at token `k` (`process.parent.name`, `` `my field`.x ``), or
 * undefined. A `not` at `k` (as in `field not in`) is skipped.
 */
function fieldBefore(tokens: readonly Token[], k: number): string | undefined {
  if (isKw(tokens[k], 'not')) k--;
  if (!isName(tokens[k])) return undefined;
  const parts = [String(tokens[k].value ?? tokens[k].text)];
  while (k >= 2 && isOp(tokens[k - 1], '.') && isName(tokens[k - 2])) {
    parts.unshift(String(tokens[k - 2].value ?? tokens[k - 2].text));
    k -= 2;
  }
  return parts.join('.');
}

/**
 * Which part of the query token `k` belongs to, scanning back to the nearest structural token at
 * bracket depth 0: `where` → condition; `by` → join keys of the query header (`headerKeys`) or of a
 * stage (`stageKeys`); `with runs=` → runs; `with maxspan=`, `until`, `|` (pipe) or an unclosed `[` → other.
 */
function regionOf(tokens: readonly Token[], k: number): 'condition' | 'headerKeys' | 'stageKeys' | 'keys' | 'runs' | 'other' {
  let brackets = 0;
  for (let i = k; i >= 0; i--) {
    const t = tokens[i];
    if (isOp(t, ']')) brackets++;
    else if (isOp(t, '[', '![')) {
      if (brackets === 0) return 'other';
      brackets--;
    } else if (brackets > 0) continue;
    else if (isKw(t, 'where')) return 'condition';
    else if (isKw(t, 'by')) {
      const before = tokens[i - 1];
      if (isOp(before, ']')) return 'stageKeys';
      if (isKw(before, 'sequence', 'sample', 'join')) return 'headerKeys';
      return 'keys';
    } else if (isKw(t, 'with')) {
      return tokens[i + 1]?.kind === 'identifier' && tokens[i + 1].text === 'runs' ? 'runs' : 'other';
    } else if (isKw(t, 'until') || isOp(t, '|')) return 'other';
  }
  return 'other';
}

/** Completion inside a string: the values of the field it is compared with (samples, then ECS), or event categories at a category position. */
function stringValueItems(
  before: readonly Token[],
  str: Token,
  offset: number,
  doc: TextDocument,
  samples: SampleCompletionData | undefined,
  category: string | undefined,
): CompletionItem[] {
  const k = before.length - 1;
  const prev = before[k];
  let values: OfferedValue[] = [];
  let field = '';
  if (!prev || isOp(prev, '[', '![')) {
    values = ecsEventCategories().map((c, rank) => ({ value: c.name, ecs: c, rank }));
    field = 'event.category';
  } else {
    let opIndex = k;
    if (isOp(prev, '(', ',')) {
      const open = enclosingParen(before, k);
      opIndex = open - 1;
      if (open < 0 || !(isKw(before[opIndex], 'in', 'in~', ...CONSTANT_OPERATORS) || isOp(before[opIndex], ':'))) return [];
    } else if (!(isOp(before[opIndex], '==', '!=', ':') || isKw(before[opIndex], ...CONSTANT_OPERATORS))) return [];
    field = fieldBefore(before, opIndex - 1) ?? '';
    values = field ? valuesFor(field, samples, category).filter((v) => typeof v.value === 'string') : [];
  }
  if (values.length === 0) return [];
  const open = openingQuoteLength(str);
  const closed = stringIsClosed(str);
  const closeLength = str.quote === 'triple' || str.quote === 'questionTriple' ? 3 : 1;
  const contentStart = str.span.start + open;
  const contentEnd = Math.max(offset, closed ? str.span.end - closeLength : str.span.end);
  const range: Range = { start: doc.positionAt(contentStart), end: doc.positionAt(contentEnd) };
  const closing = closed ? '' : str.text.slice(open - closeLength, open);
  const raw = closeLength === 3;
  return values.map((v) => {
    const name = String(v.value);
    return {
      label: name,
      kind: CompletionItemKind.EnumMember,
      detail: v.count !== undefined ? `${v.count.toLocaleString('en-US')} in the samples` : `${field} value`,
      ...(v.ecs ? { documentation: { kind: MarkupKind.Markdown, value: field === 'event.category' ? categoryMarkdown(name) : allowedValueMarkdown(field, v.ecs) } } : {}),
      sortText: `${SORT.value}${String(v.rank).padStart(4, '0')}`,
      textEdit: { range, newText: (raw ? name : escapeString(name)) + closing },
    };
  });
}

/** Escapes `\` and `"` for a double-quoted EQL string. */
function escapeString(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`);
}

/** Builds the item list for one request; every item replaces `range`. */
class Items {
  readonly list: CompletionItem[] = [];
  constructor(
    private readonly range: Range,
    private readonly options: CompletionOptions,
    /** Event category of the condition being written: its ECS field set (`process.*` for `process`) sorts first. */
    private readonly category?: string,
  ) {}

  private add(item: Omit<CompletionItem, 'textEdit'> & { newText?: string }): void {
    const { newText, ...rest } = item;
    const text = newText ?? item.label;
    if (!this.options.editRangeDefault) this.list.push({ ...rest, textEdit: { range: this.range, newText: text } });
    else this.list.push(text === item.label ? rest : { ...rest, textEditText: text });
  }

  /** ECS event categories (an event category is a value of `event.category`), and `any` when asked. */
  categories(withAny: boolean): this {
    for (const c of ecsEventCategories()) {
      this.add({
        label: c.name,
        kind: CompletionItemKind.Class,
        detail: 'ECS event category',
        documentation: { kind: MarkupKind.Markdown, value: categoryMarkdown(c.name) },
        sortText: SORT.value + c.name,
        newText: KEYWORDS.has(c.name) ? `"${c.name}"` : c.name,
      });
    }
    if (withAny) this.keywords(['any']);
    return this;
  }

  /** Keywords or keyword phrases (`with maxspan=`), documented from the EQL syntax reference. */
  keywords(words: readonly string[]): this {
    for (const word of words) {
      const main = word.replace(/^(with|not) /, '').replace(/=$/, '');
      const doc = eqlKeywordDoc(main) ?? eqlKeywordDoc(word.split(' ')[0]);
      this.add({
        label: word,
        kind: CompletionItemKind.Keyword,
        ...(doc ? { documentation: { kind: MarkupKind.Markdown, value: eqlKeywordMarkdown(doc) } } : {}),
        sortText: SORT.keyword + word,
      });
    }
    return this;
  }

  /** The time units of `maxspan` (EQL syntax reference, "Time units"), shortest first. */
  timeUnits(): this {
    for (const [unit, millis] of Object.entries(TIME_UNIT_MILLIS)) {
      this.add({ label: unit, kind: CompletionItemKind.Unit, detail: `${millis.toLocaleString('en-US')} ms`, sortText: String(millis).padStart(9, '0') });
    }
    return this;
  }

  /**
   * The fields: those of the samples first, most carried first (detail: the number of events and
   * the ECS type or JSON types), then every other ECS field (detail: the ECS type; documentation
   * added by resolve); within ECS, those of the condition's event category field set first. The
   * items are built once per catalogue ({@link fieldItems}); only their edit is per request.
   */
  fields(): this {
    const items = fieldItems(this.options.samples?.fields(), this.category);
    if (this.options.editRangeDefault) {
      for (const f of items) this.list.push(f.withDefaultRange);
    } else {
      for (const f of items) this.list.push({ ...f.plain, textEdit: { range: this.range, newText: f.newText } });
    }
    return this;
  }

  /** The EQL functions, with their `~` forms. */
  functions(): this {
    for (const info of EQL_FUNCTIONS) {
      this.function(info, false);
      if (info.caseInsensitiveForm) this.function(info, true);
    }
    return this;
  }

  private function(info: EqlFunctionInfo, caseInsensitive: boolean): void {
    const name = `${info.name}${caseInsensitive ? '~' : ''}`;
    const required = info.params.slice(0, Math.max(info.minArgs, 0)).map((p) => p.replace(/…$/, ''));
    const snippet = `${name}(${required.map((p, i) => `\${${i + 1}:${p}}`).join(', ')})$0`;
    this.add({
      label: name,
      kind: CompletionItemKind.Function,
      detail: `${functionSignature(info, caseInsensitive).label} → ${info.returns}`,
      documentation: { kind: MarkupKind.Markdown, value: functionMarkdown(info, caseInsensitive) },
      sortText: SORT.function + name,
      ...(this.options.snippetSupport ? { insertTextFormat: InsertTextFormat.Snippet, newText: snippet } : { insertTextFormat: InsertTextFormat.PlainText, newText: `${name}(` }),
    });
  }

  /** `true`, `false`, `null`. */
  constants(): this {
    return this.keywords(['true', 'false', 'null']);
  }

  /** Whatever can start an expression: fields, functions, constants and `not`. */
  expressionStart(): this {
    return this.fields().functions().constants().keywords(['not']);
  }

  /**
   * The values of `field`: those seen in the samples, most frequent first (detail: how many times),
   * then the ECS allowed values not seen; for `event.type` in a condition of a known category, only
   * the values ECS expects with that category (`expected_event_types`). Strings are quoted when
   * `quoted`; numbers and booleans are written as they are. Nothing for an unknown field.
   */
  allowedValues(field: string | undefined, quoted: boolean): this {
    if (!field) return this;
    const offered = new Set<string>();
    for (const v of valuesFor(field, this.options.samples, this.category)) {
      const isString = typeof v.value === 'string';
      const text = isString ? (quoted ? `"${escapeString(String(v.value))}"` : String(v.value)) : String(v.value);
      if (offered.has(text)) continue;
      offered.add(text);
      this.add({
        label: isString && quoted ? `"${v.value}"` : String(v.value),
        filterText: String(v.value),
        kind: CompletionItemKind.EnumMember,
        detail: v.count !== undefined ? `${v.count.toLocaleString('en-US')} in the samples` : `${field} value`,
        ...(v.ecs ? { documentation: { kind: MarkupKind.Markdown, value: field === 'event.category' ? categoryMarkdown(v.ecs.name) : allowedValueMarkdown(field, v.ecs) } } : {}),
        sortText: `${SORT.value}${String(v.rank).padStart(4, '0')}`,
        newText: text,
      });
    }
    return this;
  }
}

/** A value to offer: from the samples (with `count`) or from ECS (with `ecs`), in offer order (`rank`). */
interface OfferedValue {
  value: string | number | bigint | boolean;
  count?: number;
  ecs?: EcsAllowedValue;
  rank: number;
}

/**
 * The values of `field` in offer order: the samples' (most frequent first, at most
 * {@link MAX_VALUE_ITEMS}), then ECS's allowed values not among them. For `event.type` with a known
 * event category, ECS's values are those it expects with the category, and sample values outside
 * them are left out.
 */
function valuesFor(field: string, samples: SampleCompletionData | undefined, category: string | undefined): OfferedValue[] {
  let ecs = ecsAllowedValues(field);
  if (field === 'event.type' && category) {
    const expected = ecsEventCategories().find((c) => c.name === category)?.expectedEventTypes;
    if (expected) ecs = ecs.filter((v) => expected.includes(v.name));
  }
  const restricted = field === 'event.type' && category !== undefined && ecs.length > 0;
  const out: OfferedValue[] = [];
  const seen = new Set<string>();
  for (const v of samples?.fields().get(field)?.values ?? []) {
    if (out.length >= MAX_VALUE_ITEMS) break;
    if (restricted && !ecs.some((e) => e.name === v.value)) continue;
    seen.add(String(v.value));
    out.push({ value: v.value, count: v.count, ecs: ecs.find((e) => e.name === v.value), rank: out.length });
  }
  for (const v of ecs) if (!seen.has(v.name)) out.push({ value: v.name, ecs: v, rank: out.length });
  return out;
}
