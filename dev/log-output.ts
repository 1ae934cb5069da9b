/**
 * How `npm start` shows the API's and the worker's log lines: readable ones (pino-pretty) for a
 * person at a terminal, the JSON lines the processes write for anything else (a file, a pipe, a
 * log collector, the tests).
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { prettyFactory } from "pino-pretty";

export type LogFormat = "pretty" | "json";

/** Readable lines when the output is a terminal, JSON otherwise. */
export function logFormat(isTTY: boolean | undefined): LogFormat {
  return isTTY === true ? "pretty" : "json";
}

/** Every control character, a line's own end included: the JSON lines hold them only escaped. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const escape = (text: string) => text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * The value with every string's control characters written as escapes: decoded from JSON, a
 * message could otherwise carry a terminal escape sequence to the screen.
 */
function inert(value: unknown): unknown {
  if (typeof value === "string") return escape(value);
  if (Array.isArray(value)) return value.map(inert);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [escape(k), inert(v)]));
  return value;
}

export interface PrettyOptions {
  /** Colours; by default when the terminal supports them and NO_COLOR is not set (pino-pretty's rule). */
  readonly colorize?: boolean;
}

/**
 * A function that turns one JSON log line into one readable line (time, level, process, message,
 * then the other fields as JSON), ending with a newline; a line that is not a JSON object is kept
 * as it is, its control characters escaped.
 */
export function prettyLines(options: PrettyOptions = {}): (line: string) => string {
  const pretty = prettyFactory({
    singleLine: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
    ...(options.colorize === undefined ? {} : { colorize: options.colorize }),
  });
  return (line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return `${escape(line)}\n`;
    }
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? pretty(inert(parsed)) : `${escape(line)}\n`;
  };
}

/** Copies a child's log output to `to`, line by line, made readable. */
export function forwardPretty(from: Readable, to: NodeJS.WritableStream): void {
  const format = prettyLines();
  createInterface({ input: from, crlfDelay: Infinity }).on("line", (line) => to.write(format(line)));
}
