/**
 * ATT&CK hover and checks of `[[rule.threat]]` (server/src/services/attackThreat.ts and
 * attackNames.ts), over prebuilt rules of `../shared/detection-rules` (skipped with a message when
 * absent): names as the rules themselves write them, links in ATT&CK's URL scheme
 * (https://attack.mitre.org/tactics/TA0008/, /techniques/T1021/, /techniques/T1021/002/).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { AttackNameIndex } from '../../../server/src/services/attackNames';
import { attackDiagnostics, attackHover, attackQuickFixes, attackUrl } from '../../../server/src/services/attackThreat';
import { cursor } from './cursor';

const RULES = path.resolve(__dirname, '../../../../shared/detection-rules');
const WINLOG = path.join(RULES, 'rules/windows/lateral_movement_remote_service_installed_winlog.toml');

/** The hover at the `|` put just after the first occurrence of `at` in `text`. */
function hoverAt(text: string, at: string, names?: AttackNameIndex, uri = 'file:///w/rule.toml'): { markdown: string; range: unknown } | null {
  const i = text.indexOf(at);
  assert.ok(i >= 0, at);
  const { text: plain, offset } = cursor(text.replace(/\|/g, '¦').slice(0, i + at.length) + '|' + text.replace(/\|/g, '¦').slice(i + at.length));
  const doc = TextDocument.create(uri, 'toml', 1, plain);
  const hover = attackHover(doc, doc.positionAt(offset), names);
  return hover ? { markdown: (hover.contents as MarkupContent).value, range: hover.range } : null;
}

const diagnose = (text: string, names?: AttackNameIndex, uri = 'file:///w/rule.toml') =>
  attackDiagnostics(TextDocument.create(uri, 'toml', 1, text), names).map((d) => [d.code, d.range.start.line, d.range.start.character, d.message]);

describe('ATT&CK addresses', () => {
  it('follows ATT&CK\'s URL scheme for tactics, techniques and sub-techniques', () => {
    assert.equal(attackUrl('TA0008'), 'https://attack.mitre.org/tactics/TA0008/');
    assert.equal(attackUrl('T1021'), 'https://attack.mitre.org/techniques/T1021/');
    assert.equal(attackUrl('T1021.006'), 'https://attack.mitre.org/techniques/T1021/006/');
    assert.equal(attackUrl('T10211'), undefined);
    assert.equal(attackUrl('TA008'), undefined);
  });
});

describe('ATT&CK hover and checks in prebuilt rules', { skip: fs.existsSync(WINLOG) ? false : 'prebuilt rules not found at ../shared/detection-rules' }, () => {
  let winlog: string;
  const index = new AttackNameIndex();
  before(async () => {
    winlog = fs.readFileSync(WINLOG, 'utf8');
    await index.indexFolder(RULES);
  });

  it('names a sub-technique, its technique, and links its page', () => {
    const h = hoverAt(winlog, 'id = "T1021.0');
    assert.ok(h);
    assert.equal(
      h.markdown,
      '**SMB/Windows Admin Shares** — ATT&CK sub-technique `T1021.002`\n\nof technique `T1021` Remote Services\n\n[https://attack.mitre.org/techniques/T1021/002/](https://attack.mitre.org/techniques/T1021/002/)',
    );
    // The range is the id's string literal, quotes included: `id = "T1021.002"` on the file's line.
    const line = winlog.split('\n').indexOf('id = "T1021.002"');
    assert.deepEqual(h.range, { start: { line, character: 5 }, end: { line, character: 16 } });
  });

  it('names a tactic and a technique', () => {
    assert.equal(hoverAt(winlog, 'id = "TA00')?.markdown, '**Lateral Movement** — ATT&CK tactic `TA0008`\n\n[https://attack.mitre.org/tactics/TA0008/](https://attack.mitre.org/tactics/TA0008/)');
    assert.equal(hoverAt(winlog, 'id = "T15')?.markdown, '**Create or Modify System Process** — ATT&CK technique `T1543`\n\n[https://attack.mitre.org/techniques/T1543/](https://attack.mitre.org/techniques/T1543/)');
  });

  it('says nothing beside the ids', () => {
    assert.equal(hoverAt(winlog, 'name = "Remote Serv'), null);
    assert.equal(hoverAt(winlog, 'framework = "MITRE'), null);
    assert.equal(hoverAt(winlog, '[[rule.thr'), null);
  });

  it('takes the name from the other rules of the workspace when the table has none', () => {
    const unnamed = winlog.replace('id = "T1021"\nname = "Remote Services"\n', 'id = "T1021"\n');
    assert.notEqual(unnamed, winlog);
    // Other rules of the slice naming T1021, counted on their text.
    const others = listRules().filter((f) => f !== WINLOG && fs.readFileSync(f, 'utf8').includes('id = "T1021"\nname = "Remote Services"\n')).length;
    assert.ok(others > 0);
    const h = hoverAt(unnamed, 'id = "T1021"', index, `file://${WINLOG}`);
    assert.equal(
      h?.markdown,
      `**Remote Services** — ATT&CK technique \`T1021\`\n\nNamed so by ${others} other rule${others === 1 ? '' : 's'} of the workspace; this table has no \`name\`.\n\n[https://attack.mitre.org/techniques/T1021/](https://attack.mitre.org/techniques/T1021/)`,
    );
  });

  it('finds nothing to flag in any prebuilt rule', () => {
    for (const file of listRules()) assert.deepEqual(diagnose(fs.readFileSync(file, 'utf8'), index, `file://${file}`), [], file);
  });

  it('flags a reference that is not its id\'s page, an id of the wrong form, a name the other rules do not give', () => {
    const lines = winlog.split('\n');
    const at = (s: string): number => lines.indexOf(s);
    const broken = winlog
      .replace('reference = "https://attack.mitre.org/techniques/T1021/002/"', 'reference = "https://attack.mitre.org/techniques/T1021/003/"')
      .replace('id = "T1569.002"', 'id = "T1021.002"')
      .replace('id = "TA0003"', 'id = "T0003"')
      .replace('name = "Remote Services"', 'name = "Remote Service"');
    assert.deepEqual(diagnose(broken, index, `file://${WINLOG}`), [
      ['attack-name', at('name = "Remote Services"'), 7, `Other rules of the workspace name \`T1021\` "Remote Services" (${index.namesOf('T1021', WINLOG)[0].rules} rules), not "Remote Service"`],
      ['attack-reference', at('reference = "https://attack.mitre.org/techniques/T1021/002/"'), 12, 'The reference of `T1021.002` should be its ATT&CK page https://attack.mitre.org/techniques/T1021/002/'],
      ['attack-id', at('id = "TA0003"'), 5, '`T0003` is not an ATT&CK tactic id (`TA` and 4 digits)'],
      ['attack-id', at('id = "T1569.002"'), 5, "`T1021.002` is not an ATT&CK sub-technique id (its technique's id `T1569`, `.` and 3 digits)"],
    ]);
  });
});

describe('ATT&CK quick fixes in a prebuilt rule', { skip: fs.existsSync(WINLOG) ? false : 'prebuilt rules not found at ../shared/detection-rules' }, () => {
  it('put back the reference and the name the rule had', async () => {
    const index = new AttackNameIndex();
    await index.indexFolder(RULES);
    const original = fs.readFileSync(WINLOG, 'utf8');
    const broken = original
      .replace('reference = "https://attack.mitre.org/techniques/T1021/002/"', 'reference = "https://attack.mitre.org/techniques/T1021/003/"')
      .replace('name = "Remote Services"', 'name = "Remote Service"');
    const uri = `file://${WINLOG}`;
    const doc = TextDocument.create(uri, 'toml', 1, broken);
    const diagnostics = attackDiagnostics(doc, index);
    assert.deepEqual(diagnostics.map((d) => d.code), ['attack-name', 'attack-reference']);
    const fixes = attackQuickFixes(doc, diagnostics, index);
    assert.deepEqual(fixes.map((f) => f.title), ['Change to "Remote Services"', 'Change to "https://attack.mitre.org/techniques/T1021/002/"']);
    const edits = fixes.flatMap((f) => f.edit!.changes![uri]);
    assert.equal(TextDocument.applyEdits(doc, edits), original);
    // Once fixed, nothing is offered for the old diagnostics.
    assert.deepEqual(attackQuickFixes(TextDocument.create(uri, 'toml', 2, original), diagnostics, index), []);
  });
});

describe('ATT&CK tables written otherwise', () => {
  it('gives nothing for inline tables, whose lines cannot be told apart', () => {
    const text = '[rule]\nname = "x"\n[[rule.threat]]\nframework = "MITRE ATT&CK"\ntactic = { id = "TA0008", name = "Lateral Movement", reference = "https://attack.mitre.org/tactics/TA0008/" }\n';
    assert.equal(hoverAt(text, 'id = "TA00'), null);
    assert.deepEqual(diagnose(text), []);
  });

  it('reads literal strings and comments after values', () => {
    const text = "[[rule.threat]]\nframework = 'MITRE ATT&CK'\n[rule.threat.tactic]\nid = 'TA0008' # lateral\nname = 'Lateral Movement'\nreference = 'https://attack.mitre.org/tactics/TA0008'\n";
    assert.equal(hoverAt(text, "id = 'TA0")?.markdown, '**Lateral Movement** — ATT&CK tactic `TA0008`\n\n[https://attack.mitre.org/tactics/TA0008/](https://attack.mitre.org/tactics/TA0008/)');
    // Without its final `/` the reference is not ATT&CK's address as the scheme writes it.
    assert.deepEqual(diagnose(text), [['attack-reference', 5, 12, 'The reference of `TA0008` should be its ATT&CK page https://attack.mitre.org/tactics/TA0008/']]);
  });
});

function listRules(): string[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.toml')) files.push(path.join(d, e.name));
    }
  };
  walk(RULES);
  return files;
}
