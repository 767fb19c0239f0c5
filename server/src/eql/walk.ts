import type { Node, Statement } from './ast';

/**
 * The direct children of a syntax-tree node, in source order. Input: any node of `ast.ts`.
 * Output: child nodes (expressions, filters, stages, time spans, pipes). Never throws.
 */
export function children(node: Node): Node[] {
  switch (node.kind) {
    case 'literal':
    case 'field':
    case 'error':
    case 'timeSpan':
      return [];
    case 'not':
    case 'negate':
      return [node.operand];
    case 'logical':
    case 'comparison':
    case 'arithmetic':
      return [node.left, node.right];
    case 'in':
      return [node.value, ...node.list];
    case 'match':
      return [node.value, ...node.patterns];
    case 'call':
      return [...node.args];
    case 'eventFilter':
      return [node.condition];
    case 'stage':
      return [node.filter, ...node.joinKeys];
    case 'event':
      return [node.filter];
    case 'sequence':
      return [...node.joinKeys, ...(node.maxspan ? [node.maxspan] : []), ...node.stages, ...(node.until ? [node.until] : [])];
    case 'sample':
      return [...node.joinKeys, ...node.stages];
    case 'pipe':
      return [...node.args];
    case 'statement':
      return [node.query, ...node.pipes];
  }
}

/** Calls `visit` on `node` and every descendant, parents before children (pre-order). */
export function forEachNode(node: Node, visit: (n: Node, parent: Node | undefined) => void): void {
  const stack: Array<[Node, Node | undefined]> = [[node, undefined]];
  while (stack.length) {
    const [n, parent] = stack.pop()!;
    visit(n, parent);
    const kids = children(n);
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], n]);
  }
}

/**
 * The chain of nodes whose span contains `offset` (0-based UTF-16; a span contains its end offset too,
 * so a cursor right after a name still finds it), outermost first — for hover, completion and
 * signature help. Empty when the offset is outside the statement.
 */
export function nodesAt(statement: Statement, offset: number): Node[] {
  const path: Node[] = [];
  let current: Node | undefined = statement;
  while (current && current.span.start <= offset && offset <= current.span.end) {
    path.push(current);
    // Prefer the innermost child; for touching spans (`a==b` at the `=`) the first child wins.
    current = children(current).find((c) => c.span.start <= offset && offset <= c.span.end);
  }
  return path;
}
