/**
 * The language features of a rule document (`.eql` or detection-rules `.toml`): each one runs the
 * plain service on the query text of a {@link RuleDocument} and maps positions across — the cursor
 * from the document into the query, ranges and edits from the query back into the document. For
 * an `.eql` document the mapping is the identity and the service's answer is passed on unchanged.
 */
import type {
  CodeAction,
  CompletionItem,
  CompletionList,
  Diagnostic,
  Hover,
  InsertReplaceEdit,
  Position,
  Range,
  SignatureHelp,
  TextEdit,
} from 'vscode-languageserver-protocol';
import { DocumentHighlightKind, FoldingRangeKind, InsertTextFormat, SymbolKind } from 'vscode-languageserver-protocol';
import type { DocumentHighlight, DocumentSymbol, FoldingRange, SelectionRange } from 'vscode-languageserver-protocol';
import type { Span } from '../eql/ast';
import { formatEdits } from '../eql/formatter';
import { fieldHighlights, queryFolds, querySymbols, selectionSpans, type QuerySymbol } from './documentStructure';
import { quickFixes } from './codeActions';
import { computeDiagnostics, type DiagnosticsOptions } from './diagnostics';
import { computeHover, type SampleFacts } from './hover';
import type { FieldCatalog } from '../schema/fieldCatalog';
import type { RuleDocument, RuleDocumentResult } from './ruleDocument';
import { computeSignatureHelp } from './signatureHelp';

/**
 * Diagnostics of a document: the EQL diagnostics of its query (source `eql`) placed in the
 * document, or, for a document that is no rule, the diagnostics of the file itself (a TOML syntax
 * error) or none.
 */
export function diagnosticsInDocument(read: RuleDocumentResult, options: DiagnosticsOptions = {}): Diagnostic[] {
  if (!read.rule) return read.diagnostics;
  const rule = read.rule;
  const diagnostics = computeDiagnostics(rule.query, options);
  if (rule.format === 'eql') return diagnostics;
  return diagnostics.map((d) => ({
    ...d,
    range: rule.toDocumentRange(d.range),
    ...(d.relatedInformation
      ? { relatedInformation: d.relatedInformation.map((r) => ({ ...r, location: { ...r.location, range: rule.toDocumentRange(r.location.range) } })) }
      : {}),
  }));
}

/**
 * Completion at a document position (0-based line/UTF-16 character). Null outside the query
 * string. Item ranges (`textEdit`, `itemDefaults.editRange`) are placed in the document and item
 * texts written as the TOML string needs them (escaped in `"""…"""`); an item the string cannot
 * hold is left out.
 *
 * @param compute the completion service on query text and a 0-based query offset.
 */
export function completionsInDocument(rule: RuleDocument, position: Position, compute: (text: string, offset: number) => CompletionList): CompletionList | null {
  const at = rule.toQueryPosition(position);
  if (!at) return null;
  const list = compute(rule.query.getText(), rule.query.offsetAt(at));
  if (rule.format === 'eql') return list;

  const defaults = list.itemDefaults?.editRange;
  const documentDefault =
    defaults === undefined
      ? undefined
      : 'insert' in defaults
        ? { insert: rule.toDocumentRange(defaults.insert), replace: rule.toDocumentRange(defaults.replace) }
        : rule.toDocumentRange(defaults);
  // Item texts are written for the range they replace.
  const replaced = documentDefault && 'replace' in documentDefault ? documentDefault.replace : documentDefault;
  const items: CompletionItem[] = [];
  for (const item of list.items) {
    const mapped = completionItemInDocument(rule, item, replaced);
    if (mapped) items.push(mapped);
  }
  return {
    ...list,
    ...(list.itemDefaults ? { itemDefaults: { ...list.itemDefaults, ...(documentDefault ? { editRange: documentDefault } : {}) } } : {}),
    items,
  };
}

function completionItemInDocument(rule: RuleDocument, item: CompletionItem, defaultRange: Range | undefined): CompletionItem | undefined {
  const snippet = item.insertTextFormat === InsertTextFormat.Snippet;
  // A snippet's own escapes would change meaning if TOML escapes were added: keep only those that need none.
  const write = (text: string, range: Range): string | undefined => {
    const written = rule.toDocumentText(text, range);
    return snippet && written !== text ? undefined : written;
  };
  if (item.textEdit) {
    const edit = item.textEdit as TextEdit | InsertReplaceEdit;
    if ('range' in edit) {
      const range = rule.toDocumentRange(edit.range);
      const newText = write(edit.newText, range);
      return newText === undefined ? undefined : { ...item, textEdit: { range, newText } };
    }
    const insert = rule.toDocumentRange(edit.insert);
    const replace = rule.toDocumentRange(edit.replace);
    const newText = write(edit.newText, replace);
    return newText === undefined ? undefined : { ...item, textEdit: { insert, replace, newText } };
  }
  if (!defaultRange) return item;
  const text = item.textEditText ?? item.insertText ?? item.label;
  const written = write(text, defaultRange);
  if (written === undefined) return undefined;
  return written === text ? item : { ...item, textEditText: written };
}

/** Hover at a document position (`fields`: the document's field catalogue, see `computeHover`); its range placed in the document. Null outside the query string. */
export function hoverInDocument(rule: RuleDocument, position: Position, samples?: SampleFacts, fields?: FieldCatalog): Hover | null {
  const at = rule.toQueryPosition(position);
  if (!at) return null;
  const hover = computeHover(rule.query.getText(), rule.query.offsetAt(at), samples, fields);
  if (!hover || !hover.range || rule.format === 'eql') return hover;
  return { ...hover, range: rule.toDocumentRange(hover.range) };
}

/** Signature help at a document position (its labels hold no document positions). Null outside the query string. */
export function signatureHelpInDocument(rule: RuleDocument, position: Position): SignatureHelp | null {
  const at = rule.toQueryPosition(position);
  return at ? computeSignatureHelp(rule.query.getText(), rule.query.offsetAt(at)) : null;
}

/**
 * Quick fixes for diagnostics of the document (as the client sends them: document ranges). Each
 * diagnostic is mapped into the query, the fixes are computed there, and their edits mapped back,
 * written as the TOML string needs them; a fix the string cannot hold is left out. The actions
 * name the client's own diagnostics.
 */
export function codeActionsInDocument(rule: RuleDocument, diagnostics: readonly Diagnostic[]): CodeAction[] {
  if (rule.format === 'eql') return quickFixes(rule.query, diagnostics);
  const original = new Map<Diagnostic, Diagnostic>();
  for (const d of diagnostics) {
    const range = rule.toQueryRange(d.range);
    if (range) original.set({ ...d, range }, d);
  }
  const uri = rule.document.uri;
  const actions: CodeAction[] = [];
  for (const action of quickFixes(rule.query, [...original.keys()])) {
    const edits: TextEdit[] = [];
    let writable = true;
    for (const edit of action.edit?.changes?.[uri] ?? []) {
      const range = rule.toDocumentRange(edit.range);
      const newText = rule.toDocumentText(edit.newText, range);
      if (newText === undefined) writable = false;
      else edits.push({ range, newText });
    }
    if (!writable) continue;
    actions.push({
      ...action,
      diagnostics: action.diagnostics?.map((d) => original.get(d) ?? d),
      edit: { changes: { [uri]: edits } },
    });
  }
  return actions;
}

// ------------------------------------------------------------------------------------------------
// Structure: outline, folding, highlights, selection ranges (services/documentStructure.ts).
// ------------------------------------------------------------------------------------------------

const SYMBOL_KIND: Record<QuerySymbol['kind'], SymbolKind> = {
  query: SymbolKind.Module,
  stage: SymbolKind.Event,
  until: SymbolKind.Event,
  pipe: SymbolKind.Operator,
};

/** Document symbols of the rule (the query, its stages and pipes), in document positions. */
export function documentSymbolsInDocument(rule: RuleDocument): DocumentSymbol[] {
  const range = (s: Span): Range => rule.toDocumentRange({ start: rule.query.positionAt(s.start), end: rule.query.positionAt(s.end) });
  const convert = (q: QuerySymbol): DocumentSymbol => ({
    name: q.name,
    ...(q.detail ? { detail: q.detail } : {}),
    kind: SYMBOL_KIND[q.kind],
    range: range(q.span),
    selectionRange: range(q.nameSpan),
    children: q.children.map(convert),
  });
  return querySymbols(rule.query.getText()).map(convert);
}

/** Folding ranges of the rule: those that span more than one line of the document. */
export function foldingRangesInDocument(rule: RuleDocument): FoldingRange[] {
  const out: FoldingRange[] = [];
  for (const f of queryFolds(rule.query.getText())) {
    const r = rule.toDocumentRange({ start: rule.query.positionAt(f.span.start), end: rule.query.positionAt(f.span.end) });
    if (r.end.line > r.start.line) out.push({ startLine: r.start.line, endLine: r.end.line, ...(f.kind ? { kind: FoldingRangeKind.Comment } : {}) });
  }
  return out;
}

/** The other uses of the field at a document position (null outside the query string). */
export function documentHighlightsInDocument(rule: RuleDocument, position: Position): DocumentHighlight[] | null {
  const at = rule.toQueryPosition(position);
  if (!at) return null;
  return fieldHighlights(rule.query.getText(), rule.query.offsetAt(at)).map((s) => ({
    range: rule.toDocumentRange({ start: rule.query.positionAt(s.start), end: rule.query.positionAt(s.end) }),
    kind: DocumentHighlightKind.Read,
  }));
}

/** Selection ranges at document positions; a position outside the query string gets a range of itself. */
export function selectionRangesInDocument(rule: RuleDocument, positions: readonly Position[]): SelectionRange[] {
  return positions.map((position) => {
    const at = rule.toQueryPosition(position);
    if (!at) return { range: { start: position, end: position } };
    const spans = selectionSpans(rule.query.getText(), rule.query.offsetAt(at));
    let result: SelectionRange | undefined;
    for (let i = spans.length - 1; i >= 0; i--) {
      const s = spans[i];
      result = { range: rule.toDocumentRange({ start: rule.query.positionAt(s.start), end: rule.query.positionAt(s.end) }), ...(result ? { parent: result } : {}) };
    }
    return result!;
  });
}

// ------------------------------------------------------------------------------------------------
// Formatting (eql/formatter.ts): whitespace edits of the query, placed in the document.
// ------------------------------------------------------------------------------------------------

/**
 * The edits that format the rule's query (all of it, or the part in `range`, document positions).
 * In TOML only the query string is edited; an edit the string cannot hold (a line break in a
 * one-line `"…"` string) is left out. Empty when the query is formatted already.
 */
export function formattingInDocument(rule: RuleDocument, range?: Range): TextEdit[] {
  const query = rule.query;
  let span: Span | undefined;
  if (range) {
    const r = rule.toQueryRange(range) ?? clampToQuery(rule, range);
    if (!r) return [];
    span = { start: query.offsetAt(r.start), end: query.offsetAt(r.end) };
  }
  const out: TextEdit[] = [];
  for (const e of formatEdits(query.getText(), span)) {
    const documentRange = rule.toDocumentRange({ start: query.positionAt(e.span.start), end: query.positionAt(e.span.end) });
    const newText = rule.toDocumentText(e.text, documentRange);
    if (newText !== undefined) out.push({ range: documentRange, newText });
  }
  return out;
}

/** A document range that reaches past the query string, cut to the query (undefined when it misses the query). */
function clampToQuery(rule: RuleDocument, range: Range): Range | undefined {
  const first = rule.toDocumentPosition(rule.query.positionAt(0));
  const last = rule.toDocumentPosition(rule.query.positionAt(rule.query.getText().length));
  const before = (a: Position, b: Position): boolean => a.line < b.line || (a.line === b.line && a.character < b.character);
  const start = before(range.start, first) ? first : range.start;
  const end = before(last, range.end) ? last : range.end;
  if (before(end, start)) return undefined;
  return rule.toQueryRange({ start, end });
}
