/**
 * `cidrMatch(ip, block, …)` (EQL `CIDRMatchFunctionProcessor`, Elasticsearch `CIDRUtils.isInRange`):
 * true when the address lies in any of the blocks (`a.b.c.d/n`, IPv6 `x::/n`, or a single
 * address); a null address, or a null block reached before a matching one, gives null.
 */
import type { CallExpression } from '../../eql/ast';
import { cidrContains, CidrBlock, parseCidr, parseIp } from '../cidr';
import { EqlEvaluationError } from '../errors';
import { derive, ValueNode } from '../values';
import { display, stringArg } from './args';

/**
 * @throws EqlEvaluationError when the address is not a valid IP (Elasticsearch fails the search
 *   with the same condition) or a block is not a string or not a valid CIDR block.
 */
export function cidrMatch(call: CallExpression, args: ValueNode[]): ValueNode {
  const [src, ...blocks] = args;
  // Constant blocks (the usual case) are parsed once.
  const parsed: Array<CidrBlock | undefined> = blocks.map((b) => (b.constant && typeof b.value === 'string' ? parseCidr(b.value) : undefined));
  return derive('boolean', args, (s) => {
    const str = stringArg(src.eval(s), src.type, call.span);
    if (str === null) return null;
    const ip = parseIp(str);
    if (!ip) throw new EqlEvaluationError(`'${str}' is not an IP string literal.`, call.span);
    for (let i = 0; i < blocks.length; i++) {
      let block = parsed[i];
      if (!block) {
        const v = blocks[i].eval(s);
        // "EQL function reference": cidrMatch(source.address, null) returns null.
        if (v === null || v === undefined) return null;
        if (typeof v !== 'string') throw new EqlEvaluationError(`A string/char is required; received [${display(v)}]`, call.span);
        block = parseCidr(v);
        if (!block) throw new EqlEvaluationError(`'${v}' is not an IP string literal.`, call.span);
      }
      if (cidrContains(block, ip)) return true;
    }
    return false;
  });
}
