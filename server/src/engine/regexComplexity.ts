/**
 * Regular expressions too complex for Elasticsearch, refused before a replay can stall on them.
 *
 * Elasticsearch runs EQL `regex` on a field as a Lucene `regexp` query, which turns the pattern into
 * a deterministic automaton. Lucene refuses when determinizing needs too much work
 * (`TooComplexToDeterminizeException`: "Determinizing <pattern> would require more than 10000
 * effort.", `Operations.DEFAULT_DETERMINIZE_WORK_LIMIT` = 10,000, spent as 10 units per unit of
 * work limit, one unit per NFA state of each subset built), and the `regexp` query refuses a pattern
 * longer than `index.max_regex_length` (default 1000 characters).
 *
 * The determinization is estimated here on the pattern's position automaton (Glushkov: one state
 * per character position, so no ε-moves): subsets are built breadth first and each costs its size;
 * past the budget the pattern is refused. Patterns of real rules (`[a-z]{2,5}\.exe`, `.*\\temp\\.*`)
 * cost a few hundred units; `a{1,1000}a{1,1000}b` costs millions. The estimate is an
 * approximation of Lucene's count (its automaton is built differently), close to it where it matters.
 */
import type { ClassItem, RNode } from './luceneRegex';

/** Lucene's default determinize work limit, as named in its message. */
export const DETERMINIZE_WORK_LIMIT = 10_000;
/** The effort budget Lucene derives from the work limit. */
const EFFORT_BUDGET = DETERMINIZE_WORK_LIMIT * 10;
/** `index.max_regex_length`, Elasticsearch's default. */
export const MAX_REGEX_LENGTH = 1000;

/**
 * Bound on the construction's follow-set and first/last entries. A position automaton this dense
 * makes subsets larger than the effort budget once determinized (a position followed by k
 * positions puts them all in one subset), so nothing Lucene accepts is refused by it in practice.
 */
const CONSTRUCTION_BUDGET = EFFORT_BUDGET * 20;

const MAX_CP = 0x10ffff;
type Ranges = Array<[number, number]>;

const PRESET_RANGES: Record<string, Ranges> = {
  d: [[48, 57]],
  w: [[48, 57], [65, 90], [95, 95], [97, 122]],
  s: [[9, 13], [32, 32]],
};

function complement(rs: Ranges): Ranges {
  const sorted = [...rs].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

function letterCases(cp: number, ci: boolean): Ranges {
  const isLetter = (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
  return ci && isLetter ? [[cp, cp], [cp ^ 0x20, cp ^ 0x20]] : [[cp, cp]];
}

function classRanges(negated: boolean, items: ClassItem[], ci: boolean): Ranges {
  const rs: Ranges = [];
  for (const it of items) {
    if ('preset' in it) {
      const base = PRESET_RANGES[it.preset.toLowerCase()];
      rs.push(...(it.preset === it.preset.toLowerCase() ? base : complement(base)));
    } else if (it.lo === it.hi) rs.push(...letterCases(it.lo, ci && it.fold));
    else rs.push([it.lo, it.hi]);
  }
  return negated ? complement(rs) : rs;
}

/** Glushkov construction state: one label per position, and follow sets. */
class Positions {
  readonly labels: Ranges[] = [];
  readonly follow: Array<Set<number>> = [];
  /** Set when the automaton grows past the budget: the estimate stops there. */
  overflow = false;
  /** Entries written to follow sets and first/last lists so far (the estimate's own work). */
  private work = 0;

  /**
   * Counts `n` units of construction work. The Glushkov automaton can have quadratically many
   * transitions (`(a?){1,1000}`): past {@link CONSTRUCTION_BUDGET} the estimate stops and the
   * pattern is refused, so the check stays linear in its budget whatever the pattern.
   */
  spend(n: number): boolean {
    this.work += n;
    if (this.work > CONSTRUCTION_BUDGET) this.overflow = true;
    return !this.overflow;
  }

  add(label: Ranges): number {
    this.labels.push(label);
    this.follow.push(new Set());
    if (this.labels.length > EFFORT_BUDGET) this.overflow = true;
    return this.labels.length - 1;
  }
}

interface Fragment {
  nullable: boolean;
  first: number[];
  last: number[];
}

const EMPTY: Fragment = { nullable: true, first: [], last: [] };

function link(p: Positions, from: number[], to: number[]): void {
  if (!p.spend(from.length * to.length)) return;
  for (const a of from) for (const b of to) p.follow[a].add(b);
}

function concat(p: Positions, a: Fragment, b: Fragment): Fragment {
  link(p, a.last, b.first);
  if (!p.spend((a.nullable ? a.first.length : 0) + (b.nullable ? a.last.length : 0))) return EMPTY;
  return {
    nullable: a.nullable && b.nullable,
    first: a.nullable ? [...a.first, ...b.first] : a.first,
    last: b.nullable ? [...a.last, ...b.last] : b.last,
  };
}

function build(p: Positions, n: RNode, ci: boolean): Fragment {
  if (p.overflow) return EMPTY;
  switch (n.t) {
    case 'char': {
      const i = p.add(letterCases(n.cp, ci));
      return { nullable: false, first: [i], last: [i] };
    }
    case 'string': {
      let f = EMPTY;
      for (const c of n.s) {
        const i = p.add(letterCases(c.codePointAt(0)!, ci));
        f = concat(p, f, { nullable: false, first: [i], last: [i] });
      }
      return f;
    }
    case 'any': {
      const i = p.add([[0, MAX_CP]]);
      return { nullable: false, first: [i], last: [i] };
    }
    case 'anystring': {
      const i = p.add([[0, MAX_CP]]);
      p.follow[i].add(i);
      return { nullable: true, first: [i], last: [i] };
    }
    case 'none':
      return { nullable: false, first: [], last: [] };
    case 'class': {
      const i = p.add(classRanges(n.negated, n.items, ci));
      return { nullable: false, first: [i], last: [i] };
    }
    case 'interval': {
      // Digits, as many as the longest bound (an over-estimate for short values).
      let f = EMPTY;
      for (let k = String(n.max).length; k > 0; k--) {
        const i = p.add([[48, 57]]);
        f = concat(p, f, { nullable: false, first: [i], last: [i] });
      }
      return f;
    }
    case 'concat': {
      let f = EMPTY;
      for (const part of n.parts) f = concat(p, f, build(p, part, ci));
      return f;
    }
    case 'union': {
      const out: Fragment = { nullable: false, first: [], last: [] };
      for (const alt of n.alts) {
        const f = build(p, alt, ci);
        if (!p.spend(f.first.length + f.last.length)) return EMPTY;
        out.nullable ||= f.nullable;
        out.first.push(...f.first);
        out.last.push(...f.last);
      }
      return out;
    }
    case 'repeat': {
      // x{min,max}: min copies, then max - min optional copies (or one starred copy when unbounded).
      let f = EMPTY;
      for (let k = 0; k < n.min && !p.overflow; k++) f = concat(p, f, build(p, n.node, ci));
      if (n.max === Infinity) {
        const x = build(p, n.node, ci);
        link(p, x.last, x.first);
        return concat(p, f, { nullable: true, first: x.first, last: x.last });
      }
      // Optional copies nest, x(x(x)?)?: each may stop the repetition, so each copy's last
      // positions lead to the next copy and end the whole. Built in one pass (linear in the copies).
      const optional: Fragment[] = [];
      for (let k = n.min; k < n.max && !p.overflow; k++) optional.push(build(p, n.node, ci));
      if (p.overflow || optional.length === 0) return f;
      // From the last copy back: `reach` is the first positions of the copies after k that can
      // come next (past nullable ones).
      let reach: number[] = [];
      const last: number[] = [];
      for (let k = optional.length - 1; k >= 0; k--) {
        const copy = optional[k];
        link(p, copy.last, reach);
        if (!p.spend(copy.last.length + copy.first.length + (copy.nullable ? reach.length : 0))) return EMPTY;
        for (const i of copy.last) last.push(i);
        reach = copy.nullable ? [...copy.first, ...reach] : copy.first;
      }
      return concat(p, f, { nullable: true, first: reach, last });
    }
  }
}

/** Number of positions the construction would make (repeats expanded), without building them. */
function positionCount(n: RNode): number {
  switch (n.t) {
    case 'char':
    case 'any':
    case 'anystring':
    case 'class':
      return 1;
    case 'none':
      return 0;
    case 'string':
      return n.s.length;
    case 'interval':
      return String(n.max).length;
    case 'concat':
      return n.parts.reduce((sum, x) => sum + positionCount(x), 0);
    case 'union':
      return n.alts.reduce((sum, x) => sum + positionCount(x), 0);
    case 'repeat':
      return positionCount(n.node) * (n.max === Infinity ? n.min + 1 : n.max);
  }
}

/**
 * Estimates the work of determinizing `ast` (see the module comment).
 * @returns true when it exceeds Lucene's budget.
 */
export function tooComplexToDeterminize(ast: RNode, caseInsensitive: boolean): boolean {
  // Every position is in some subset: more positions than the budget cannot fit in it.
  if (positionCount(ast) > EFFORT_BUDGET) return true;
  const p = new Positions();
  const root = build(p, ast, caseInsensitive);
  if (p.overflow) return true;
  let effort = 0;
  const seen = new Set<string>();
  const queue: number[][] = [[...new Set(root.first)].sort((a, b) => a - b)];
  seen.add(queue[0].join(','));
  while (queue.length) {
    const state = queue.shift()!;
    effort += state.length;
    if (effort > EFFORT_BUDGET) return true;
    // Split the characters the state's positions accept into intervals with the same positions.
    const points = new Set<number>();
    for (const i of state) for (const [lo, hi] of p.labels[i]) points.add(lo).add(hi + 1);
    const cuts = [...points].sort((a, b) => a - b);
    for (let k = 0; k + 1 < cuts.length; k++) {
      const lo = cuts[k];
      const next = new Set<number>();
      for (const i of state) {
        if (p.labels[i].some(([a, b]) => a <= lo && lo <= b)) for (const j of p.follow[i]) next.add(j);
      }
      if (next.size === 0) continue;
      const sorted = [...next].sort((a, b) => a - b);
      const key = sorted.join(',');
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(sorted);
      }
    }
  }
  return false;
}
