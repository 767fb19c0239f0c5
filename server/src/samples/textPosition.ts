/**
 * Turning a 0-based UTF-16 offset into the 1-based line and column that terminals, compilers and
 * editor problem matchers print (`path:line:column`).
 */

/** A 1-based line and a 1-based column counted in UTF-16 code units (as VS Code counts characters). */
export interface LineColumn {
  line: number;
  column: number;
}

/**
 * Finds the line and column of an offset.
 *
 * Line breaks are `\n`, `\r\n` and a lone `\r`, as in the Language Server Protocol; `\r\n` counts
 * as one. An offset beyond the text is clamped to its end; a negative one to 0.
 *
 * @param text the whole text the offset points into.
 * @param offset 0-based UTF-16 offset.
 * @returns 1-based line and column.
 */
export function lineColumnAt(text: string, offset: number): LineColumn {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      line++;
      lineStart = i + 1;
    } else if (c === 13 /* \r */) {
      if (i + 1 < text.length && text.charCodeAt(i + 1) === 10) {
        if (i + 1 === end) break; // Between \r and \n: still on the \r's line.
        i++;
      }
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
