/**
 * The Elastic Common Schema (ECS) field catalogue: every ECS field with its type, short description
 * and example, and the allowed values of the categorisation fields (`event.kind`, `event.category`,
 * `event.type`, `event.outcome`, …) with their descriptions.
 *
 * Source: the flattened schema (`EcsFlat`) of the `@elastic/ecs` package, extracted at build time by
 * `scripts/ecs-catalogue.mjs` into `ecs.generated.json` (≈0.3 MB instead of the package's 1.5 MB of
 * JavaScript). Used by completion and hover; never by diagnostics (custom fields are legitimate).
 *
 * The catalogue is loaded on first use, not when the language server starts (it costs ~10 ms).
 */

/** One ECS field. */
export interface EcsField {
  /** Flat dotted name, e.g. `process.parent.name`. */
  name: string;
  /** Elasticsearch field type as ECS defines it: `keyword`, `long`, `ip`, `date`, `match_only_text`, … */
  type: string;
  /** ECS short description (one sentence). */
  description: string;
  /** ECS example value as text; undefined when ECS gives none. */
  example?: string;
  /** For a multi-field such as `process.name.text`: the field it indexes differently (`process.name`). */
  multiFieldOf?: string;
}

/** One allowed value of an ECS field, e.g. `process` for `event.category`. */
export interface EcsAllowedValue {
  /** The value as it appears in documents, e.g. `process`. */
  name: string;
  /** ECS description of the value. */
  description: string;
  /** For `event.category` values: the `event.type` values ECS expects with it. */
  expectedEventTypes?: string[];
}

interface RawCatalogue {
  ecsVersion: string;
  fields: Array<[string, string, string, string?]>;
  multiFields: Array<[string, string, string]>;
  allowedValueSets: Array<Array<[string, string, string[]?]>>;
  allowedValues: Record<string, number>;
  expectedValues: Record<string, string[]>;
}

interface Loaded {
  raw: RawCatalogue;
  fields: readonly EcsField[];
  byName: Map<string, EcsField>;
  allowedSets: ReadonlyArray<readonly EcsAllowedValue[]>;
}

let loaded: Loaded | undefined;

/** Loads and indexes the generated catalogue once. */
function load(): Loaded {
  if (loaded) return loaded;
  // `require` (not `import`) so that the bundler evaluates the 0.3 MB of data lazily, on this first call.
  const raw = require('./ecs.generated.json') as RawCatalogue;
  const fields: EcsField[] = raw.fields.map(([name, type, description, example]) =>
    example === undefined ? { name, type, description } : { name, type, description, example },
  );
  const multiFields: EcsField[] = raw.multiFields.map(([name, type, parent]) => ({
    name,
    type,
    description: `Multi-field of \`${parent}\`, indexed as \`${type}\`.`,
    multiFieldOf: parent,
  }));
  const allowedSets = raw.allowedValueSets.map((set) =>
    set.map(([name, description, expectedEventTypes]): EcsAllowedValue => (expectedEventTypes ? { name, description, expectedEventTypes } : { name, description })),
  );
  loaded = { raw, fields, byName: new Map([...fields, ...multiFields].map((f) => [f.name, f])), allowedSets };
  return loaded;
}

/** The ECS version the catalogue was generated from, e.g. `9.4.0`. */
export function ecsVersion(): string {
  return load().raw.ecsVersion;
}

/** Every ECS field (multi-fields excluded), sorted by name. */
export function ecsFields(): readonly EcsField[] {
  return load().fields;
}

/**
 * Looks up an ECS field (or multi-field) by its flat dotted name, case-sensitively as Elasticsearch
 * field names are. Array indexes are ignored: `process.args[0]` finds `process.args`.
 * Returns undefined for a name ECS does not define.
 */
export function ecsField(name: string): EcsField | undefined {
  const { byName } = load();
  return byName.get(name) ?? byName.get(name.replace(/\[\d+\]/g, ''));
}

/**
 * The allowed values ECS lists for a field (`allowed_values`: `event.kind`, `event.category`,
 * `event.type`, `event.outcome` and the `*.entity.type` fields), with their descriptions; or, for
 * fields where ECS only lists `expected_values` (e.g. `host.os.type`), those values without
 * descriptions. Empty for any other field.
 */
export function ecsAllowedValues(name: string): readonly EcsAllowedValue[] {
  const { raw, allowedSets } = load();
  const set = raw.allowedValues[name];
  if (set !== undefined) return allowedSets[set];
  return (raw.expectedValues[name] ?? []).map((v) => ({ name: v, description: '' }));
}

/**
 * Whether the values {@link ecsAllowedValues} gives for `name` are ECS's `expected_values` (values
 * ECS expects, e.g. `host.os.type`), not its `allowed_values` (the closed sets of the
 * categorisation fields).
 */
export function ecsValuesAreExpected(name: string): boolean {
  const { raw } = load();
  return raw.allowedValues[name] === undefined && raw.expectedValues[name] !== undefined;
}

/** The ECS `event.category` values (`authentication`, `process`, `network`, …) with their descriptions. */
export function ecsEventCategories(): readonly EcsAllowedValue[] {
  return ecsAllowedValues('event.category');
}

/** The ECS field reference (all field sets), for "learn more" links. */
export const ECS_FIELD_REFERENCE_URL = 'https://www.elastic.co/docs/reference/ecs/ecs-field-reference';
