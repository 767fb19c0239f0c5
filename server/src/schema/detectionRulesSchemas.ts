/**
 * The field schemas of a checkout of `elastic/detection-rules` (or a fork laid out like it), read
 * from the checkout itself — nothing of that repository is copied here. Its own validation checks
 * each rule against ECS plus:
 *
 * - `detection_rules/etc/non-ecs-schema.json`: `{ "<index pattern>": { field: type, … } }` (field
 *   names dotted or nested as objects), fields its rules may use on those indices;
 * - `detection_rules/etc/integration-schemas.json.gz` (when present): per integration package, per
 *   version, per data stream, the fields of that integration;
 * - each rule's `[metadata] integration` (package names) and `[rule] index` (index patterns),
 *   which choose the parts of those schemas that apply to the rule.
 *
 * A rule's schemas are authoritative (a field they lack is one its data cannot hold) only when the
 * integration schemas are present and cover every integration the rule names; otherwise the
 * schemas only add known fields.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse as parseToml } from 'smol-toml';
import { flatFieldSource, type FieldSource } from './fieldCatalog';

/** Where the schemas sit in a checkout, relative to its root. */
export const NON_ECS_SCHEMA_PATH = 'detection_rules/etc/non-ecs-schema.json';
export const INTEGRATION_SCHEMAS_PATH = 'detection_rules/etc/integration-schemas.json.gz';

/** The schemas of one checkout. */
export interface DetectionRulesSchemas {
  /** The checkout's root folder. */
  root: string;
  /** Index pattern → field name → type, from the non-ECS schema. */
  nonEcs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Integration package → field name → type (all versions and data streams), when the file is present. */
  integrations?: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Problems reading the files (unreadable, not JSON), as `path: reason`. */
  problems: string[];
}

/** The data sources a rule declares. */
export interface RuleDataSources {
  /** `[metadata] integration`: package names (a string or a list in the file). */
  integrations: string[];
  /** `[rule] index`: index patterns. */
  indexes: string[];
}

/**
 * The root of the detection-rules checkout holding `file`: the nearest folder, from the file's
 * own upwards, that holds {@link NON_ECS_SCHEMA_PATH}. Undefined when there is none.
 * @param file an absolute file path.
 */
export function findDetectionRulesRoot(file: string): string | undefined {
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    if (rootCache.has(dir)) return rootCache.get(dir);
    const found = existsSync(path.join(dir, NON_ECS_SCHEMA_PATH));
    if (found) {
      rootCache.set(dir, dir);
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
const rootCache = new Map<string, string | undefined>();

const loaded = new Map<string, { stamp: string; schemas: DetectionRulesSchemas }>();

/**
 * Reads the schemas of a checkout (synchronously: two files, read again only when their size or
 * modification time changes). Never throws: a file that cannot be read or parsed is left out and
 * named in `problems`.
 */
export function loadDetectionRulesSchemas(root: string): DetectionRulesSchemas {
  const nonEcsFile = path.join(root, NON_ECS_SCHEMA_PATH);
  const integrationsFile = path.join(root, INTEGRATION_SCHEMAS_PATH);
  const stamp = [nonEcsFile, integrationsFile].map(fileStamp).join('|');
  const cached = loaded.get(root);
  if (cached && cached.stamp === stamp) return cached.schemas;

  const problems: string[] = [];
  const nonEcs = new Map<string, ReadonlyMap<string, string>>();
  const json = readJson(nonEcsFile, false, problems);
  if (isObject(json)) {
    for (const [pattern, fields] of Object.entries(json)) if (isObject(fields)) nonEcs.set(pattern, flattenFieldTypes(fields));
  }
  let integrations: Map<string, ReadonlyMap<string, string>> | undefined;
  if (existsSync(integrationsFile)) {
    const all = readJson(integrationsFile, true, problems);
    if (isObject(all)) {
      integrations = new Map();
      for (const [pkg, versions] of Object.entries(all)) {
        if (!isObject(versions)) continue;
        const fields = new Map<string, string>();
        for (const streams of Object.values(versions)) {
          if (!isObject(streams)) continue;
          for (const stream of Object.values(streams)) if (isObject(stream)) for (const [k, v] of flattenFieldTypes(stream)) fields.set(k, v);
        }
        integrations.set(pkg, fields);
      }
    }
  }
  const schemas: DetectionRulesSchemas = { root, nonEcs, integrations, problems };
  loaded.set(root, { stamp, schemas });
  return schemas;
}

/**
 * The data sources a TOML rule declares (`[metadata] integration`, `[rule] index`). Empty lists
 * when the text is not TOML or names none. Never throws.
 */
export function ruleDataSources(tomlText: string): RuleDataSources {
  try {
    const doc = parseToml(tomlText) as Record<string, unknown>;
    const metadata = isObject(doc.metadata) ? doc.metadata : {};
    const rule = isObject(doc.rule) ? doc.rule : {};
    return { integrations: strings(metadata.integration), indexes: strings(rule.index) };
  } catch {
    return { integrations: [], indexes: [] };
  }
}

/**
 * The field sources of one rule in a checkout: the non-ECS fields of the index patterns that
 * overlap the rule's (all of them when the rule names no index), and the fields of each
 * integration it names. `authority` is set when the schemas are authoritative for the rule (see
 * the file comment).
 */
export function detectionRulesFieldSources(schemas: DetectionRulesSchemas, rule: RuleDataSources): { sources: FieldSource[]; authority?: string } {
  const nonEcs = new Map<string, string>();
  for (const [pattern, fields] of schemas.nonEcs) {
    if (rule.indexes.length === 0 || rule.indexes.some((index) => patternsOverlap(pattern, index))) {
      for (const [k, v] of fields) nonEcs.set(k, v);
    }
  }
  const sources: FieldSource[] = [flatFieldSource('detection-rules', nonEcs)];
  const integrations = schemas.integrations;
  let covered = integrations !== undefined && rule.integrations.length > 0;
  for (const name of rule.integrations) {
    const fields = integrations?.get(name);
    if (fields) sources.push(flatFieldSource('detection-rules', fields));
    else covered = false;
  }
  return { sources, authority: covered ? `the schemas of ${rule.integrations.join(', ')} (detection-rules)` : undefined };
}

/**
 * Whether two index patterns (`*` wildcards only, as Elasticsearch index patterns) can name the
 * same index: a literal one must match the other; two wildcard patterns overlap when the literal
 * text before their first `*` agrees (the shorter is a prefix of the longer), which keeps every
 * schema that could apply.
 */
export function patternsOverlap(a: string, b: string): boolean {
  const wa = a.indexOf('*');
  const wb = b.indexOf('*');
  if (wa < 0 && wb < 0) return a === b;
  if (wa < 0) return globMatches(b, a);
  if (wb < 0) return globMatches(a, b);
  const pa = a.slice(0, wa);
  const pb = b.slice(0, wb);
  return pa.startsWith(pb) || pb.startsWith(pa);
}

function globMatches(glob: string, text: string): boolean {
  const re = new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(text);
}

/** `{ a: { b: "keyword" }, "c.d": "long" }` → `a.b → keyword`, `c.d → long`. */
function flattenFieldTypes(obj: Record<string, unknown>, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(name, v);
    else if (isObject(v)) flattenFieldTypes(v, name, out);
  }
  return out;
}

function readJson(file: string, gzip: boolean, problems: string[]): unknown {
  try {
    const bytes = readFileSync(file);
    return JSON.parse((gzip ? gunzipSync(bytes) : bytes).toString('utf8'));
  } catch (e) {
    problems.push(`${file}: ${(e as Error).message}`);
    return undefined;
  }
}

function fileStamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'absent';
  }
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
