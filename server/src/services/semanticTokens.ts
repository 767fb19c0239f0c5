/**
 * Semantic tokens (`textDocument/semanticTokens/full` and `/range`): what each piece of an EQL query
 * is — event category, field (known to ECS / the mappings / the schemas / the samples, or unknown),
 * function, keyword, operator, string with its escape sequences, number, `maxspan` time unit,
 * comment. They colour EQL inside TOML rule files even when no TOML grammar is installed, and make
 * unknown fields stand out (type `variable` with the `unknown` modifier, where known fields are
 * `property`).
 *
 * Tokens are found on the query text (lexer tokens, classified with the syntax tree), then placed
 * in the document through the rule's position mapping; a token that spans lines of the document
 * is cut at each line end (clients need not support multi-line tokens).
 */
import type { Range, SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver-protocol';
import type { Span } from '../eql/ast';
import { findFunction } from '../eql/functions';
import { parse } from '../eql/parser';
import type { Token } from '../eql/token';
import { forEachNode } from '../eql/walk';
import type { FieldCatalog } from '../schema/fieldCatalog';
import type { RuleDocument } from './ruleDocument';

/** Token types, in legend order (`escapeSequence` and `timeUnit` are contributed in package.json). */
export const TOKEN_TYPES = ['keyword', 'operator', 'string', 'number', 'comment', 'function', 'type', 'property', 'variable', 'escapeSequence', 'timeUnit'] as const;
/** Token modifiers, in legend order (`unknown` and `learnt` are contributed in package.json). */
export const TOKEN_MODIFIERS = ['defaultLibrary', 'unknown', 'learnt'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

/** The legend the server announces in its capabilities. */
export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

/** One classified piece of the query: 0-based UTF-16 offsets into the query text, end exclusive. */
export interface QueryToken {
  span: Span;
  type: TokenType;
  modifiers: TokenModifier[];
}

const OPERATOR_TEXTS = new Set(['==', '!=', '<', '<=', '>', '>=', ':', '!:', '+', '-', '*', '/', '%', '|', '=', '!', '?']);
/** Escape sequences of EQL strings (`\n`, `\"`, `\\`, `\u{1F600}`, …; EQL syntax reference, "Escape characters"). */
const ESCAPE = /\\(?:u\{[0-9A-Fa-f]{1,8}\}|.)/gs;

/**
 * The semantic tokens of a query, in text order, not overlapping.
 * @param fields known fields; without it every field is `property`.
 */
export function queryTokens(text: string, fields?: FieldCatalog): QueryToken[] {
  const { statement, tokens } = parse(text);
  // What the tree says about identifiers: fields, categories, function names.
  const fieldSpans: Array<{ span: Span; name: string }> = [];
  const roles = new Map<number, { end: number; type: TokenType; modifiers: TokenModifier[] }>();
  if (statement) {
    forEachNode(statement, (n) => {
      if (n.kind === 'field') fieldSpans.push({ span: n.span, name: n.name });
      else if (n.kind === 'eventFilter' && n.category !== null) roles.set(n.categorySpan.start, { end: n.categorySpan.end, type: 'type', modifiers: [] });
      else if (n.kind === 'call') roles.set(n.nameSpan.start, { end: n.nameSpan.end, type: 'function', modifiers: findFunction(n.name) ? ['defaultLibrary'] : [] });
      else if (n.kind === 'pipe' && n.name) roles.set(n.nameSpan.start, { end: n.nameSpan.end, type: 'keyword', modifiers: [] });
    });
  }
  fieldSpans.sort((a, b) => a.span.start - b.span.start);

  const out: QueryToken[] = [];
  let f = 0;
  let prev: Token | undefined;
  let prev2: Token | undefined;
  for (const t of tokens) {
    if (t.kind === 'eof') break;
    while (f < fieldSpans.length && fieldSpans[f].span.end <= t.span.start) f++;
    const field = fieldSpans[f];
    if (field && field.span.start <= t.span.start && t.span.end <= field.span.end) {
      // The whole field once, at its first token.
      if (t.span.start === field.span.start || out[out.length - 1]?.span.end !== field.span.end) {
        out.push({ span: { ...field.span }, ...fieldRole(field.name, fields) });
      }
    } else {
      const role = roles.get(t.span.start);
      if (role && role.end === t.span.end) out.push({ span: { ...t.span }, type: role.type, modifiers: role.modifiers });
      else out.push(...plainTokens(t, prev, prev2));
    }
    if (t.kind !== 'lineComment' && t.kind !== 'blockComment') {
      prev2 = prev;
      prev = t;
    }
  }
  return out;
}

function fieldRole(name: string, fields: FieldCatalog | undefined): { type: TokenType; modifiers: TokenModifier[] } {
  if (!fields) return { type: 'property', modifiers: [] };
  const origin = fields.originOf(name);
  if (origin === undefined) return { type: 'variable', modifiers: ['unknown'] };
  return { type: 'property', modifiers: origin === 'samples' ? ['learnt'] : ['defaultLibrary'] };
}

/** Tokens of a lexer token the tree says nothing special about. */
function plainTokens(t: Token, prev: Token | undefined, prev2: Token | undefined): QueryToken[] {
  const one = (type: TokenType, modifiers: TokenModifier[] = []): QueryToken[] => [{ span: { ...t.span }, type, modifiers }];
  switch (t.kind) {
    case 'keyword':
      return one('keyword');
    case 'integer':
    case 'decimal':
      return one('number');
    case 'lineComment':
    case 'blockComment':
      return one('comment');
    case 'string':
      return stringTokens(t);
    case 'operator':
      return OPERATOR_TEXTS.has(t.text) ? one('operator') : [];
    case 'identifier':
      // `maxspan=5m`: the unit glued to the number; `with runs=2`: `runs` is a keyword of the grammar.
      if (prev && (prev.kind === 'integer' || prev.kind === 'decimal') && prev.span.end === t.span.start) return one('timeUnit');
      if (t.text === 'runs' && prev?.kind === 'keyword' && prev.text === 'with') return one('keyword');
      if (prev2 === undefined && prev === undefined) return one('type'); // a category the parser could not place
      return [];
    default:
      return [];
  }
}

/** A string token, cut around its escape sequences (none in `"""…"""` and `?"…"` raw strings). */
function stringTokens(t: Token): QueryToken[] {
  const raw = t.quote === 'triple' || t.quote?.startsWith('question');
  if (raw || !t.text.includes('\\')) return [{ span: { ...t.span }, type: 'string', modifiers: [] }];
  const out: QueryToken[] = [];
  let at = 0;
  for (const m of t.text.matchAll(ESCAPE)) {
    const i = m.index ?? 0;
    if (i > at) out.push({ span: { start: t.span.start + at, end: t.span.start + i }, type: 'string', modifiers: [] });
    out.push({ span: { start: t.span.start + i, end: t.span.start + i + m[0].length }, type: 'escapeSequence', modifiers: [] });
    at = i + m[0].length;
  }
  if (at < t.text.length) out.push({ span: { start: t.span.start + at, end: t.span.end }, type: 'string', modifiers: [] });
  return out;
}

/**
 * The semantic tokens of a rule document, encoded as LSP wants them (relative line/character,
 * length, type index, modifier bits), in the document's positions. With `range`, only the tokens
 * that overlap it.
 */
export function semanticTokensInDocument(rule: RuleDocument, fields?: FieldCatalog, range?: Range): SemanticTokens {
  const doc = rule.document;
  const pieces: Array<{ line: number; char: number; length: number; type: number; mods: number }> = [];
  for (const t of queryTokens(rule.query.getText(), fields)) {
    const start = rule.format === 'eql' ? t.span.start : doc.offsetAt(rule.toDocumentPosition(rule.query.positionAt(t.span.start)));
    const end = rule.format === 'eql' ? t.span.end : doc.offsetAt(rule.toDocumentPosition(rule.query.positionAt(t.span.end)));
    const type = TOKEN_TYPES.indexOf(t.type);
    const mods = t.modifiers.reduce((bits, m) => bits | (1 << TOKEN_MODIFIERS.indexOf(m)), 0);
    // Cut at line ends of the document.
    let from = start;
    const text = doc.getText();
    while (from < end) {
      let lineEnd = from;
      while (lineEnd < end && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
      if (lineEnd > from) {
        const p = doc.positionAt(from);
        if (!range || (p.line >= range.start.line && p.line <= range.end.line)) pieces.push({ line: p.line, char: p.character, length: lineEnd - from, type, mods });
      }
      from = lineEnd;
      while (from < end && (text[from] === '\n' || text[from] === '\r')) from++;
    }
  }
  pieces.sort((a, b) => a.line - b.line || a.char - b.char);
  const data: number[] = [];
  let line = 0;
  let char = 0;
  for (const p of pieces) {
    data.push(p.line - line, p.line === line ? p.char - char : p.char, p.length, p.type, p.mods);
    line = p.line;
    char = p.char;
  }
  return { data };
}
