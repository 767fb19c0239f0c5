/**
 * The field catalogue of one rule: the sources that apply to it, in the order they are trusted for
 * suggestions — the workspace's samples, the index mappings of the settings, the detection-rules
 * schemas of the checkout holding the rule (chosen by the rule's `[metadata] integration` and
 * `[rule] index`), then ECS. Shared by the editor and the command line.
 */
import { fileURLToPath } from 'node:url';
import { lookupField, type FieldMapping } from '../engine/mapping';
import { detectionRulesFieldSources, findDetectionRulesRoot, loadDetectionRulesSchemas, ruleDataSources } from '../schema/detectionRulesSchemas';
import { ecsFieldSource, fieldCatalog, memoDeletions, type FieldCatalog, type FieldSource } from '../schema/fieldCatalog';

/** What is known about the data besides ECS. */
export interface FieldKnowledgeInput {
  /** The rule file: an absolute path or a `file:` URI (other URIs: no detection-rules schemas). */
  file?: string;
  /** The TOML text of a detection-rules rule (for its `[metadata] integration` and `[rule] index`). */
  tomlText?: string;
  /** Index mappings (the `eqlWorkbench.mappings` setting, the CLI's `--mapping`): authoritative. */
  mappings?: readonly FieldMapping[];
  /** Fields learnt from the workspace's samples. */
  samples?: FieldSource;
}

/** A source over an index mapping (aliases followed, keys under `flattened` fields known). */
export function mappingFieldSource(mapping: FieldMapping): FieldSource {
  const names = (): string[] => [...mapping.fields.keys(), ...mapping.aliases.keys()];
  return {
    origin: 'mapping',
    has: (name) => lookupField(mapping, name) !== undefined,
    names,
    deletions: memoDeletions(names),
  };
}

/**
 * The catalogue for one rule. Authoritative when mappings are given, or when the rule sits in a
 * detection-rules checkout whose integration schemas cover every integration the rule names.
 * Never throws (schema files that cannot be read are skipped).
 */
export function fieldCatalogFor(input: FieldKnowledgeInput): FieldCatalog {
  const sources: FieldSource[] = [];
  let authority: { words: string; sources: FieldSource[] } | undefined;
  if (input.samples) sources.push(input.samples);
  const mappings = (input.mappings ?? []).map(mappingFieldSource);
  sources.push(...mappings);
  if (mappings.length > 0) authority = { words: 'the mappings', sources: mappings };
  const path = filePath(input.file);
  const root = path ? findDetectionRulesRoot(path) : undefined;
  const ecs = ecsFieldSource();
  if (root) {
    const rules = detectionRulesFieldSources(loadDetectionRulesSchemas(root), ruleDataSources(input.tomlText ?? ''));
    sources.push(...rules.sources);
    // detection-rules validates a rule against ECS plus the schemas of its data sources.
    if (!authority && rules.authority) authority = { words: rules.authority, sources: [...rules.sources, ecs] };
  }
  sources.push(ecs);
  return fieldCatalog(sources, authority);
}

function filePath(file: string | undefined): string | undefined {
  if (!file) return undefined;
  if (!file.includes(':') || /^[a-zA-Z]:[\\/]/.test(file)) return file;
  if (!file.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(file);
  } catch {
    return undefined;
  }
}
