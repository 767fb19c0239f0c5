/** head/tail pipes (docs "EQL pipe reference": head N = first N, tail N = last N, ascending order). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyLimits, limitSteps } from '../../../../server/src/engine/pipes';
import type { Pipe } from '../../../../server/src/eql/ast';

const span = { start: 0, end: 0 };
const pipe = (name: string, n?: number): Pipe => ({
  kind: 'pipe',
  name,
  nameSpan: span,
  args: n === undefined ? [] : [{ kind: 'literal', value: n, type: 'integer', raw: String(n), span }],
  span,
});

test('head keeps the first N, tail the last N, in ascending order', () => {
  assert.deepEqual(applyLimits([1, 2, 3, 4, 5], limitSteps([pipe('head', 2)])), [1, 2]);
  assert.deepEqual(applyLimits([1, 2, 3, 4, 5], limitSteps([pipe('tail', 2)])), [4, 5]);
  assert.deepEqual(applyLimits([1, 2], limitSteps([pipe('tail', 5)])), [1, 2]);
});

test('pipes compose left to right: tail 3 | head 1 is the first of the last three', () => {
  assert.deepEqual(applyLimits([1, 2, 3, 4, 5], limitSteps([pipe('tail', 3), pipe('head', 1)])), [3]);
});

test('other pipes and missing counts are refused', () => {
  assert.throws(() => limitSteps([pipe('unique')]), /not supported/);
  assert.throws(() => limitSteps([pipe('head')]), /non-negative integer/);
});
