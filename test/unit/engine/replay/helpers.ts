/** Small builders for hand-worked engine tests (no parser, no filter compiler). */
import type { FieldExpression } from '../../../../server/src/eql/ast';
import { compileJoinKeys } from '../../../../server/src/engine/joinKeys';
import type { CompiledSequenceStage, OrderedEvent } from '../../../../server/src/engine/sequence';

const span = { start: 0, end: 0 };

/** A field expression as the parser builds it. */
export function field(name: string, optional = false): FieldExpression {
  return { kind: 'field', name, path: name.split('.'), optional, span };
}

/** An event at `timestamp` ms whose `id` is its input position unless given. */
export function ev(id: number, timestamp: number, doc: Record<string, unknown> = {}): OrderedEvent {
  return { record: { doc: { id, ...doc }, source: { file: 't.ndjson', line: id } }, ordinal: { timestamp, index: id } };
}

/** A stage matching events whose `type` equals `type`, joined by `keys`. */
export function stage(type: string, keys: string[] = [], opts: { missing?: boolean; queryStage?: number } = {}): CompiledSequenceStage {
  return {
    queryStage: opts.queryStage ?? 0,
    missing: opts.missing ?? false,
    matches: (doc) => doc.type === type,
    keys: compileJoinKeys(keys.map((k) => field(k)), undefined, 'sequence'),
  };
}

/** Ids of the events of each match (missing stages as -1). */
export function ids(seqs: Array<{ events: Array<OrderedEvent | undefined> }>, missing: boolean[] = []): number[][] {
  return seqs.map((s) => s.events.map((e, i) => (missing[i] ? -1 : (e!.record.doc.id as number))));
}
