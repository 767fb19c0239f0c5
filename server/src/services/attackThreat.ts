/**
 * The MITRE ATT&CK mapping of a detection-rules TOML rule: its `[[rule.threat]]` tables, each with
 * a `[rule.threat.tactic]`, `[[rule.threat.technique]]` and `[[rule.threat.technique.subtechnique]]`
 * holding `id`, `name` and `reference`, as elastic/detection-rules writes them:
 *
 *     [[rule.threat.technique]]
 *     id = "T1021"
 *     name = "Remote Services"
 *     reference = "https://attack.mitre.org/techniques/T1021/"
 *
 * No offline copy of ATT&CK is available, so names come from the rule itself and from the other
 * rules of the workspace ({@link AttackNameIndex}); addresses follow ATT&CK's URL scheme
 * (https://attack.mitre.org/tactics/TA0008/, /techniques/T1021/, /techniques/T1021/006/).
 *
 * - hover on an `id` value: the tactic's, technique's or sub-technique's name and its ATT&CK page;
 * - diagnostics (warnings): `attack-reference`, a `reference` that is not the page of its `id`;
 *   `attack-id`, an `id` that is not a tactic (`TA` + 4 digits), technique (`T` + 4 digits) or
 *   sub-technique (its technique's id + `.` + 3 digits) id as its table says; `attack-name`, a
 *   `name` that no other rule of the workspace gives that id while others name it otherwise;
 * - quick fixes for `attack-reference` (the id's page) and `attack-name` (the name most other
 *   rules give the id).
 *
 * Positions come from the table headers and `key = "value"` lines; values are decoded by the TOML
 * library (smol-toml), and a file whose tables are written otherwise (inline tables, dotted keys)
 * gets neither hover nor diagnostics, since its lines cannot be told apart reliably.
 */
import { parse as parseToml } from 'smol-toml';
import { CodeActionKind, DiagnosticSeverity, MarkupKind, type CodeAction, type Diagnostic, type Hover, type Position, type Range } from 'vscode-languageserver-protocol';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isTable } from '../samples/ruleFile';
import { RULE_FILE_DIAGNOSTIC_SOURCE } from './ruleDocument';

/** Which table an entry sits in. */
export type AttackKind = 'tactic' | 'technique' | 'subtechnique';

/** A string value of the file with the range of its literal, quotes included (0-based LSP positions). */
export interface LocatedValue {
  value: string;
  range: Range;
}

/** One tactic, technique or sub-technique table of `[[rule.threat]]`. */
export interface AttackEntry {
  kind: AttackKind;
  id?: LocatedValue;
  name?: LocatedValue;
  reference?: LocatedValue;
  /** For a sub-technique: the technique table it belongs to. */
  technique?: AttackEntry;
}

const TABLE_KINDS: Record<string, AttackKind> = {
  'rule.threat.tactic': 'tactic',
  'rule.threat.technique': 'technique',
  'rule.threat.technique.subtechnique': 'subtechnique',
};

const ID_PATTERN: Record<AttackKind, RegExp> = {
  tactic: /^TA\d{4}$/,
  technique: /^T\d{4}$/,
  subtechnique: /^T\d{4}\.\d{3}$/,
};

const KIND_WORDS: Record<AttackKind, string> = { tactic: 'tactic', technique: 'technique', subtechnique: 'sub-technique' };

/**
 * ATT&CK's page of a tactic (`TA0008` → https://attack.mitre.org/tactics/TA0008/), technique
 * (`T1021` → …/techniques/T1021/) or sub-technique (`T1021.006` → …/techniques/T1021/006/), or
 * undefined for anything else.
 */
export function attackUrl(id: string): string | undefined {
  if (ID_PATTERN.tactic.test(id)) return `https://attack.mitre.org/tactics/${id}/`;
  if (ID_PATTERN.technique.test(id)) return `https://attack.mitre.org/techniques/${id}/`;
  if (ID_PATTERN.subtechnique.test(id)) return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
  return undefined;
}

/**
 * The ATT&CK names a TOML text gives to ids (`TA0008` → `Lateral Movement`), read with the TOML
 * library from `[[rule.threat]]`. Empty for text that is not TOML or has no threat tables.
 */
export function attackNamesOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch {
    return out;
  }
  for (const e of parsedEntries(doc)) if (typeof e.id === 'string' && typeof e.name === 'string') out.set(e.id, e.name);
  return out;
}

/** The tactic, technique and sub-technique tables of a parsed TOML document. */
function parsedEntries(doc: unknown): Array<Record<string, unknown>> {
  const rule = isTable(doc) ? doc.rule : undefined;
  const threats = isTable(rule) && Array.isArray(rule.threat) ? rule.threat : [];
  const out: Array<Record<string, unknown>> = [];
  for (const t of threats) {
    if (!isTable(t)) continue;
    if (isTable(t.tactic)) out.push(t.tactic);
    for (const te of Array.isArray(t.technique) ? t.technique : []) {
      if (!isTable(te)) continue;
      out.push(te);
      for (const s of Array.isArray(te.subtechnique) ? te.subtechnique : []) if (isTable(s)) out.push(s);
    }
  }
  return out;
}

const HEADER = /^\s*(\[\[?)\s*([A-Za-z0-9_.\s]+?)\s*(\]\]?)\s*(?:#.*)?$/;
const KEY_VALUE = /^(\s*)(id|name|reference)\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*')\s*(?:#.*)?$/;

/**
 * The ATT&CK tables of a TOML document with the positions of their `id`, `name` and `reference`
 * values. Empty when the text is not TOML, or when the tables found on its lines do not match
 * what the TOML library reads (tables written in another form).
 */
export function attackEntries(document: TextDocument): AttackEntry[] {
  const text = document.getText();
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch {
    return [];
  }
  const parsed = parsedEntries(doc);
  if (parsed.length === 0) return [];
  const entries: AttackEntry[] = [];
  let current: AttackEntry | undefined;
  let technique: AttackEntry | undefined;
  const lines = text.split(/\r\n|\r|\n/);
  for (let line = 0; line < lines.length; line++) {
    const header = HEADER.exec(lines[line]);
    if (header) {
      const kind = TABLE_KINDS[header[2].replace(/\s+/g, '')];
      current = kind ? { kind } : undefined;
      if (current) {
        if (kind === 'subtechnique') current.technique = technique;
        if (kind === 'technique') technique = current;
        entries.push(current);
      }
      continue;
    }
    const kv = current ? KEY_VALUE.exec(lines[line]) : null;
    if (!current || !kv) continue;
    let value: unknown;
    try {
      value = (parseToml(`v = ${kv[3]}`) as { v: unknown }).v;
    } catch {
      continue;
    }
    if (typeof value !== 'string') continue;
    const start = lines[line].indexOf(kv[3], kv[1].length + kv[2].length);
    current[kv[2] as 'id' | 'name' | 'reference'] = { value, range: { start: { line, character: start }, end: { line, character: start + kv[3].length } } };
  }
  // Trust the lines only when they say what the TOML library read (in any order: a threat's
  // tactic table may come before or after its techniques).
  const key = (id: unknown, name: unknown, reference: unknown): string => JSON.stringify([id, name, reference]);
  const fromLines = entries.map((e) => key(e.id?.value, e.name?.value, e.reference?.value)).sort();
  const fromToml = parsed.map((e) => key(e.id, e.name, e.reference)).sort();
  return fromLines.length === fromToml.length && fromLines.every((k, i) => k === fromToml[i]) ? entries : [];
}

/** What hover and diagnostics read of the other rules of the workspace. */
export interface AttackNameSource {
  /** The names other rules (not `exceptFile`) give `id`, most rules first, with how many rules give each. */
  namesOf(id: string, exceptUri?: string): Array<{ name: string; rules: number }>;
}

const within = (p: Position, r: Range): boolean =>
  (p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character)) &&
  (p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character));

/**
 * The hover on an ATT&CK `id` value of a TOML document (a 0-based LSP position), or null
 * elsewhere. Markdown: the name (from the table's `name`, else from the other rules of the
 * workspace), the kind of entry, its technique for a sub-technique, and a link to its ATT&CK page.
 */
export function attackHover(document: TextDocument, position: Position, others?: AttackNameSource): Hover | null {
  const entry = attackEntries(document).find((e) => e.id && within(position, e.id.range));
  if (!entry?.id) return null;
  const id = entry.id.value;
  const url = attackUrl(id);
  const elsewhere = others?.namesOf(id, document.uri) ?? [];
  const own = entry.name?.value;
  const name = own ?? elsewhere[0]?.name;
  const lines: string[] = [`**${name ? escapeMarkdown(name) : 'unnamed'}** — ATT&CK ${KIND_WORDS[entry.kind]} \`${id}\``];
  if (entry.kind === 'subtechnique' && entry.technique?.id) {
    const parent = entry.technique.name?.value ?? others?.namesOf(entry.technique.id.value, document.uri)[0]?.name;
    lines.push(`of technique \`${entry.technique.id.value}\`${parent ? ` ${escapeMarkdown(parent)}` : ''}`);
  }
  if (!own && name) lines.push(`Named so by ${plural(elsewhere[0].rules, 'other rule')} of the workspace; this table has no \`name\`.`);
  const differing = own ? elsewhere.filter((n) => n.name !== own) : [];
  if (differing.length) lines.push(`Other rules of the workspace name it ${differing.map((n) => `**${escapeMarkdown(n.name)}** (${plural(n.rules, 'rule')})`).join(', ')}.`);
  lines.push(url ? `[${url}](${url})` : `\`${id}\` is not an ATT&CK tactic, technique or sub-technique id.`);
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n\n') }, range: entry.id.range };
}

/**
 * The ATT&CK diagnostics of a TOML document (see the file comment): warnings with codes
 * `attack-id`, `attack-reference` and `attack-name`, on the offending value. Never throws.
 */
export function attackDiagnostics(document: TextDocument, others?: AttackNameSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const warn = (at: LocatedValue, code: string, message: string): void => {
    out.push({ range: at.range, severity: DiagnosticSeverity.Warning, source: RULE_FILE_DIAGNOSTIC_SOURCE, code, message });
  };
  for (const e of attackEntries(document)) {
    if (!e.id) continue;
    const id = e.id.value;
    const parentId = e.technique?.id?.value;
    const wellFormed = ID_PATTERN[e.kind].test(id) && (e.kind !== 'subtechnique' || !parentId || id.startsWith(`${parentId}.`));
    if (!wellFormed) {
      const expected =
        e.kind === 'tactic' ? '`TA` and 4 digits' : e.kind === 'technique' ? '`T` and 4 digits' : `its technique's id${parentId ? ` \`${parentId}\`` : ''}, \`.\` and 3 digits`;
      warn(e.id, 'attack-id', `\`${id}\` is not an ATT&CK ${KIND_WORDS[e.kind]} id (${expected})`);
      continue;
    }
    const url = attackUrl(id)!;
    if (e.reference && e.reference.value !== url) warn(e.reference, 'attack-reference', `The reference of \`${id}\` should be its ATT&CK page ${url}`);
    const elsewhere = others?.namesOf(id, document.uri) ?? [];
    if (e.name && elsewhere.length && !elsewhere.some((n) => n.name === e.name!.value)) {
      warn(e.name, 'attack-name', `Other rules of the workspace name \`${id}\` ${elsewhere.map((n) => `"${n.name}" (${plural(n.rules, 'rule')})`).join(', ')}, not "${e.name.value}"`);
    }
  }
  return out;
}

/**
 * Quick fixes for this module's diagnostics among `diagnostics` (as the client sends them): the
 * value replaced by the id's ATT&CK page (`attack-reference`) or by the name most of the other
 * rules give the id (`attack-name`), written in the literal's own quotes. A diagnostic whose value
 * changed since is left alone. Never throws.
 */
export function attackQuickFixes(document: TextDocument, diagnostics: readonly Diagnostic[], others?: AttackNameSource): CodeAction[] {
  const wanted = diagnostics.filter((d) => d.source === RULE_FILE_DIAGNOSTIC_SOURCE && (d.code === 'attack-reference' || d.code === 'attack-name'));
  if (wanted.length === 0) return [];
  const entries = attackEntries(document);
  const same = (a: Range, b: Range): boolean =>
    a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
  const actions: CodeAction[] = [];
  for (const d of wanted) {
    const field = d.code === 'attack-reference' ? 'reference' : 'name';
    const entry = entries.find((e) => e[field] && same(e[field]!.range, d.range));
    const id = entry?.id?.value;
    if (!entry || !id) continue;
    const value = field === 'reference' ? attackUrl(id) : others?.namesOf(id, document.uri)[0]?.name;
    if (value === undefined || value === entry[field]!.value) continue;
    const literal = document.getText(d.range).startsWith("'") && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
    actions.push({
      title: `Change to ${literal}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: { changes: { [document.uri]: [{ range: d.range, newText: literal }] } },
    });
  }
  return actions;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, '\\$&');
}
