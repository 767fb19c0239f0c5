/**
 * Hover for EQL text (`textDocument/hover`): what the word under the cursor means.
 *
 * - a field: its ECS name, type, short description and example; for a field ECS lacks, where else it
 *   is known (the rule's detection-rules schemas, the mappings, the samples), or the known fields it
 *   is a slip of, or that it is a custom field;
 * - a function: its signature, what it returns and its documentation (EQL function reference);
 * - an event category: its ECS `event.category` description and the `event.type` values ECS expects with it;
 * - a string compared with a field that has ECS allowed values (`event.type == "start"`): that value's description;
 * - a keyword (`sequence`, `maxspan`, `until`, `runs`, `by`, …) or pipe (`head`, `tail`): one line of
 *   EQL semantics and a link to the Elasticsearch "EQL syntax reference" / "EQL pipe reference".
 *
 * Plain function of the text: no connection, no document store.
 */
import { MarkupKind, type Hover } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Expression, Node, Span } from '../eql/ast';
import { findFunction, type EqlFunctionInfo } from '../eql/functions';
import { parse } from '../eql/parser';
import type { Token } from '../eql/token';
import { nodesAt } from '../eql/walk';
import { ECS_FIELD_REFERENCE_URL, ecsVersion, ecsAllowedValues, ecsEventCategories, ecsField, ecsValuesAreExpected, type EcsAllowedValue, type EcsField } from '../schema/ecs';
import type { FieldCatalog, FieldOrigin } from '../schema/fieldCatalog';
import { typoDistance } from '../eql/fieldCheck';
import { EQL_FUNCTION_REFERENCE_URL, eqlKeywordDoc, eqlKeywordMarkdown } from '../schema/eqlKeywords';
import type { SampleFieldStat } from '../schema/sampleFields';
import { stringifyExact } from '../engine/values';

/** What hover reads of the fields learnt from the samples (`SampleFields`). */
export interface SampleFacts {
  /** Events indexed. */
  events: number;
  field(name: string): SampleFieldStat | undefined;
}

/** Values shown on hover, most frequent first. */
const HOVER_VALUES = 5;

/**
 * The samples' part of a field hover: how many events carry it, its JSON types and its most
 * frequent values with counts; or that no sample holds it.
 */
export function sampleFieldMarkdown(name: string, stat: SampleFieldStat | undefined, events: number): string {
  if (events === 0) return '';
  if (!stat) return `\n\n---\n**Samples:** no event of the ${events.toLocaleString('en-US')} indexed has \`${name}\`.`;
  const types = Object.entries(stat.types)
    .sort((a, b) => b[1] - a[1])
    .map(([t]) => t)
    .join(', ');
  const values = stat.values.slice(0, HOVER_VALUES).map((v) => `\`${stringifyExact(v.value)}\` (${v.count.toLocaleString('en-US')})`);
  const more = stat.values.length > HOVER_VALUES || stat.moreValues ? ', …' : '';
  return (
    `\n\n---\n**Samples:** in ${stat.events.toLocaleString('en-US')} of ${events.toLocaleString('en-US')} events; JSON ${types}` +
    (values.length ? `\n\nTop values: ${values.join(', ')}${more}` : '')
  );
}

/** The samples' part of a category hover: how many events have that `event.category`. */
export function sampleCategoryMarkdown(category: string, samples: SampleFacts): string {
  if (samples.events === 0) return '';
  const count = samples.field('event.category')?.values.find((v) => v.value === category)?.count ?? 0;
  return `\n\n---\n**Samples:** ${count.toLocaleString('en-US')} of ${samples.events.toLocaleString('en-US')} events have \`event.category\` \`${category}\`.`;
}

/**
 * The hover at `offset` of `text`.
 *
 * Input: the whole EQL text and a 0-based UTF-16 offset (the character under the mouse). Output: an
 * LSP `Hover` whose contents are Markdown and whose `range` (0-based lines/characters) covers the
 * hovered name, or null when there is nothing to explain (whitespace, comments, operators, numbers).
 * `samples` adds the samples' facts; `fields` (the document's field catalogue, as its diagnostics
 * use it) says where a field ECS lacks is known from. Never throws: any failure yields null.
 */
export function computeHover(text: string, offset: number, samples?: SampleFacts, fields?: FieldCatalog): Hover | null {
  try {
    const found = hoverAt(text, offset, samples, fields);
    if (!found) return null;
    const doc = TextDocument.create('', 'eql', 0, text);
    return {
      contents: { kind: MarkupKind.Markdown, value: found.markdown },
      range: { start: doc.positionAt(found.span.start), end: doc.positionAt(found.span.end) },
    };
  } catch {
    return null;
  }
}

/** What hovering shows, before conversion to LSP positions: Markdown and the offsets it explains. */
interface FoundHover {
  markdown: string;
  span: Span;
}

function hoverAt(text: string, offset: number, samples?: SampleFacts, fields?: FieldCatalog): FoundHover | undefined {
  const { statement, tokens } = parse(text);
  // The token under the cursor; at a boundary (`a|)`), the one that ends there.
  const token =
    tokens.find((t) => t.kind !== 'eof' && t.span.start <= offset && offset < t.span.end) ??
    tokens.find((t) => t.kind !== 'eof' && t.span.end === offset && t.span.start < offset);
  if (!token || token.kind === 'lineComment' || token.kind === 'blockComment') return undefined;
  const at = Math.min(offset, token.span.end - 1);

  if (statement) {
    // nodesAt also returns nodes that end at `at` (a cursor touching them); a hover explains only
    // the nodes under the hovered character.
    const path = nodesAt(statement, at).filter((n) => contains(n.span, at));
    for (let i = path.length - 1; i >= 0; i--) {
      const found = hoverForNode(path[i], path[i - 1], at, token, samples, fields);
      if (found) return found;
    }
  }
  return hoverForToken(token, tokens);
}

function contains(span: Span, offset: number): boolean {
  return span.start <= offset && offset < span.end;
}

function hoverForNode(node: Node, parent: Node | undefined, offset: number, token: Token, samples?: SampleFacts, fields?: FieldCatalog): FoundHover | undefined {
  switch (node.kind) {
    case 'field': {
      const stat = samples?.field(node.name);
      return { markdown: fieldMarkdown(node.name, fields) + (samples ? sampleFieldMarkdown(node.name, stat, samples.events) : ''), span: node.span };
    }
    case 'call': {
      if (!contains(node.nameSpan, offset)) return undefined;
      const info = findFunction(node.name);
      if (!info) return { markdown: `\`${node.name}\` is not an EQL function.\n\n[EQL function reference](${EQL_FUNCTION_REFERENCE_URL})`, span: node.nameSpan };
      return { markdown: functionMarkdown(info, node.caseInsensitive), span: node.nameSpan };
    }
    case 'eventFilter': {
      if (!contains(node.categorySpan, offset)) return undefined;
      if (node.category === null) return keywordHover('any', node.categorySpan);
      return { markdown: categoryMarkdown(node.category) + (samples ? sampleCategoryMarkdown(node.category, samples) : ''), span: node.categorySpan };
    }
    case 'literal': {
      if (node.type !== 'string' || token.kind !== 'string' || !parent) return undefined;
      const field = comparedField(parent, node);
      if (!field) return undefined;
      const value = ecsAllowedValues(field).find((v) => v.name === node.value);
      if (!value) return undefined;
      return { markdown: allowedValueMarkdown(field, value), span: node.span };
    }
    default:
      return undefined;
  }
}

/** The field a string literal is compared with (`field == "x"`, `field : ("x", …)`, `field in ("x")`), if any. */
function comparedField(parent: Node, literal: Expression): string | undefined {
  let subject: Expression | undefined;
  if (parent.kind === 'comparison' && (parent.operator === '==' || parent.operator === '!=')) {
    subject = parent.right === literal ? parent.left : parent.left === literal ? parent.right : undefined;
  } else if (parent.kind === 'match' && parent.patterns.includes(literal)) subject = parent.value;
  else if (parent.kind === 'in' && parent.list.includes(literal)) subject = parent.value;
  return subject?.kind === 'field' ? subject.name : undefined;
}

function hoverForToken(token: Token, tokens: readonly Token[]): FoundHover | undefined {
  if (token.kind === 'keyword') return keywordHover(token.text, token.span);
  if (token.kind !== 'identifier') return undefined;
  const significant = tokens.filter((t) => t.kind !== 'lineComment' && t.kind !== 'blockComment');
  const i = significant.indexOf(token);
  const prev = significant[i - 1];
  // `with runs=N`: `runs` is an identifier to the lexer (it is not reserved in EqlBase.g4).
  if (token.text === 'runs' && prev?.kind === 'keyword' && prev.text === 'with') return keywordHover('runs', token.span);
  // `| head 5`: pipe names are identifiers too.
  if (prev?.kind === 'operator' && prev.text === '|') return keywordHover(token.text, token.span);
  return undefined;
}

function keywordHover(keyword: string, span: Span): FoundHover | undefined {
  const doc = eqlKeywordDoc(keyword);
  return doc ? { markdown: eqlKeywordMarkdown(doc), span } : undefined;
}

// ------------------------------------------------------------------------------------------------
// Markdown renderings, shared with completion (documentation of completion items).
// ------------------------------------------------------------------------------------------------

/** Where a field ECS lacks is known from, as the hover says it. */
const KNOWN_FROM: Partial<Record<FieldOrigin, string>> = {
  'detection-rules': "the rule's detection-rules schemas",
  mapping: 'the mappings (`eqlWorkbench.mappings`)',
  samples: 'the samples',
};

/**
 * Markdown describing a field: for an ECS field, `**name**`, its ECS type, short description and
 * example (all from the ECS schema). For another field, a note that ECS lacks it and, with the
 * document's field catalogue, what the unknown-field check (`eql/fieldCheck.ts`) makes of it:
 * the source that knows it, or the known fields it is within {@link typoDistance} edits of, or
 * that it is a custom field (custom fields are legitimate, so this is information, not an error).
 */
export function fieldMarkdown(name: string, fields?: FieldCatalog): string {
  const field = ecsField(name);
  if (field) return ecsFieldMarkdown(field);
  const head = `**${name}**\n\nNot an ECS ${ecsVersion()} field`;
  if (!fields) return `${head}: a custom field, or a typo if you meant an ECS one.`;
  const origin = fields.originOf(name);
  const from = origin && KNOWN_FROM[origin];
  if (from) return `${head}; known from ${from}.`;
  const near = fields.near(name, typoDistance(name)).slice(0, 3);
  if (near.length > 0) return `${head}, nor a known one: a typo of ${near.map((n) => `\`${n}\``).join(' or ')}?`;
  return `${head}, nor near a known one: a custom field of your data.`;
}

/** Markdown of an ECS field: name, type, description, example, allowed values and a link to the ECS field reference. */
export function ecsFieldMarkdown(field: EcsField): string {
  const lines = [`**${field.name}** · \`${field.type}\` · ECS ${ecsVersion()}`, '', field.description];
  if (field.example !== undefined) lines.push('', `Example: \`${field.example}\``);
  const allowed = ecsAllowedValues(field.name);
  if (allowed.length > 0) lines.push('', `${ecsValuesAreExpected(field.name) ? 'Expected' : 'Allowed'} values: ${allowed.map((v) => `\`${v.name}\``).join(', ')}`);
  lines.push('', `[ECS field reference](${ECS_FIELD_REFERENCE_URL})`);
  return lines.join('\n');
}

/** Markdown of an event category: its ECS `event.category` description, or a note when ECS has no such category. */
export function categoryMarkdown(category: string): string {
  const value = ecsEventCategories().find((c) => c.name === category);
  if (!value) {
    return `**${category}** (event category)\n\nNot an ECS ${ecsVersion()} \`event.category\` value; it matches only if your events use it.`;
  }
  return allowedValueMarkdown('event.category', value);
}

/** Markdown of one ECS allowed value of `field`: its description and, for categories, the expected `event.type` values. */
export function allowedValueMarkdown(field: string, value: EcsAllowedValue): string {
  const lines = [`**${value.name}** · \`${field}\` value · ECS ${ecsVersion()}`];
  if (value.description) lines.push('', value.description);
  if (value.expectedEventTypes?.length) {
    lines.push('', `Expected \`event.type\` values: ${value.expectedEventTypes.map((t) => `\`${t}\``).join(', ')}`);
  }
  return lines.join('\n');
}

/**
 * The signature of a function as shown to users, e.g. `startsWith(source, substring)`,
 * `between(source, left, right, greedy?)` (optional parameters end with `?`), `concat(value…)`.
 * `caseInsensitive` writes the `~` form (`startsWith~(…)`).
 */
export function functionSignature(info: EqlFunctionInfo, caseInsensitive = false): { label: string; parameters: Array<[number, number]> } {
  let label = `${info.name}${caseInsensitive ? '~' : ''}(`;
  const parameters: Array<[number, number]> = [];
  info.params.forEach((p, i) => {
    if (i > 0) label += ', ';
    const text = i >= info.minArgs && !p.endsWith('…') ? `${p}?` : p;
    parameters.push([label.length, label.length + text.length]);
    label += text;
  });
  return { label: `${label})`, parameters };
}

/** Markdown of a function: signature with return type, documentation, the `~` form, and a link to the EQL function reference. */
export function functionMarkdown(info: EqlFunctionInfo, caseInsensitive = false): string {
  const lines = ['```eql', `${functionSignature(info, caseInsensitive).label} → ${info.returns}`, '```', '', info.doc];
  if (info.caseInsensitiveForm && !caseInsensitive) lines.push('', `Case-insensitive form: \`${info.name}~(…)\`.`);
  lines.push('', `[EQL function reference](${EQL_FUNCTION_REFERENCE_URL}#eql-fn-${info.name.toLowerCase()})`);
  return lines.join('\n');
}
