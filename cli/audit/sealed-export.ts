/**
 * `export --with-seals`: every entry and every checkpoint of the audit streams, one JSON object a
 * line in stream order, for `verify --input` offline: `{"stream","id","event"}` for an entry
 * (`"fields"` instead of `"event"` for an entry that is not one JSON event) and
 * `{"stream","seal":{…}}` for a checkpoint.
 */
import type { RedisClient } from "../../shared/redis/client.js";
import { AUDIT_FIELD } from "../../shared/domain/audit.js";
import { SEAL_FIELD, sealsKeyOf } from "../../shared/domain/seal.js";
import { lastEntryId } from "../../shared/redis/seal-store.js";
import { mergePages } from "./merge.js";
import { writeLines, type SourcedEntry } from "./output.js";
import { range } from "./read.js";

function line(streamOf: ReadonlyMap<string, string>, { stream: source, entry: [id, fields] }: SourcedEntry): string {
  const stream = streamOf.get(source);
  const list = fields ?? [];
  if (stream !== undefined) {
    let seal: unknown = list[0] === SEAL_FIELD ? list[1] : { unreadable: id };
    try {
      seal = JSON.parse(seal as string);
    } catch {
      // kept as text: verify names it
    }
    return JSON.stringify({ stream, seal });
  }
  if (list.length === 2 && list[0] === AUDIT_FIELD) {
    try {
      return JSON.stringify({ stream: source, id, event: JSON.parse(list[1]!) });
    } catch {
      // not JSON: its fields below
    }
  }
  return JSON.stringify({ stream: source, id, fields: list });
}

/** Writes every entry and checkpoint of `streams`; resolves how many lines. */
export async function exportWithSeals(redis: RedisClient, streams: readonly string[], count: number): Promise<number> {
  // Checkpoints up to the newest one now, entries to their end (read after): every checkpoint
  // written finds the entries it covers in the export, whatever the sealer does meanwhile.
  const sealEnds = await Promise.all(streams.map(async (stream) => (await lastEntryId(redis, sealsKeyOf(stream))) ?? "0-0"));
  const streamOf = new Map(streams.map((stream) => [sealsKeyOf(stream), stream]));
  const sources = [...streams.map((stream) => range(redis, stream, "-", "+", count)), ...streams.map((stream, i) => range(redis, sealsKeyOf(stream), "-", sealEnds[i]!, count))];
  let written = 0;
  await mergePages(sources, count, async (batch) => {
    await writeLines(batch.map((entry) => line(streamOf, entry)));
    written += batch.length;
  });
  return written;
}
