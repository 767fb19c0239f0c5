/**
 * The "Removed by exceptions" part of the Replay Results view: per exception item, the matches it
 * removed (dimmed, with a slashed icon), each opening its events. Built from the replay result's
 * `exceptions` (see `eqlWorkbench/replay` with `exceptionUris`).
 */
import type { ReplayExceptionEffect, ReplayMatch } from '../../../server/src/protocol';

/** One row of the removed-matches tree. */
export interface RemovedNode {
  label: string;
  description?: string;
  tooltip?: string;
  /** The event (or exception item) this row opens: URI and 1-based line. */
  open?: { uri: string; line: number };
  /** Removed rows are drawn dimmed. */
  removed?: boolean;
  children?: RemovedNode[];
}

export const REMOVED_LABEL = 'Removed by exceptions';

function fileName(uri: string): string {
  return decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
}

function matchNode(match: ReplayMatch, item: string): RemovedNode {
  const events = match.events.filter((e) => !e.missing);
  const keys = match.joinKeys && match.joinKeys.length > 0 ? ` — ${match.joinKeys.map(String).join(', ')}` : '';
  return {
    label: `${match.type === 'event' ? 'Event' : match.type === 'sample' ? 'Sample' : 'Sequence'}${keys}`,
    description: `removed by “${item}”`,
    tooltip: `This match is gone with the exception “${item}”: an event of it is left out before the rule runs.`,
    removed: true,
    ...(events[0] ? { open: { uri: events[0].uri, line: events[0].line } } : {}),
    children: events.map((e) => ({
      label: `${fileName(e.uri)}:${e.line}`,
      description: [e.category, e.action, e.processName].filter(Boolean).join(' · '),
      open: { uri: e.uri, line: e.line },
      removed: true,
    })),
  };
}

/** The root row, or undefined when no exception was applied. */
export function removedTree(effects: readonly ReplayExceptionEffect[] | undefined): RemovedNode | undefined {
  if (!effects || effects.length === 0) return undefined;
  const total = effects.reduce((n, e) => n + e.removed.length, 0);
  return {
    label: REMOVED_LABEL,
    description: `${total} match${total === 1 ? '' : 'es'} by ${effects.length} item${effects.length === 1 ? '' : 's'}`,
    children: effects.map((e) => ({
      label: e.name,
      description: e.expired ? 'expired: not applied' : `left out ${e.eventsLeftOut} event${e.eventsLeftOut === 1 ? '' : 's'}, removed ${e.removed.length} match${e.removed.length === 1 ? '' : 'es'}`,
      open: { uri: e.uri, line: e.line },
      children: e.removed.map((m) => matchNode(m, e.name)),
    })),
  };
}
