/**
 * One `PUT /directory/attachment/{altId}` beside one predownload, at one connection: the two
 * alternate (which goes first swaps every pair), so that whatever else the machine does falls on
 * both alike. The PUT replaces a seeded attachment with its own record (no version): the write
 * script, the import marker, the clock and the audit event, all of a PUT's work. Target: a PUT's
 * median at most twice a predownload's.
 */
import jwt from "jsonwebtoken";
import type { Attachment } from "../shared/domain/directory.js";
import type { RequestSpec } from "./seed.js";
import { quantile } from "./stats.js";

export interface DirectoryPutOptions {
  readonly url: string;
  /** The API's JWT secret: the PUT's admin token is signed with it. */
  readonly secret: string;
  readonly attachments: readonly Attachment[];
  /** Predownloads to pair with; only those that are issued are used. */
  readonly specs: readonly RequestSpec[];
  readonly pairs: number;
}

export interface DirectoryPutResult {
  readonly pairs: number;
  readonly put: { readonly p50: number; readonly p90: number };
  readonly predownload: { readonly p50: number; readonly p90: number };
  /** PUT median ÷ predownload median. */
  readonly ratio: number;
}

const WARM_UP_PAIRS = 200;

async function timed(request: () => Promise<Response>, expected: number): Promise<number> {
  const started = performance.now();
  const response = await request();
  await response.arrayBuffer();
  const ms = performance.now() - started;
  if (response.status !== expected) throw new Error(`expected ${expected}, got ${response.status}`);
  return ms;
}

export async function directoryPutVsPredownload(options: DirectoryPutOptions): Promise<DirectoryPutResult> {
  const admin = jwt.sign({ sub: "bench-admin", actor: "client", scope: "directory:write" }, options.secret, { algorithm: "HS256", expiresIn: 3600 });
  const issued = options.specs.filter((s) => s.outcome === "issued");
  const put = (i: number) => {
    const record = options.attachments[i % options.attachments.length]!;
    return () =>
      fetch(`${options.url}/directory/attachment/${encodeURIComponent(record.altId)}`, {
        method: "PUT",
        headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
        body: JSON.stringify(record),
      });
  };
  const predownload = (i: number) => {
    const spec = issued[i % issued.length]!;
    return () => fetch(`${options.url}/assets/predownload`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${spec.token}` }, body: spec.body });
  };
  const puts: number[] = [];
  const predownloads: number[] = [];
  for (let i = 0; i < WARM_UP_PAIRS + options.pairs; i++) {
    const pair: Array<[() => Promise<Response>, number, number[]]> = [
      [put(i), 200, puts],
      [predownload(i), 200, predownloads],
    ];
    if (i % 2 === 1) pair.reverse();
    for (const [request, expected, into] of pair) {
      const ms = await timed(request, expected);
      if (i >= WARM_UP_PAIRS) into.push(ms);
    }
  }
  puts.sort((a, b) => a - b);
  predownloads.sort((a, b) => a - b);
  const result = { p50: quantile(puts, 0.5), p90: quantile(puts, 0.9) };
  const base = { p50: quantile(predownloads, 0.5), p90: quantile(predownloads, 0.9) };
  return { pairs: options.pairs, put: result, predownload: base, ratio: result.p50 / base.p50 };
}

/** The benchmark's section for a result. */
export function directoryPutSection(r: DirectoryPutResult): string {
  return [
    `\n## Directory PUT beside a predownload, one connection, ${r.pairs} alternating pairs`,
    "| request | p50 ms | p90 ms |\n|---|---|---|",
    `| PUT /directory/attachment/{altId} | ${r.put.p50.toFixed(2)} | ${r.put.p90.toFixed(2)} |`,
    `| POST /assets/predownload (issued) | ${r.predownload.p50.toFixed(2)} | ${r.predownload.p90.toFixed(2)} |`,
    `- ${r.ratio <= 2 ? "met" : "MISSED"}: PUT ≤ 2 x a predownload (p50 ratio ${r.ratio.toFixed(2)})`,
  ].join("\n");
}
