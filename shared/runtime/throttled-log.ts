/**
 * Log lines for errors that come in floods (a Redis refusing every write, a replica answering
 * every command): at most one line a second per kind, each saying how many occurrences it stands
 * for (`count`). The first occurrence is logged at once; those that follow within the second are
 * summed up in one line at its end, so none goes uncounted.
 */
import type { Logger } from "./log.js";

/** The longest one kind stays quiet while it keeps occurring. */
export const THROTTLE_INTERVAL_MS = 1000;

export type ThrottledLevel = "warn" | "error";

/** Logs `msg` with `fields` at `level`, at most once per interval for each `kind`. */
export type ThrottledLog = (level: ThrottledLevel, kind: string, fields: Record<string, unknown>, msg: string) => void;

interface Window {
  suppressed: number;
  last: { level: ThrottledLevel; fields: Record<string, unknown>; msg: string } | undefined;
}

export function throttledLog(log: Logger, intervalMs = THROTTLE_INTERVAL_MS): ThrottledLog {
  const windows = new Map<string, Window>();
  const open = (kind: string) => {
    const window: Window = { suppressed: 0, last: undefined };
    windows.set(kind, window);
    setTimeout(() => {
      windows.delete(kind);
      if (window.last === undefined) return;
      log[window.last.level]({ ...window.last.fields, kind, count: window.suppressed }, window.last.msg);
      // The flood goes on: the next occurrences are counted in a new window.
      open(kind);
    }, intervalMs).unref();
  };
  return (level, kind, fields, msg) => {
    const window = windows.get(kind);
    if (window === undefined) {
      log[level]({ ...fields, kind, count: 1 }, msg);
      open(kind);
      return;
    }
    window.suppressed += 1;
    window.last = { level, fields, msg };
  };
}
