/**
 * Unknown-field diagnostics: every field a query names is looked up in a {@link FieldCatalog}
 * (ECS, the samples' fields, mappings, detection-rules schemas). Custom fields are legitimate, so a
 * field no source knows is only a typo when it sits a small edit away from a known one:
 *
 * - `field-typo` (warning by default): unknown, and within {@link typoDistance} edits of known
 *   fields — `Unknown field [proces.name], did you mean [process.name]?` (quick fix: the suggestion);
 * - `field-not-in-schema` (warning by default): absent from an authoritative source (an index
 *   mapping, or detection-rules schemas covering the rule's data), whatever else knows it:
 *   Elasticsearch would reject the query on such an index (suggestions: the nearest known fields);
 * - `custom-field` (hint): unknown and near nothing — most likely a field of the user's own data.
 *
 * Optional fields (`?x`) are left alone: Elasticsearch reads a missing optional field as null.
 * Fields with array indexes are the checker's business (`unsupported-array-index`).
 */
import type { FieldExpression, Span, Statement } from './ast';
import type { EqlDiagnostic } from './diagnostic';
import { didYouMean } from './similar';
import { forEachNode } from './walk';
import type { FieldCatalog, FieldOrigin } from '../schema/fieldCatalog';

/** Severity of likely typos and of fields an authoritative schema lacks; `off` turns field checks off. */
export type UnknownFieldSeverity = EqlDiagnostic['severity'] | 'off';

/** Codes of the unknown-field diagnostics. */
export const FieldCheckCodes = {
  typo: 'field-typo',
  notInSchema: 'field-not-in-schema',
  custom: 'custom-field',
} as const;

/** At most this many "did you mean" suggestions per field. */
const MAX_SUGGESTIONS = 3;

/**
 * How many edits from a known field an unknown one is still taken for a typo of it: 1, or 2 for
 * names of 16 characters or more (`process.parent.executable` with two slips). Measured: no field
 * of a prebuilt Elastic rule that ECS lacks is within 3 edits of an ECS field.
 */
export function typoDistance(name: string): number {
  return name.length >= 16 ? 2 : 1;
}

const ORIGIN_WORDS: Record<FieldOrigin, string> = {
  ecs: 'ECS',
  samples: 'the samples',
  mapping: 'the mappings',
  'detection-rules': "the rule's detection-rules schemas",
};

/**
 * The unknown-field diagnostics of a statement.
 *
 * Input: a (possibly partial) statement from `parse`, the catalogue of known fields, and the
 * severity of typos / fields missing from an authoritative schema (default `warning`; `off`
 * returns nothing). Output: diagnostics with spans (0-based UTF-16 offsets into the query text,
 * end exclusive) covering the field as written, in query order. Never throws.
 */
export function checkFields(statement: Statement, catalog: FieldCatalog, severity: UnknownFieldSeverity = 'warning'): EqlDiagnostic[] {
  if (severity === 'off') return [];
  const out: EqlDiagnostic[] = [];
  forEachNode(statement, (node) => {
    if (node.kind !== 'field') return;
    const problem = fieldProblem(node, catalog, severity);
    if (problem) out.push(problem);
  });
  return out;
}

function fieldProblem(field: FieldExpression, catalog: FieldCatalog, severity: EqlDiagnostic['severity']): EqlDiagnostic | undefined {
  if (field.optional || field.name === '' || field.path.some((p) => typeof p === 'number')) return undefined;
  const span: Span = { start: field.span.start, end: field.span.end };
  if (!catalog.inAuthority(field.name)) {
    const similar = catalog.near(field.name, Math.max(typoDistance(field.name), Math.floor(field.name.length / 4)));
    return {
      span,
      severity,
      code: FieldCheckCodes.notInSchema,
      message: `Field [${field.name}] is not in ${catalog.authority ?? 'the mappings'}${didYouMean(similar.slice(0, MAX_SUGGESTIONS))}`,
    };
  }
  if (catalog.originOf(field.name) !== undefined) return undefined;
  const typos = catalog.near(field.name, typoDistance(field.name));
  if (typos.length > 0) {
    return { span, severity, code: FieldCheckCodes.typo, message: `Unknown field [${field.name}]${didYouMean(typos.slice(0, MAX_SUGGESTIONS))}` };
  }
  const where = catalog.origins.map((o) => ORIGIN_WORDS[o]);
  const list = where.length <= 1 ? where.join('') : `${where.slice(0, -1).join(', ')} or ${where[where.length - 1]}`;
  return { span, severity: 'hint', code: FieldCheckCodes.custom, message: `Field [${field.name}] is not in ${list}: a custom field?` };
}
