/**
 * The common case of a field lookup, compiled per field path: the document spells the path with
 * nested objects only (`{"host":{"os":{"type":"linux"}}}`), or as one dotted key
 * (`{"host.os.type":"linux"}`), and no other way.
 *
 * Why generated code: each property read of a path is written with its key as a constant, so V8
 * caches the read per object shape (its inline caches), while a loop over the keys, or
 * `Object.prototype.hasOwnProperty.call`, looks each key up again on every event. Measured over the
 * 501,000 network and process events of the replay benchmark's generated file, reading
 * `host.os.type`: about 3 times faster than the loop it replaces.
 *
 * Own properties only, as `fields.ts` reads them: a key that `Object.prototype` also has
 * (`constructor`, `toString`, `__proto__`, …) is read through `hasOwnProperty`; any other key is
 * read directly, which finds the object's own property only, as documents are plain data (objects
 * from JSON, whose prototype is `Object.prototype` or null). The keys are written in the code as
 * JSON string literals (`JSON.stringify`), which are JavaScript string literals: nothing of a field
 * name is ever code.
 */

const hasOwn = Object.prototype.hasOwnProperty;
const EMPTY: unknown[] = [];

/**
 * A field's values when the document spells its path in one of the simple ways (see the module
 * comment), or `undefined` when it needs `fields.ts`'s general walk.
 */
export type SimpleLookup = (doc: Record<string, unknown>) => unknown[] | undefined;

/** Compiled lookups by path and null handling (a rule reads a few fields; hovers read others). */
const compiled = new Map<string, SimpleLookup>();
/** Past this many compiled paths the map is emptied (field names come from the user's rules). */
const MAX_COMPILED = 10_000;

/**
 * Compiles the simple lookup of a field path.
 *
 * @param parts the path's segments (`["host", "os", "type"]`), at most a few (each level also
 *   checks the dotted keys that would spell the rest of the path from there).
 * @param hasNullValue true when the mapping gives the field a `null_value` (a JSON null at the
 *   leaf is then left to the general walk, which replaces it).
 * @returns `(doc) => values`: the values as `compileFieldGetter` gives them (a fresh array, or a
 *   shared empty one when there are none), or `undefined` when some dotted key spells part of the
 *   path, an array lies half-way, or the leaf array holds nulls or arrays.
 */
export function compileSimpleLookup(parts: readonly string[], hasNullValue: boolean): SimpleLookup {
  const key = `${hasNullValue ? 1 : 0}${JSON.stringify(parts)}`;
  let lookup = compiled.get(key);
  if (lookup === undefined) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    lookup = generate(parts, hasNullValue);
    compiled.set(key, lookup);
  }
  return lookup;
}

/** A copy of a leaf array, or undefined when it holds a null or an array (the general walk flattens and drops them). */
function plainCopy(values: unknown[]): unknown[] | undefined {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || Array.isArray(v)) return undefined;
  }
  return values.slice();
}

function generate(parts: readonly string[], hasNullValue: boolean): SimpleLookup {
  const literal = (k: string): string => JSON.stringify(k);
  const read = (obj: string, k: string): string =>
    k in Object.prototype ? `(hasOwn.call(${obj}, ${literal(k)}) ? ${obj}[${literal(k)}] : undefined)` : `${obj}[${literal(k)}]`;
  const dotted = (from: number, to: number): string => parts.slice(from, to + 1).join('.');
  const last = parts.length - 1;
  const lines: string[] = ['let v;'];
  if (last > 0) {
    // The whole path as one key, and no other spelling of a prefix of it: that value alone.
    const others = parts.slice(0, last).map((_, i) => `${read('doc', dotted(0, i))} === undefined`);
    lines.push(`v = ${read('doc', dotted(0, last))};`);
    lines.push(`if (v !== undefined && v !== null && typeof v !== "object" && ${others.join(' && ')}) return [v];`);
  }
  lines.push('let obj = doc;');
  for (let i = 0; i <= last; i++) {
    // A dotted key spelling this segment and more of the path: the general walk.
    const spellings: string[] = [];
    for (let j = i + 1; j <= last; j++) spellings.push(`${read('obj', dotted(i, j))} !== undefined`);
    if (spellings.length > 0) lines.push(`if (${spellings.join(' || ')}) return undefined;`);
    lines.push(`v = ${read('obj', parts[i])};`);
    if (i < last) {
      // Missing, null or a scalar half-way: no values; an array half-way: the general walk.
      lines.push('if (typeof v !== "object" || v === null) return EMPTY;');
      lines.push('if (Array.isArray(v)) return undefined;');
      lines.push('obj = v;');
    }
  }
  lines.push(`if (v === undefined || v === null) return ${hasNullValue ? 'undefined' : 'EMPTY'};`);
  lines.push('if (!Array.isArray(v)) return [v];');
  lines.push('return plainCopy(v);');
  const factory = new Function('hasOwn', 'EMPTY', 'plainCopy', `"use strict"; return function simpleLookup(doc) {\n${lines.join('\n')}\n};`);
  return factory(hasOwn, EMPTY, plainCopy) as SimpleLookup;
}
