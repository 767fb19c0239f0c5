// Writes server/src/schema/ecs.generated.json: a compact catalogue of every Elastic Common Schema
// field, taken from the `EcsFlat` export of the @elastic/ecs package (the flattened ECS schema).
// The package itself is ~1.5 MB of JavaScript; the language server bundles only this extract.
//   node scripts/ecs-catalogue.mjs    (also run by scripts/build.mjs before bundling)
// The file is rewritten only when its content changes, so builds do not touch it needlessly.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the catalogue goes; server/src/schema/ecs.ts imports it. */
export const CATALOGUE_PATH = join(root, 'server/src/schema/ecs.generated.json');

/**
 * Builds the catalogue from the flattened ECS schema.
 * Output shape (tuples keep the file small; server/src/schema/ecs.ts gives them names):
 *   { ecsVersion, fields: [[flatName, type, short, example?]], multiFields: [[flatName, type, parentFlatName]],
 *     allowedValueSets: [[[value, description, expectedEventTypes?]]], allowedValues: { flatName: indexIntoAllowedValueSets },
 *     expectedValues: { flatName: [value] } }
 * `example` is the schema's example as text ('' when there is none).
 */
export function buildCatalogue(ecsFlat, ecsVersion) {
  const fields = [];
  const multiFields = [];
  const allowedValues = {};
  const allowedValueSets = [];
  const setIndex = new Map();
  const expectedValues = {};
  for (const name of Object.keys(ecsFlat).sort()) {
    const f = ecsFlat[name];
    const example = f.example === undefined || f.example === null ? '' : typeof f.example === 'string' ? f.example : JSON.stringify(f.example);
    fields.push(example ? [name, f.type, f.short ?? '', example] : [name, f.type, f.short ?? '']);
    for (const m of f.multi_fields ?? []) multiFields.push([m.flat_name, m.type, name]);
    if (Array.isArray(f.allowed_values)) {
      // Many `*.entity.type` fields share one list: it is stored once and referred to by index.
      const set = f.allowed_values.map((v) =>
        v.expected_event_types?.length ? [v.name, v.description ?? '', v.expected_event_types] : [v.name, v.description ?? ''],
      );
      const key = JSON.stringify(set);
      if (!setIndex.has(key)) {
        setIndex.set(key, allowedValueSets.length);
        allowedValueSets.push(set);
      }
      allowedValues[name] = setIndex.get(key);
    }
    if (Array.isArray(f.expected_values)) expectedValues[name] = f.expected_values.map(String);
  }
  return { ecsVersion, fields, multiFields, allowedValueSets, allowedValues, expectedValues };
}

/** Generates the catalogue from the installed @elastic/ecs and writes it if it changed; returns the path. */
export function writeEcsCatalogue() {
  const { EcsFlat, EcsVersion } = createRequire(import.meta.url)('@elastic/ecs');
  const text = JSON.stringify(buildCatalogue(EcsFlat, EcsVersion)) + '\n';
  if (!existsSync(CATALOGUE_PATH) || readFileSync(CATALOGUE_PATH, 'utf8') !== text) {
    writeFileSync(CATALOGUE_PATH, text);
    console.log(`ecs-catalogue: wrote ${CATALOGUE_PATH} (ECS ${EcsVersion}, ${text.length} bytes)`);
  }
  return CATALOGUE_PATH;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeEcsCatalogue();
