/**
 * Field lookup in JSON documents the way Elasticsearch flattens them when indexing.
 *
 * Elasticsearch indexes `{"host":{"os":{"type":"linux"}}}`, `{"host.os.type":"linux"}` and
 * `{"host":{"os.type":"linux"}}` under the same field `host.os.type`; arrays anywhere on the path
 * (arrays of objects included) contribute all their leaf values, and nested arrays are flattened
 * (reference: "Arrays" and "Object field type" in the Elasticsearch mapping docs). A JSON `null` or
 * an empty array is not indexed at all, unless the mapping gives the field a `null_value`.
 */
import { FieldMapping, lookupField, resolveAlias } from './mapping';
import { compileSimpleLookup } from './nestedPath';

/** Compiled lookup of one field: returns its indexed values (never null/undefined entries). */
export type FieldGetter = (doc: Record<string, unknown>) => unknown[];

const hasOwn = Object.prototype.hasOwnProperty;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pushLeaf(value: unknown, out: unknown[], nullValue: unknown): void {
  if (value === null || value === undefined) {
    if (nullValue !== undefined && value === null) out.push(nullValue);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) pushLeaf(v, out, nullValue);
    return;
  }
  out.push(value);
}

/**
 * Past this many remaining segments, the keys of the object are matched against the path instead
 * of trying every dotted prefix of it (which is quadratic in the path's length).
 */
const PREFIX_TRIES = 8;

/**
 * A field's path: its segments, and the dotted keys a document may spell them with, built once per
 * compiled lookup rather than on every event: `keys[i][k]` is segments `i` to `i + k` joined by `.`.
 */
interface FieldPath {
  parts: string[];
  keys: string[][];
}

function fieldPath(parts: string[]): FieldPath {
  // Rows further than PREFIX_TRIES segments from the end are never read (see `collectByKeys`).
  const keys = parts.map((_, i) => (parts.length - i > PREFIX_TRIES ? [] : parts.slice(i).map((__, k) => parts.slice(i, i + k + 1).join('.'))));
  return { parts, keys };
}

function collect(obj: Record<string, unknown>, path: FieldPath, i: number, out: unknown[], nullValue: unknown): void {
  const parts = path.parts;
  if (parts.length - i > PREFIX_TRIES) {
    collectByKeys(obj, path, i, out, nullValue);
    return;
  }
  const keys = path.keys[i];
  for (let j = i; j < parts.length; j++) {
    const key = keys[j - i];
    if (!hasOwn.call(obj, key)) continue;
    const v = obj[key];
    if (j === parts.length - 1) {
      pushLeaf(v, out, nullValue);
    } else {
      descend(v, path, j + 1, out, nullValue);
    }
  }
}

/**
 * {@link collect} for long paths: each own key of `obj` that spells the next segments
 * (`parts[i] + "." + …`) is followed. Cost: the object's keys times their length, per level.
 */
function collectByKeys(obj: Record<string, unknown>, path: FieldPath, i: number, out: unknown[], nullValue: unknown): void {
  const parts = path.parts;
  for (const key of Object.keys(obj)) {
    // How many segments `key` covers from `i`, if it spells whole segments (`a.b` covers a, b).
    let j = i;
    let at = 0;
    let whole = false;
    while (j < parts.length && key.startsWith(parts[j], at)) {
      at += parts[j].length;
      j++;
      if (at === key.length) {
        whole = true;
        break;
      }
      if (key.charCodeAt(at) !== 46) break;
      at++;
    }
    if (!whole) continue;
    const v = obj[key];
    if (j === parts.length) pushLeaf(v, out, nullValue);
    else descend(v, path, j, out, nullValue);
  }
}

function descend(v: unknown, path: FieldPath, i: number, out: unknown[], nullValue: unknown): void {
  if (Array.isArray(v)) {
    for (const e of v) descend(e, path, i, out, nullValue);
  } else if (isPlainObject(v)) {
    collect(v, path, i, out, nullValue);
  }
}

/**
 * Compiles the lookup of one field into a closure, once per query.
 *
 * @param name dotted field name as written in the query (`process.parent.name`); aliases of the
 *   mapping are followed (`event.category` → `event_type`), and a multi-field of the mapping
 *   (`hostname.keyword`) reads its parent's value (`hostname`); a `constant_keyword` field with a
 *   `value` has that value in every document.
 * @param mapping optional index mapping (aliases, `null_value`).
 * @returns a function giving the field's values in document order: `[]` when the field is missing,
 *   null, or an empty array; scalars and objects as found (arrays flattened).
 */
export function compileFieldGetter(name: string, mapping?: FieldMapping): FieldGetter {
  const info = lookupField(mapping, name);
  // A multi-field (`hostname.keyword`) indexes its parent's JSON value.
  const target = info?.source ?? resolveAlias(mapping, name);
  const nullValue = info?.nullValue;
  if (info?.constantValue !== undefined) {
    const constant = [info.constantValue];
    return () => constant;
  }
  const parts = target.split('.');
  const path = fieldPath(parts);
  if (parts.length > PREFIX_TRIES) {
    return (doc) => {
      const out: unknown[] = [];
      collect(doc, path, 0, out, nullValue);
      return out;
    };
  }
  // The common spellings (nested objects only, or the whole dotted name) without the general walk.
  const simple = compileSimpleLookup(parts, nullValue !== undefined);
  return (doc) => {
    const values = simple(doc);
    if (values !== undefined) return values;
    const out: unknown[] = [];
    collect(doc, path, 0, out, nullValue);
    return out;
  };
}

/**
 * Reads a field's value from a document.
 *
 * @param doc the event document (parsed JSON object).
 * @param name dotted field name; dotted keys, nested objects and mixes of both resolve alike;
 *   mapping aliases are followed.
 * @param mapping optional index mapping.
 * @returns `null` when the field is missing (or only null / empty arrays), the value itself when it
 *   has exactly one value, or an array of all values (flattened) when it has several.
 */
export function getFieldValue(doc: Record<string, unknown>, name: string, mapping?: FieldMapping): unknown {
  const values = compileFieldGetter(name, mapping)(doc);
  if (values.length === 0) return null;
  if (values.length === 1) return values[0];
  return values;
}

/**
 * Reads all indexed values of a field (see {@link getFieldValue}).
 * @returns the values, flattened; `[]` when the field is missing or null.
 */
export function getFieldValues(doc: Record<string, unknown>, name: string, mapping?: FieldMapping): unknown[] {
  return compileFieldGetter(name, mapping)(doc);
}
