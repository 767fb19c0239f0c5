/**
 * `head` / `tail` pipes and the request `size`, applied to results already in Elasticsearch's order.
 *
 * Sources: docs "EQL pipe reference" (`head N` returns up to the first N results, `tail N` up to the
 * last N, in ascending order), "EQL search" (`size` with `result_position` `head` or `tail`);
 * `planner/` folds consecutive pipes into one `Limit` (`| tail 2 | head 1` = the first of the last two).
 */
import type { Expression, Pipe } from '../eql/ast';

/** One limit step: keep the first (`head`) or last (`tail`) `count` items. */
export interface LimitStep {
  kind: 'head' | 'tail';
  count: number;
}

/**
 * Reads the `head`/`tail` pipes of a statement.
 * @returns the steps in pipe order.
 * @throws Error for another pipe or an argument that is not a non-negative integer literal
 *   (the checker rejects these first; the engine refuses to guess).
 */
export function limitSteps(pipes: readonly Pipe[]): LimitStep[] {
  return pipes.map((pipe) => {
    const name = pipe.name.toLowerCase();
    if (name !== 'head' && name !== 'tail') throw new Error(`pipe "${pipe.name}" is not supported by Elasticsearch EQL`);
    const count = pipe.args[0] === undefined ? undefined : integerConstant(pipe.args[0]);
    if (count === undefined || !Number.isInteger(count) || count < 0) {
      throw new Error(`pipe "${pipe.name}" needs a non-negative integer`);
    }
    return { kind: name, count: count === 0 ? 0 : count };
  });
}

/**
 * The value of an integer literal under unary signs (`+1`, `-0`), as Elasticsearch folds the pipe's
 * argument (`ExpressionBuilder.visitArithmeticUnary`: `+x` is `x`); undefined for anything else.
 */
function integerConstant(e: Expression): number | undefined {
  let sign = 1;
  let x = e;
  while (x.kind === 'negate') {
    if (x.operator === '-') sign = -sign;
    x = x.operand;
  }
  return x.kind === 'literal' && typeof x.value === 'number' ? sign * x.value : undefined;
}

/**
 * Applies limit steps in order.
 * @param items results in ascending order.
 * @returns a new array; the input is not modified.
 */
export function applyLimits<T>(items: readonly T[], steps: readonly LimitStep[]): T[] {
  let out = items.slice();
  for (const step of steps) {
    if (out.length <= step.count) continue;
    out = step.kind === 'head' ? out.slice(0, step.count) : out.slice(out.length - step.count);
  }
  return out;
}
