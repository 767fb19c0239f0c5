/**
 * Cursor-marker inputs for the authoring-service tests, in the style of vscode-json-languageservice:
 * the input holds a `|` where the cursor is. Since `|` is also EQL's pipe, the LAST `|` of the input
 * is the cursor; earlier ones are pipes.
 */

/** Splits `input` into the text without the marker and the 0-based UTF-16 offset of the cursor. */
export function cursor(input: string): { text: string; offset: number } {
  const offset = input.lastIndexOf('|');
  if (offset < 0) throw new Error(`no | cursor marker in ${JSON.stringify(input)}`);
  return { text: input.slice(0, offset) + input.slice(offset + 1), offset };
}
