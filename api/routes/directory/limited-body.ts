/** A request body as a stream of chunks, bounded in size (413-100) and in pace (408-100). */
import type { IncomingMessage } from "node:http";
import { ApiError } from "../../errors/catalog.js";

export interface BodyLimits {
  /** More bytes than this: 413-100. */
  readonly maxBytes: number;
  /** Slowest average pace over the time spent waiting for the body, with `longestPauseMs` of slack. */
  readonly minBytesPerSecond: number;
  /** Longest wait for the next chunk; also how far the body may fall behind the slowest pace. */
  readonly longestPauseMs: number;
}

/**
 * Yields the body's chunks until more than `maxBytes` have come (413-100), or until the body keeps
 * its reader waiting too long (408-100 with `Connection: close`; details say which limit): a pause
 * longer than `longestPauseMs`, or falling more than that behind `minBytesPerSecond`. Only the time spent
 * waiting for the body counts, not the time its reader takes with a chunk (while it works the
 * socket is paused, and a fast sender is not to blame). Past the size limit the rest is let flow
 * away rather than the request destroyed, which would take the socket from under the answer; a
 * body that is too slow is not read further, and its connection closes with the answer.
 */
export async function* limitedBody(request: IncomingMessage, limits: BodyLimits): AsyncGenerator<Buffer> {
  let length = 0;
  let waitedMs = 0;
  let tooSlow = false;
  const chunks = request.iterator({ destroyOnReturn: false }) as AsyncIterableIterator<Buffer>;
  try {
    for (;;) {
      // The wait ends at the longest pause, or when the body would fall too far behind the slowest pace.
      const paceDeadlineMs = limits.longestPauseMs + (length / limits.minBytesPerSecond) * 1000;
      const allowedMs = Math.min(limits.longestPauseMs, paceDeadlineMs - waitedMs);
      const started = performance.now();
      const next = await nextWithin(chunks, allowedMs);
      waitedMs += performance.now() - started;
      if (next === "late") {
        tooSlow = true;
        const paused = allowedMs >= limits.longestPauseMs;
        throw new ApiError("408-100", [paused ? { key: "longestPauseMs", value: String(limits.longestPauseMs) } : { key: "minBytesPerSecond", value: String(limits.minBytesPerSecond) }], { Connection: "close" });
      }
      if (next.done === true) return;
      length += next.value.length;
      if (length > limits.maxBytes) throw new ApiError("413-100", [{ key: "limit", value: String(limits.maxBytes) }]);
      yield next.value;
    }
  } finally {
    if (tooSlow) request.pause();
    else if (!request.readableEnded) request.resume();
  }
}

/** The iterator's next result, or "late" when none came within `ms`. */
async function nextWithin(chunks: AsyncIterableIterator<Buffer>, ms: number): Promise<IteratorResult<Buffer> | "late"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), Math.max(0, ms));
  });
  const next = chunks.next();
  // Left behind when late: the request is then closed, and the read's failure must not go unhandled.
  next.catch(() => undefined);
  try {
    return await Promise.race([next, late]);
  } finally {
    clearTimeout(timer);
  }
}
