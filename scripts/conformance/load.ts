/**
 * Loading Elasticsearch's EQL QA specs and data sets the way its QA harness does
 * (`x-pack/plugin/eql/qa/common/src/main/java/org/elasticsearch/test/eql/`: `DataLoader.java`,
 * `EqlSpecLoader.java`, `BaseEqlSpecTestCase.java` and the `Eql*TestCase.java` classes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { inferMapping, loadMapping, type FieldMapping } from '../../server/src/engine/mapping';
import type { EventRecord } from '../../server/src/engine/types';

/** One `[[queries]]` entry. */
export interface SpecCase {
  file: string;
  /** `name`, else `note`, else the 1-based position (as `BaseEqlSpecTestCase.asArray`). */
  name: string;
  query: string;
  /** Alternatives: the result must equal one of them. */
  expected: number[][];
  joinKeys?: string[];
  size?: number;
  maxSamplesPerKey?: number;
  /**
   * `case_insensitive = true` without `case_sensitive = true`: `EqlSpecLoader` marks such a case as
   * meant only for the case-insensitive mode of the removed `case_sensitive` request parameter.
   */
  caseInsensitiveOnly: boolean;
}

/** An index of the QA: its events, mapping and the request fields its test case class sends. */
export interface Dataset {
  name: string;
  events: EventRecord[];
  mapping: FieldMapping;
  tiebreakerField?: string;
  /** Field holding the id compared with `expected_event_ids` (`idField()` of the test case). */
  idField: string;
}

/** Milliseconds from 1601-01-01 (Windows FILETIME epoch) to 1970-01-01 (`DataLoader.FILETIME_EPOCH_DIFF`). */
const FILETIME_EPOCH_DIFF = 11644473600000;
/** FILETIME ticks (100 ns) per millisecond. */
const FILETIME_ONE_MILLISECOND = 10_000;

/** `DataLoader.timestampToUnixMillis`: `@timestamp` from the FILETIME `timestamp` (integer division). */
export function filetimeToUnixMillis(filetime: number | bigint): number {
  const ticks = typeof filetime === 'bigint' ? filetime : BigInt(Math.round(filetime));
  return Number(ticks / BigInt(FILETIME_ONE_MILLISECOND)) - FILETIME_EPOCH_DIFF;
}

/** Reads a `.data` / `.json` file: a JSON array, `//` comment lines removed. */
export function readDataFile(path: string): Array<Record<string, unknown>> {
  const text = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
  // FILETIME values exceed 2^53: keep the `timestamp` digits exact by quoting them before parsing.
  const safe = text.replace(/("timestamp"\s*:\s*)(\d{16,})/g, '$1"$2"');
  const data = JSON.parse(safe) as unknown;
  if (!Array.isArray(data)) throw new Error(`${path}: expected a JSON array of events`);
  return data as Array<Record<string, unknown>>;
}

/** Reads mapping files (`#` comment lines removed) and merges their `properties` (multi-index searches). */
export function readMappings(paths: string[], additions: Array<Record<string, unknown>> = []): FieldMapping {
  const merged: Record<string, unknown> = {};
  const mergeInto = (target: Record<string, unknown>, source: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(source)) {
      const t = target[k];
      if (k === 'format' && typeof t === 'string' && typeof v === 'string' && !t.split('||').includes(v)) {
        // Two indices mapping one date field with different formats: a search over both reads
        // each document with its own index's format; one mapping expresses that as `a||b`.
        target[k] = `${t}||${v}`;
      } else if (t && typeof t === 'object' && v && typeof v === 'object' && !Array.isArray(v)) {
        mergeInto(t as Record<string, unknown>, v as Record<string, unknown>);
      } else if (t === undefined) {
        target[k] = v;
      }
    }
  };
  for (const path of paths) {
    const text = readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
    const json = JSON.parse(text) as { properties?: Record<string, unknown> };
    mergeInto(merged, json.properties ?? {});
  }
  for (const extra of additions) mergeInto(merged, extra);
  return loadMapping({ properties: merged });
}

function toEvents(file: string, docs: Array<Record<string, unknown>>, transform?: (doc: Record<string, unknown>) => void): EventRecord[] {
  return docs.map((doc, i) => {
    transform?.(doc);
    // `line` is the 1-based position in the array (the files are pretty-printed JSON, not NDJSON).
    return { doc, source: { file, line: i + 1 } };
  });
}

/**
 * The endgame-140 index: `test_data.json` with `@timestamp` derived from FILETIME (`DataLoader`).
 * Fields the mapping file does not list are mapped the way Elasticsearch's dynamic mapping would.
 */
export function endgameDataset(dir: string, mappingPath: string, dataFile = 'test_data.json'): Dataset {
  const docs = readDataFile(join(dir, dataFile));
  const events = toEvents(dataFile, docs, (doc) => {
    const ts = doc.timestamp;
    if (typeof ts === 'string' && /^\d+$/.test(ts)) {
      doc['@timestamp'] = filetimeToUnixMillis(BigInt(ts));
      doc.timestamp = Number(ts);
    } else if (typeof ts === 'number') {
      doc['@timestamp'] = filetimeToUnixMillis(ts);
    }
  });
  return {
    name: 'endgame-140',
    events,
    mapping: inferMapping(docs, readMappings([mappingPath])),
    tiebreakerField: 'serial_event_id',
    idField: 'serial_event_id',
  };
}

/**
 * Mapping fields missing from an older snapshot of a mapping file but present at the commit of the
 * spec file that uses them. `extra.mapping` here comes from commit b30f439; test_extra.toml (commit
 * 30093aa) relies on `version` (type `version`) and `date_tags` (type `date`), which Elasticsearch's
 * extra.mapping declares from commit 1a009ea2 on (x-pack/plugin/eql/qa/common/src/main/resources/data/extra.mapping).
 */
export const MAPPING_ADDITIONS: Readonly<Record<string, Record<string, unknown>>> = {
  extra: { version: { type: 'version' }, date_tags: { type: 'date' } },
};

/** An index loaded as is from `<name>.data` / `<name>.mapping` (several names: a multi-index search). */
export function plainDataset(dir: string, names: string[], tiebreakerField: string | undefined, idField: string): Dataset {
  const events: EventRecord[] = [];
  for (const n of names) events.push(...toEvents(`${n}.data`, readDataFile(join(dir, `${n}.data`))));
  return {
    name: names.join(','),
    events,
    mapping: inferMapping(
      events.map((e) => e.doc),
      readMappings(
        names.map((n) => join(dir, `${n}.mapping`)),
        names.map((n) => MAPPING_ADDITIONS[n] ?? {}),
      ),
    ),
    tiebreakerField,
    idField,
  };
}

function asIds(list: unknown[]): number[] {
  return list.map((x) => Number(x));
}

/**
 * Reads a spec file with smol-toml. Elasticsearch's TOML reader accepts a bare `null` inside
 * `join_keys` arrays, which TOML does not: such values are read as the string `"null"`, which is
 * what the harness compares them with (`BaseEqlSpecTestCase.assertJoinKeys` stringifies keys).
 */
export function readSpecFile(path: string, file: string): SpecCase[] {
  const text = readFileSync(path, 'utf8').replace(/^(\s*join_keys\s*=\s*\[[^\]]*\])/gm, (m) =>
    m.replace(/(?<=[[,\s])null(?=\s*[,\]])/g, '"null"'),
  );
  const toml = parseToml(text) as { queries?: Array<Record<string, unknown>> };
  return (toml.queries ?? []).map((q, i) => {
    const raw = (q.expected_event_ids ?? []) as unknown[];
    const expected = raw.length > 0 && raw.every(Array.isArray) ? raw.map((r) => asIds(r as unknown[])) : [asIds(raw)];
    const name = (typeof q.name === 'string' && q.name.trim()) || (typeof q.note === 'string' && q.note.trim()) || `#${i + 1}`;
    return {
      file,
      name,
      query: String(q.query ?? '').trim(),
      expected,
      joinKeys: Array.isArray(q.join_keys) ? (q.join_keys as unknown[]).map((k) => String(k)) : undefined,
      size: typeof q.size === 'number' ? q.size : undefined,
      maxSamplesPerKey: typeof q.max_samples_per_key === 'number' ? q.max_samples_per_key : undefined,
      caseInsensitiveOnly: q.case_insensitive === true && q.case_sensitive !== true,
    };
  });
}

/**
 * Entries of test_queries_unsupported.toml that the file's own comment describes as supported
 * queries: they run as ordinary test_queries.toml cases.
 */
export const SUPPORTED_DESPITE_LISTING: ReadonlySet<string> = new Set(['twoSequencesWithKeys', 'twoSequencesWithTwoKeys']);

/**
 * The queries the QA harness drops from the other spec files: those of the entries of
 * test_queries_unsupported.toml (`EqlSpec.equals` compares queries, not names), except
 * {@link SUPPORTED_DESPITE_LISTING}.
 *
 * @param unsupported the entries of test_queries_unsupported.toml, as {@link readSpecFile} reads them.
 * @returns their queries, trimmed as {@link readSpecFile} trims them.
 */
export function unsupportedQueries(unsupported: ReadonlyArray<Pick<SpecCase, 'name' | 'query'>>): Set<string> {
  return new Set(unsupported.filter((u) => !SUPPORTED_DESPITE_LISTING.has(u.name)).map((u) => u.query.trim()));
}
