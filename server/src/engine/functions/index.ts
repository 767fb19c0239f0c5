/**
 * Runtime implementations of the EQL functions, by lower-case name. The catalogue of names, arity
 * and `~` forms (for the checker, editor features and the arity check here) is
 * `server/src/eql/functions.ts`.
 */
import type { CallExpression } from '../../eql/ast';
import { findFunction } from '../../eql/functions';
import { EqlCompileError } from '../errors';
import { ValueNode } from '../values';
import { arithmeticFunction, numberFunction } from './math';
import { cidrMatch } from './network';
import { between, concat, endsWith, indexOf, length, startsWith, string, stringContains, substring } from './string';

type Impl = (call: CallExpression, args: ValueNode[]) => ValueNode;

/** Implementations by lower-case name; names and arity come from the catalogue (`findFunction`). */
const REGISTRY = new Map<string, Impl>([
  ['add', arithmeticFunction('+')],
  ['between', between],
  ['cidrmatch', cidrMatch],
  ['concat', concat],
  ['divide', arithmeticFunction('/')],
  ['endswith', endsWith],
  ['indexof', indexOf],
  ['length', length],
  ['modulo', arithmeticFunction('%')],
  ['multiply', arithmeticFunction('*')],
  ['number', numberFunction],
  ['startswith', startsWith],
  ['string', string],
  ['stringcontains', stringContains],
  ['substring', substring],
  ['subtract', arithmeticFunction('-')],
]);

/**
 * Compiles a function call whose arguments are already compiled.
 * @param call the call node (name resolved case-insensitively, as Elasticsearch does; `~` form
 *   read from `caseInsensitive`).
 * @param args compiled argument nodes.
 * @returns the call's value node (folded when every argument is constant).
 * @throws EqlCompileError for an unknown function or a wrong number of arguments (arity from the
 *   catalogue `eql/functions.ts`).
 */
export function compileFunction(call: CallExpression, args: ValueNode[]): ValueNode {
  const info = findFunction(call.name);
  const impl = REGISTRY.get(call.name.toLowerCase());
  if (!info || !impl) throw new EqlCompileError(`Unknown function [${call.name}]`, call.nameSpan);
  if (args.length < info.minArgs || args.length > info.maxArgs) {
    throw new EqlCompileError(`wrong number of arguments for [${call.name}]: ${args.length}`, call.span);
  }
  return impl(call, args);
}
