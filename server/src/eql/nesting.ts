/**
 * How deeply a query nests, for the limit every later step relies on.
 *
 * The checker, the printer and the replay compiler walk nested expressions (`not not …`,
 * `- - …`, parentheses, function calls) recursively; long flat chains (`a or b or …`,
 * `a + b + …`) they walk in loops. So nesting is counted the way they recurse: a term continuing a
 * chain of the same `and`/`or`, or the left operand continuing an arithmetic chain, adds no level.
 */
import type { Node } from './ast';
import { children } from './walk';

/**
 * Deepest nesting accepted in a query. Real rules stay far below (tens of levels); deeper
 * text is refused up front with a syntax error instead of risking a stack overflow later.
 */
export const MAX_NESTING = 500;

/**
 * The nesting depth of a syntax tree (see the module comment), computed without recursion.
 * @param root any node (usually a statement).
 * @returns 1 for a leaf; stops counting once past `limit` (default {@link MAX_NESTING}).
 */
export function nestingDepth(root: Node, limit = MAX_NESTING): number {
  let max = 0;
  const stack: Array<[Node, number]> = [[root, 1]];
  while (stack.length) {
    const [n, depth] = stack.pop()!;
    if (depth > max) {
      max = depth;
      if (max > limit) return max;
    }
    for (const c of children(n)) {
      const continues =
        (n.kind === 'logical' && c.kind === 'logical' && c.operator === n.operator) ||
        (n.kind === 'arithmetic' && c.kind === 'arithmetic' && c === n.left);
      stack.push([c, continues ? depth : depth + 1]);
    }
  }
  return max;
}
