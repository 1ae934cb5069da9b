/**
 * Offline verification speed: an `export --with-seals` file of N entries in sealed intervals of
 * 10 000 (written by {@link writeSealedExport}), checked by `verifyFile` three times; the best run's
 * entries per second (target: at least 100 000 on the development machine).
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyFile } from "../cli/audit/verify.js";
import { auditEvent } from "../shared/domain/audit.js";
import { digestOf, GENESIS, IntervalHash, sealKeyOf, signCheckpoint, type SealKey } from "../shared/domain/seal.js";

const STREAM = "pd:audit";

/** Writes an intact sealed export of `total` entries, `perInterval` to a checkpoint, signed with `key`. */
export async function writeSealedExport(file: string, key: SealKey, total: number, perInterval = 10_000): Promise<void> {
  const out = createWriteStream(file);
  let [prev, after, ms] = [GENESIS, "0-0", Date.now() - 3_600_000];
  for (let seq = 1; seq <= Math.ceil(total / perInterval); seq++) {
    const count = Math.min(perInterval, total - (seq - 1) * perInterval);
    const interval = new IntervalHash(prev);
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `${ms++}-0`;
      const event = auditEvent({ outcome: "issued", requestId: `r-${seq}-${i}`, actor: { type: "user", id: "u1" }, attachment: { app: "email", type: "attachment", altId: randomUUID() }, expiresAt: new Date().toISOString(), client: { ip: "10.0.0.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64)" } });
      interval.add(id, JSON.stringify(event));
      lines.push(JSON.stringify({ stream: STREAM, id, event }));
    }
    const lastId = `${ms - 1}-0`;
    const checkpoint = signCheckpoint({ v: 1, stream: STREAM, seq, after, firstId: `${ms - count}-0`, lastId, count, prev, ...interval.digest(), time: new Date(ms).toISOString(), intervalSeconds: 10, keyId: key.keyId }, key);
    lines.push(JSON.stringify({ stream: STREAM, seal: checkpoint }));
    if (!out.write(`${lines.join("\n")}\n`)) await once(out, "drain");
    [prev, after] = [digestOf(checkpoint), lastId];
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

export interface OfflineVerifyResult {
  readonly entries: number;
  readonly entriesPerSecond: number;
}

export async function offlineVerifyBench(total: number): Promise<OfflineVerifyResult> {
  const dir = mkdtempSync(join(tmpdir(), "pd-bench-verify-"));
  try {
    const key = sealKeyOf(generateKeyPairSync("ed25519").privateKey);
    const file = join(dir, "export.ndjson");
    await writeSealedExport(file, key, total);
    const keys = new Map([[key.keyId, { keyId: key.keyId, publicKey: key.publicKey, source: "bench" }]]);
    let best = 0;
    for (let run = 0; run < 3; run++) {
      const started = process.hrtime.bigint();
      const [report] = await verifyFile(file, { keys, retentionDays: 7, fromId: undefined });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (report?.break !== undefined || report?.entries !== total) throw new Error(`the benchmark's export did not verify: ${JSON.stringify(report?.break)}`);
      best = Math.max(best, total / seconds);
    }
    return { entries: total, entriesPerSecond: best };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function offlineVerifyReport(result: OfflineVerifyResult): string {
  return `\n## Offline audit verification\n${result.entries} entries in sealed intervals of 10 000, best of three: ${Math.round(result.entriesPerSecond)} entries/s (target at least 100 000: ${result.entriesPerSecond >= 100_000 ? "met" : "MISSED"})`;
}
