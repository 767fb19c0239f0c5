/**
 * Shape checks of LSP request parameters, before any service reads them. A client may send
 * anything (`null` where the protocol wants a diagnostic, a position without a line); such a
 * request gets `InvalidParams` with what is wrong, never an internal error.
 *
 * Shapes: the Language Server Protocol 3.17 specification (`Position`, `Range`, `Diagnostic`,
 * `TextDocumentIdentifier`, `CodeActionParams`, `TextDocumentPositionParams`, `SemanticTokensParams`,
 * `SemanticTokensRangeParams`, `DocumentSymbolParams`, `FoldingRangeParams`, `SelectionRangeParams`,
 * `DocumentFormattingParams`, `DocumentRangeFormattingParams`, `FormattingOptions`, `CompletionItem`).
 */

/** A request whose parameters do not have the protocol's shape. */
export class InvalidParamsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidParamsError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A `uinteger` of the protocol: an integer from 0 to 2^31 - 1. */
function isUinteger(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 2147483647;
}

function isPosition(v: unknown): boolean {
  return isObject(v) && isUinteger(v.line) && isUinteger(v.character);
}

function isRange(v: unknown): boolean {
  return isObject(v) && isPosition(v.start) && isPosition(v.end);
}

function checkTextDocument(params: unknown): void {
  if (!isObject(params)) throw new InvalidParamsError('the parameters must be an object');
  if (!isObject(params.textDocument) || typeof params.textDocument.uri !== 'string') {
    throw new InvalidParamsError('textDocument.uri must be a string');
  }
}

/**
 * Checks parameters that hold only a text document (`SemanticTokensParams`, `DocumentSymbolParams`,
 * `FoldingRangeParams`): an object whose `textDocument.uri` is a string.
 * @throws InvalidParamsError naming the wrong member.
 */
export function checkTextDocumentParams(params: unknown): void {
  checkTextDocument(params);
}

/**
 * Checks `SemanticTokensRangeParams`: a text document and a range.
 * @throws InvalidParamsError naming the first wrong member.
 */
export function checkRangeParams(params: unknown): void {
  checkTextDocument(params);
  if (!isRange((params as Record<string, unknown>).range)) throw new InvalidParamsError('range must be {start, end} positions');
}

/**
 * Checks `SelectionRangeParams`: a text document and `positions`, an array of positions.
 * @throws InvalidParamsError naming the first wrong member (with its index for a position).
 */
export function checkSelectionRangeParams(params: unknown): void {
  checkTextDocument(params);
  const positions = (params as Record<string, unknown>).positions;
  if (!Array.isArray(positions)) throw new InvalidParamsError('positions must be an array of {line, character}');
  positions.forEach((p: unknown, i: number) => {
    if (!isPosition(p)) throw new InvalidParamsError(`positions[${i}] must be {line, character} with non-negative integers`);
  });
}

/**
 * Checks `DocumentFormattingParams`, and with `withRange` `DocumentRangeFormattingParams`: a text
 * document, `options` a `FormattingOptions` (`tabSize` a non-negative integer, `insertSpaces` a
 * boolean), and the range.
 * @throws InvalidParamsError naming the first wrong member.
 */
export function checkFormattingParams(params: unknown, withRange = false): void {
  checkTextDocument(params);
  const p = params as Record<string, unknown>;
  if (withRange && !isRange(p.range)) throw new InvalidParamsError('range must be {start, end} positions');
  if (!isObject(p.options) || !isUinteger(p.options.tabSize) || typeof p.options.insertSpaces !== 'boolean') {
    throw new InvalidParamsError('options must be {tabSize, insertSpaces}: a non-negative integer and a boolean');
  }
}

/**
 * Checks the `CompletionItem` of `completionItem/resolve`: an object whose `label` is a string.
 * @throws InvalidParamsError naming the wrong member.
 */
export function checkCompletionItem(params: unknown): void {
  if (!isObject(params)) throw new InvalidParamsError('the parameters must be an object');
  if (typeof params.label !== 'string') throw new InvalidParamsError('label must be a string');
}

/**
 * Checks `TextDocumentPositionParams` (completion, hover, signature help, document highlight).
 * @throws InvalidParamsError naming the first wrong member.
 */
export function checkPositionParams(params: unknown): void {
  checkTextDocument(params);
  if (!isPosition((params as Record<string, unknown>).position)) {
    throw new InvalidParamsError('position must be {line, character} with non-negative integers');
  }
}

/**
 * Checks `CodeActionParams`: a text document, a range, and `context.diagnostics` an array of
 * diagnostics (each an object with a range and a string message).
 * @throws InvalidParamsError naming the first wrong member (with its index for a diagnostic).
 */
export function checkCodeActionParams(params: unknown): void {
  checkTextDocument(params);
  const p = params as Record<string, unknown>;
  if (!isRange(p.range)) throw new InvalidParamsError('range must be {start, end} positions');
  if (!isObject(p.context) || !Array.isArray(p.context.diagnostics)) {
    throw new InvalidParamsError('context.diagnostics must be an array');
  }
  p.context.diagnostics.forEach((d: unknown, i: number) => {
    if (!isObject(d)) throw new InvalidParamsError(`context.diagnostics[${i}] must be a diagnostic object, not ${d === null ? 'null' : typeof d}`);
    if (!isRange(d.range)) throw new InvalidParamsError(`context.diagnostics[${i}].range must be {start, end} positions`);
    if (typeof d.message !== 'string') throw new InvalidParamsError(`context.diagnostics[${i}].message must be a string`);
  });
}

function isStringArray(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/**
 * Checks the parameters of `eqlWorkbench/replay` (and the explain requests built on them):
 * `uri` a string, `sampleUris` an array of strings, `options` an object
 * (its members are read by the replay), `openSamples` when present an array of
 * `{uri, text}` strings, `exceptionUris` when present an array of strings, `sampleCacheBudgetMB`
 * when present a finite number of 0 or more (`ReplayParams` in protocol.ts).
 * @throws InvalidParamsError naming the first wrong member.
 */
export function checkReplayParams(params: unknown): void {
  if (!isObject(params)) throw new InvalidParamsError('the parameters must be an object');
  if (typeof params.uri !== 'string') throw new InvalidParamsError('uri must be a string');
  if (!isStringArray(params.sampleUris)) throw new InvalidParamsError('sampleUris must be an array of strings');
  const o = params.options;
  if (!isObject(o)) throw new InvalidParamsError('options must be an object {timestampField, tiebreakerField, eventCategoryField}');
  const open = params.openSamples;
  if (open !== undefined && open !== null) {
    if (!Array.isArray(open)) throw new InvalidParamsError('openSamples must be an array');
    open.forEach((s: unknown, i: number) => {
      if (!isObject(s) || typeof s.uri !== 'string' || typeof s.text !== 'string') {
        throw new InvalidParamsError(`openSamples[${i}] must be {uri, text} strings`);
      }
    });
  }
  if (params.exceptionUris !== undefined && params.exceptionUris !== null && !isStringArray(params.exceptionUris)) {
    throw new InvalidParamsError('exceptionUris must be an array of strings');
  }
  const budget = params.sampleCacheBudgetMB;
  if (budget !== undefined && !(typeof budget === 'number' && Number.isFinite(budget) && budget >= 0)) {
    // A NaN or an infinity sent as JSON arrives as null.
    const given = typeof budget === 'number' ? String(budget) : (JSON.stringify(budget) ?? typeof budget).slice(0, 60);
    throw new InvalidParamsError(`sampleCacheBudgetMB (the eqlWorkbench.replay.cacheBudgetMB setting) must be a number of MiB, 0 or more (0 turns the cache off), not ${given}`);
  }
}
