/**
 * The field items of completion, built once per field catalogue and reused by every request.
 *
 * Completing at a field position offers every field the server knows: those learnt from the
 * samples, then all of ECS (about 2,600). Building and ranking that list on each keystroke cost
 * more than the rest of the request together (a regular expression per name segment to backquote
 * names, an object per item, a sort of the sample fields), so the items are made once per
 * (samples, event category) and kept until the samples change. The items are
 * shared between answers: callers must copy, never mutate, them.
 */
import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver';
import { ecsField, ecsFields } from '../schema/ecs';
import { KEYWORDS } from '../eql/token';
import type { SampleFieldStat } from '../schema/sampleFields';

/** One field offered by completion. */
export interface FieldItem {
  /**
   * The item when the list sends its edit range once (`itemDefaults.editRange`): `textEditText`
   * holds the text to insert when it differs from the label (a backquoted name).
   */
  readonly withDefaultRange: CompletionItem;
  /** The item without any edit (the caller adds a `textEdit` of `newText` over its range). */
  readonly plain: CompletionItem;
  /** The field as EQL text (`process.name`, `` host.`my field` ``). */
  readonly newText: string;
}

/** Sort prefix of field items, after allowed values (`a`) and before functions (`c`) and keywords (`d`). */
export const FIELD_SORT = 'b';

/** Variants (event categories) kept at most; past it, the cache starts again. */
const MAX_VARIANTS = 32;

let cachedSamples: ReadonlyMap<string, SampleFieldStat> | undefined | null = null;
const variants = new Map<string, readonly FieldItem[]>();

/**
 * The field items in offer order: the samples' leaf fields (objects left out) most carried first
 * (ties by name; detail: how many events carry the field and its ECS type or JSON types; sortText
 * `b0` + rank), then every other ECS field (detail: its ECS type; sortText `b1` for the fields of `category`'s ECS field
 * set, e.g. `process.*` in a `process` condition, else `b2`).
 *
 * @param samples the fields learnt from the samples (the same map until they change: its identity
 *   keys the cache), or undefined.
 * @param category the event category of the condition being written, or undefined.
 */
export function fieldItems(samples: ReadonlyMap<string, SampleFieldStat> | undefined, category: string | undefined): readonly FieldItem[] {
  if (samples !== cachedSamples || variants.size >= MAX_VARIANTS) {
    variants.clear();
    cachedSamples = samples;
  }
  const key = category ?? '';
  let items = variants.get(key);
  if (!items) {
    items = build(samples, category);
    variants.set(key, items);
  }
  return items;
}

function build(samples: ReadonlyMap<string, SampleFieldStat> | undefined, category: string | undefined): FieldItem[] {
  const out: FieldItem[] = [];
  const offered = new Set<string>();
  const add = (item: CompletionItem): void => {
    const newText = fieldText(item.label);
    out.push({ plain: item, withDefaultRange: newText === item.label ? item : { ...item, textEditText: newText }, newText });
  };
  if (samples) {
    const leaves = [...samples.values()].filter((f) => !(f.types.object && Object.keys(f.types).length === 1));
    leaves.sort((a, b) => b.events - a.events || (a.name < b.name ? -1 : 1));
    leaves.forEach((f, rank) => {
      const ecs = ecsField(f.name);
      const types = Object.keys(f.types).filter((t) => t !== 'object').join(', ');
      offered.add(f.name);
      add({
        label: f.name,
        kind: CompletionItemKind.Field,
        detail: `${f.events.toLocaleString('en-US')} sample events · ${ecs ? ecs.type : types}`,
        sortText: `${FIELD_SORT}0${String(rank).padStart(6, '0')}`,
      });
    });
  }
  const own = category ? `${category}.` : undefined;
  for (const f of ecsFields()) {
    if (offered.has(f.name)) continue;
    const sortText = own && f.name.startsWith(own) ? `${FIELD_SORT}1` : `${FIELD_SORT}2`;
    add({ label: f.name, kind: CompletionItemKind.Field, detail: f.type, sortText });
  }
  for (const item of out) {
    Object.freeze(item.plain);
    Object.freeze(item.withDefaultRange);
  }
  return out;
}

/** A name as EQL text: segments that are not plain identifiers, or are reserved words, are backquoted. */
export function fieldText(name: string): string {
  return name
    .split('.')
    .map((part) => (/^[A-Za-z_@][A-Za-z0-9_]*$/.test(part) && !KEYWORDS.has(part) ? part : `\`${part.replace(/`/g, '``')}\``))
    .join('.');
}
