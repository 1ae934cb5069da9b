/** Audit entries to NDJSON lines on stdout, one event a line. */
import { AUDIT_FIELD } from "../../shared/domain/audit.js";

/** A stream entry as Redis returns it; fields are null when the entry was trimmed while pending. */
export type StreamEntry = [id: string, fields: string[] | null];

/** An entry and the (shard) stream it was read from. */
export interface SourcedEntry {
  readonly stream: string;
  readonly entry: StreamEntry;
}

/** Stdout was closed by its reader (`| head`): stop quietly, acknowledging nothing more. */
export class OutputClosed extends Error {}

/**
 * The event JSON of each entry, in order. Entries without a readable event (trimmed while
 * pending, or not written by this service) are reported on stderr, with their stream, and skipped.
 */
export function eventLines(entries: readonly SourcedEntry[]): string[] {
  const lines: string[] = [];
  for (const { stream, entry } of entries) {
    const [id, fields] = entry;
    const index = fields === null ? -1 : fields.findIndex((value, i) => i % 2 === 0 && value === AUDIT_FIELD);
    const json = index === -1 ? undefined : fields?.[index + 1];
    if (json === undefined) {
      process.stderr.write(`${stream}: audit entry ${id}: ${fields === null ? "trimmed before it was acknowledged" : `no "${AUDIT_FIELD}" field`}; skipped\n`);
      continue;
    }
    try {
      JSON.parse(json);
    } catch {
      process.stderr.write(`${stream}: audit entry ${id}: "${AUDIT_FIELD}" is not JSON; skipped\n`);
      continue;
    }
    lines.push(json);
  }
  return lines;
}

/** Writes lines and resolves once stdout has taken them, so a caller may acknowledge what was written. */
export function writeLines(lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    process.stdout.write(`${lines.join("\n")}\n`, (error) => {
      if (error === undefined || error === null) resolve();
      else reject((error as NodeJS.ErrnoException).code === "EPIPE" ? new OutputClosed() : error);
    });
  });
}
