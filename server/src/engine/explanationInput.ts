/**
 * The events an explanation (`explainReplay`, `explain.ts`) needs, so that a reader can stream the
 * samples and keep only those: an event that has a timestamp and passes no stage's category (nor
 * `until`'s) only adds to the count of events each stage tried, and moves the end of the input (the
 * time at which pending sequences are judged expired). Such events are counted here instead of
 * kept, and `explainReplay` given {@link ExplanationInput.omitted} gives the explanation it would
 * give over every event.
 *
 * Kept: events of some stage's category (a stage with `any` keeps every event), events whose
 * category cannot be evaluated, and events without a readable timestamp (the explanation's warning
 * counts them).
 */
import type { Statement } from '../eql/ast';
import { compileFilterTree } from './filter';
import { queryFilters } from './queryFilters';
import { DEFAULT_EVENT_CATEGORY_FIELD, ordinalReader, type ReplayRunOptions } from './replay';
import type { EventRecord } from './types';

/** Events left out of an explanation's input: how many, and the latest timestamp among them (epoch ms). */
export interface OmittedEvents {
  events: number;
  lastTimestamp?: number;
}

/** Decides, event by event, what an explanation of one statement needs. */
export class ExplanationInput {
  private readonly categories: Array<(doc: Record<string, unknown>) => boolean> | undefined;
  private readonly ordinalOf: ReturnType<typeof ordinalReader> | undefined;
  private count = 0;
  private last: number | undefined;

  /**
   * @param statement a statement `analyze()` accepted.
   * @param options the replay options the explanation will be given (timestamp, tiebreaker and
   *   category fields, mapping).
   */
  constructor(statement: Statement, options: ReplayRunOptions = {}) {
    const query = statement.query;
    const filters = queryFilters(query);
    const ctx = { eventCategoryField: options.eventCategoryField || DEFAULT_EVENT_CATEGORY_FIELD, mapping: options.mapping };
    // With `any`, or for samples (taken in input order, not by time), every event is kept.
    const keepAll = query.kind === 'sample' || filters.some((f) => f.category === null);
    this.categories = keepAll ? undefined : filters.map((f) => compileFilterTree(f, ctx).children[0].test);
    this.ordinalOf = keepAll ? undefined : ordinalReader(options);
  }

  /** True when the explanation needs `event`; otherwise it is counted in {@link omitted}. */
  keep(event: EventRecord): boolean {
    if (!this.categories || !this.ordinalOf) return true;
    const ordinal = this.ordinalOf(event.doc, 0);
    if (ordinal === undefined) return true;
    for (const category of this.categories) {
      try {
        if (category(event.doc)) return true;
      } catch {
        return true;
      }
    }
    this.count++;
    if (this.last === undefined || ordinal.timestamp > this.last) this.last = ordinal.timestamp;
    return false;
  }

  /** The events left out so far, for `explainReplay`'s `omitted` option. */
  get omitted(): OmittedEvents {
    return { events: this.count, ...(this.last !== undefined ? { lastTimestamp: this.last } : {}) };
  }
}
