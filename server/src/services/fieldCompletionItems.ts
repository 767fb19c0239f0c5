/**
 * The field items of completion, built once per field catalogue and reused by every request.
 *
 * Completing at a field position offers every field the server knows: those learnt from the
 * samples, then all of ECS (about 2,600). Building and ranking that list on each keystroke cost
 * more than the rest of the request together (a regular expression per name segment to backquote
 * names, an object per item, a sort of the sample fields), so the items are made once per samples
 * map and kept until the samples change; an event category's variant differs only in its own field
 * set's items. The items are shared between answers: callers must copy, never mutate, them.
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

/** Event-category variants kept at most; past it, they are made again as asked. */
const MAX_VARIANTS = 32;

/** The items of one samples map: the samples' fields, then ECS's from `ecsStart` on (sortText `b2`). */
interface BaseItems {
  readonly items: readonly FieldItem[];
  readonly ecsStart: number;
}

let cachedSamples: ReadonlyMap<string, SampleFieldStat> | undefined | null = null;
let base: BaseItems | undefined;
const variants = new Map<string, readonly FieldItem[]>();

/**
 * The field items in offer order: the samples' leaf fields (objects left out) most carried first
 * (ties by name; detail: how many events carry the field and its ECS type or JSON types; sortText
 * `b0` + rank), then every other ECS field (detail: its ECS type; sortText `b1` for the fields of `category`'s ECS field
 * set, e.g. `process.*` in a `process` condition, else `b2`).
 *
 * The items of a samples map are built once (≈2,600 items, tens of ms on a cold process: see
 * {@link warmFieldItems}); a category's variant shares them but for its own field set's items.
 *
 * @param samples the fields learnt from the samples (the same map until they change: its identity
 *   keys the cache), or undefined.
 * @param category the event category of the condition being written, or undefined.
 */
export function fieldItems(samples: ReadonlyMap<string, SampleFieldStat> | undefined, category: string | undefined): readonly FieldItem[] {
  if (samples !== cachedSamples) {
    variants.clear();
    base = undefined;
    cachedSamples = samples;
  }
  base ??= build(samples);
  if (!category) return base.items;
  let items = variants.get(category);
  if (!items) {
    if (variants.size >= MAX_VARIANTS) variants.clear();
    items = ownFieldSetFirst(base, category);
    variants.set(category, items);
  }
  return items;
}

/**
 * Builds the field items of `samples` ahead of the first completion, so that it answers as fast as
 * the next ones. Call it off the request path (after `initialized`, after the samples changed);
 * a later {@link fieldItems} with the same map reuses them.
 */
export function warmFieldItems(samples: ReadonlyMap<string, SampleFieldStat> | undefined): void {
  fieldItems(samples, undefined);
}

function build(samples: ReadonlyMap<string, SampleFieldStat> | undefined): BaseItems {
  const out: FieldItem[] = [];
  const offered = new Set<string>();
  if (samples) {
    const leaves = [...samples.values()].filter((f) => !(f.types.object && Object.keys(f.types).length === 1));
    leaves.sort((a, b) => b.events - a.events || (a.name < b.name ? -1 : 1));
    leaves.forEach((f, rank) => {
      const ecs = ecsField(f.name);
      const types = Object.keys(f.types).filter((t) => t !== 'object').join(', ');
      offered.add(f.name);
      out.push(
        fieldItem(
          {
            label: f.name,
            kind: CompletionItemKind.Field,
            detail: `${f.events.toLocaleString('en-US')} sample events · ${ecs ? ecs.type : types}`,
            sortText: `${FIELD_SORT}0${String(rank).padStart(6, '0')}`,
          },
          fieldText(f.name),
        ),
      );
    });
  }
  const ecsStart = out.length;
  for (const f of ecsFields()) {
    if (!offered.has(f.name)) out.push(fieldItem({ label: f.name, kind: CompletionItemKind.Field, detail: f.type, sortText: `${FIELD_SORT}2` }, fieldText(f.name)));
  }
  return { items: out, ecsStart };
}

/** `base` with the ECS items of `category`'s field set (`process.*` for `process`) sorted `b1`. */
function ownFieldSetFirst(base: BaseItems, category: string): FieldItem[] {
  const own = `${category}.`;
  const out = base.items.slice();
  for (let i = base.ecsStart; i < out.length; i++) {
    const { plain, newText } = out[i];
    if (plain.label.startsWith(own)) out[i] = fieldItem({ ...plain, sortText: `${FIELD_SORT}1` }, newText);
  }
  return out;
}

/** One frozen item, in both shapes. */
function fieldItem(plain: CompletionItem, newText: string): FieldItem {
  const withDefaultRange = newText === plain.label ? plain : { ...plain, textEditText: newText };
  return { plain: Object.freeze(plain), withDefaultRange: Object.freeze(withDefaultRange), newText };
}

/** A name as EQL text: segments that are not plain identifiers, or are reserved words, are backquoted. */
export function fieldText(name: string): string {
  return name
    .split('.')
    .map((part) => (/^[A-Za-z_@][A-Za-z0-9_]*$/.test(part) && !KEYWORDS.has(part) ? part : `\`${part.replace(/`/g, '``')}\``))
    .join('.');
}
