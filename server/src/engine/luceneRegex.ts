/**
 * Lucene regular expressions (the syntax of Elasticsearch's `regexp` query, used by EQL `regex` and
 * `regex~`) translated to RE2 syntax and run with re2js in linear time.
 *
 * Syntax (Elasticsearch reference "Regular expression syntax"; Lucene `RegExp`): the pattern
 * always matches the whole value; `.` any character, `?` `*` `+` `{n}` `{n,}` `{n,m}` repeats,
 * `|` alternation, `( )` grouping (`()` is the empty string), `[…]` / `[^…]` classes with ranges,
 * `"…"` a literal string, `\` escapes the next character (so `\d` means `d`, except the predefined
 * classes `\d \D \s \S \w \W` Lucene also knows). `^` and `$` are ordinary characters.
 * Elasticsearch's `regexp` query enables all optional operators (flags `ALL`): `#` (the empty
 * language), `@` (any string), `<n-m>` (a decimal interval), `&` (intersection) and `~`
 * (complement). `&` and `~` have no equivalent in a linear-time regex engine and are reported as
 * errors. `regex~` matches ASCII letters case-insensitively (`RegExp.ASCII_CASE_INSENSITIVE`):
 * single characters and quoted strings, not ranges.
 *
 * EQL's `regex` operator joins its list of patterns with `|` (`Match.makeSubstitute`), and
 * Elasticsearch's optimizer treats a pattern accepting every string as "field exists" and a pattern
 * accepting exactly one string as equality (`ReplaceRegexMatch`): {@link CompiledRegex.matchesAll}
 * and {@link CompiledRegex.exact} expose that.
 */
import { RE2JS } from 're2js';
import type { Span } from '../eql/ast';
import { EqlCompileError } from './errors';
import { DETERMINIZE_WORK_LIMIT, MAX_REGEX_LENGTH, tooComplexToDeterminize } from './regexComplexity';

/** A compiled Lucene regular expression. */
export interface CompiledRegex {
  /** True when the whole string matches. */
  test: (s: string) => boolean;
  /** The pattern accepts every string (e.g. `.*`, `@`). */
  matchesAll: boolean;
  /** The only string the pattern accepts, when it accepts exactly one (`abc`, `"a.b"`, `a\.b`). */
  exact?: string;
  /** The RE2 translation (for diagnostics and tests). */
  re2: string;
}

export type RNode =
  | { t: 'union'; alts: RNode[] }
  | { t: 'concat'; parts: RNode[] }
  | { t: 'repeat'; node: RNode; min: number; max: number }
  | { t: 'class'; negated: boolean; items: ClassItem[] }
  | { t: 'char'; cp: number }
  | { t: 'string'; s: string }
  | { t: 'any' }
  | { t: 'none' }
  | { t: 'anystring' }
  | { t: 'interval'; min: number; max: number; digits: number };

export type ClassItem = { lo: number; hi: number; fold: boolean } | { preset: string };

class LuceneRegexError extends Error {}

/** Recursive-descent parser over code points, after Lucene `RegExp`'s grammar. */
class Parser {
  private pos = 0;
  private readonly cps: number[];
  constructor(text: string) {
    this.cps = Array.from(text, (c) => c.codePointAt(0)!);
  }

  parse(): RNode {
    if (this.cps.length === 0) return { t: 'string', s: '' };
    const e = this.union();
    if (this.more()) throw new LuceneRegexError(`end of pattern expected at position ${this.pos}`);
    return e;
  }

  private more(): boolean {
    return this.pos < this.cps.length;
  }
  private peek(chars: string): boolean {
    return this.more() && chars.includes(String.fromCodePoint(this.cps[this.pos]));
  }
  private match(c: string): boolean {
    if (this.peek(c)) {
      this.pos++;
      return true;
    }
    return false;
  }
  private next(): number {
    if (!this.more()) throw new LuceneRegexError('unexpected end of pattern');
    return this.cps[this.pos++];
  }

  private union(): RNode {
    const first = this.inter();
    if (!this.match('|')) return first;
    const alts = [first];
    do alts.push(this.inter());
    while (this.match('|'));
    return { t: 'union', alts };
  }

  private inter(): RNode {
    const e = this.concat();
    if (this.peek('&')) {
      throw new LuceneRegexError('the intersection operator [&] has no linear-time equivalent and is not supported (write \\& to match a literal &)');
    }
    return e;
  }

  private concat(): RNode {
    const parts: RNode[] = [this.repeat()];
    while (this.more() && !this.peek(')|&')) parts.push(this.repeat());
    return parts.length === 1 ? parts[0] : { t: 'concat', parts };
  }

  private repeat(): RNode {
    let e = this.compl();
    while (this.peek('?*+{')) {
      if (this.match('?')) e = { t: 'repeat', node: e, min: 0, max: 1 };
      else if (this.match('*')) e = { t: 'repeat', node: e, min: 0, max: Infinity };
      else if (this.match('+')) e = { t: 'repeat', node: e, min: 1, max: Infinity };
      else if (this.match('{')) {
        const n = this.integer();
        let m = n;
        if (this.match(',')) m = this.peek('0123456789') ? this.integer() : Infinity;
        if (!this.match('}')) throw new LuceneRegexError(`expected [}] at position ${this.pos}`);
        if (m < n) throw new LuceneRegexError(`invalid repetition {${n},${m}}`);
        e = { t: 'repeat', node: e, min: n, max: m };
      }
    }
    return e;
  }

  private integer(): number {
    const start = this.pos;
    while (this.peek('0123456789')) this.pos++;
    if (start === this.pos) throw new LuceneRegexError(`integer expected at position ${start}`);
    return Number(String.fromCodePoint(...this.cps.slice(start, this.pos)));
  }

  private compl(): RNode {
    if (this.peek('~')) {
      throw new LuceneRegexError('the complement operator [~] has no linear-time equivalent and is not supported (write \\~ to match a literal ~)');
    }
    return this.charClassExp();
  }

  private charClassExp(): RNode {
    if (this.match('[')) {
      const negated = this.match('^');
      const items: ClassItem[] = [this.classItem()];
      while (this.more() && !this.peek(']')) items.push(this.classItem());
      if (!this.match(']')) throw new LuceneRegexError(`expected [\]] at position ${this.pos}`);
      return { t: 'class', negated, items };
    }
    return this.simple();
  }

  private presetAhead(): string | undefined {
    if (this.peek('\\') && this.pos + 1 < this.cps.length) {
      const c = String.fromCodePoint(this.cps[this.pos + 1]);
      if ('dDsSwW'.includes(c)) return c;
    }
    return undefined;
  }

  private classItem(): ClassItem {
    const preset = this.presetAhead();
    if (preset) {
      this.pos += 2;
      return { preset };
    }
    const lo = this.charExp();
    if (this.match('-')) {
      const hi = this.charExp();
      if (hi < lo) throw new LuceneRegexError(`invalid range in character class at position ${this.pos}`);
      return { lo, hi, fold: false };
    }
    return { lo, hi: lo, fold: true };
  }

  private charExp(): number {
    this.match('\\');
    return this.next();
  }

  private simple(): RNode {
    const preset = this.presetAhead();
    if (preset) {
      this.pos += 2;
      return { t: 'class', negated: false, items: [{ preset }] };
    }
    if (this.match('.')) return { t: 'any' };
    if (this.match('#')) return { t: 'none' };
    if (this.match('@')) return { t: 'anystring' };
    if (this.match('"')) {
      const start = this.pos;
      while (this.more() && !this.peek('"')) this.pos++;
      if (!this.match('"')) throw new LuceneRegexError('expected ["] to close the quoted string');
      return { t: 'string', s: String.fromCodePoint(...this.cps.slice(start, this.pos - 1)) };
    }
    if (this.match('(')) {
      if (this.match(')')) return { t: 'string', s: '' };
      const e = this.union();
      if (!this.match(')')) throw new LuceneRegexError(`expected [)] at position ${this.pos}`);
      return e;
    }
    if (this.match('<')) {
      const start = this.pos;
      while (this.more() && !this.peek('>')) this.pos++;
      if (!this.match('>')) throw new LuceneRegexError('expected [>] to close the interval');
      const body = String.fromCodePoint(...this.cps.slice(start, this.pos - 1));
      const m = /^(\d+)-(\d+)$/.exec(body);
      if (!m) throw new LuceneRegexError(`invalid interval <${body}>: expected <n-m>`);
      let [smin, smax] = [m[1], m[2]];
      let min = Number(smin);
      let max = Number(smax);
      if (min > max) {
        [min, max] = [max, min];
        [smin, smax] = [smax, smin];
      }
      return { t: 'interval', min, max, digits: smin.length === smax.length ? smin.length : 0 };
    }
    // Anything else is an ordinary character — Lucene is lenient here: a `*`, `+`, `?`, `{` or `|`
    // with nothing before it to apply to is read literally.
    return { t: 'char', cp: this.charExp() };
  }
}

// ---------------------------------------------------------------------------------------------
// Analysis (ReplaceRegexMatch)
// ---------------------------------------------------------------------------------------------

function exactString(n: RNode): string | undefined {
  switch (n.t) {
    case 'char':
      return String.fromCodePoint(n.cp);
    case 'string':
      return n.s;
    case 'concat': {
      let s = '';
      for (const p of n.parts) {
        const x = exactString(p);
        if (x === undefined) return undefined;
        s += x;
      }
      return s;
    }
    case 'repeat':
      if (n.min === n.max && n.min <= 1000) {
        const x = exactString(n.node);
        return x === undefined ? undefined : x.repeat(n.min);
      }
      return undefined;
    case 'union': {
      const first = exactString(n.alts[0]);
      if (first === undefined) return undefined;
      return n.alts.every((a) => exactString(a) === first) ? first : undefined;
    }
    case 'class':
      if (!n.negated && n.items.length === 1 && 'lo' in n.items[0] && n.items[0].lo === n.items[0].hi) {
        return String.fromCodePoint(n.items[0].lo);
      }
      return undefined;
    default:
      return undefined;
  }
}

function isTotal(n: RNode): boolean {
  switch (n.t) {
    case 'anystring':
      return true;
    case 'repeat':
      return n.min === 0 && n.max === Infinity && (n.node.t === 'any' || isTotal(n.node));
    case 'union':
      return n.alts.some(isTotal);
    case 'concat':
      return n.parts.every(isTotal);
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// RE2 emission
// ---------------------------------------------------------------------------------------------

function hex(cp: number): string {
  return `\\x{${cp.toString(16)}}`;
}

function isAsciiLetter(cp: number): boolean {
  return (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
}

function emitChar(cp: number, ci: boolean): string {
  if (ci && isAsciiLetter(cp)) {
    const lower = cp | 0x20;
    return `[${String.fromCharCode(lower - 32)}${String.fromCharCode(lower)}]`;
  }
  if ((cp >= 48 && cp <= 57) || isAsciiLetter(cp)) return String.fromCodePoint(cp);
  return hex(cp);
}

const PRESETS: Record<string, string> = {
  d: '0-9',
  w: 'a-zA-Z0-9_',
  s: ' \\t\\n\\x0B\\f\\r',
};

function emitClass(n: { negated: boolean; items: ClassItem[] }, ci: boolean): string {
  // Negated presets (\D, \S, \W) inside a class cannot be merged into one RE2 class: use an alternation.
  const positives: string[] = [];
  const negatedPresets: string[] = [];
  for (const it of n.items) {
    if ('preset' in it) {
      const lower = it.preset.toLowerCase();
      if (it.preset === lower) positives.push(PRESETS[lower]);
      else negatedPresets.push(PRESETS[lower]);
    } else if (it.lo === it.hi) {
      positives.push(hex(it.lo));
      if (ci && it.fold && isAsciiLetter(it.lo)) positives.push(hex(it.lo ^ 0x20));
    } else {
      positives.push(`${hex(it.lo)}-${hex(it.hi)}`);
    }
  }
  if (negatedPresets.length === 0) {
    return n.negated ? `[^${positives.join('')}]` : `[${positives.join('')}]`;
  }
  if (n.negated) {
    // Not (A or not B or not C) = not A and B and C: only expressible when there is one negated preset.
    if (negatedPresets.length === 1) {
      const b = negatedPresets[0];
      if (positives.length === 0) return `[${b}]`;
      throw new LuceneRegexError('negated classes mixing \\D, \\S or \\W with other members are not supported');
    }
    throw new LuceneRegexError('negated classes with several of \\D, \\S, \\W are not supported');
  }
  const alts = negatedPresets.map((p) => `[^${p}]`);
  if (positives.length) alts.push(`[${positives.join('')}]`);
  return `(?:${alts.join('|')})`;
}

/** Regex for all zero-padded decimal strings of equal length between `lo` and `hi` (inclusive). */
function paddedRange(lo: string, hi: string): string {
  const n = lo.length;
  if (n === 0) return '';
  if (lo === hi) return lo;
  const rest = n - 1;
  if (lo.slice(1) === '0'.repeat(rest) && hi.slice(1) === '9'.repeat(rest)) {
    const head = lo[0] === hi[0] ? lo[0] : `[${lo[0]}-${hi[0]}]`;
    return rest > 0 ? `${head}[0-9]{${rest}}` : head;
  }
  if (lo[0] === hi[0]) return `${lo[0]}(?:${paddedRange(lo.slice(1), hi.slice(1))})`;
  const parts = [paddedRange(lo, lo[0] + '9'.repeat(rest))];
  const a = Number(lo[0]) + 1;
  const b = Number(hi[0]) - 1;
  if (a <= b) parts.push(paddedRange(String(a) + '0'.repeat(rest), String(b) + '9'.repeat(rest)));
  parts.push(paddedRange(hi[0] + '0'.repeat(rest), hi));
  return `(?:${parts.join('|')})`;
}

/**
 * `<min-max>` as Lucene's `Automata.makeDecimalInterval`: with `digits > 0` every string has
 * exactly that many digits (zero-padded); with `digits = 0` any number of leading zeros.
 */
function intervalRegex(min: number, max: number, digits: number): string {
  if (digits > 0) {
    const width = Math.max(digits, String(max).length);
    return `(?:${paddedRange(String(min).padStart(width, '0'), String(max).padStart(width, '0'))})`;
  }
  const alts: string[] = [];
  const minLen = String(min).length;
  const maxLen = String(max).length;
  for (let len = minLen; len <= maxLen; len++) {
    const lo = Math.max(min, len === 1 ? 0 : 10 ** (len - 1));
    const hi = Math.min(max, 10 ** len - 1);
    if (lo <= hi) alts.push(paddedRange(String(lo).padStart(len, '0'), String(hi).padStart(len, '0')));
  }
  return `0*(?:${alts.join('|')})`;
}

function emit(n: RNode, ci: boolean): string {
  switch (n.t) {
    case 'char':
      return emitChar(n.cp, ci);
    case 'string':
      return Array.from(n.s, (c) => emitChar(c.codePointAt(0)!, ci)).join('') || '(?:)';
    case 'any':
      return '.';
    case 'none':
      return '[^\\x{0}-\\x{10ffff}]';
    case 'anystring':
      return '.*';
    case 'class':
      return emitClass(n, ci);
    case 'interval':
      return intervalRegex(n.min, n.max, n.digits);
    case 'concat':
      return n.parts.map((p) => emit(p, ci)).join('');
    case 'union':
      return `(?:${n.alts.map((a) => emit(a, ci)).join('|')})`;
    case 'repeat': {
      if ((n.min > 1000 || (n.max !== Infinity && n.max > 1000))) {
        throw new LuceneRegexError('repetition counts above 1000 are not supported');
      }
      const inner = `(?:${emit(n.node, ci)})`;
      if (n.min === 0 && n.max === Infinity) return `${inner}*`;
      if (n.min === 1 && n.max === Infinity) return `${inner}+`;
      if (n.min === 0 && n.max === 1) return `${inner}?`;
      if (n.max === Infinity) return `${inner}{${n.min},}`;
      if (n.min === n.max) return `${inner}{${n.min}}`;
      return `${inner}{${n.min},${n.max}}`;
    }
  }
}

/**
 * Compiles a Lucene regular expression.
 *
 * @param pattern the pattern text (already unescaped from the EQL string literal).
 * @param caseInsensitive `regex~`: ASCII letters match either case.
 * @param span where the pattern is in the query, for errors.
 * @throws EqlCompileError when the pattern is invalid Lucene syntax or uses `&` / `~`.
 */
export function compileLuceneRegex(pattern: string, caseInsensitive: boolean, span?: Span): CompiledRegex {
  let ast: RNode;
  try {
    ast = new Parser(pattern).parse();
  } catch (e) {
    throw new EqlCompileError(`invalid regular expression [${pattern}]: ${(e as Error).message}`, span);
  }
  // Limits of Elasticsearch's regexp query (see regexComplexity.ts), so no pattern can stall a replay.
  if (pattern.length > MAX_REGEX_LENGTH) {
    throw new EqlCompileError(
      `The length of regex [${pattern.length}] used in the Regexp Query request has exceeded the allowed maximum of [${MAX_REGEX_LENGTH}]. This maximum can be set by changing the [index.max_regex_length] index level setting.`,
      span,
    );
  }
  if (tooComplexToDeterminize(ast, caseInsensitive)) {
    throw new EqlCompileError(`Determinizing ${pattern} would require more than ${DETERMINIZE_WORK_LIMIT} effort.`, span);
  }
  let re2: string;
  try {
    re2 = emit(ast, caseInsensitive);
  } catch (e) {
    throw new EqlCompileError(`cannot run regular expression [${pattern}]: ${(e as Error).message}`, span);
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(re2, RE2JS.DOTALL);
  } catch (e) {
    throw new EqlCompileError(`cannot run regular expression [${pattern}]: ${(e as Error).message}`, span);
  }
  const result: CompiledRegex = {
    test: (s) => compiled.matches(s),
    matchesAll: isTotal(ast),
    re2,
  };
  const exact = exactString(ast);
  if (exact !== undefined) result.exact = exact;
  return result;
}

/**
 * Compiles a pattern as Java's `java.util.regex` reads it, for `regex` applied to a computed value:
 * Elasticsearch then runs a script whose `RegexProcessor` matches the whole value with
 * `Pattern.compile(pattern)` (`RLikePattern.asJavaRegex` returns the pattern unchanged), instead
 * of a Lucene `regexp` query. RE2 syntax covers Java's common syntax; constructs RE2 lacks
 * (back-references, look-around, possessive quantifiers) are reported as errors.
 *
 * @param caseInsensitive `regex~` (`Pattern.CASE_INSENSITIVE`).
 * @throws EqlCompileError when RE2 cannot compile the pattern.
 */
export function compileJavaRegex(pattern: string, caseInsensitive: boolean, span?: Span): (s: string) => boolean {
  try {
    const re = RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
    return (s) => re.matches(s);
  } catch (e) {
    throw new EqlCompileError(`cannot run regular expression [${pattern}] on a computed value: ${(e as Error).message}`, span);
  }
}
