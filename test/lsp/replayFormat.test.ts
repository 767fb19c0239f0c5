/**
 * The texts the client shows for a replay (CodeLens, decorations, results view), from
 * `client/src/replay/format.ts`. Expected strings are the ones specified for the extension's UI
 * (e.g. `◀ sequence 2 · stage 1/2 · host.id=abc`, `Sequence 1 — host.id=abc`,
 * `stage 1 · file.ndjson:12`), applied by hand to the inputs below.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decorationCapNote,
  decorationText,
  eventDescription,
  eventLabel,
  eventMatchLabel,
  fileNameOfUri,
  formatCount,
  formatGap,
  formatJoinKeys,
  formatTimestamp,
  malformedLineColumn,
  matchLabel,
  noSamplesLensTitle,
  queryStartOffset,
  REPLAY_LENS_TITLE,
  REPLAYING_LENS_TITLE,
  replayLensTitle,
  replaySummary,
  staleLensTitle,
  staleMessage,
  timestampRange,
} from '../../client/src/replay/format';
import type { ReplayMatch } from '../../server/src/protocol';

const sequence: ReplayMatch = {
  type: 'sequence',
  joinKeys: ['abc'],
  stageCount: 2,
  events: [
    { uri: 'file:///w/logs/file.ndjson', line: 12, stage: 0, missing: false, joinKeyFields: ['host.id'], timestamp: '2024-05-14T09:14:02.113Z', category: 'network', action: 'connection_accepted', processName: 'System' },
    { uri: 'file:///w/logs/file.ndjson', line: 14, stage: 1, missing: false, joinKeyFields: ['host.id'], timestamp: '2024-05-14T09:14:04.520Z', category: 'process', action: 'start', processName: 'whoami.exe' },
  ],
};

const eventMatch: ReplayMatch = {
  type: 'event',
  stageCount: 1,
  events: [{ uri: 'file:///w/a%20b.jsonl', line: 3, stage: 0, missing: false, timestamp: 1715681440900, category: 'process' }],
};

describe('replay texts', () => {
  it('CodeLens titles before and after a replay', () => {
    assert.equal(REPLAY_LENS_TITLE, '▶ Replay on samples');
    assert.equal(replaySummary([sequence, sequence], 3), '2 sequences matched in 3 sample files');
    assert.equal(replaySummary([sequence], 1), '1 sequence matched in 1 sample file');
    assert.equal(replaySummary([eventMatch, eventMatch, eventMatch], 2), '3 events matched in 2 sample files');
    assert.equal(replaySummary([{ ...sequence, type: 'sample' }], 2), '1 sample matched in 2 sample files');
    assert.equal(replaySummary([], 4), 'No matches in 4 sample files');
    assert.equal(replaySummary([], 0), 'No matches in 0 sample files');
  });

  it('CodeLens titles: current (with ▶), running, out of date, no sample files; counts with thousands separators', () => {
    assert.equal(replayLensTitle(replaySummary([sequence, sequence], 4)), '▶ 2 sequences matched in 4 sample files');
    assert.equal(REPLAYING_LENS_TITLE, '$(sync~spin) Replaying…');
    assert.equal(
      staleLensTitle('rule', replaySummary([sequence, sequence, sequence], 6)),
      '▶ Replay again — rule changed (last: 3 sequences matched in 6 sample files)',
    );
    assert.equal(staleLensTitle('samples', 'No matches in 1 sample file'), '▶ Replay again — samples changed (last: No matches in 1 sample file)');
    assert.equal(staleLensTitle('settings', 'x'), '▶ Replay again — settings changed (last: x)');
    assert.equal(noSamplesLensTitle('logs/**/*.ndjson'), '▶ No sample files match "logs/**/*.ndjson"');
    assert.equal(formatCount(113636), '113,636');
    assert.equal(formatCount(999), '999');
    assert.equal(replaySummary(Array.from({ length: 1234 }, () => eventMatch), 12345), '1,234 events matched in 12,345 sample files');
  });

  it('results-view notes: out of date, decorations capped', () => {
    assert.equal(staleMessage('samples'), 'Out of date: the sample files changed since this replay; replay again.');
    assert.equal(staleMessage('rule'), 'Out of date: the rule changed since this replay; replay again.');
    assert.equal(
      decorationCapNote(1000, 12000, 'big.ndjson'),
      'Only the first 1,000 matched lines of each sample file are decorated (most: 12,000 in big.ndjson).',
    );
  });

  it('the column of a malformed-line message (1-based in the text, 0-based out)', () => {
    assert.equal(malformedLineColumn("invalid JSON: Expected ',' or '}' after property value at column 143"), 142);
    assert.equal(malformedLineColumn('invalid UTF-8 (byte 0xE9) at column 4; the event is kept'), 3);
    assert.equal(malformedLineColumn('not a JSON object (found an array); each line must hold one event document'), undefined);
  });

  it('decoration of a matched event: which match, which stage of how many, the join key, the gap, epoch times as ISO', () => {
    assert.equal(decorationText(sequence, 1, sequence.events[0]), 'sequence 2 · stage 1/2 · host.id=abc');
    // 09:14:04.520 − 09:14:02.113 = 2.407 s, shown to one decimal.
    assert.equal(decorationText(sequence, 0, sequence.events[1]), 'sequence 1 · stage 2/2 · host.id=abc · +2.4 s');
    // 1715681440900 ms after the Unix epoch is 2024-05-14T10:10:40.900Z.
    assert.equal(decorationText(eventMatch, 2, eventMatch.events[0]), 'event 3 · 2024-05-14T10:10:40.900Z');
    const twoKeys: ReplayMatch = { ...sequence, joinKeys: ['h1', null], events: [{ ...sequence.events[0], joinKeyFields: ['host.id', 'user.name'] }] };
    assert.equal(decorationText(twoKeys, 0, twoKeys.events[0]), 'sequence 1 · stage 1/2 · host.id=h1, user.name=null');
    // wks-07.jsonl 7 → 9 of samples/README.md: 1715681415250 → 1715681440900 = 25.65 s.
    const epoch: ReplayMatch = {
      ...sequence,
      events: [
        { ...sequence.events[0], timestamp: 1715681415250 },
        { ...sequence.events[1], timestamp: 1715681440900 },
      ],
    };
    assert.equal(decorationText(epoch, 1, epoch.events[1]), 'sequence 2 · stage 2/2 · host.id=abc · +25.6 s · 2024-05-14T10:10:40.900Z');
  });

  it('gaps between stages', () => {
    assert.deepEqual([800, 2407, 59_949, 120_000, 150_000, 3_900_000, -1500].map(formatGap), ['+800 ms', '+2.4 s', '+59.9 s', '+2 min', '+2 min 30 s', '+1 h 5 min', '-1.5 s']);
  });

  it('results-view labels and descriptions', () => {
    assert.equal(matchLabel(sequence, 0), 'Sequence 1 — host.id=abc');
    assert.equal(matchLabel(eventMatch, 4), 'Event 5');
    assert.equal(timestampRange(sequence), '2024-05-14T09:14:02.113Z → 2024-05-14T09:14:04.520Z');
    // 1715681440900 ms after the Unix epoch is 2024-05-14T10:10:40.900Z (1715681440 s = 19857 days + 36640 s).
    assert.equal(timestampRange(eventMatch), '2024-05-14T10:10:40.900Z');
    assert.equal(eventLabel(sequence, sequence.events[0]), 'stage 1 · file.ndjson:12');
    assert.equal(eventLabel(eventMatch, eventMatch.events[0]), 'a b.jsonl:3');
    assert.equal(eventLabel(sequence, { uri: '', line: 0, stage: 1, missing: true }), 'stage 2 · missing event');
    assert.equal(eventDescription(sequence.events[1]), 'process · start · whoami.exe');
    assert.equal(eventDescription(eventMatch.events[0]), 'process');
    // An event-query match is one row: where, then what.
    assert.equal(eventMatchLabel({ ...sequence.events[1], uri: 'file:///w/win-dc01.ndjson', line: 6 }), 'win-dc01.ndjson:6 · process · start · whoami.exe');
    assert.equal(eventMatchLabel({ uri: 'file:///w/a%20b.jsonl', line: 3, stage: 0, missing: false }), 'a b.jsonl:3');
  });

  it('small formatting rules', () => {
    assert.equal(formatJoinKeys(['a'], [42]), 'a=42');
    assert.equal(formatJoinKeys(undefined, ['x']), 'key1=x');
    assert.equal(formatJoinKeys(['a'], []), '');
    assert.equal(formatTimestamp('not a date'), 'not a date');
    assert.equal(formatTimestamp(0), '1970-01-01T00:00:00.000Z');
    assert.equal(fileNameOfUri('file:///c%3A/logs/x.ndjson'), 'x.ndjson');
  });

  it('finds where the query starts after comments (EqlBase.g4: LINE_COMMENT, BRACKETED_COMMENT)', () => {
    assert.equal(queryStartOffset('process where true'), 0);
    assert.equal(queryStartOffset('// rule\n  /* a\n b */\nsequence'), 21); // 8 + 12 + 1
    assert.equal(queryStartOffset('\r\n// only a comment'), 19);
    assert.equal(queryStartOffset('/* unterminated'), 15);
    // Block comments nest in EqlBase.g4 (`BRACKETED_COMMENT: '/*' (BRACKETED_COMMENT|.)*? '*/'`): the
    // first `*/` closes only the inner comment, so `still comment */` is part of the outer one and the
    // query starts on the next line, at offset 38 (the comment is 37 characters, then `\n`).
    const nested = '/* outer /* inner */ still comment */\nprocess where true';
    assert.equal(nested.indexOf('process'), 38);
    assert.equal(queryStartOffset(nested), 38);
    assert.equal(queryStartOffset('/* a /* b */ c */ // d\n  any where true'), 25);
  });
});

it('values from the samples are shown safely in labels: format characters escaped, values with spaces, = or , quoted', async () => {
  const { formatKeyValue, formatJoinKeys, eventDescription, fileNameOfUri } = await import('../../client/src/replay/format');
  assert.equal(formatKeyValue('h1'), 'h1');
  assert.equal(formatKeyValue('a\u200bb\u202e'), 'a\\u200bb\\u202e');
  assert.equal(formatJoinKeys(['host.id', 'user.name'], ['abc, user.name=root', 'bob']), 'host.id="abc, user.name=root", user.name=bob');
  assert.equal(formatKeyValue(''), '""');
  assert.equal(eventDescription({ category: 'process', processName: 'x\u061cy' } as never), 'process · x\\u061cy');
  assert.equal(fileNameOfUri('file:///w/a%E2%80%AEtxt.ndjson'), 'a\\u202etxt.ndjson');
});
