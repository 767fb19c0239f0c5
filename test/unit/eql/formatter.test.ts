/**
 * The formatter (server/src/eql/formatter.ts): the layout of Elastic's prebuilt rules, worked by
 * hand on small inputs; and, over every query of Elasticsearch's conformance specs and every
 * prebuilt rule in `../shared` (skipped with a message when absent), that formatting changes
 * whitespace only (the text parses to the same tree) and that formatting twice changes nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { applyWhitespaceEdits, formatEdits, formatQuery } from '../../../server/src/eql/formatter';
import { parse } from '../../../server/src/eql/parser';
import { readRuleFile } from '../../../server/src/samples/ruleFile';
import { strip } from './treeCompare';

describe('formatter', () => {
  it('lays a sequence out as Elastic\'s rules do', () => {
    assert.equal(
      formatQuery('sequence   by host.id   with maxspan = 3s [process where host.os.type=="linux" and\nprocess.name in ( "bash","dash" ) and not (a like "x" and\nb : "y")\n] by process.entity_id [network where cidrmatch ( destination.ip , "10.0.0.0/8" )] until [process where true]|head 5'),
      [
        'sequence by host.id with maxspan=3s',
        '  [process where host.os.type == "linux" and',
        '   process.name in ("bash", "dash") and not (a like "x" and',
        // After a `(` followed by more on its line, the next line continues under the first term, as in
        // defense_evasion_ml_suspicious_windows_event_low_probability and discovery_full_disk_access_check.
        '                                             b : "y")',
        '  ] by process.entity_id',
        '  [network where cidrmatch(destination.ip, "10.0.0.0/8")]',
        'until [process where true]',
        '| head 5',
      ].join('\n'),
    );
  });

  it('indents the continuation of an event query by 2, keeps comments, unary signs and units', () => {
    assert.equal(formatQuery('process where a == -1 and\n      b : "x"   // why\n and c == 1\n'), 'process where a == -1 and\n  b : "x" // why\n  and c == 1\n');
    assert.equal(formatQuery('sample by host.id [a where true]  [b where true] with runs=2'), 'sample by host.id\n  [a where true]\n  [b where true] with runs=2');
    assert.equal(formatQuery('sequence with maxspan=5m [a where ?x.y == 1] [b where `a b`.c != 2]'), 'sequence with maxspan=5m\n  [a where ?x.y == 1]\n  [b where `a b`.c != 2]');
  });

  it('never joins tokens that would lex differently', () => {
    // `= =` is not `==`, `- -1` is not `--1`: the space stays.
    for (const q of ['process where a = = 1', 'process where a == - -1', 'process where a - -1 == 2']) {
      assert.deepEqual(strip(parse(formatQuery(q)).statement), strip(parse(q).statement), q);
    }
  });

  it('indents the lines inside a bracket that ends its line by 2, and its closer like the line that opened it', () => {
    // The layout of privilege_escalation_sudoers_file_mod and exfiltration_potential_data_splitting_for_exfiltration.
    assert.equal(
      formatQuery('file where a == 1 and\nb : (\n"x", "y"\n    ) and not (\n      c == 1 or d in (\n"z"\n)\n )'),
      'file where a == 1 and\nb : (\n  "x", "y"\n) and not (\n  c == 1 or d in (\n    "z"\n  )\n)',
    );
    assert.equal(
      formatQuery('file where a == 1 and\n (\n(b == 1 or\nc == 2) and\n d == 3\n)'),
      'file where a == 1 and\n  (\n    (b == 1 or\n     c == 2) and\n    d == 3\n  )',
    );
    // Inside a stage, a hanging `(` indents from the stage's continuation column (3), not from its `[`.
    assert.equal(
      formatQuery('sequence [process where a == 1 and not b in (\n"x"\n)\n]\n[file where true]'),
      'sequence\n  [process where a == 1 and not b in (\n     "x"\n   )\n  ]\n  [file where true]',
    );
  });

  it('formats a range only, aligning with the lines around it as they are', () => {
    const text = 'process where a==1 and\n b==2';
    assert.equal(applyWhitespaceEdits(text, formatEdits(text, { start: 20, end: text.length })), 'process where a==1 and\n  b == 2');
    // The line holding the `(` lies outside the range: the continued line aligns with the `(` where it is.
    const t2 = 'process where a  ==  1 and (b == 1 or\nc == 2)';
    assert.equal(applyWhitespaceEdits(t2, formatEdits(t2, { start: t2.indexOf('\n'), end: t2.length })), 'process where a  ==  1 and (b == 1 or\n                            c == 2)');
  });

  it('keeps comments before the query and the query itself at column 0', () => {
    assert.equal(formatQuery('// why\n  sequence by h\n[a where true]\n[b where true]\n'), '// why\nsequence by h\n  [a where true]\n  [b where true]\n');
    assert.equal(formatQuery('/* a */\n  process where true'), '/* a */\nprocess where true');
  });

  it('leaves a formatted text alone and an empty one empty', () => {
    const formatted = 'sequence by host.id with maxspan=1m\n  [process where true]\n  [network where true]\n';
    assert.deepEqual(formatEdits(formatted), []);
    assert.deepEqual(formatEdits(''), []);
    assert.deepEqual(formatEdits('  // only a comment\n'), [{ span: { start: 0, end: 2 }, text: '' }]);
  });
});

const CONFORMANCE = path.resolve(__dirname, '../../../../shared/conformance/elasticsearch');
const RULES = path.resolve(__dirname, '../../../../shared/detection-rules');

function sameTreeAndIdempotent(q: string, where: string): boolean {
  const before = parse(q);
  const formatted = formatQuery(q);
  const after = parse(formatted);
  assert.deepEqual(strip(after.statement), strip(before.statement), `${where}\n${q}\n---\n${formatted}`);
  assert.deepEqual(after.diagnostics.map((d) => d.message), before.diagnostics.map((d) => d.message), where);
  assert.equal(formatQuery(formatted), formatted, `${where}: not idempotent\n${formatted}`);
  return formatted !== q;
}

describe('formatter over the conformance specs', { skip: fs.existsSync(CONFORMANCE) ? false : 'shared conformance data not found at ../shared' }, () => {
  it('changes whitespace only and is idempotent for every query', () => {
    let n = 0;
    for (const f of fs.readdirSync(CONFORMANCE).filter((x) => x.endsWith('.toml'))) {
      const text = fs.readFileSync(path.join(CONFORMANCE, f), 'utf8').replace(/^(\s*join_keys\s*=)[^\]]*\]/gm, '$1 []');
      for (const q of (parseToml(text) as unknown as { queries: Array<{ query: string }> }).queries) {
        sameTreeAndIdempotent(q.query, f);
        n++;
      }
    }
    assert.ok(n > 400, `only ${n} queries checked`);
  });
});

describe('formatter over the prebuilt rules', { skip: fs.existsSync(RULES) ? false : 'prebuilt rules not found at ../shared/detection-rules' }, () => {
  it('changes whitespace only and is idempotent for every rule', async () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith('.toml')) files.push(path.join(d, e.name));
      }
    };
    walk(RULES);
    let changed = 0;
    for (const file of files) {
      const read = await readRuleFile(file);
      assert.ok(read.rule, file);
      if (sameTreeAndIdempotent(read.rule.query, file)) changed++;
    }
    assert.equal(files.length, 120);
    console.log(`prebuilt rules: ${files.length} formatted, ${changed} changed (whitespace only), all idempotent`);
  });

  // Rules written in the common layout, one per feature of it: continued event queries indented by 2
  // or flush, stages, `(` ending a line (lists, `and (`, `not (`), `(` followed by more (aligned
  // continuation), comments and blank lines inside lists.
  const CANONICAL = [
    'rules/_deprecated/execution_apt_binary.toml',
    'rules/cross-platform/privilege_escalation_sudoers_file_mod.toml',
    'rules/_deprecated/persistence_adobe_hijack_persistence.toml',
    'rules/integrations/cloud_defend/privilege_escalation_debugfs_launched_inside_a_privileged_container.toml',
    'rules/integrations/cloud_defend/execution_interactive_file_creation_followed_by_execution.toml',
    'rules/linux/command_and_control_cupsd_foomatic_rip_netcon.toml',
    'rules/linux/exfiltration_potential_data_splitting_for_exfiltration.toml',
    'rules/linux/persistence_yum_package_manager_plugin_file_creation.toml',
    'rules/macos/discovery_full_disk_access_check.toml',
    'rules/windows/discovery_adfind_command_activity.toml',
    'rules/windows/defense_evasion_proxy_execution_via_msdt.toml',
    'rules_building_block/lateral_movement_unusual_process_sql_accounts.toml',
  ];
  /** `q` with the indentation of each line made one space (or kept absent). */
  const flattenIndentation = (q: string): string => q.replace(/^[ \t]+(?=\S)/gm, ' ');

  it('leaves rules written in that layout unchanged, and restores it when their indentation is lost', async () => {
    for (const rel of CANONICAL) {
      const query = (await readRuleFile(path.join(RULES, rel))).rule!.query;
      assert.equal(formatQuery(query), query, rel);
      assert.notEqual(flattenIndentation(query), query, `${rel}: nothing to restore`);
      assert.equal(formatQuery(flattenIndentation(query)), query, rel);
    }
  });

  it('restores every rule it leaves unchanged from a copy with flattened indentation', async () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith('.toml')) files.push(path.join(d, e.name));
      }
    };
    walk(RULES);
    let unchanged = 0;
    for (const file of files) {
      const query = (await readRuleFile(file)).rule!.query;
      if (formatQuery(query) !== query) continue;
      unchanged++;
      assert.equal(formatQuery(flattenIndentation(query)), query, file);
    }
    console.log(`prebuilt rules already in the layout: ${unchanged} of ${files.length}`);
  });
});
