/**
 * The events of a sequence as an immutable chain: each link holds the event of one expanded stage and
 * the link of the stage filled before it. Extending a sequence adds one link and shares the rest, so
 * an advance costs O(1) whatever the number of stages (`with runs=N` expands a stage into N copies);
 * the per-stage array is built only when someone reads it (a completed match, an explanation, a
 * debugger inspecting the state).
 */
import type { OrderedEvent } from './sequence';

/** One link of the chain. Never changed after creation, so chains are shared between sequences. */
export interface EventLink {
  /** The event of this stage. */
  readonly event: OrderedEvent;
  /** Expanded stage index (0-based) this event fills. */
  readonly stage: number;
  /** The link of the previously filled stage; undefined for the first event of the sequence. */
  readonly previous: EventLink | undefined;
  /** The first event of the sequence (where `maxspan` is measured from), kept for O(1) access. */
  readonly first: OrderedEvent;
}

/** @returns a new link filling `stage` with `event` after `previous` (undefined: a new sequence). O(1). */
export function extendChain(previous: EventLink | undefined, stage: number, event: OrderedEvent): EventLink {
  return { event, stage, previous, first: previous ? previous.first : event };
}

/**
 * Materialises a chain as one slot per expanded stage.
 * @param last the newest link.
 * @param stages number of expanded stages (the array's length).
 * @returns the event of each filled stage at its index, undefined elsewhere. O(stages).
 */
export function chainEvents(last: EventLink, stages: number): Array<OrderedEvent | undefined> {
  const out: Array<OrderedEvent | undefined> = new Array(stages).fill(undefined);
  for (let link: EventLink | undefined = last; link; link = link.previous) out[link.stage] = link.event;
  return out;
}
