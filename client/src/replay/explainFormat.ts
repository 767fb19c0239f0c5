/**
 * Texts of the explanations shown in the editor: the hover on a sample line, the per-stage counts
 * beside the rule, and the "Why not?" part of the results view. Pure functions of the
 * `eqlWorkbench/explainEvent` and `eqlWorkbench/explainReplay` results (no `vscode` import), so
 * they are unit-tested directly and the views and the test API say the same thing.
 *
 * Stages are numbered from 1 (`Stage 1`), lines from 1, as everywhere people read them; the data
 * stays 0-based for stages.
 */
import type { ConditionExplanation, EventExplanation, FieldValues, StageExplanation } from '../../../server/src/engine/eventExplanation';
import type { EventRef, Explanation, PartialEnd, PartialSequence, SequenceNearMiss, StageStats, TermStats } from '../../../server/src/engine/explain';
import { fileNameOfUri, formatKeyValue, formatTimestamp, plural } from './format';

// ---------------------------------------------------------------------------------------------
// Per-stage counts (inlay hints)
// ---------------------------------------------------------------------------------------------

/**
 * The count shown after a stage of the rule: how many events had the stage's category and how many
 * of them passed its filter, e.g. `15 network events · 6 passed`, `36 events · 2 passed` (`any`),
 * `until: 3 file events · 1 passed`.
 */
export function stageCountHint(stats: StageStats): string {
  const what = stats.category === null ? plural(stats.events, 'event') : plural(stats.passedCategory, `${stats.category} event`);
  return `${stats.stage < 0 ? 'until: ' : ''}${what} · ${stats.passed.toLocaleString('en-US')} passed`;
}

/** Tooltip of a stage count: the terms not true most often (plain text, one per line). */
export function stageCountTooltip(stats: StageStats): string {
  const name = stats.stage < 0 ? 'until' : `Stage ${stats.stage + 1}`;
  const lines = [`${name}: ${stats.passed} of ${plural(stats.passedCategory, `${stats.category ?? 'any'} event`)} passed the condition (${plural(stats.events, 'event')} replayed).`];
  const failing = stats.terms.filter((t) => t.failed > 0).sort((a, b) => b.failed - a.failed);
  if (failing.length > 0) lines.push('Terms not true, most often first:', ...failing.map((t) => `  ${t.term} — ${t.failed}`));
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Hover on a sample line
// ---------------------------------------------------------------------------------------------

/** Escapes text for Markdown (VS Code renders hovers as Markdown). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$]/g, (c) => `\\${c}`);
}

/** Inline code, with a fence long enough for the backticks inside. */
function code(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** `$(check)` true, `$(close)` false, `$(circle-slash)` null (a field it reads is absent). */
function resultIcon(result: boolean | null): string {
  return result === true ? '$(check)' : result === false ? '$(close)' : '$(circle-slash)';
}

/**
 * The fields a line of the hover reads: a term's own; for a combination shown as one line (`not
 * (…)`, whose inner term the author wants to see the value of), those its terms read, each once.
 */
function fieldsRead(c: ConditionExplanation): FieldValues[] {
  if (c.fields.length > 0 || c.children.length === 0) return c.fields;
  const seen = new Map<string, FieldValues>();
  for (const child of c.children) for (const f of fieldsRead(child)) if (!seen.has(f.field)) seen.set(f.field, f);
  return [...seen.values()];
}

/** The event's values of the fields a condition reads: `process.name = "cmd.exe"`, `user.name absent`. */
function valuesText(c: ConditionExplanation): string {
  return fieldsRead(c)
    .map((f) =>
      f.values.length === 0
        ? `${f.field} absent`
        : `${f.field} = ${f.values
            .slice(0, 5)
            .map((v) => (typeof v === 'string' ? JSON.stringify(v.length > 120 ? `${v.slice(0, 120)}…` : v) : JSON.stringify(v)))
            .join(', ')}${f.values.length > 5 ? ', …' : ''}`,
    )
    .join('; ');
}

/** Markdown list lines of a condition tree: `and` flattened, `or` as “any of” with its branches indented. */
function conditionLines(c: ConditionExplanation, depth: number, out: string[]): void {
  const indent = '  '.repeat(depth);
  if (c.op === 'and' && c.children.length > 0 && !c.reason) {
    for (const child of c.children) conditionLines(child, depth, out);
    return;
  }
  if (c.op === 'or' && c.children.length > 0 && !c.reason) {
    out.push(`${indent}- ${resultIcon(c.result)} any of:`);
    const branches: ConditionExplanation[] = [];
    const flatten = (x: ConditionExplanation) => (x.op === 'or' && x.children.length > 0 && !x.reason ? x.children.forEach(flatten) : branches.push(x));
    c.children.forEach(flatten);
    for (const b of branches) conditionLines(b, depth + 1, out);
    return;
  }
  const values = fieldsRead(c).length > 0 ? ` — ${escapeMarkdown(valuesText(c))}` : '';
  const why = c.result !== true && c.why ? `  \n${indent}  *${escapeMarkdown(c.why)}*` : '';
  out.push(`${indent}- ${resultIcon(c.result)} ${code(c.condition)}${values}${why}`);
}

function stageHeading(s: StageExplanation): string {
  const name = s.label === 'query' ? 'Query' : s.label.charAt(0).toUpperCase() + s.label.slice(1);
  const category = s.category === null ? 'any' : s.category;
  const verdict = s.passed ? '$(pass-filled) passed' : '$(error) not passed';
  return `**${escapeMarkdown(name)}** ${code(`${s.missing ? '!' : ''}[${category} where …]`)} — ${verdict}`;
}

/**
 * The hover of a sample line: what the replay did with the event (sequences started, advanced,
 * completed; outside maxspan; no sequence of its join key waiting; cancelled by until), then the
 * event evaluated against each stage of the rule last replayed — per stage whether it passed; when
 * it has the stage's category, every condition with the event's values, its result and why it is
 * not true; otherwise why the category differs.
 *
 * @param e the explanation; @param ruleName the rule file's name, for the heading.
 * @returns Markdown with theme icons (`$(check)`: set `supportThemeIcons`).
 */
export function eventHoverMarkdown(e: EventExplanation, ruleName: string): string {
  const where = e.event ? `${fileNameOfUri(e.event.file)}:${e.event.line}` : 'this line';
  const out: string[] = [`**Why?** ${escapeMarkdown(where)} against ${escapeMarkdown(ruleName)}`, ''];
  // What the replay did with the event first: for sequences it is often the whole answer.
  const notes = e.sequence ?? [];
  if (notes.length > 0) {
    out.push('**In the replay**', '');
    for (const n of notes) out.push(`- ${escapeMarkdown(n.text)}`);
    out.push('');
  } else if (e.kind === 'sequence' && !e.stages.some((s) => s.passed)) {
    out.push('**In the replay**', '', '- passes no stage: it takes part in no sequence', '');
  }
  const stages = e.until ? [...e.stages, e.until] : e.stages;
  for (const s of stages) {
    out.push(stageHeading(s), '');
    if (!s.categoryMatched) {
      out.push(`- $(close) ${escapeMarkdown(s.why[0] ?? 'not the stage’s category')}`, '');
      continue;
    }
    conditionLines(s.condition, 0, out);
    if (s.joinKeys) {
      const keys =
        s.joinKeys.values.length === 0
          ? `${s.joinKeys.fields.join(', ')}: absent, so the event takes part in no sequence`
          : s.joinKeys.values.map((tuple) => tuple.map((v, i) => `${s.joinKeys!.fields[i] ?? `key${i + 1}`}=${formatKeyValue(v)}`).join(', ')).join(' | ');
      if (s.joinKeys.fields.length > 0) out.push(`- join key: ${escapeMarkdown(keys)}`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

// ---------------------------------------------------------------------------------------------
// "Why not?" in the results view
// ---------------------------------------------------------------------------------------------

/** One item of the "Why not?" tree, as plain data (the view maps it to a `TreeItem`). */
export interface WhyNode {
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon id (`symbol-event`, `filter`, …). */
  icon?: string;
  /** The event this item opens (sample URI and 1-based line). */
  open?: { uri: string; line: number };
  children?: WhyNode[];
  /** Shown expanded at first. */
  expanded?: boolean;
}

function where(e: EventRef): string {
  return `${fileNameOfUri(e.file)}:${e.line}`;
}

function eventNode(e: EventRef, description: string, label = where(e)): WhyNode {
  return { label, description, tooltip: e.timestamp !== undefined ? formatTimestamp(e.timestamp) : undefined, icon: 'symbol-event', open: { uri: e.file, line: e.line } };
}

/** `1.5 s`, `800 ms`. */
function duration(ms: number): string {
  return Math.abs(ms) < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(3))} s`;
}

function stageName(stage: number): string {
  return stage < 0 ? 'until' : `stage ${stage + 1}`;
}

function termNode(t: TermStats, category: string): WhyNode {
  const notes: string[] = [];
  if (t.onlyFailure > 0) notes.push(`the only failing term for ${t.onlyFailure}`);
  for (const f of t.fields) if (f.missingWhenFailed > 0) notes.push(`${f.field} absent in ${f.missingWhenFailed}`);
  const node: WhyNode = {
    label: t.term,
    description: `not true for ${plural(t.failed, `${category} event`)}${notes.length > 0 ? ` · ${notes.join(' · ')}` : ''}`,
    icon: 'close',
  };
  if (t.branches) {
    node.description = `${node.description} · or block: ${t.branches.length} branches`;
    node.children = t.branches.map((b) => {
      const missing = b.fields.filter((f) => f.missingWhenFailed > 0).map((f) => `${f.field} absent in ${f.missingWhenFailed}`);
      return { label: b.term, description: `branch not true for ${b.failed}${missing.length > 0 ? ` · ${missing.join(' · ')}` : ''}`, icon: 'git-branch' };
    });
  }
  return node;
}

function stageNode(s: StageStats, kind: Explanation['kind']): WhyNode {
  const category = s.category ?? 'any';
  const name = kind === 'event' ? 'Query' : s.stage < 0 ? 'Until' : `Stage ${s.stage + 1}`;
  const children: WhyNode[] = [];
  const failing = s.terms.filter((t) => t.failed > 0).sort((a, b) => b.failed - a.failed);
  if (failing.length > 0) {
    children.push({ label: 'Terms not true, most often first', icon: 'filter', children: failing.map((t) => termNode(t, category)), expanded: s.passed === 0 });
  }
  if (s.nearMisses.length > 0) {
    children.push({
      label: 'Near misses: fewest terms not true',
      icon: 'target',
      expanded: s.passed === 0,
      children: s.nearMisses.map((m) =>
        eventNode(m.event, `${m.failedTerms.length} not true: ${m.failedTerms.map((i) => s.terms[i]?.term ?? '?').join('; ')}`),
      ),
    });
  }
  return {
    label: `${name} [${category}]`,
    description: `${s.passed.toLocaleString('en-US')} of ${plural(s.passedCategory, `${category} event`)} passed`,
    icon: s.passed === 0 ? 'error' : 'pass',
    children,
    expanded: s.passed === 0,
  };
}

/** Why a partial sequence ended, in words (stages 1-based). */
export function partialEndText(end: PartialEnd, next: number | undefined): string {
  const nextName = next === undefined ? 'the next stage' : stageName(next);
  switch (end.reason) {
    case 'expired':
      return end.at
        ? `expired: ${nextName} came ${duration(end.elapsedMillis ?? 0)} after the first event (${where(end.at)}), beyond maxspan ${duration(end.maxspanMillis)} by ${duration((end.elapsedMillis ?? 0) - end.maxspanMillis)}`
        : `expired: no ${nextName} event of this join key within maxspan ${duration(end.maxspanMillis)}`;
    case 'until':
      return `cancelled by the until event ${where(end.at)}`;
    case 'replaced':
      return `replaced by a newer sequence at the same stage (${where(end.by)}): one pending sequence per stage and join key`;
    case 'no-next-event':
      return `waiting for ${nextName} when the input ended`;
    case 'missing-event':
      return `the missing-event stage matched ${where(end.at)}`;
  }
}

/**
 * An event near a partial sequence: what it is, how long after the sequence's first event it came,
 * its join key when it is another key's (the same key's is the partial sequence's, already shown),
 * and the terms it failed.
 */
function nearMissNode(m: SequenceNearMiss, what: string, otherKey: boolean): WhyNode {
  const keys = otherKey && m.joinKeys.length > 0 ? ` · join key ${m.joinKeys.map((k) => k.map(formatKeyValue).join(', ')).join(' | ')}` : '';
  const terms = m.failedTerms ? ` · not true: ${m.failedTerms.join('; ')}` : '';
  return eventNode(m.event, `${what} · ${duration(m.afterMillis)} after the first event${keys}${terms}`);
}

function partialNode(p: PartialSequence, e: Extract<Explanation, { kind: 'sequence' }>, keys: string): WhyNode {
  let next = p.reached + 1;
  while (next < e.stageOfExpanded.length && e.missingStages[next]) next++;
  const nextStage = next < e.stageOfExpanded.length ? next : undefined;
  const children: WhyNode[] = [];
  p.events.forEach((ev, i) => {
    if (ev) children.push(eventNode(ev, `stage ${e.stageOfExpanded[i] + 1}`));
  });
  const nextName = nextStage === undefined ? 'next stage' : stageName(nextStage);
  for (const m of p.sameKeyFailed) children.push(nearMissNode(m, `same join key, ${nextName} category, condition failed`, false));
  for (const m of p.otherKeys) children.push(nearMissNode(m, `passed ${nextName} under another join key`, true));
  const first = p.events.find((x) => x !== null);
  const why = partialEndText(p.end, nextStage);
  return {
    label: `${PARTIAL_LABELS[p.end.reason]} after stage ${p.reached + 1} of ${e.stageOfExpanded.length}`,
    description: `${keys} · ${why}`,
    tooltip: `${keys}: reached stage ${p.reached + 1} of ${e.stageOfExpanded.length}${first?.timestamp !== undefined ? `, started ${formatTimestamp(first.timestamp)}` : ''}.\n${why}`,
    icon: 'debug-disconnect',
    children,
  };
}

/** How a partial sequence ended, before `after stage 1 of 2` (the stage it had reached). */
const PARTIAL_LABELS: Record<PartialEnd['reason'], string> = {
  expired: 'expired',
  until: 'cancelled by until',
  replaced: 'replaced',
  'no-next-event': 'input ended',
  'missing-event': 'missing event found',
};

/** Counts of partial sequences by how they ended: `4 expired`, `1 waiting at the end`. */
const END_LABELS: Record<PartialEnd['reason'], string> = {
  expired: 'expired',
  until: 'cancelled by until',
  replaced: 'replaced',
  'no-next-event': 'waiting at the end',
  'missing-event': 'missing event found',
};

/**
 * The "Why not?" tree of a replay: per stage (and `until`) how many events of its category passed,
 * the terms not true most often (an `or` block broken into its branches), the near misses (fewest
 * terms not true first, each opening its event); for sequences, every partial sequence kept by the
 * explanation with why it ended and its events, and the events that passed a stage while no
 * sequence of their join key waited at the previous one.
 */
export function whyNotTree(e: Explanation): WhyNode[] {
  const nodes = e.stages.map((s) => stageNode(s, e.kind));
  if (e.kind !== 'sequence') return nodes;
  if (e.until) nodes.push(stageNode(e.until, e.kind));
  const partials: WhyNode[] = [];
  const unmatched: WhyNode[] = [];
  for (const k of e.keys) {
    const keys = k.joinKeys.length === 0 ? 'no join key' : k.joinKeys.map(formatKeyValue).join(', ');
    for (const p of k.partials) partials.push(partialNode(p, e, keys));
    for (const u of k.unmatched) {
      let prev = u.stage - 1;
      while (prev >= 0 && e.missingStages[prev]) prev--;
      const children: WhyNode[] = [];
      if (u.previous) {
        const p = u.previous;
        children.push(
          eventNode(
            p.event,
            p.passed
              ? `latest ${stageName(prev)} event of this key, ${duration(p.beforeMillis)} before: passed, but its sequence had already ended or advanced`
              : `latest ${stageName(prev)} category event of this key, ${duration(p.beforeMillis)} before: not true: ${p.failedTerms.join('; ')}`,
          ),
        );
      }
      if (u.laterPrevious) children.push(eventNode(u.laterPrevious, `a ${stageName(prev)} event of this key came only after it (a sequence keeps stage order)`));
      unmatched.push({ ...eventNode(u.event, `${keys} · passed ${stageName(u.stage)}, no sequence of this join key waiting at ${stageName(prev)}`), children });
    }
  }
  const counts = Object.entries(e.ends)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([r, n]) => `${n} ${END_LABELS[r as PartialEnd['reason']] ?? r}`);
  const total = Object.values(e.ends).reduce((a, n) => a + (n ?? 0), 0);
  nodes.push({
    label: 'Partial sequences',
    description: total === 0 ? 'none' : `${plural(total, 'sequence')} never completed: ${counts.join(', ')}`,
    icon: 'debug-disconnect',
    children: partials,
    expanded: e.completed === 0 && partials.length > 0,
  });
  if (e.unmatchedCount > 0) {
    nodes.push({
      label: 'Passed a stage with nothing waiting',
      description: plural(e.unmatchedCount, 'event'),
      icon: 'question',
      children: unmatched,
    });
  }
  return nodes;
}

/** Description of the "Why not?" item: `36 events replayed · 2 sequences completed`. */
export function whyNotDescription(e: Explanation): string {
  const completed = e.kind === 'sequence' ? `${plural(e.completed, 'sequence')} completed` : `${plural(e.matches, e.kind === 'event' ? 'event' : 'sample')} matched`;
  return `${plural(e.events, 'event')} replayed · ${completed}`;
}
