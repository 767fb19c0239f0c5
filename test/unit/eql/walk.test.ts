/** Tree walking helpers; offsets worked by hand on the query text. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../server/src/eql/parser';
import { forEachNode, nodesAt } from '../../../server/src/eql/walk';
import type { Node } from '../../../server/src/eql/ast';

describe('walk', () => {
  const q = 'sequence by h [process where length(a.b) > 1] [file where true] | head 2';
  const st = parse(q).statement!;
  it('visits every node in pre-order', () => {
    const kinds: string[] = [];
    forEachNode(st, (n) => kinds.push(n.kind));
    assert.deepEqual(kinds, [
      'statement', 'sequence', 'field', 'stage', 'eventFilter', 'comparison', 'call', 'field', 'literal',
      'stage', 'eventFilter', 'literal', 'pipe', 'literal',
    ]);
  });
  it('finds the nodes under an offset, outermost first', () => {
    // `a.b` spans 36..39; offset 37 is inside it.
    const path = nodesAt(st, 37).map((n: Node) => n.kind);
    assert.deepEqual(path, ['statement', 'sequence', 'stage', 'eventFilter', 'comparison', 'call', 'field']);
    assert.deepEqual(nodesAt(st, 500), []);
  });
});
