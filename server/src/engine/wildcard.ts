/**
 * EQL wildcard patterns (`field : "a*b?"`, `like`, `like~`): `*` matches any run of characters
 * (including none), `?` exactly one character (one Unicode code point); every other character is
 * literal, backslashes included. The whole value must match.
 *
 * Source: Elasticsearch EQL `StringUtils.toLikePattern` (only `*` and `?` are special, there is no
 * escape for them), executed as a Lucene `wildcard` query (`LikePattern.asLuceneWildcard`).
 * Case-insensitive matching (`:`, `like~`) folds both sides unit by unit (see `values.foldString`).
 *
 * The matcher runs in O(pattern × value) worst case with no backtracking blow-up.
 */
import { RE2JS } from 're2js';
import { foldString } from './values';

/** A compiled wildcard pattern: true when the whole string matches. */
export type WildcardMatcher = (value: string) => boolean;

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** True when the pattern contains `*` or `?` (Elasticsearch `ReplaceWildcards.isWildcard`). */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** Pattern units: a UTF-16 code unit to match literally, {@link STAR} or {@link ONE}. */
const STAR = -1;
const ONE = -2;

/** EQL pattern → units: only `*` and `?` are special. */
function eqlUnits(pattern: string): number[] {
  const units: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    units.push(c === 42 ? STAR : c === 63 ? ONE : c);
  }
  return units;
}

/**
 * Lucene `wildcard` query text → units: `*`, `?` special, `\` makes the next character literal
 * (a trailing lone `\` is literal; Lucene `WildcardQuery.toAutomaton`).
 */
function luceneUnits(pattern: string): number[] {
  const units: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 92 /* \ */ && i + 1 < pattern.length) {
      units.push(pattern.charCodeAt(++i));
      // Keep a surrogate pair together.
      if (isHigh(units[units.length - 1]) && i + 1 < pattern.length && isLow(pattern.charCodeAt(i + 1))) {
        units.push(pattern.charCodeAt(++i));
      }
    } else {
      units.push(c === 42 ? STAR : c === 63 ? ONE : c);
    }
  }
  return units;
}

/**
 * Compiles an EQL wildcard pattern (`:` and `like`).
 * @param pattern the pattern text (already unescaped from the query string).
 * @param caseInsensitive fold case on both sides.
 * @returns a matcher over whole strings.
 */
export function compileWildcard(pattern: string, caseInsensitive: boolean): WildcardMatcher {
  return compileUnits(eqlUnits(caseInsensitive ? foldString(pattern) : pattern), caseInsensitive);
}

/**
 * Compiles the text of a Lucene `wildcard` query, as Elasticsearch builds for `endsWith(field, s)`
 * (`*s`) and `stringContains(field, s)` (`*s*`): there `*` and `?` inside `s` act as wildcards and
 * `\` escapes the next character (`QueryTranslator.CaseInsensitiveScalarFunctions`; the text is
 * passed to the query unescaped).
 */
export function compileLuceneWildcard(pattern: string, caseInsensitive: boolean): WildcardMatcher {
  return compileUnits(luceneUnits(caseInsensitive ? foldString(pattern) : pattern), caseInsensitive);
}

function compileUnits(units: number[], caseInsensitive: boolean): WildcardMatcher {
  const prep = caseInsensitive ? foldString : (s: string) => s;
  if (!units.includes(ONE)) {
    // Split into literal segments between stars.
    const parts: string[] = [''];
    for (const u of units) {
      if (u === STAR) parts.push('');
      else parts[parts.length - 1] += String.fromCharCode(u);
    }
    const p = parts[0];
    if (parts.length === 1) return (v) => prep(v) === p;
    if (parts.length === 2) {
      const [a, b] = parts;
      if (a === '' && b === '') return () => true;
      return (v) => {
        const s = prep(v);
        return s.length >= a.length + b.length && s.startsWith(a) && s.endsWith(b);
      };
    }
    if (parts.length === 3 && parts[0] === '' && parts[2] === '') {
      const mid = parts[1];
      return (v) => prep(v).includes(mid);
    }
    // Literal segments between stars: first anchored at the start, last at the end, the rest
    // found left to right (leftmost placement is optimal for `*`-only patterns).
    const first = parts[0];
    const last = parts[parts.length - 1];
    const middle = parts.slice(1, -1).filter((x) => x !== '');
    return (v) => {
      const s = prep(v);
      if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
      let pos = first.length;
      const end = s.length - last.length;
      for (const seg of middle) {
        const i = s.indexOf(seg, pos);
        if (i < 0 || i + seg.length > end) return false;
        pos = i + seg.length;
      }
      return true;
    };
  }
  return (v) => matchGeneral(units, prep(v));
}

/**
 * General wildcard match with `?`: the classic star-backtracking scan (restart after the last `*`),
 * O(n·m) at worst. `?` consumes a surrogate pair as one character.
 */
function matchGeneral(p: number[], s: string): boolean {
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    if (pi < p.length) {
      const pc = p[pi];
      if (pc === STAR) {
        starP = pi++;
        starS = si;
        continue;
      }
      if (pc === ONE) {
        const c = s.charCodeAt(si);
        si += isHigh(c) && si + 1 < s.length && isLow(s.charCodeAt(si + 1)) ? 2 : 1;
        pi++;
        continue;
      }
      if (pc === s.charCodeAt(si)) {
        pi++;
        si++;
        continue;
      }
    }
    if (starP < 0) return false;
    // Let the last star absorb one more character (a whole surrogate pair when there is one).
    const c = s.charCodeAt(starS);
    starS += isHigh(c) && starS + 1 < s.length && isLow(s.charCodeAt(starS + 1)) ? 2 : 1;
    si = starS;
    pi = starP + 1;
  }
  while (pi < p.length && p[pi] === STAR) pi++;
  return pi === p.length;
}

/** Java's `.` (without DOTALL): any character except the line terminators \n \r \u0085 \u2028 \u2029. */
const JAVA_DOT = '[^\\n\\r\\x{85}\\x{2028}\\x{2029}]';

/**
 * Compiles an EQL wildcard pattern the way Elasticsearch runs it inside a script, i.e. when the
 * matched value is computed (`concat(a, b) : "x*"`): the pattern becomes a Java regex
 * (`LikePattern.asJavaRegex`: `*` → `.*`, `?` → `.`) matched with `Pattern.matches`, so the
 * wildcards do not cross line terminators, and case-insensitive matching (`Pattern.CASE_INSENSITIVE`)
 * folds ASCII letters only.
 */
export function compileScriptWildcard(pattern: string, caseInsensitive: boolean): WildcardMatcher {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += `${JAVA_DOT}*`;
    else if (ch === '?') re += JAVA_DOT;
    else {
      const cp = ch.codePointAt(0)!;
      const isLetter = (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
      if (caseInsensitive && isLetter) re += `[${ch.toUpperCase()}${ch.toLowerCase()}]`;
      else if (isLetter || (cp >= 48 && cp <= 57)) re += ch;
      else re += `\\x{${cp.toString(16)}}`;
    }
  }
  const compiled = RE2JS.compile(re);
  return (v) => compiled.matches(v);
}
