/**
 * Typos in the values ECS lists: an event category (`proces where …`), or a string compared with
 * a field whose values ECS lists (`event.type == "strat"`, `host.os.type : "windwos"`,
 * `event.outcome in ("sucess")`). Elasticsearch accepts any value, so such a rule is valid and
 * silently matches nothing; the check says so when the value is one slip away from a listed one:
 *
 * - `category-typo` (warning): `Unknown event category [proces], did you mean [process]?`, on the
 *   category (quick fix: the suggestion; `anny` suggests `any`);
 * - `value-typo` (warning): `Value [strat] is not an ECS value of [event.type], did you mean
 *   [start]?`, on the text between the quotes (quick fix: the suggestion).
 *
 * Values farther from every listed one are left alone: real rules compare values ECS does not list
 * (`event.type : "process_started"` of older Endgame data, `event.action` values, custom
 * categories). Comparisons with `:`, `in~` and `like~` are case-insensitive (EQL syntax reference),
 * so case alone is no slip there; `==`, `!=`, `in` and `like` compare case-sensitively, and
 * `event.type == "Start"` matches no ECS event. Patterns with wildcards and regular expressions
 * are not checked. The values are ECS's `allowed_values` (`event.kind`, `event.category`,
 * `event.type`, `event.outcome`, …) and `expected_values` (`host.os.type`, …), from the
 * `@elastic/ecs` catalogue (`schema/ecs.ts`).
 */
import type { Expression, LiteralExpression, Statement } from './ast';
import type { EqlDiagnostic } from './diagnostic';
import { didYouMean, editDistance } from './similar';
import { forEachNode } from './walk';
import { ecsAllowedValues, ecsEventCategories } from '../schema/ecs';

/** Codes of the ECS value diagnostics. */
export const EcsValueCheckCodes = {
  category: 'category-typo',
  value: 'value-typo',
} as const;

/**
 * How many edits (OSA distance: a swap of neighbours is one) a value may be from a listed one and
 * still be taken for a slip of it: 1, or 2 for values of 8 characters or more. Measured on the
 * prebuilt Elastic rules: none of their event categories or compared values is near, but not
 * equal to, a listed value.
 */
function slipDistance(value: string): number {
  return value.length >= 8 ? 2 : 1;
}

/**
 * The ECS value diagnostics of a statement.
 *
 * Input: a (possibly partial) statement from `parse`. Output: warnings with spans (0-based UTF-16
 * offsets into the query text, end exclusive), in query order. Never throws.
 */
export function checkEcsValues(statement: Statement): EqlDiagnostic[] {
  const out: EqlDiagnostic[] = [];
  forEachNode(statement, (node) => {
    switch (node.kind) {
      case 'eventFilter':
        if (node.category !== null) {
          const near = slips(node.category, [...ecsEventCategories().map((c) => c.name), 'any'], false);
          if (near.length > 0) {
            out.push({ span: { ...node.categorySpan }, severity: 'warning', code: EcsValueCheckCodes.category, message: `Unknown event category [${node.category}]${didYouMean(near)}` });
          }
        }
        return;
      case 'comparison':
        if (node.operator === '==' || node.operator === '!=') {
          valueProblem(node.left, node.right, false, out);
          valueProblem(node.right, node.left, false, out);
        }
        return;
      case 'in':
        for (const item of node.list) valueProblem(node.value, item, node.caseInsensitive, out);
        return;
      case 'match':
        if (node.operator === 'regex') return;
        for (const pattern of node.patterns) {
          if (pattern.kind === 'literal' && typeof pattern.value === 'string' && /[*?]/.test(pattern.value)) continue;
          valueProblem(node.value, pattern, node.operator === ':' || node.caseInsensitive, out);
        }
        return;
      default:
        return;
    }
  });
  return out.sort((a, b) => a.span.start - b.span.start);
}

/** A `value-typo` when `field` is an ECS field with listed values and `value` a string one slip from them. */
function valueProblem(field: Expression, value: Expression, ignoreCase: boolean, out: EqlDiagnostic[]): void {
  if (field.kind !== 'field' || value.kind !== 'literal' || typeof value.value !== 'string') return;
  const listed = ecsAllowedValues(field.name).map((v) => v.name);
  if (listed.length === 0) return;
  const near = slips(value.value, listed, ignoreCase);
  const span = innerSpan(value);
  if (near.length === 0 || !span) return;
  out.push({
    span,
    severity: 'warning',
    code: EcsValueCheckCodes.value,
    message: `Value [${value.value}] is not an ECS value of [${field.name}]${didYouMean(near)}`,
  });
}

/** The listed values `value` is a slip of (none when it is one of them), nearest first. */
function slips(value: string, listed: readonly string[], ignoreCase: boolean): string[] {
  const norm = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  const v = norm(value);
  if (listed.some((l) => norm(l) === v)) return [];
  const max = slipDistance(value);
  return listed
    .map((l) => ({ l, d: editDistance(v, norm(l), max) }))
    .filter(({ d }) => d <= max)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ l }) => l);
}

/**
 * The span of a string literal's text between its quotes (`"strat"` → `strat`), so that a fix
 * replaces the value and keeps the quotes; undefined when the source text is not the value as is
 * (escapes), where a replacement could not keep the literal's form.
 */
function innerSpan(literal: LiteralExpression): { start: number; end: number } | undefined {
  const open = /^\??("""|")/.exec(literal.raw)?.[0].length;
  const value = String(literal.value);
  if (open === undefined || literal.raw.slice(open, open + value.length) !== value || literal.raw.length !== 2 * open - (literal.raw.startsWith('?') ? 1 : 0) + value.length) return undefined;
  return { start: literal.span.start + open, end: literal.span.start + open + value.length };
}
