/**
 * The sample state machine: events are fed one at a time in input (document) order; for every join
 * key the first matching events of each stage are kept; `finish()` builds the samples.
 *
 * Semantics are Elasticsearch's (sources: `execution/sample/SampleIterator.java`,
 * `execution/assembler/SampleQueryRequest.java`; docs "EQL syntax reference", section "Samples"):
 * - a sample is one distinct event per stage sharing the join key; order and time do not matter;
 * - join keys are the composite-aggregation buckets common to all stages, returned in ascending key
 *   order (nulls — possible only for optional keys — first);
 * - per key and stage only the first `stages + max_samples_per_key - 1` matching events (document
 *   order, no sorting) are considered, and up to `max_samples_per_key` samples are built from them by
 *   backtracking over distinct events (`SampleIterator.matchSamples`).
 */
import type { OrderedEvent } from './sequence';
import { JoinKeyExtractor, KeyValue, compareKeyTuples, keyId } from './joinKeys';

/** One stage of a sample query. */
export interface CompiledSampleStage {
  matches(doc: Record<string, unknown>): boolean;
  keys: JoinKeyExtractor;
}

/** One built sample: the join key and one event per stage. */
export interface SampleResult {
  key: KeyValue[];
  events: OrderedEvent[];
}

/** What the matcher holds between two events. */
export interface SampleSnapshot {
  keys: Array<{ joinKeys: KeyValue[]; eventsPerStage: OrderedEvent[][] }>;
}

/** What {@link SampleMatcher.saveState} copies; opaque to callers. */
export interface SampleMatcherState {
  readonly groups: ReadonlyArray<readonly [string, KeyGroup]>;
}

interface KeyGroup {
  key: KeyValue[];
  perStage: OrderedEvent[][];
}

/** Sample matcher: `push()` events in input order, then `finish()`. */
export class SampleMatcher {
  private readonly groups = new Map<string, KeyGroup>();
  private readonly perStageLimit: number;
  private readonly maxSamplesPerKey: number;

  /**
   * @param stages compiled stages.
   * @param maxSamplesPerKey `max_samples_per_key` (default 1, at least 1).
   */
  constructor(private readonly stages: CompiledSampleStage[], maxSamplesPerKey = 1) {
    this.maxSamplesPerKey = Math.max(1, Math.floor(maxSamplesPerKey));
    this.perStageLimit = stages.length + this.maxSamplesPerKey - 1;
  }

  /** Feeds one event (input order). */
  push(event: OrderedEvent): void {
    const doc = event.record.doc;
    this.stages.forEach((stage, i) => {
      if (!stage.matches(doc)) return;
      for (const key of stage.keys.keysOf(doc)) {
        const id = keyId(key);
        let group = this.groups.get(id);
        if (!group) {
          group = { key, perStage: this.stages.map(() => []) };
          this.groups.set(id, group);
        }
        const list = group.perStage[i];
        if (list.length < this.perStageLimit) list.push(event);
      }
    });
  }

  /** Copies what the matcher holds (for {@link restoreState}, a debugger stepping back). */
  saveState(): SampleMatcherState {
    return { groups: [...this.groups].map(([id, g]) => [id, { key: g.key, perStage: g.perStage.map((l) => l.slice()) }] as const) };
  }

  /** Puts the matcher back in a state saved by {@link saveState} of this same matcher. */
  restoreState(state: SampleMatcherState): void {
    this.groups.clear();
    for (const [id, g] of state.groups) this.groups.set(id, { key: g.key, perStage: g.perStage.map((l) => l.slice()) });
  }

  /** Inspects the events kept so far per join key. */
  snapshot(): SampleSnapshot {
    return { keys: [...this.groups.values()].map((g) => ({ joinKeys: g.key, eventsPerStage: g.perStage.map((l) => l.slice()) })) };
  }

  /**
   * Builds the samples.
   * @param limit maximum number of samples (Elasticsearch stops at the request `size`).
   */
  finish(limit = Infinity): SampleResult[] {
    const groups = [...this.groups.values()]
      .filter((g) => g.perStage.every((l) => l.length > 0))
      .sort((a, b) => compareKeyTuples(a.key, b.key));
    const out: SampleResult[] = [];
    for (const group of groups) {
      for (const events of this.combinations(group.perStage)) {
        if (out.length >= limit) return out;
        out.push({ key: group.key, events });
      }
    }
    return out;
  }

  /** Backtracking: distinct events, one per stage, at most `maxSamplesPerKey` combinations. */
  private combinations(perStage: OrderedEvent[][]): OrderedEvent[][] {
    const result: OrderedEvent[][] = [];
    const partial: OrderedEvent[] = [];
    const visit = (stage: number): boolean => {
      for (const e of perStage[stage]) {
        if (partial.includes(e)) continue;
        partial.push(e);
        if (stage === perStage.length - 1) {
          result.push(partial.slice());
        } else if (visit(stage + 1)) {
          return true;
        }
        partial.pop();
        if (result.length === this.maxSamplesPerKey) return true;
      }
      return false;
    };
    visit(0);
    return result;
  }
}
