import type { CheckOptions } from './checker';
import { kindOfType, lookupField, type FieldMapping } from '../engine/mapping';

/**
 * Checker options from a loaded index mapping (`loadMapping` / `inferMapping`): every lookup the
 * checker can use — unknown fields (`fieldExists`, `knownFields`), field types (`fieldType`,
 * aliases followed, keys under `flattened` fields are `keyword`), keyword sub-fields of `text`
 * fields (`hasExactSubfield`, as Elasticsearch's `FieldAttribute.exactAttribute()`), and the
 * mapping itself for compiling the filters.
 *
 * Input: a mapping, or undefined. Output: options for `analyze` / `check` (empty without a mapping).
 */
export function mappingCheckOptions(mapping: FieldMapping | undefined): CheckOptions {
  if (!mapping) return {};
  return {
    fieldExists: (name) => lookupField(mapping, name) !== undefined,
    knownFields: () => [...mapping.fields.keys(), ...mapping.aliases.keys()],
    fieldType: (name) => lookupField(mapping, name)?.type,
    hasExactSubfield: (name) => {
      const info = lookupField(mapping, name);
      return !info || kindOfType(info.type) !== 'text' || info.exactField !== undefined;
    },
    mapping,
  };
}
