/**
 * Property tests (fast-check) for the EQL front end:
 * - `parse` never throws, on arbitrary strings and on soups of EQL tokens;
 * - `print` then `parse` gives back the same tree (spans and literal `raw` text aside) for generated trees.
 * Run counts are kept small so the default run stays within a few seconds.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Expression, Stage, Statement } from '../../../server/src/eql/ast';
import { parse } from '../../../server/src/eql/parser';
import { print } from '../../../server/src/eql/printer';
import { strip } from './treeCompare';

const Z = { start: 0, end: 0 };
const TOKENS = [
  'process', 'where', 'sequence', 'sample', 'by', 'with', 'maxspan', '=', '==', '!=', ':', 'in', 'in~', 'not',
  'and', 'or', 'like~', 'regex', '[', ']', '![', '(', ')', '|', 'head', 'tail', '5', '1.5', '"a*"', '"""raw"""',
  "'x'", '?"y"', '?', 'x.y', '`a b`', 'startsWith~', 'until', 'runs', ',', '-', '*', '//c\n', '/* c */', '30s', 'any',
  'join', 'descendant', 'of', '"\\u{41}"', '"\\q"', '@timestamp', '[0]', ' ', '\n',
];

const ident = fc.constantFrom('a', 'b', 'process', 'name', 'host', 'id', '@timestamp', '_x1');
const segment = fc.oneof(ident, fc.constantFrom('my field', 'a-b', '6x', 'sequence', 'with`tick'));
const field: fc.Arbitrary<Expression> = fc
  .record({ path: fc.array(segment, { minLength: 1, maxLength: 3 }), optional: fc.boolean() })
  .map(({ path, optional }) => ({ kind: 'field', name: path.join('.'), path, optional, span: Z }));
const literal: fc.Arbitrary<Expression> = fc.oneof(
  fc.nat({ max: 100000 }).map((n): Expression => ({ kind: 'literal', value: n, type: 'integer', raw: String(n), span: Z })),
  fc.constantFrom('1.5', '0.25', '2e3', '.5').map((r): Expression => ({ kind: 'literal', value: Number(r), type: 'decimal', raw: r, span: Z })),
  fc.string({ maxLength: 6, unit: 'binary' }).map((s): Expression => ({ kind: 'literal', value: s, type: 'string', raw: '', span: Z })),
  fc.boolean().map((b): Expression => ({ kind: 'literal', value: b, type: 'boolean', raw: String(b), span: Z })),
  fc.constant<Expression>({ kind: 'literal', value: null, type: 'null', raw: 'null', span: Z }),
);

const { expr } = fc.letrec<{ expr: Expression }>((tie) => {
  const e = () => tie('expr') as fc.Arbitrary<Expression>;
  return {
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      literal,
      field,
      e().map((operand): Expression => ({ kind: 'not', operand, span: Z })),
      fc.tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), e(), e()).map(([operator, left, right]): Expression => ({ kind: 'logical', operator, left, right, span: Z })),
      fc.tuple(fc.constantFrom<'==' | '!=' | '<' | '<=' | '>' | '>='>('==', '!=', '<', '<=', '>', '>='), e(), e()).map(
        ([operator, left, right]): Expression => ({ kind: 'comparison', operator, left, right, span: Z }),
      ),
      fc.tuple(fc.constantFrom<'+' | '-' | '*' | '/' | '%'>('+', '-', '*', '/', '%'), e(), e()).map(
        ([operator, left, right]): Expression => ({ kind: 'arithmetic', operator, left, right, span: Z }),
      ),
      fc.tuple(fc.constantFrom<'-' | '+'>('-', '+'), e()).map(([operator, operand]): Expression => ({ kind: 'negate', operator, operand, span: Z })),
      fc.tuple(fc.boolean(), fc.boolean(), e(), fc.array(e(), { minLength: 1, maxLength: 3 })).map(
        ([negated, caseInsensitive, value, list]): Expression => ({ kind: 'in', negated, caseInsensitive, value, list, span: Z }),
      ),
      fc.tuple(fc.constantFrom<':' | 'like' | 'regex'>(':', 'like', 'regex'), fc.boolean(), e(), fc.array(literal, { minLength: 1, maxLength: 3 }), fc.boolean()).map(
        ([operator, ci, value, patterns, asList]): Expression => ({
          kind: 'match',
          operator,
          caseInsensitive: operator === ':' ? true : ci,
          value,
          patterns,
          list: asList || patterns.length > 1,
          span: Z,
        }),
      ),
      fc.tuple(fc.constantFrom('length', 'startsWith', 'concat', 'foo'), fc.boolean(), fc.array(e(), { maxLength: 3 })).map(
        ([name, caseInsensitive, args]): Expression => ({ kind: 'call', name, caseInsensitive, nameSpan: Z, args, span: Z }),
      ),
    ),
  };
});

const category = fc.oneof(fc.constant<string | null>(null), fc.constantFrom('process', 'network', 'my-cat', 'file'));
const filter = fc.record({ category, condition: expr }).map(({ category, condition }) => ({
  kind: 'eventFilter' as const,
  category,
  categorySpan: Z,
  condition,
  span: Z,
}));
const stage = (allowExtras: boolean): fc.Arbitrary<Stage> =>
  fc
    .record({
      filter,
      joinKeys: fc.array(field, { maxLength: 2 }),
      runs: allowExtras ? fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }) : fc.constant(undefined),
      missing: allowExtras ? fc.boolean() : fc.constant(false),
    })
    .map(({ filter, joinKeys, runs, missing }): Stage => ({ kind: 'stage', filter, joinKeys, ...(runs !== undefined ? { runs } : {}), missing, span: Z }));

const statement: fc.Arbitrary<Statement> = fc
  .record({
    kind: fc.constantFrom('event', 'sequence', 'sample'),
    filter,
    keys: fc.array(field, { maxLength: 2 }),
    maxspan: fc.option(fc.record({ value: fc.integer({ min: 1, max: 999 }), unit: fc.constantFrom('ms', 's', 'm', 'h', 'd') }), { nil: undefined }),
    seqStages: fc.array(stage(true), { minLength: 1, maxLength: 3 }),
    sampleStages: fc.array(stage(false), { minLength: 1, maxLength: 3 }),
    until: fc.option(stage(false), { nil: undefined }),
    pipes: fc.array(fc.record({ name: fc.constantFrom('head', 'tail'), n: fc.nat({ max: 50 }) }), { maxLength: 2 }),
  })
  .map((r): Statement => {
    const query =
      r.kind === 'event'
        ? { kind: 'event' as const, filter: r.filter, span: Z }
        : r.kind === 'sequence'
          ? {
              kind: 'sequence' as const,
              joinKeys: r.keys,
              ...(r.maxspan
                ? { maxspan: { kind: 'timeSpan' as const, value: r.maxspan.value, unit: r.maxspan.unit, millis: r.maxspan.value * { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[r.maxspan.unit]!, span: Z } }
                : {}),
              stages: r.seqStages,
              ...(r.until ? { until: r.until } : {}),
              span: Z,
            }
          : { kind: 'sample' as const, joinKeys: r.keys, stages: r.sampleStages, span: Z };
    const pipes = r.kind === 'sample' ? [] : r.pipes.map((p) => ({
      kind: 'pipe' as const,
      name: p.name,
      nameSpan: Z,
      args: [{ kind: 'literal' as const, value: p.n, type: 'integer' as const, raw: String(p.n), span: Z }],
      span: Z,
    }));
    return { kind: 'statement', query, pipes, span: Z };
  });

/** Node kinds and values the printer must not change; a non-syntax diagnostic may still be present. */
const syntaxErrors = (text: string) => parse(text).diagnostics.filter((d) => d.code === 'syntax');

describe('parser properties', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: 'binary' }), (s) => {
        const r = parse(s);
        assert.ok(Array.isArray(r.diagnostics) && Array.isArray(r.tokens));
        for (const d of r.diagnostics) assert.ok(d.span.start >= 0 && d.span.end <= s.length && d.span.start <= d.span.end);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on soups of EQL tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }), (parts) => {
        const s = parts.join(' ');
        const r = parse(s);
        assert.equal(r.tokens[r.tokens.length - 1].kind, 'eof');
        for (const d of r.diagnostics) assert.ok(d.span.start >= 0 && d.span.end <= s.length && d.span.start <= d.span.end);
      }),
      { numRuns: 400 },
    );
  });

  it('print then parse gives the same tree for generated statements', () => {
    fc.assert(
      fc.property(statement, (st) => {
        const text = print(st);
        assert.deepEqual(syntaxErrors(text), [], text);
        const back = parse(text).statement;
        assert.deepEqual(strip(back), strip(st), text);
      }),
      { numRuns: 300 },
    );
  });
});
