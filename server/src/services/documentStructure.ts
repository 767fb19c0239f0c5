/**
 * The structure of a query for the editor: document symbols (outline and breadcrumbs: the query,
 * each stage with its category and `by` keys, `until`, the pipes), folding ranges (a multi-line
 * query, each multi-line stage, block comments), document highlights (the other uses of the field
 * under the cursor) and selection ranges (the syntax tree around the cursor, innermost first).
 *
 * Plain functions of the query text; offsets are 0-based UTF-16 into it, mapped to the document by
 * `documentFeatures.ts`.
 */
import type { Expression, Node, Pipe, Span, Stage, Statement } from '../eql/ast';
import { parse } from '../eql/parser';
import { forEachNode, nodesAt } from '../eql/walk';

/** A document symbol before positions are placed: `span` is the whole construct, `nameSpan` what names it. */
export interface QuerySymbol {
  name: string;
  detail?: string;
  kind: 'query' | 'stage' | 'until' | 'pipe';
  span: Span;
  nameSpan: Span;
  children: QuerySymbol[];
}

/**
 * The outline of a query: one symbol for the query (`sequence by host.id with maxspan=5m`,
 * `sample by host.id`, or `process where …` for an event query) holding one symbol per stage
 * (`[process]`, detail `by process.entity_id`; a missing event `![process]`; `until [process]`), then
 * one per pipe (`| head 5`). Empty when the text holds no query.
 */
export function querySymbols(text: string): QuerySymbol[] {
  const { statement } = parse(text);
  if (!statement) return [];
  const src = (s: Span): string => text.slice(s.start, s.end).replace(/\s+/g, ' ');
  const keys = (ks: Expression[]): string => ks.map((k) => src(k.span)).join(', ');
  const q = statement.query;
  const children: QuerySymbol[] = [];
  let name: string;
  if (q.kind === 'event') {
    name = `${q.filter.category ?? 'any'} where …`;
  } else {
    const header: string[] = [q.kind];
    if (q.joinKeys.length) header.push(`by ${keys(q.joinKeys)}`);
    if (q.kind === 'sequence' && q.maxspan) header.push(`with maxspan=${src(q.maxspan.span).replace(/^.*=\s*/, '')}`);
    name = header.join(' ');
    q.stages.forEach((s, i) => children.push(stageSymbol(s, i + 1, keys)));
    if (q.kind === 'sequence' && q.until) {
      const u = stageSymbol(q.until, 0, keys);
      children.push({ ...u, name: `until ${u.name}`, kind: 'until' });
    }
  }
  const queryName = { start: q.span.start, end: Math.min(q.span.end, q.span.start + (q.kind === 'event' ? (q.filter.categorySpan.end - q.span.start) : q.kind.length)) };
  const symbols: QuerySymbol[] = [{ name, kind: 'query', span: q.span, nameSpan: queryName, children }];
  for (const p of statement.pipes) symbols.push(pipeSymbol(p, src));
  return symbols;
}

function stageSymbol(s: Stage, ordinal: number, keys: (ks: Expression[]) => string): QuerySymbol {
  const category = s.filter.category ?? 'any';
  const detail = [ordinal > 0 ? `stage ${ordinal}` : '', s.joinKeys.length ? `by ${keys(s.joinKeys)}` : '', s.runs !== undefined ? `with runs=${s.runs}` : '']
    .filter(Boolean)
    .join(' · ');
  return {
    name: `${s.missing ? '!' : ''}[${category}]`,
    detail,
    kind: 'stage',
    span: s.span,
    nameSpan: s.filter.categorySpan.end > s.filter.categorySpan.start ? s.filter.categorySpan : s.span,
    children: [],
  };
}

function pipeSymbol(p: Pipe, src: (s: Span) => string): QuerySymbol {
  return { name: `| ${src(p.span).replace(/^\|\s*/, '')}`, kind: 'pipe', span: p.span, nameSpan: p.nameSpan.end > p.nameSpan.start ? p.nameSpan : p.span, children: [] };
}

/** A foldable region: 0-based UTF-16 offsets of its first and last characters' lines are what matters. */
export interface QueryFold {
  span: Span;
  kind?: 'comment';
}

/** Folding regions: the whole query, each stage and `until`, each block comment (only those on several lines are kept by the caller). */
export function queryFolds(text: string): QueryFold[] {
  const { statement, tokens } = parse(text);
  const out: QueryFold[] = [];
  if (statement) {
    const q = statement.query;
    out.push({ span: q.span });
    if (q.kind !== 'event') {
      for (const s of q.stages) out.push({ span: s.span });
      if (q.kind === 'sequence' && q.until) out.push({ span: q.until.span });
    }
  }
  for (const t of tokens) if (t.kind === 'blockComment') out.push({ span: t.span, kind: 'comment' });
  return out;
}

/** The spans of every use of the field under `offset` (the field itself included); empty elsewhere. */
export function fieldHighlights(text: string, offset: number): Span[] {
  const { statement } = parse(text);
  if (!statement) return [];
  const field = nodesAt(statement, offset)
    .reverse()
    .find((n) => n.kind === 'field');
  if (!field || field.kind !== 'field') return [];
  const out: Span[] = [];
  forEachNode(statement, (n) => {
    if (n.kind === 'field' && n.name === field.name) out.push(n.span);
  });
  return out;
}

/**
 * The most selection ranges given for one position. The client gets them as nested `parent`
 * objects, serialized recursively: thousands (the first term of a 5,000-term `or` chain) overflow
 * the stack. Nobody expands a selection this many times.
 */
export const MAX_SELECTION_RANGES = 200;

/**
 * Selection ranges at `offset`: the spans of the syntax tree that hold it, innermost first, each
 * strictly larger than the one before (a node with the same span as its child is skipped), ending
 * with the whole text. Of more than {@link MAX_SELECTION_RANGES}, the innermost and outermost
 * halves are kept (each still holds the one before).
 */
export function selectionSpans(text: string, offset: number): Span[] {
  const { statement } = parse(text);
  const spans: Span[] = [];
  if (statement) {
    const path: Node[] = nodesAt(statement, offset);
    for (let i = path.length - 1; i >= 0; i--) spans.push(path[i].span);
  }
  spans.push({ start: 0, end: text.length });
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (!last || (s.start <= last.start && s.end >= last.end && (s.start < last.start || s.end > last.end))) out.push(s);
  }
  if (out.length <= MAX_SELECTION_RANGES) return out;
  const half = MAX_SELECTION_RANGES / 2;
  return [...out.slice(0, half), ...out.slice(out.length - half)];
}

export type { Statement };
