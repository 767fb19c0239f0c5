/**
 * `match(source, pattern, …)` / `match~`: true when the source matches any of the Lucene regular
 * expressions (EQL `Match`, which Elasticsearch rewrites to one `RLike` over the patterns joined
 * with `|`). The function form of the `regex` operator; patterns must be constants.
 * Null source → null.
 */
import type { CallExpression } from '../../eql/ast';
import { EqlCompileError } from '../errors';
import { compileLuceneRegex } from '../luceneRegex';
import { derive, ValueNode } from '../values';
import { stringArg } from './args';

/** @throws EqlCompileError when a pattern is not a constant string or not a valid regular expression. */
export function match(call: CallExpression, args: ValueNode[]): ValueNode {
  const [src, ...patterns] = args;
  const texts = patterns.map((p, i) => {
    if (!p.constant || typeof p.value !== 'string') {
      throw new EqlCompileError(`the pattern arguments of [${call.name}] must be constant strings`, call.args[i + 1]?.span ?? call.span);
    }
    return p.value;
  });
  const re = compileLuceneRegex(texts.join('|'), call.caseInsensitive, call.span);
  return derive('boolean', [src], (s) => {
    const str = stringArg(src.eval(s), src.type, call.span);
    if (str === null) return null;
    return re.test(str);
  });
}
