/**
 * Runtime implementations of the EQL functions, by lower-case name. The catalog of names, arity
 * and `~` forms (for the checker and editor features) is `server/src/eql/functions.ts`.
 */
import type { CallExpression } from '../../eql/ast';
import { EqlCompileError } from '../errors';
import { ValueNode } from '../values';
import { arithmeticFunction, numberFunction } from './math';
import { cidrMatch } from './network';
import { between, concat, endsWith, indexOf, length, startsWith, string, stringContains, substring } from './string';

type Impl = (call: CallExpression, args: ValueNode[]) => ValueNode;

interface Entry {
  impl: Impl;
  minArgs: number;
  maxArgs: number;
}

const REGISTRY = new Map<string, Entry>([
  ['add', { impl: arithmeticFunction('+'), minArgs: 2, maxArgs: 2 }],
  ['between', { impl: between, minArgs: 3, maxArgs: 4 }],
  ['cidrmatch', { impl: cidrMatch, minArgs: 2, maxArgs: Infinity }],
  ['concat', { impl: concat, minArgs: 1, maxArgs: Infinity }],
  ['divide', { impl: arithmeticFunction('/'), minArgs: 2, maxArgs: 2 }],
  ['endswith', { impl: endsWith, minArgs: 2, maxArgs: 2 }],
  ['indexof', { impl: indexOf, minArgs: 2, maxArgs: 3 }],
  ['length', { impl: length, minArgs: 1, maxArgs: 1 }],
  ['modulo', { impl: arithmeticFunction('%'), minArgs: 2, maxArgs: 2 }],
  ['multiply', { impl: arithmeticFunction('*'), minArgs: 2, maxArgs: 2 }],
  ['number', { impl: numberFunction, minArgs: 1, maxArgs: 2 }],
  ['startswith', { impl: startsWith, minArgs: 2, maxArgs: 2 }],
  ['string', { impl: string, minArgs: 1, maxArgs: 1 }],
  ['stringcontains', { impl: stringContains, minArgs: 2, maxArgs: 2 }],
  ['substring', { impl: substring, minArgs: 2, maxArgs: 3 }],
  ['subtract', { impl: arithmeticFunction('-'), minArgs: 2, maxArgs: 2 }],
]);

/**
 * Compiles a function call whose arguments are already compiled.
 * @param call the call node (name resolved case-insensitively, as Elasticsearch does; `~` form
 *   read from `caseInsensitive`).
 * @param args compiled argument nodes.
 * @returns the call's value node (folded when every argument is constant).
 * @throws EqlCompileError for an unknown function or a wrong number of arguments.
 */
export function compileFunction(call: CallExpression, args: ValueNode[]): ValueNode {
  const entry = REGISTRY.get(call.name.toLowerCase());
  if (!entry) throw new EqlCompileError(`Unknown function [${call.name}]`, call.nameSpan);
  if (args.length < entry.minArgs || args.length > entry.maxArgs) {
    throw new EqlCompileError(`wrong number of arguments for [${call.name}]: ${args.length}`, call.span);
  }
  return entry.impl(call, args);
}

/** True when a runtime implementation exists for the function name (any case). */
export function hasFunction(name: string): boolean {
  return REGISTRY.has(name.toLowerCase());
}
