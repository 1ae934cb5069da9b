/**
 * Control characters in text the service did not write itself (a caller's headers and body, a
 * directory file) made visible instead of acted on: in a terminal an escape sequence could
 * recolour or rewrite what an operator sees, a line break could forge a line of its own, and
 * U+2028/2029 break lines in JavaScript and many log viewers.
 */

/** C0 controls, DEL, C1 controls and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with each control character written as its escape (`\u001b`), visible and inert. */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `text` in double quotes, as JSON writes a string, with every control character escaped. */
export function quoted(text: string): string {
  return escapeControlCharacters(JSON.stringify(text));
}
