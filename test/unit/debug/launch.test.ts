/**
 * Launch attributes of the replay debugger: a detection-rules TOML file's own EQL request options
 * (Kibana sends the rule's `timestamp_override`, `tiebreaker_field` and `event_category_override` to
 * `_eql/search` as `timestamp_field`, `tiebreaker_field`, `event_category_field`), and their precedence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LaunchError, prepareReplay } from '../../../server/src/debug/launch';

const root = join(__dirname, '../../..');

const TOML = `[rule]
type = "eql"
language = "eql"
event_category_override = "event.type"
tiebreaker_field = "event.sequence"
timestamp_override = "event.ingested"
query = '''
any where true
'''
`;

test('prepareReplay: launch attributes win over the TOML rule, which wins over the defaults', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eql-launch-'));
  try {
    const rule = join(dir, 'rule.toml');
    writeFileSync(rule, TOML);
    const samples = [join(root, 'samples/logs')];
    const fromToml = await prepareReplay({ rule, samples });
    assert.deepEqual(fromToml.options, { timestampField: 'event.ingested', tiebreakerField: 'event.sequence', eventCategoryField: 'event.type' });
    const given = await prepareReplay({ rule, samples, timestampField: '@timestamp', eventCategoryField: 'event.category' });
    assert.deepEqual(given.options, { timestampField: '@timestamp', tiebreakerField: 'event.sequence', eventCategoryField: 'event.category' });
    const eql = await prepareReplay({ rule: join(root, 'samples/rules/incoming_execution_via_powershell_remoting.eql') });
    // Default samples: the folder above the rule's folder (samples/), logs-broken's truncated line skipped.
    assert.deepEqual(eql.options, { timestampField: '@timestamp', tiebreakerField: undefined, eventCategoryField: 'event.category' });
    assert.equal(eql.files.length, 5);
    assert.ok(eql.notes.some((n) => /defend-truncated-line\.ndjson:2: invalid JSON/.test(n)), eql.notes.join('\n'));
    for (const p of [fromToml, given, eql]) p.index.close();
    await assert.rejects(prepareReplay({ rule: '' }), LaunchError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
