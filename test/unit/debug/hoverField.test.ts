/**
 * The field name the debugger's hover evaluates in a rule: EQL's dotted names whole up to the
 * hovered segment, never a string, keyword, function, event category, pipe, `runs` or time unit.
 * Columns are counted by hand in `samples/rules/` (0-based, as VS Code positions).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hoverFieldAt } from '../../../server/src/debug/hoverField';
import { ruleFromEql, ruleFromToml, type RuleSource } from '../../../server/src/samples/ruleFile';

const rules = join(__dirname, '../../../samples/rules');
const EQL_PATH = join(rules, 'incoming_execution_via_powershell_remoting.eql');
const TOML_PATH = join(rules, 'incoming_execution_via_powershell_remoting.toml');

/** What is hovered at 0-based `line`, `column`: `line:start-end expression`, or undefined. */
function hover(rule: RuleSource, line: number, column: number): string | undefined {
  const lines = rule.fileText.split('\n');
  const offset = lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + column;
  const hit = hoverFieldAt(rule, offset);
  if (!hit) return undefined;
  const lineStart = lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0);
  assert.equal(rule.fileText.slice(hit.start, hit.end), hit.expression);
  return `${line}:${hit.start - lineStart}-${hit.end - lineStart} ${hit.expression}`;
}

test('a dotted field name in an .eql rule, up to the hovered segment', () => {
  const rule = ruleFromEql(EQL_PATH, readFileSync(EQL_PATH, 'utf8'));
  // Line 0: `sequence by host.id with maxspan = 30s`.
  assert.equal(hover(rule, 0, 17), '0:12-19 host.id');
  assert.equal(hover(rule, 0, 12), '0:12-16 host');
  // Line 4: `    event.type == "start" and process.parent.name : "wsmprovhost.exe" and …`.
  assert.equal(hover(rule, 4, 45), '4:30-49 process.parent.name');
  assert.equal(hover(rule, 4, 48), '4:30-49 process.parent.name');
  assert.equal(hover(rule, 4, 40), '4:30-44 process.parent');
  assert.equal(hover(rule, 4, 5), '4:4-9 event');
  assert.equal(hover(rule, 4, 12), '4:4-14 event.type');
});

test('no field: keywords, the event category, strings, operators, time units', () => {
  const rule = ruleFromEql(EQL_PATH, readFileSync(EQL_PATH, 'utf8'));
  assert.equal(hover(rule, 0, 0), undefined); // sequence
  assert.equal(hover(rule, 0, 26), undefined); // maxspan
  assert.equal(hover(rule, 0, 37), undefined); // the `s` of 30s
  assert.equal(hover(rule, 3, 5), undefined); // [process where
  assert.equal(hover(rule, 4, 55), undefined); // "wsmprovhost.exe"
  assert.equal(hover(rule, 4, 50), undefined); // :
  assert.equal(hover(rule, 4, 37), undefined); // the dot itself
});

test('in a detection-rules TOML file, only inside the query', () => {
  const read = ruleFromToml(TOML_PATH, readFileSync(TOML_PATH, 'utf8'));
  assert.ok(read.rule);
  // The query's line 5 is the file's line 29 (0-based 28), the same text as in the .eql file.
  assert.equal(hover(read.rule, 28, 45), '28:30-49 process.parent.name');
  assert.equal(hover(read.rule, 24, 17), '24:12-19 host.id');
  assert.equal(hover(read.rule, 23, 1), undefined); // query = '''
  assert.equal(hover(read.rule, 1, 1), undefined);
});

test('functions, pipes, runs and quoted names', () => {
  const text = 'sequence\n  [process where length(process.name) > 3 and `my field`.x == 1] with runs=2\n  [any where true]\n| head 5';
  const rule = ruleFromEql('inline.eql', text);
  assert.equal(hover(rule, 1, 18), undefined); // length(
  assert.equal(hover(rule, 1, 35), '1:24-36 process.name');
  assert.equal(hover(rule, 1, 57), '1:46-58 `my field`.x');
  assert.equal(hover(rule, 1, 49), '1:46-56 `my field`');
  assert.equal(hover(rule, 1, 72), undefined); // runs
  assert.equal(hover(rule, 3, 3), undefined); // head
  assert.equal(hover(rule, 3, 7), undefined); // 5
});
