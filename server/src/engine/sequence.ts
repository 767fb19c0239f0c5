/**
 * The sequence state machine: feed events one at a time in timestamp order, inspect the pending
 * sequences between events, collect the completed ones at the end.
 *
 * Semantics are Elasticsearch's (sources, all under `x-pack/plugin/eql/src/main/java/org/elasticsearch/
 * xpack/eql/execution/`: `sequence/SequenceMatcher.java`, `KeyToSequences.java`, `OrdinalGroup.java`,
 * `Sequence.java`, `sequence/TumblingWindow.java` for missing events; docs "EQL syntax reference",
 * section "Sequences"):
 * - per join key and per stage, the pending sequences form a group; an event of stage N takes the
 *   latest sequence of stage N-1 that is before it and drops it together with every older one
 *   (`OrdinalGroup.trimBefore`), so only the newest pending sequence per stage and key ever matters:
 *   a newer event replaces the pending one;
 * - `maxspan` is measured from the first event of the sequence to the current one and is inclusive
 *   (rejected only when `to - from > maxspan`; a maxspan of 0 means no limit);
 * - `until` cancels a pending sequence when an until event with the same key lies between the last
 *   matched event and the event that would advance it (bounds inclusive, `Ordinal.between`); it is
 *   checked only when the sequence advances, so it never removes a completed sequence;
 * - an event is tried against the later stages first, so one event never fills two consecutive
 *   stages of the same sequence (Elasticsearch matches only strictly earlier sequences);
 * - missing-event stages (`![…]`) are left out of matching; each completed candidate is then checked:
 *   a match of a middle missing stage strictly between the neighbouring events' timestamps discards
 *   it; leading/trailing missing stages discard it only when the nearest such event keeps the
 *   whole sequence within maxspan (`TumblingWindow.doCheckMissingEvents`).
 */
import type { EventRecord } from './types';
import { Ordinal, compareOrdinals } from './order';
import { JoinKeyExtractor, KeyValue, keyId } from './joinKeys';
import { type EventLink, chainEvents, extendChain } from './eventChain';

/**
 * Whether an event at `to` lies beyond the `maxspan` of a sequence whose first event is at `from`
 * (epoch ms): `to - from > maxspan`, so the window is inclusive (`SequenceMatcher.match` in
 * Elasticsearch); a maxspan of 0 or undefined is no limit. The matcher decides with it, and
 * explanations say "expired" with it, so the two cannot disagree.
 */
export function beyondMaxspan(from: number, to: number, maxspan: number | undefined): boolean {
  return maxspan !== undefined && maxspan > 0 && to - from > maxspan;
}

/** An event with its position in the ordered stream. */
export interface OrderedEvent {
  record: EventRecord;
  ordinal: Ordinal;
}

/** One stage after `with runs=N` expansion. */
export interface CompiledSequenceStage {
  /** Index of the stage as written in the query (0-based); repeated for `runs` copies. */
  queryStage: number;
  missing: boolean;
  matches(doc: Record<string, unknown>): boolean;
  keys: JoinKeyExtractor;
}

/** A sequence query compiled for the matcher. */
export interface CompiledSequence {
  stages: CompiledSequenceStage[];
  until?: { matches(doc: Record<string, unknown>): boolean; keys: JoinKeyExtractor };
  /** `with maxspan` in milliseconds; undefined or 0: no limit. */
  maxspanMillis?: number;
}

/** A sequence in progress or completed: the event of each (expanded) stage; missing stages stay empty. */
export interface SequenceState {
  key: KeyValue[];
  /**
   * Per expanded stage; undefined for missing stages and stages not reached yet. Built on first read
   * (O(stages)); the matcher itself never reads it while matching.
   */
  readonly events: Array<OrderedEvent | undefined>;
  /** Expanded index of the last matched stage. */
  stage: number;
  /** Creation counter: orders sequences completed by the same event. */
  serial: number;
}

/** Why a pending sequence was dropped, for explanations. */
export interface SequenceRejection {
  reason: 'maxspan' | 'until' | 'missing-event';
  key: KeyValue[];
  /** Events matched so far (expanded stages; undefined where none). */
  events: Array<OrderedEvent | undefined>;
  /** The event that tried to advance the sequence (maxspan), the until event, or the missing event found. */
  at?: OrderedEvent;
}

/** A pending sequence as seen between two events, with what stands in its way. */
export interface PendingSequence {
  /** Expanded index of the last stage it has filled. */
  stage: number;
  events: Array<OrderedEvent | undefined>;
  /**
   * Epoch ms after which no event can extend it (`start + maxspan`); undefined without maxspan.
   * Compare with the last event fed to tell that it has expired.
   */
  expiresAt?: number;
  /** An until event of its key came after its last event: it can no longer advance. */
  cancelledByUntil: boolean;
}

/** What the matcher holds between two events. */
export interface SequenceSnapshot {
  /** Per join key: the pending sequence of each stage (index = expanded stage it has reached). */
  keys: Array<{
    joinKeys: KeyValue[];
    pending: PendingSequence[];
    lastUntil?: OrderedEvent;
  }>;
  /** Timestamp (epoch ms) of the last event fed. */
  lastTimestamp?: number;
  completed: number;
  /** Candidates whose missing-event stages are checked at the end. */
  awaitingMissingCheck: number;
  stats: { seen: number; ignored: number; rejectedMaxspan: number; rejectedUntil: number; rejectedMissing: number };
  /** The most recent rejections (newest last, at most 100). */
  rejections: SequenceRejection[];
}

/**
 * Callbacks through which an explanation follows the matcher's own decisions (every callback is
 * optional; none may change the state). Stage numbers are expanded stage indexes (0-based).
 */
export interface SequenceObserver {
  /**
   * `event` passed stage `stage`'s filter with join key `key`, but no sequence of that key was pending
   * at the previous stage, so it advanced nothing.
   */
  unmatched?(stage: number, key: KeyValue[], event: OrderedEvent): void;
  /**
   * A pending sequence was overwritten by a newer one of the same key at the same stage (only the
   * newest pending sequence per stage and key is kept). `by` is the newer sequence's last event;
   * `cancelledBy` the until event of the key that had already cancelled the dropped one, if any.
   */
  replaced?(dropped: SequenceState, by: OrderedEvent, cancelledBy?: OrderedEvent): void;
  /** A pending sequence (or, for missing-event checks, a candidate) was dropped. */
  rejected?(rejection: SequenceRejection): void;
  /** A sequence completed and stands (reported once its missing-event stages are checked). */
  completed?(seq: SequenceState): void;
  /**
   * `event` passed the filter of missing-event stage `stage` (`![…]`) with at least one join key; it
   * is kept to check the candidates at the end (expanded stage index).
   */
  missingSeen?(stage: number, event: OrderedEvent): void;
}

/**
 * Everything a {@link SequenceMatcher} holds between two events, copied by `saveState()` so that
 * `restoreState()` can put the matcher back exactly (a debugger stepping back). Opaque to callers.
 * Sequences and events are shared, not copied: the matcher never changes one after creating it.
 */
export interface SequenceMatcherState {
  readonly byKey: ReadonlyArray<readonly [string, KeyState]>;
  readonly completed: readonly ChainedSequence[];
  readonly toCheck: readonly ChainedSequence[];
  readonly missingEvents: ReadonlyArray<readonly MissingCandidate[]>;
  readonly rejections: readonly SequenceRejection[];
  readonly stats: SequenceSnapshot['stats'];
  readonly serial: number;
  readonly lastOrdinal?: Ordinal;
}

interface KeyState {
  key: KeyValue[];
  /** Latest pending sequence per expanded positive stage (only the newest can ever advance). */
  pending: Array<ChainedSequence | undefined>;
  /** How many entries of `pending` are set (so that dropping an empty key costs O(1)). */
  pendingCount: number;
  lastUntil?: OrderedEvent;
}

/**
 * A sequence held as a chain of its events (see `eventChain.ts`): creating one by extending another
 * costs O(1); `events` is materialised on first read and kept (the chain never changes).
 */
class ChainedSequence implements SequenceState {
  private materialised?: Array<OrderedEvent | undefined>;

  constructor(
    readonly key: KeyValue[],
    readonly chain: EventLink,
    readonly serial: number,
    private readonly stageCount: number,
  ) {}

  get stage(): number {
    return this.chain.stage;
  }

  get events(): Array<OrderedEvent | undefined> {
    return (this.materialised ??= chainEvents(this.chain, this.stageCount));
  }
}

interface MissingCandidate {
  event: OrderedEvent;
  keyIds: Set<string>;
}

const MAX_REJECTIONS = 100;

/**
 * Sequence matcher. Usage: `push()` every event in ordinal order, then `finish()`.
 * `snapshot()` may be called between pushes.
 */
export class SequenceMatcher {
  private readonly stages: CompiledSequenceStage[];
  private readonly positive: number[];
  private readonly firstPositive: number;
  private readonly lastPositive: number;
  private readonly previousPositive: number[];
  private readonly hasMissing: boolean;
  private readonly maxspan: number;
  private readonly byKey = new Map<string, KeyState>();
  private readonly completed: ChainedSequence[] = [];
  private readonly toCheck: ChainedSequence[] = [];
  private readonly missingEvents: MissingCandidate[][];
  private readonly rejections: SequenceRejection[] = [];
  private readonly stats = { seen: 0, ignored: 0, rejectedMaxspan: 0, rejectedUntil: 0, rejectedMissing: 0 };
  private serial = 0;
  private lastOrdinal?: Ordinal;

  /**
   * @param sequence the compiled query.
   * @param observer optional callbacks told of every decision (for explanations).
   * @throws Error when the sequence has no positive stage.
   */
  constructor(
    private readonly sequence: CompiledSequence,
    private readonly observer: SequenceObserver = {},
  ) {
    this.stages = sequence.stages;
    this.positive = this.stages.map((s, i) => (s.missing ? -1 : i)).filter((i) => i >= 0);
    if (this.positive.length === 0) throw new Error('a sequence needs at least one stage that is not a missing event');
    this.firstPositive = this.positive[0];
    this.lastPositive = this.positive[this.positive.length - 1];
    this.previousPositive = this.stages.map((_, i) => {
      for (let j = i - 1; j >= 0; j--) if (!this.stages[j].missing) return j;
      return -1;
    });
    this.hasMissing = this.stages.some((s) => s.missing);
    this.maxspan = sequence.maxspanMillis ?? 0;
    this.missingEvents = this.stages.map(() => []);
  }

  /**
   * Feeds one event. Events must come in ascending ordinal order (see `compareOrdinals`).
   * @throws Error when an event is out of order.
   */
  push(event: OrderedEvent): void {
    if (this.lastOrdinal && compareOrdinals(this.lastOrdinal, event.ordinal) > 0) {
      throw new Error('sequence matcher: events must be pushed in timestamp order');
    }
    this.lastOrdinal = event.ordinal;
    const doc = event.record.doc;
    // The copies of a stage with runs=N share one filter and one key extractor: evaluate them once.
    let lastFilter: CompiledSequenceStage['matches'] | undefined;
    let lastExtractor: JoinKeyExtractor | undefined;
    let lastKeys: KeyValue[][] = [];
    let lastIds: string[] = [];
    // Later stages first: an event may only extend sequences that are strictly before it.
    for (let p = this.positive.length - 1; p >= 0; p--) {
      const index = this.positive[p];
      const stage = this.stages[index];
      if (stage.matches !== lastFilter || stage.keys !== lastExtractor) {
        lastFilter = stage.matches;
        lastExtractor = stage.keys;
        lastKeys = stage.matches(doc) ? stage.keys.keysOf(doc) : [];
        lastIds = lastKeys.map(keyId);
      }
      for (let k = 0; k < lastKeys.length; k++) this.matchStage(index, lastKeys[k], lastIds[k], event);
    }
    if (this.hasMissing) {
      for (let i = 0; i < this.stages.length; i++) {
        const stage = this.stages[i];
        if (!stage.missing || !stage.matches(doc)) continue;
        const keys = stage.keys.keysOf(doc);
        if (keys.length > 0) {
          this.missingEvents[i].push({ event, keyIds: new Set(keys.map(keyId)) });
          this.observer.missingSeen?.(i, event);
        }
      }
    }
    const until = this.sequence.until;
    if (until && until.matches(doc)) {
      for (const key of until.keys.keysOf(doc)) {
        // Unknown keys are ignored (`KeyToSequences.until`).
        const state = this.byKey.get(keyId(key));
        if (state) state.lastUntil = event;
      }
    }
  }

  /** Tries `event` (join key `key`, whose `keyId` is `id`) at expanded stage `index`. O(1). */
  private matchStage(index: number, key: KeyValue[], id: string, event: OrderedEvent): void {
    this.stats.seen++;
    if (index === this.firstPositive) {
      const seq = new ChainedSequence(key, extendChain(undefined, index, event), this.serial++, this.stages.length);
      if (index === this.lastPositive) {
        this.complete(seq);
      } else {
        this.setPending(this.stateFor(id, key), index, seq, event);
      }
      return;
    }
    const previous = this.previousPositive[index];
    const state = this.byKey.get(id);
    const seq = state?.pending[previous];
    if (!state || !seq) {
      this.stats.ignored++;
      this.observer.unmatched?.(index, key, event);
      return;
    }
    state.pending[previous] = undefined;
    // A key without pending sequences needs no state: until events before this point cannot
    // affect sequences that start later (bounded memory on long streams).
    if (--state.pendingCount === 0) this.byKey.delete(id);
    const start = seq.chain.first;
    if (beyondMaxspan(start.ordinal.timestamp, event.ordinal.timestamp, this.maxspan)) {
      this.stats.rejectedMaxspan++;
      this.reject(lazyRejection('maxspan', key, seq, event));
      return;
    }
    const last = seq.chain.event;
    if (state.lastUntil && compareOrdinals(state.lastUntil.ordinal, last.ordinal) >= 0) {
      this.stats.rejectedUntil++;
      this.reject(lazyRejection('until', key, seq, state.lastUntil));
      return;
    }
    const next = new ChainedSequence(key, extendChain(seq.chain, index, event), this.serial++, this.stages.length);
    if (index === this.lastPositive) {
      this.complete(next);
    } else {
      this.setPending(this.stateFor(id, key), index, next, event);
    }
  }

  /** Stores the pending sequence of a stage, telling the observer about the one it replaces. */
  private setPending(state: KeyState, index: number, seq: ChainedSequence, event: OrderedEvent): void {
    const dropped = state.pending[index];
    if (!dropped) state.pendingCount++;
    if (dropped && this.observer.replaced) {
      const last = dropped.chain.event.ordinal;
      const cancelledBy = state.lastUntil && compareOrdinals(state.lastUntil.ordinal, last) >= 0 ? state.lastUntil : undefined;
      this.observer.replaced(dropped, event, cancelledBy);
    }
    state.pending[index] = seq;
  }

  private stateFor(id: string, key: KeyValue[]): KeyState {
    let state = this.byKey.get(id);
    if (!state) {
      state = { key, pending: new Array(this.stages.length).fill(undefined), pendingCount: 0 };
      this.byKey.set(id, state);
    }
    return state;
  }

  private complete(seq: ChainedSequence): void {
    if (this.hasMissing) {
      this.toCheck.push(seq);
    } else {
      this.completed.push(seq);
      this.observer.completed?.(seq);
    }
  }

  private reject(r: SequenceRejection): void {
    this.observer.rejected?.(r);
    this.rejections.push(r);
    if (this.rejections.length > MAX_REJECTIONS) this.rejections.shift();
  }

  /**
   * Copies the matcher's state (cost: linear in the join keys held, completed sequences and kept
   * missing-stage events). @returns a value for {@link restoreState}.
   */
  saveState(): SequenceMatcherState {
    return {
      byKey: [...this.byKey].map(
        ([id, s]) => [id, { key: s.key, pending: s.pending.slice(), pendingCount: s.pendingCount, lastUntil: s.lastUntil }] as const,
      ),
      completed: this.completed.slice(),
      toCheck: this.toCheck.slice(),
      missingEvents: this.missingEvents.map((l) => l.slice()),
      rejections: this.rejections.slice(),
      stats: { ...this.stats },
      serial: this.serial,
      lastOrdinal: this.lastOrdinal,
    };
  }

  /**
   * Puts the matcher back in a state saved by {@link saveState} of this same matcher: the next
   * `push()` behaves as it did right after that state was saved. The saved value stays reusable.
   */
  restoreState(state: SequenceMatcherState): void {
    this.byKey.clear();
    for (const [id, s] of state.byKey) {
      this.byKey.set(id, { key: s.key, pending: s.pending.slice(), pendingCount: s.pendingCount, lastUntil: s.lastUntil });
    }
    replaceContents(this.completed, state.completed);
    replaceContents(this.toCheck, state.toCheck);
    state.missingEvents.forEach((l, i) => replaceContents(this.missingEvents[i], l));
    replaceContents(this.rejections, state.rejections);
    Object.assign(this.stats, state.stats);
    this.serial = state.serial;
    this.lastOrdinal = state.lastOrdinal;
  }

  /** Inspects the state between two events (pending sequences per join key, counters). */
  snapshot(): SequenceSnapshot {
    const keys: SequenceSnapshot['keys'] = [];
    for (const state of this.byKey.values()) {
      const pending: PendingSequence[] = [];
      state.pending.forEach((seq, stage) => {
        if (!seq) return;
        const start = seq.chain.first.ordinal.timestamp;
        const last = seq.chain.event.ordinal;
        pending.push({
          stage,
          events: seq.events.slice(),
          expiresAt: this.maxspan > 0 ? start + this.maxspan : undefined,
          cancelledByUntil: state.lastUntil !== undefined && compareOrdinals(state.lastUntil.ordinal, last) >= 0,
        });
      });
      if (pending.length === 0 && !state.lastUntil) continue;
      keys.push({ joinKeys: state.key, pending, lastUntil: state.lastUntil });
    }
    return {
      keys,
      lastTimestamp: this.lastOrdinal?.timestamp,
      completed: this.completed.length,
      awaitingMissingCheck: this.toCheck.length,
      stats: { ...this.stats },
      rejections: this.rejections.slice(),
    };
  }

  /**
   * Ends the stream: checks missing-event stages and returns the completed sequences ordered as
   * Elasticsearch orders them (by the ordinal of their last event; sequences completed by the same
   * event in key order).
   */
  finish(): SequenceState[] {
    for (const seq of this.toCheck) {
      const found = this.missingFound(seq);
      if (found) {
        this.stats.rejectedMissing++;
        this.reject({ reason: 'missing-event', key: seq.key, events: seq.events, at: found });
      } else {
        this.completed.push(seq);
        this.observer.completed?.(seq);
      }
    }
    this.toCheck.length = 0;
    const lastOf = (s: ChainedSequence) => s.chain.event.ordinal;
    return this.completed.slice().sort((a, b) => compareOrdinals(lastOf(a), lastOf(b)) || a.serial - b.serial);
  }

  /** @returns the event that invalidates the candidate, or undefined when it stands. */
  private missingFound(seq: ChainedSequence): OrderedEvent | undefined {
    const id = keyId(seq.key);
    const startTs = seq.events[this.firstPositive]!.ordinal.timestamp;
    const endTs = seq.events[this.lastPositive]!.ordinal.timestamp;
    let lastLeading: OrderedEvent | undefined;
    let firstTrailing: OrderedEvent | undefined;
    for (let i = 0; i < this.stages.length; i++) {
      if (!this.stages[i].missing) continue;
      const candidates = this.missingEvents[i];
      if (i < this.firstPositive) {
        // Nearest event before the first positive event.
        for (let j = candidates.length - 1; j >= 0; j--) {
          const c = candidates[j];
          if (c.event.ordinal.timestamp < startTs && c.keyIds.has(id)) {
            if (!lastLeading || lastLeading.ordinal.timestamp < c.event.ordinal.timestamp) lastLeading = c.event;
            break;
          }
        }
      } else if (i > this.lastPositive) {
        for (const c of candidates) {
          if (c.event.ordinal.timestamp > endTs && c.keyIds.has(id)) {
            if (!firstTrailing || firstTrailing.ordinal.timestamp > c.event.ordinal.timestamp) firstTrailing = c.event;
            break;
          }
        }
      } else {
        let prev = i - 1;
        while (this.stages[prev].missing) prev--;
        let next = i + 1;
        while (this.stages[next].missing) next++;
        const from = seq.events[prev]!.ordinal.timestamp;
        const to = seq.events[next]!.ordinal.timestamp;
        const hit = candidates.find((c) => c.event.ordinal.timestamp > from && c.event.ordinal.timestamp < to && c.keyIds.has(id));
        if (hit) return hit.event;
      }
    }
    const leadingStage = this.stages[0].missing;
    const trailingStage = this.stages[this.stages.length - 1].missing;
    const beyond = (from: number | undefined, to: number | undefined) =>
      from === undefined || to === undefined || beyondMaxspan(from, to, this.maxspan);
    const keep =
      (firstTrailing === undefined && lastLeading === undefined) ||
      (lastLeading === undefined && leadingStage) ||
      (firstTrailing === undefined && trailingStage) ||
      (leadingStage && trailingStage && beyond(lastLeading?.ordinal.timestamp, firstTrailing?.ordinal.timestamp)) ||
      (leadingStage && !trailingStage && beyond(lastLeading?.ordinal.timestamp, endTs)) ||
      (!leadingStage && trailingStage && beyond(startTs, firstTrailing?.ordinal.timestamp));
    return keep ? undefined : (lastLeading ?? firstTrailing);
  }
}

/**
 * A rejection whose `events` are materialised only when read (an explanation or a debugger reads
 * them; a plain replay only counts rejections).
 */
function lazyRejection(reason: SequenceRejection['reason'], key: KeyValue[], seq: ChainedSequence, at: OrderedEvent): SequenceRejection {
  return {
    reason,
    key,
    get events() {
      return seq.events;
    },
    at,
  };
}

/** Makes `target` hold the elements of `source` (no spread: arrays may be long). */
export function replaceContents<T>(target: T[], source: readonly T[]): void {
  target.length = source.length;
  for (let i = 0; i < source.length; i++) target[i] = source[i];
}
