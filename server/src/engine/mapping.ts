/**
 * Elasticsearch index mappings reduced to what EQL evaluation needs: each field's type, its exact
 * (keyword) sub-field, its `null_value`, and field aliases.
 *
 * Input is the JSON of an index mapping as Elasticsearch returns it (`GET index/_mapping`) or as
 * written in a create-index body: `{ "properties": { … } }`, optionally wrapped in `{ "mappings": … }`
 * or `{ "<index>": { "mappings": … } }`. Object fields nest through `properties`; multi-fields through
 * `fields`; aliases are `{ "type": "alias", "path": "<target>" }`
 * (Elasticsearch reference: "Mapping", "Field data types", "Alias field type", "fields" parameter).
 */

/** Full-date strings that `strict_date_optional_time` accepts (date detection). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([Tt]\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/;

/** Types Elasticsearch treats as integral for arithmetic (`DataTypes.isInteger`). */
const INTEGER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long']);
/** Types Elasticsearch treats as rational (`DataTypes.isRational`). */
const RATIONAL_TYPES = new Set(['double', 'float', 'half_float', 'scaled_float']);
/** String types whose values are indexed as exact terms (keyword family). */
const KEYWORD_TYPES = new Set(['keyword', 'constant_keyword', 'wildcard']);

/** One mapped (concrete) field. */
export interface FieldInfo {
  /** Full dotted path, e.g. `process.name`. */
  name: string;
  /** The Elasticsearch type as mapped (`keyword`, `text`, `long`, `ip`, `date`, `version`, …). */
  type: string;
  /**
   * For `text` fields: the dotted name of a keyword-family sub-field (`hostname.keyword`) that
   * Elasticsearch uses for exact matching (`FieldAttribute.exactAttribute()`); undefined otherwise.
   */
  exactField?: string;
  /** `null_value` of the mapping: the value indexed in place of an explicit JSON null. */
  nullValue?: unknown;
  /** `ignore_above` (keyword fields): longer strings are not indexed, so no query matches them. */
  ignoreAbove?: number;
  /** `scaling_factor` of `scaled_float` fields. */
  scalingFactor?: number;
  /** `format` of `date` fields, as written in the mapping. */
  format?: string;
  /**
   * `constant_keyword` with a `value`: every document of the index has this value, whether or not
   * its JSON holds the field ("Constant keyword field type").
   */
  constantValue?: string;
  /**
   * For multi-fields (`hostname.keyword` under `fields`): the dotted path of the parent field whose
   * JSON value it indexes. Documents never hold the sub-field path themselves.
   */
  source?: string;
}

/** The resolved view of one index mapping. */
export interface FieldMapping {
  /** Concrete fields (including multi-fields such as `hostname.keyword`) by dotted name. */
  fields: Map<string, FieldInfo>;
  /** Alias name → target dotted name (already followed to a concrete field when possible). */
  aliases: Map<string, string>;
  /**
   * True when the mapping lists every field of the data (as an index mapping does after
   * Elasticsearch's dynamic mapping has seen all documents, see {@link inferMapping}). Fields it
   * does not know are then unmapped: Elasticsearch treats them as null (optional fields) or
   * rejects them. When false, unknown fields are looked up in each document with types read
   * from the JSON values.
   */
  closed?: boolean;
}

/** Coarse value classes used by comparisons and arithmetic. */
export type FieldKind = 'string' | 'text' | 'integer' | 'rational' | 'boolean' | 'ip' | 'date' | 'version' | 'other';

/** Classifies an Elasticsearch field type for evaluation purposes. */
export function kindOfType(type: string): FieldKind {
  if (KEYWORD_TYPES.has(type)) return 'string';
  if (type === 'text' || type === 'match_only_text') return 'text';
  if (INTEGER_TYPES.has(type)) return 'integer';
  if (RATIONAL_TYPES.has(type)) return 'rational';
  if (type === 'boolean') return 'boolean';
  if (type === 'ip') return 'ip';
  if (type === 'date' || type === 'date_nanos') return 'date';
  if (type === 'version') return 'version';
  return 'other';
}

/** Creates an empty mapping (every field unknown). */
export function emptyMapping(): FieldMapping {
  return { fields: new Map(), aliases: new Map() };
}

/**
 * Reads an Elasticsearch index mapping into a {@link FieldMapping}.
 *
 * @param json parsed JSON (object) of the mapping; see the module comment for accepted shapes.
 *   A string is parsed first; lines starting with `#` are dropped (Elasticsearch's QA mapping files
 *   begin with such comment lines). The QA placeholder type `[runtime_random_keyword_type]` is read
 *   as `keyword`.
 * A flat `{ "field": "type" }` object is read as a mapping of those fields.
 * @returns field types, exact sub-fields and aliases. Aliases pointing at other aliases are followed.
 * @throws Error with a readable message when the input is not a mapping (no `properties` object
 *   found, or invalid JSON text).
 */
export function loadMapping(json: unknown): FieldMapping {
  let root = json;
  if (typeof root === 'string') {
    const text = root
      .split(/\r?\n/)
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
    try {
      root = JSON.parse(text);
    } catch (e) {
      throw new Error(`index mapping is not valid JSON: ${(e as Error).message}`);
    }
  }
  const properties = findProperties(root) ?? flatFieldTypes(root);
  if (!properties) {
    throw new Error('index mapping has no "properties" object (expected { "properties": { … } } or { "mappings": { "properties": … } })');
  }
  const mapping = emptyMapping();
  walkProperties(properties, '', mapping);
  // Follow alias chains so lookups take one step.
  for (const [alias, target] of mapping.aliases) {
    let t = target;
    const seen = new Set([alias]);
    while (mapping.aliases.has(t) && !seen.has(t)) {
      seen.add(t);
      t = mapping.aliases.get(t)!;
    }
    mapping.aliases.set(alias, t);
  }
  return mapping;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A flat `{ "process.name": "keyword", … }` object (the shape of detection-rules' schemas) as
 * mapping properties; undefined when the object is empty or any value is not a type name.
 */
function flatFieldTypes(root: unknown): Record<string, unknown> | undefined {
  if (!isObject(root)) return undefined;
  const entries = Object.entries(root);
  if (entries.length === 0 || !entries.every(([, v]) => typeof v === 'string')) return undefined;
  return Object.fromEntries(entries.map(([k, v]) => [k, { type: v }]));
}

function findProperties(root: unknown): Record<string, unknown> | undefined {
  if (!isObject(root)) return undefined;
  if (isObject(root.properties)) return root.properties;
  if (isObject(root.mappings)) return findProperties(root.mappings);
  // `GET index/_mapping` answers `{ "<index>": { "mappings": … } }`.
  const keys = Object.keys(root);
  if (keys.length === 1) return findProperties(root[keys[0]]);
  return undefined;
}

function normaliseType(type: unknown): string {
  if (typeof type !== 'string') return 'object';
  // Elasticsearch's QA mappings use a placeholder replaced by a keyword-family type at load time.
  if (type === '[runtime_random_keyword_type]') return 'keyword';
  return type;
}

function walkProperties(properties: Record<string, unknown>, prefix: string, mapping: FieldMapping): void {
  for (const [key, def] of Object.entries(properties)) {
    if (!isObject(def)) continue;
    const name = prefix + key;
    if (def.type === 'alias') {
      if (typeof def.path === 'string') mapping.aliases.set(name, def.path);
      continue;
    }
    if (isObject(def.properties) && (def.type === undefined || def.type === 'object' || def.type === 'nested')) {
      walkProperties(def.properties, name + '.', mapping);
      continue;
    }
    const type = normaliseType(def.type);
    const info: FieldInfo = { name, type };
    if ('null_value' in def) info.nullValue = def.null_value;
    if (typeof def.ignore_above === 'number') info.ignoreAbove = def.ignore_above;
    if (typeof def.format === 'string') info.format = def.format;
    if (typeof def.scaling_factor === 'number') info.scalingFactor = def.scaling_factor;
    if (type === 'constant_keyword' && (typeof def.value === 'string' || typeof def.value === 'number')) info.constantValue = String(def.value);
    if (isObject(def.fields)) {
      for (const [subKey, subDef] of Object.entries(def.fields)) {
        if (!isObject(subDef)) continue;
        const subName = `${name}.${subKey === '[runtime_random_keyword_type]' ? 'keyword' : subKey}`;
        const subType = normaliseType(subDef.type);
        const sub: FieldInfo = { name: subName, type: subType, source: name };
        if (typeof subDef.ignore_above === 'number') sub.ignoreAbove = subDef.ignore_above;
        mapping.fields.set(subName, sub);
        if (info.exactField === undefined && kindOfType(type) === 'text' && kindOfType(subType) === 'string') {
          info.exactField = subName;
        }
      }
    }
    mapping.fields.set(name, info);
  }
}

/**
 * Resolves a field name through the mapping's aliases.
 * @returns the concrete dotted name (the input when it is not an alias).
 */
export function resolveAlias(mapping: FieldMapping | undefined, name: string): string {
  return mapping?.aliases.get(name) ?? name;
}

/**
 * Looks a field up in a mapping, following aliases; keys under a `flattened` field are keywords.
 * @returns the field's info, or undefined when the mapping does not know it.
 */
export function lookupField(mapping: FieldMapping | undefined, name: string): FieldInfo | undefined {
  if (!mapping) return undefined;
  const target = resolveAlias(mapping, name);
  const info = mapping.fields.get(target);
  if (info) return info;
  // Any key under a `flattened` field is a keyword ("Flattened field type").
  for (let i = target.lastIndexOf('.'); i > 0; i = target.lastIndexOf('.', i - 1)) {
    if (mapping.fields.get(target.slice(0, i))?.type === 'flattened') return { name: target, type: 'keyword' };
  }
  return undefined;
}

/**
 * Builds a mapping the way Elasticsearch's dynamic mapping would from sample documents
 * (reference: "Dynamic field mapping"): strings that are ISO dates (`yyyy-MM-dd` with optional
 * time and zone, as `date_detection` with `strict_date_optional_time` finds them) → `date`, other
 * strings → `text` with a `keyword` sub-field, integral numbers → `long`, other numbers → `float`,
 * booleans → `boolean`; objects are walked; the first value seen decides, as in Elasticsearch.
 * Fields already in `base` keep their mapped type. Year-only strings (`"2017"`), which the date
 * format would also accept, are kept as text so that numeric codes are not taken for years. The result is `closed`: it knows every field of `docs`, so other fields are unmapped
 * (Elasticsearch's QA indexes its test data this way: explicit mapping plus dynamic fields).
 *
 * @param docs sample documents (nested objects and dotted keys both accepted).
 * @param base an explicit mapping to extend (copied, not modified).
 */
export function inferMapping(docs: Iterable<Record<string, unknown>>, base?: FieldMapping): FieldMapping {
  const mapping: FieldMapping = {
    fields: new Map(base?.fields ?? []),
    aliases: new Map(base?.aliases ?? []),
    closed: true,
  };
  const add = (name: string, value: unknown): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) add(name, v);
      return;
    }
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) add(`${name}.${k}`, v);
      return;
    }
    const target = resolveAlias(mapping, name);
    if (mapping.fields.has(target)) return;
    if (typeof value === 'string' && ISO_DATE.test(value)) {
      // Date detection (`date_detection`, default format `strict_date_optional_time`).
      mapping.fields.set(target, { name: target, type: 'date' });
    } else if (typeof value === 'string') {
      // Dynamic mapping: text with a `keyword` sub-field limited to 256 characters.
      mapping.fields.set(target, { name: target, type: 'text', exactField: `${target}.keyword` });
      mapping.fields.set(`${target}.keyword`, { name: `${target}.keyword`, type: 'keyword', ignoreAbove: 256, source: target });
    } else if (typeof value === 'number') {
      mapping.fields.set(target, { name: target, type: Number.isInteger(value) ? 'long' : 'float' });
    } else if (typeof value === 'boolean') {
      mapping.fields.set(target, { name: target, type: 'boolean' });
    }
  };
  for (const doc of docs) {
    for (const [k, v] of Object.entries(doc)) add(k, v);
  }
  return mapping;
}
