/**
 * Texts of the explanations in the editor (`client/src/replay/explainFormat.ts`): the stage-count
 * hints, the hover of a sample line and the "Why not?" tree, on explanations the engine computes
 * for the repository's samples. Counts and reasons are the hand-worked ones of `samples/README.md`
 * and `test/unit/engine/explain.test.ts` (6 of 15 network events pass stage 1, 9 of 17 process
 * events pass stage 2; 4 partial sequences, all expired; 5 unmatched events).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { eventHoverMarkdown, escapeMarkdown, stageCountHint, whyNotTree } from '../../client/src/replay/explainFormat';
import { analyze } from '../../server/src/eql/analyze';
import { explainEventInReplay } from '../../server/src/engine/eventExplanation';
import { explainReplay, type StageStats } from '../../server/src/engine/explain';
import type { EventRecord } from '../../server/src/engine/types';
import { parseNdjsonText } from '../../server/src/samples/ndjson';
import { ROOT } from './lspTestClient';

const LOGS = ['samples/logs/endpoint/win-dc01.ndjson', 'samples/logs/endpoint/wks-07.jsonl', 'samples/logs/linux/web01.ndjson', 'samples/logs/winlogbeat/sysmon-srv-app02.ndjson'];

function samples() {
  const events: EventRecord[] = [];
  for (const f of LOGS) for (const e of parseNdjsonText(readFileSync(path.join(ROOT, f), 'utf8'), f).events) events.push(e);
  const statement = analyze(readFileSync(path.join(ROOT, 'samples/rules/incoming_execution_via_powershell_remoting.eql'), 'utf8')).statement!;
  return { statement, events };
}

/** Markdown back to text: escapes removed. */
const plain = (md: string) => md.replace(/\\([\\`*_{}[\]()#+\-.!|<>~$])/g, '$1');

describe('explanation texts', () => {
  it('stage counts: events of the category and how many passed; any and until', () => {
    const base: StageStats = { stage: 0, category: 'network', events: 36, passedCategory: 15, passed: 6, terms: [], nearMisses: [] };
    assert.equal(stageCountHint(base), '15 network events · 6 passed');
    assert.equal(stageCountHint({ ...base, category: null, passed: 2 }), '36 events · 2 passed');
    assert.equal(stageCountHint({ ...base, stage: -1, category: 'file', passedCategory: 3, passed: 1 }), 'until: 3 file events · 1 passed');
    assert.equal(stageCountHint({ ...base, passedCategory: 1, passed: 0 }), '1 network event · 0 passed');
  });

  it('hover of win-dc01:5: stage 1 is another category; stage 2 lists every condition with values and the one that failed', () => {
    const { statement, events } = samples();
    const e = explainEventInReplay(statement, events, { file: LOGS[0], line: 5 })!;
    const md = eventHoverMarkdown(e, 'rule.eql');
    const text = plain(md);
    assert.match(text, /^\*\*Why\?\*\* win-dc01\.ndjson:5 against rule\.eql/);
    assert.match(text, /\*\*Stage 1\*\* `\[network where …\]` — \$\(error\) not passed\n\n- \$\(close\) event\.category is "process", not "network"/);
    assert.match(text, /- \$\(check\) `host\.os\.type == "windows"` — host\.os\.type = "windows"/);
    assert.match(text, /- \$\(check\) `event\.type == "start"` — event\.type = "start"/);
    assert.match(text, /- \$\(close\) `process\.parent\.name : "wsmprovhost\.exe"` — process\.parent\.name = "svchost\.exe"\s+\*process\.parent\.name is "svchost\.exe", not "wsmprovhost\.exe"\*/);
    assert.match(text, /- join key: host\.id=a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60/);
    assert.match(text, /\*\*In the replay\*\*\n\n- a sequence of host\.id="a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60" started at samples\/logs\/endpoint\/win-dc01\.ndjson:4 \(907 ms before\)/);
  });

  it('hover: a not (…) term shows the values of the field it reads (win-dc01:14 runs ipconfig.exe)', () => {
    const { statement, events } = samples();
    const text = plain(eventHoverMarkdown(explainEventInReplay(statement, events, { file: LOGS[0], line: 14 })!, 'r'));
    assert.match(text, /- \$\(check\) `not process\.executable : "\?:\\+Windows\\+System32\\+conhost\.exe"` — process\.executable = "C:\\+Windows\\+System32\\+ipconfig\.exe"/);
  });

  it('hover: an absent field is marked null, not false', () => {
    const { statement, events } = samples();
    const text = plain(eventHoverMarkdown(explainEventInReplay(statement, events, { file: LOGS[3], line: 2 })!, 'r'));
    assert.match(text, /- \$\(circle-slash\) `network\.protocol == "http"` — network\.protocol absent/);
  });

  it('Markdown escaping keeps EQL wildcards and backslashes literal', () => {
    assert.equal(escapeMarkdown('a*b_c\\d'), 'a\\*b\\_c\\\\d');
  });

  it('Why not? tree of the sample replay: stages, near misses opening events, partial sequences, unmatched events', () => {
    const { statement, events } = samples();
    const tree = whyNotTree(explainReplay(statement, events));
    assert.deepEqual(
      tree.map((n) => [n.label, n.description]),
      [
        ['Stage 1 [network]', '6 of 15 network events passed'],
        ['Stage 2 [process]', '9 of 17 process events passed'],
        ['Partial sequences', '4 sequences never completed: 4 expired'],
        ['Passed a stage with nothing waiting', '5 events'],
      ],
    );
    const nearMisses = tree[0].children!.find((c) => c.label.startsWith('Near misses'))!;
    // Fewest failing terms first: the one-term misses (README: win-dc01:8, wks-07:2, wks-07:4, sysmon:2) before the two-term ones.
    assert.deepEqual(
      nearMisses.children!.slice(0, 4).map((m) => [m.label, m.open]),
      [
        ['win-dc01.ndjson:8', { uri: LOGS[0], line: 8 }],
        ['wks-07.jsonl:2', { uri: LOGS[1], line: 2 }],
        ['wks-07.jsonl:4', { uri: LOGS[1], line: 4 }],
        ['sysmon-srv-app02.ndjson:2', { uri: LOGS[3], line: 2 }],
      ],
    );
    const dc12 = tree[2].children!.find((p) => p.children?.some((c) => c.label === 'win-dc01.ndjson:12'));
    assert.ok(dc12, 'the partial sequence of win-dc01:12');
    // win-dc01:14 came 31 s after line 12: 1 s beyond maxspan 30 s.
    assert.equal(dc12.label, 'expired after stage 1 of 2');
    assert.equal(dc12.description, 'a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60 · expired: stage 2 came 31 s after the first event (win-dc01.ndjson:14), beyond maxspan 30 s by 1 s');
    // win-dc01:10 started a sequence; line 11 (800 ms later, same host) is conhost.exe, which stage 2
    // excludes: its join key is the partial sequence's own, so it is not repeated.
    const dc10 = tree[2].children!.find((p) => p.children?.some((c) => c.label === 'win-dc01.ndjson:10'))!;
    assert.deepEqual(
      dc10.children!.map((c) => [c.label, c.description]),
      [
        ['win-dc01.ndjson:10', 'stage 1'],
        ['win-dc01.ndjson:11', 'same join key, stage 2 category, condition failed · 800 ms after the first event · not true: not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"'],
      ],
    );
    // win-dc01:15 started a sequence; wks-07:12 (3 s later) passed stage 2 for another host: its key is named.
    const dc15 = tree[2].children!.find((p) => p.children?.some((c) => c.label === 'win-dc01.ndjson:15'))!;
    assert.deepEqual(dc15.children![1].description, 'passed stage 2 under another join key · 3 s after the first event · join key 5e0b9d2a-8c47-4a1e-b3f6-2d7c9e1a4b80');
  });

  it('an or block is broken down into its branches', () => {
    const statement = analyze('process where process.name == "a" or process.parent.name == "b"').statement!;
    const events: EventRecord[] = [
      { doc: { '@timestamp': 1, event: { category: 'process' }, process: { name: 'x' } }, source: { file: 'file:///t.ndjson', line: 1 } },
    ];
    const [stage] = whyNotTree(explainReplay(statement, events));
    const terms = stage.children!.find((c) => c.label.startsWith('Terms'))!;
    assert.deepEqual(terms.children![0].children!.map((b) => [b.label, b.description]), [
      ['process.name == "a"', 'branch not true for 1'],
      ['process.parent.name == "b"', 'branch not true for 1 · process.parent.name absent in 1'],
    ]);
  });
});
