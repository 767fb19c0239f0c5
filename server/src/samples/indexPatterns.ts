/**
 * A detection rule's `index` patterns (`[rule] index = ["logs-endpoint.events.process-*", "winlogbeat-*"]`)
 * applied to sample events, as Elasticsearch resolves them for the `_eql/search` Kibana sends: an
 * event is searched when the index it was stored in is one the patterns resolve to.
 *
 * Where an event was stored is known from the `_index` of a search hit, or from its ECS
 * `data_stream.type` / `data_stream.dataset` / `data_stream.namespace` fields: a data stream is
 * named `<type>-<dataset>-<namespace>` (ECS `data_stream` field set) and its backing indices
 * `.ds-<data stream>-<yyyy.MM.dd>-<generation, 6 digits>` (`.ds-<data stream>-<generation>` before
 * 7.11; failure store indices start with `.fs-`: Elasticsearch `DataStream.getDefaultBackingIndexName`).
 * An event that carries neither is kept: nothing says it would not be searched.
 *
 * Resolution, from Elasticsearch's multi-target syntax (reference page "Multi-target syntax") and
 * `IndexNameExpressionResolver.WildcardExpressionResolver`:
 * - the list is read in order, each entry may itself be a comma-separated list; blank entries are ignored;
 * - `*` matches any run of characters (`Regex.simpleMatch`: the only wildcard; `?` is literal),
 *   case-sensitively; an entry without `*` names one index, alias or data stream exactly;
 * - a pattern matches a data stream by its name, which stands for all its backing indices; a
 *   wildcard does not match an index or data stream whose name starts with `.` (hidden, as backing
 *   indices are) unless the pattern starts with `.` too (`implicitHiddenMatch`; `_eql/search`
 *   expands wildcards to open, non-hidden targets by default);
 * - `-pattern` removes what it matches from what the entries before it added, and only when a
 *   wildcard entry came before it (`wildcardSeen`); otherwise it is a name (that no index can have);
 * - `cluster:pattern` targets a remote cluster (`_index` of such hits is `cluster:index`); an entry
 *   without a cluster targets the local cluster only;
 * - `::data` (the default), `::failures` and `::*` select a data stream's components (its backing
 *   indices, its failure store, or both).
 * Aliases are not known from samples: a pattern that names an alias matches no event through it.
 */
import { compileLuceneWildcard, type WildcardMatcher } from '../engine/wildcard';
import { getFieldValue } from '../engine/fields';
import type { EventRecord } from '../engine/types';

/** What one entry of the list did, for the replay's summary. */
export interface IndexPatternCount {
  /** The entry as written (an exclusion with its leading `-`). */
  pattern: string;
  /** True for a `-pattern` that removes events. */
  exclusion: boolean;
  /** Inclusion: the kept events it matched. Exclusion: the events it left out (the last exclusion that removed each). */
  events: number;
}

/** What the index patterns did to a replay's events. */
export interface IndexPatternSummary {
  /** One count per entry, in the order written (comma lists split). */
  patterns: IndexPatternCount[];
  /** Events whose index some pattern matched and no later exclusion removed: kept. */
  kept: number;
  /** Events whose index no pattern matched: left out. */
  unmatched: number;
  /** Events left out by an exclusion (the sum of the exclusions' counts). */
  excluded: number;
  /** Events carrying no `_index` and no `data_stream` fields: kept. */
  withoutIndex: number;
  /**
   * The indices of the events left out (unmatched or excluded), most events first, at most
   * {@link MAX_LISTED_INDICES}: `_index` as written, or the data stream name from the
   * `data_stream` fields with `*` for a part the event lacks.
   */
  leftOut: Array<{ index: string; events: number }>;
  /** Entries that can never match, with the reason (e.g. an exclusion with no wildcard before it). */
  notes: string[];
}

/** Whether some event carried an index (`_index` or `data_stream` fields): else the patterns did nothing. */
export function someEventHadIndex(summary: IndexPatternSummary): boolean {
  return summary.kept + summary.unmatched + summary.excluded > 0;
}

/** At most this many indices are listed in {@link IndexPatternSummary.leftOut}. */
export const MAX_LISTED_INDICES = 10;

/** Which components of a data stream an entry selects (`::data`, `::failures`, `::*`). */
type Selector = 'data' | 'failures' | 'all';

interface Entry {
  written: string;
  exclusion: boolean;
  /** Remote cluster pattern; undefined: the local cluster. */
  cluster?: string;
  /** The name pattern (without cluster, selector or `-`). */
  name: string;
  wildcard: boolean;
  selector: Selector;
  match: WildcardMatcher;
}

/** Where an event was stored, as far as the sample tells. */
export interface EventIndex {
  /** The remote cluster of a cross-cluster hit (`cluster:index`); undefined: local. */
  cluster?: string;
  /** The concrete index (`_index` without cluster); undefined when only `data_stream` fields are known. */
  index?: string;
  /**
   * The data stream: from a backing index name or from `data_stream` fields. `exact` false when a
   * part was missing from the fields; `name` then holds `*` for it (the event could come from any
   * data stream of that shape).
   */
  dataStream?: { name: string; exact: boolean; failureStore: boolean };
}

/** Types ECS allows for `data_stream.type` (ECS `data_stream` field set): tried when an event lacks it. */
const DATA_STREAM_TYPES = ['logs', 'metrics', 'traces', 'synthetics'];

const BACKING_INDEX = /^(?:partial-|restored-)?\.(ds|fs)-(.+?)-(?:\d{4}\.\d{2}\.\d{2}-)?\d{6}$/;

/**
 * Where an event was stored: its hit's `_index` (see {@link EventRecord.index}) or, without one,
 * its `data_stream.type`/`dataset`/`namespace` fields (string values; dotted keys and nested
 * objects alike). Undefined when the event carries none of them.
 */
export function eventIndexOf(event: EventRecord): EventIndex | undefined {
  if (typeof event.index === 'string' && event.index !== '') {
    // `cluster:index` (a single colon; `::` is a selector, never part of a stored `_index`).
    const colon = event.index.indexOf(':');
    const cluster = colon > 0 ? event.index.slice(0, colon) : undefined;
    const index = colon > 0 ? event.index.slice(colon + 1) : event.index;
    const backing = BACKING_INDEX.exec(index);
    const dataStream = backing ? { name: backing[2], exact: true, failureStore: backing[1] === 'fs' } : undefined;
    return { ...(cluster !== undefined ? { cluster } : {}), index, ...(dataStream ? { dataStream } : {}) };
  }
  const part = (field: string): string | undefined => {
    const v = getFieldValue(event.doc, `data_stream.${field}`);
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const type = part('type');
  const dataset = part('dataset');
  const namespace = part('namespace');
  if (type === undefined && dataset === undefined && namespace === undefined) return undefined;
  const exact = type !== undefined && dataset !== undefined && namespace !== undefined;
  return { dataStream: { name: `${type ?? '*'}-${dataset ?? '*'}-${namespace ?? '*'}`, exact, failureStore: false } };
}

/**
 * Splits and reads an index pattern list.
 * @param patterns entries as a rule or the command line gives them; each may be a comma list.
 * @returns the entries in order, and notes on entries that can never match.
 */
function parseEntries(patterns: readonly string[]): { entries: Entry[]; notes: string[] } {
  const entries: Entry[] = [];
  const notes: string[] = [];
  let wildcardSeen = false;
  for (const written of patterns.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '')) {
    const exclusion = written.startsWith('-') && wildcardSeen;
    if (written.startsWith('-') && !exclusion) {
      notes.push(`${written}: excludes nothing, as no wildcard pattern comes before it (an exclusion removes what earlier wildcard patterns added)`);
    }
    let rest = exclusion ? written.slice(1) : written;
    let selector: Selector = 'data';
    const selectorAt = rest.lastIndexOf('::');
    if (selectorAt >= 0) {
      const s = rest.slice(selectorAt + 2);
      selector = s === 'failures' ? 'failures' : s === '*' ? 'all' : 'data';
      if (s !== 'data' && s !== 'failures' && s !== '*') notes.push(`${written}: unknown selector ::${s} (expected ::data, ::failures or ::*); read as ::data`);
      rest = rest.slice(0, selectorAt);
    }
    const colon = rest.indexOf(':');
    const cluster = colon > 0 ? rest.slice(0, colon) : undefined;
    const name = colon > 0 ? rest.slice(colon + 1) : rest;
    const wildcard = name.includes('*');
    entries.push({ written, exclusion, cluster, name, wildcard, selector, match: starMatcher(name) });
    if (wildcard) wildcardSeen = true;
  }
  return { entries, notes };
}

/** `*` is the only wildcard of an index pattern: escape what the Lucene wildcard syntax would read. */
function starMatcher(pattern: string): WildcardMatcher {
  return compileLuceneWildcard(pattern.replace(/[\\?]/g, (c) => `\\${c}`), false);
}

/**
 * True when some string matches both `pattern` and `template`, where `*` in either stands for
 * any run of characters: whether an index whose name has unknown parts could match the pattern.
 * O(|pattern| × |template|).
 */
export function starPatternsOverlap(pattern: string, template: string): boolean {
  // reach[j]: the first i characters of `pattern` and the first j of `template` can be matched.
  let reach: boolean[] = new Array<boolean>(template.length + 1).fill(false);
  reach[0] = true;
  for (let j = 1; j <= template.length && template[j - 1] === '*'; j++) reach[j] = true;
  for (let i = 1; i <= pattern.length; i++) {
    const next = new Array<boolean>(template.length + 1).fill(false);
    const p = pattern[i - 1];
    next[0] = p === '*' && reach[0];
    for (let j = 1; j <= template.length; j++) {
      const t = template[j - 1];
      if (p === '*' || t === '*') {
        // A star consumes the other side's character (or star), or nothing.
        next[j] = reach[j] || next[j - 1] || reach[j - 1];
      } else {
        next[j] = p === t && reach[j - 1];
      }
    }
    reach = next;
  }
  return reach[template.length];
}

/**
 * The rule's index patterns, compiled, with the counts of what they kept. One instance per replay.
 *
 * @example new IndexPatternFilter(['logs-endpoint.events.*', 'winlogbeat-*']).admits(event)
 */
export class IndexPatternFilter {
  private readonly entries: Entry[];
  private readonly notes: string[];
  private readonly counts: number[];
  private kept = 0;
  private unmatched = 0;
  private withoutIndex = 0;
  private readonly leftOut = new Map<string, number>();
  /** The decision per distinct index (events of one index share it): entry numbers that matched, or the excluder. */
  private readonly decisions = new Map<string, { keep: boolean; counted: number[] }>();

  /**
   * @param patterns the list as written (entries may be comma lists), e.g. a rule's `index` array.
   *   An empty list (or only blanks) keeps every event, as a rule without `index` searches Kibana's defaults.
   */
  constructor(patterns: readonly string[]) {
    const parsed = parseEntries(patterns);
    this.entries = parsed.entries;
    this.notes = parsed.notes;
    this.counts = this.entries.map(() => 0);
  }

  /** Whether the list has entries (an empty one keeps everything and says nothing). */
  get active(): boolean {
    return this.entries.length > 0;
  }

  /**
   * Whether the event is searched: true for an event with no `_index` and no `data_stream` fields,
   * else whether the patterns resolve to its index. Counts the event.
   */
  admits(event: EventRecord): boolean {
    return !this.active || this.admitsIndex(eventIndexOf(event));
  }

  /**
   * {@link admits} for an event known by its index only (`eventIndexOf`, or `rawEventIndex` for a
   * line left unparsed): undefined for an event that carries none. Counts the event.
   */
  admitsIndex(where: EventIndex | undefined): boolean {
    if (!this.active) return true;
    if (!where) {
      this.withoutIndex++;
      return true;
    }
    const key = `${where.cluster ?? ''}\u0000${where.index ?? ''}\u0000${where.dataStream?.name ?? ''}\u0000${where.dataStream?.failureStore ? 'f' : ''}`;
    let decision = this.decisions.get(key);
    if (!decision) {
      decision = this.decide(where);
      this.decisions.set(key, decision);
    }
    for (const n of decision.counted) this.counts[n]++;
    if (decision.keep) {
      this.kept++;
      return true;
    }
    if (decision.counted.length === 0) this.unmatched++;
    const name = where.index !== undefined ? `${where.cluster !== undefined ? `${where.cluster}:` : ''}${where.index}` : where.dataStream!.name;
    this.leftOut.set(name, (this.leftOut.get(name) ?? 0) + 1);
    return false;
  }

  /** The counts so far. */
  summary(): IndexPatternSummary {
    const patterns = this.entries.map((e, i) => ({ pattern: e.written, exclusion: e.exclusion, events: this.counts[i] }));
    const leftOut = [...this.leftOut]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_LISTED_INDICES)
      .map(([index, events]) => ({ index, events }));
    const excluded = patterns.filter((p) => p.exclusion).reduce((a, p) => a + p.events, 0);
    return { patterns, kept: this.kept, unmatched: this.unmatched, excluded, withoutIndex: this.withoutIndex, leftOut, notes: [...this.notes] };
  }

  /** Walks the entries in order over one index: kept or not, and which entries to count. */
  private decide(where: EventIndex): { keep: boolean; counted: number[] } {
    let keep = false;
    let matchedBy: number[] = [];
    let excludedBy = -1;
    this.entries.forEach((entry, n) => {
      if (entry.exclusion) {
        // Only an index known exactly is excluded: one with unknown parts might be another.
        if (keep && this.matches(entry, where, true)) {
          keep = false;
          matchedBy = [];
          excludedBy = n;
        }
      } else if (this.matches(entry, where, false)) {
        keep = true;
        matchedBy.push(n);
        excludedBy = -1;
      }
    });
    return keep ? { keep, counted: matchedBy } : { keep, counted: excludedBy >= 0 ? [excludedBy] : [] };
  }

  /** Whether one entry targets the event's index (by its concrete name or its data stream's). */
  private matches(entry: Entry, where: EventIndex, exactOnly: boolean): boolean {
    if (entry.cluster === undefined ? where.cluster !== undefined : where.cluster === undefined || !starMatcher(entry.cluster)(where.cluster)) return false;
    const stream = where.dataStream;
    const wantsFailures = stream?.failureStore ?? false;
    const component = entry.selector === 'all' || (entry.selector === 'failures') === wantsFailures;
    if (stream && component) {
      if (stream.exact) {
        if (this.nameMatches(entry, stream.name)) return true;
      } else if (!exactOnly && this.templateMatches(entry, stream.name)) {
        return true;
      }
    }
    // The concrete index itself (a backing index only through the data component).
    return where.index !== undefined && (!stream || component) && entry.selector !== 'failures' && this.nameMatches(entry, where.index);
  }

  private nameMatches(entry: Entry, name: string): boolean {
    if (!entry.wildcard) return entry.name === name;
    if (name.startsWith('.') && !entry.name.startsWith('.')) return false;
    return entry.match(name);
  }

  /** A data stream name with unknown parts (`*`): a missing type is one of the ECS types. */
  private templateMatches(entry: Entry, template: string): boolean {
    const names = template.startsWith('*-') ? DATA_STREAM_TYPES.map((t) => `${t}${template.slice(1)}`) : [template];
    return names.some((name) => starPatternsOverlap(entry.name, name));
  }
}
