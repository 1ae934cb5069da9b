/**
 * Running the audit CLI (`cli/audit.ts`) as its own process and feeding its streams: the
 * helpers the one-server and the cluster tests of the CLI share.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { writeFileSync } from "node:fs";
import { expect } from "chai";
import { auditEvent, type AuditEvent } from "../../shared/domain/audit.js";
import type { RedisClient } from "../../shared/redis/client.js";
import { ROOT, runScript } from "./cli.js";
import { assertAuditEvent, compareStreamIds } from "./stack.js";

export const SCRIPT = "cli/audit.ts";

/** A CLI process whose stdout is collected line by line. */
export class Running {
  readonly lines: string[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private partial = "";

  /** `stopReadingAfter`: stop draining stdout once that many lines arrived, so the process stalls writing. */
  constructor(
    readonly child: ChildProcessWithoutNullStreams,
    private stopReadingAfter = Infinity,
  ) {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (this.partial + chunk).split("\n");
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      if (this.lines.length >= this.stopReadingAfter) child.stdout.pause();
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    // "close", not "exit": every line the process wrote has been read by then.
    this.exited = new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  }

  /** Reads stdout to its end again. */
  drain(): void {
    this.stopReadingAfter = Infinity;
    this.child.stdout.resume();
  }

  /** Resolves once `n` lines arrived; rejects after `ms` with what was seen. */
  async waitForLines(n: number, ms = 10_000): Promise<void> {
    const until = Date.now() + ms;
    while (this.lines.length < n) {
      if (Date.now() > until) throw new Error(`got ${this.lines.length} of ${n} lines; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  ids(): string[] {
    return this.lines.map((line) => {
      const event: unknown = JSON.parse(line);
      assertAuditEvent(event);
      return event.id as string;
    });
  }
}

/** An audit CLI process with only PATH and `env` in its environment. */
export function startCli(env: Record<string, string>, args: readonly string[], stopReadingAfter?: number): Running {
  return new Running(spawn(process.execPath, ["--import", "tsx", SCRIPT, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env } }), stopReadingAfter);
}

/** Where one event goes: a shard stream, at an explicit id or at `*`. */
export interface Placement {
  readonly stream: string;
  readonly id?: string;
}

/** Appends one event per placement; each stream's events go in the given order (one pipeline per stream: one slot). */
export async function appendTo(client: RedisClient, placements: readonly Placement[]): Promise<AuditEvent[]> {
  const events = placements.map((_, i) => auditEvent({ outcome: "denied", reason: "outside_user_departments", requestId: `shard-${i}`, actor: { type: "user", id: "u1" }, client: { ip: "10.0.0.7", userAgent: "a".repeat(500) } }));
  const pipelines = new Map<string, ReturnType<RedisClient["pipeline"]>>();
  placements.forEach(({ stream, id }, i) => {
    const pipeline = pipelines.get(stream) ?? client.pipeline();
    pipelines.set(stream, pipeline);
    pipeline.xadd(stream, id ?? "*", "event", JSON.stringify(events[i]));
  });
  const results = await Promise.all([...pipelines.values()].map((pipeline) => pipeline.exec()));
  for (const [error] of results.flatMap((result) => result ?? [])) if (error !== null) throw error;
  return events;
}

/** The event ids a stream holds, by entry id. */
export async function eventIdsOf(client: RedisClient, stream: string): Promise<Map<string, string>> {
  const entries = await client.xrange(stream, "-", "+");
  return new Map(entries.map(([id, fields]) => [id, (JSON.parse(fields[1]!) as AuditEvent).id]));
}

export async function pendingCount(client: RedisClient, streams: readonly string[], group: string): Promise<number> {
  const counts = await Promise.all(streams.map(async (stream) => ((await client.xpending(stream, group)) as [number])[0]));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Waits until consumer `a`, its stdout no longer drained, has stopped reading while it holds
 * unacknowledged entries (the pending count is the same three times in a row), then kills it.
 * Resolves the number of entries it left pending.
 */
export async function killWhenStalled(a: Running, client: RedisClient, streams: readonly string[], group: string): Promise<number> {
  await a.waitForLines(20);
  let pending = 0;
  const until = Date.now() + 10_000;
  for (let stable = 0, last = -1; stable < 3; ) {
    if (Date.now() > until) throw new Error(`consumer a never stalled holding entries; pending ${pending}`);
    await new Promise((r) => setTimeout(r, 100));
    pending = await pendingCount(client, streams, group);
    stable = pending > 0 && pending === last ? stable + 1 : 0;
    last = pending;
  }
  a.child.kill("SIGKILL");
  a.drain();
  expect((await a.exited).signal).to.equal("SIGKILL");
  return pending;
}

/**
 * The consumer-group scenario over several streams: consumer `a` reads while its stdout is not
 * drained, so it stalls holding unacknowledged entries of the shards, and is killed; then `resumeArgs`
 * runs until it printed every event `a` had not acknowledged. Checks that it got exactly those,
 * and that nothing is pending afterwards on any stream.
 */
export async function crashAndResume(client: RedisClient, env: Record<string, string>, streams: readonly string[], group: string, all: readonly string[], resumeArgs: readonly string[]) {
  const a = startCli(env, ["tail", "--group", group, "--consumer", "a", "--count", "50"], 20);
  const pending = await killWhenStalled(a, client, streams, group);

  const acked = new Set<string>();
  let delivered = 0;
  for (const stream of streams) {
    const pendingIds = new Set(((await client.xpending(stream, group, "-", "+", all.length)) as Array<[string]>).map(([id]) => id));
    const info = ((await client.xinfo("GROUPS", stream)) as string[][]).find((g) => g[g.indexOf("name") + 1] === group)!;
    const lastDelivered = info[info.indexOf("last-delivered-id") + 1]!;
    for (const [entryId, eventId] of await eventIdsOf(client, stream)) {
      if (compareStreamIds(entryId, lastDelivered) > 0) continue;
      delivered += 1;
      if (!pendingIds.has(entryId)) acked.add(eventId);
    }
  }
  expect(delivered, "consumer a stopped before the end of the streams").to.be.below(all.length);
  const printed = new Set(a.ids());
  expect([...acked].filter((id) => !printed.has(id)), "acknowledged but never written").to.deep.equal([]);

  const expected = all.filter((id) => !acked.has(id));
  expect(expected.length).to.be.above(pending);
  const b = startCli(env, resumeArgs);
  await b.waitForLines(expected.length);
  b.child.kill("SIGTERM");
  expect(await b.exited).to.deep.equal({ code: 0, signal: null });
  const got = b.ids();
  expect([...got].sort(), "every entry not acknowledged, each once").to.deep.equal([...expected].sort());
  expect(all.filter((id) => !printed.has(id) && !got.includes(id)), "missing").to.deep.equal([]);
  expect(await pendingCount(client, streams, group)).to.equal(0);
  return got;
}

/** Entry ids ascending in each stream: the order of `got` restricted to each stream's events. */
export function expectInOrderPerStream(got: readonly string[], byStream: ReadonlyMap<string, readonly string[]>): void {
  for (const [stream, ids] of byStream) {
    const mine = new Set(ids);
    expect(got.filter((id) => mine.has(id)), stream).to.deep.equal(ids);
  }
}

export const T0 = Date.parse("2026-11-20T10:00:00.000Z");

/**
 * Thirty events, one every 100 ms from T0, spread over the shards as the service spreads
 * requests; then two more at one millisecond whose sequence numbers (9 and 10) order wrongly as
 * text, on different shards.
 */
export function timeline(streams: readonly string[], shardOf: (i: number) => number): Placement[] {
  return Array.from({ length: 30 }, (_, i): Placement[] => [
    { stream: streams[shardOf(i)]!, id: `${T0 + i * 100}-0` },
    ...(i === 15 ? [{ stream: streams[1]!, id: `${T0 + 1550}-10` }, { stream: streams[0]!, id: `${T0 + 1550}-9` }] : []),
  ]).flat();
}

/** The events of `timeline` appended in [T0 + 1 s, T0 + 2 s), in order of their ids. */
export function secondOne(placements: readonly Placement[], events: readonly AuditEvent[]): string[] {
  return placements
    .map((placement, i) => ({ id: placement.id!, event: events[i]!.id }))
    .filter(({ id }) => compareStreamIds(id, `${T0 + 1000}-0`) >= 0 && compareStreamIds(id, `${T0 + 2000}-0`) < 0)
    .sort((a, b) => compareStreamIds(a.id, b.id))
    .map(({ event }) => event);
}

export const RANGE = ["--since", "2026-11-20T10:00:01Z", "--until", "2026-11-20T10:00:02Z"];

/**
 * `verify` on the live streams, then on an `export --with-seals` written to `file`: both exit 0.
 * Resolves both summaries (the first line of each).
 */
export async function expectVerifiedLiveAndOffline(env: Record<string, string>, publicFile: string, file: string): Promise<{ live: string; offline: string }> {
  const live = await runScript(SCRIPT, ["verify", "--public-key", publicFile], env);
  expect(live.code, live.stdout + live.stderr).to.equal(0);
  const exported = await runScript(SCRIPT, ["export", "--with-seals"], env);
  expect(exported.code, exported.stderr).to.equal(0);
  writeFileSync(file, exported.stdout);
  const offline = await runScript(SCRIPT, ["verify", "--public-key", publicFile, "--input", file], {});
  expect(offline.code, offline.stdout + offline.stderr).to.equal(0);
  return { live: live.stdout.split("\n")[0]!, offline: offline.stdout.split("\n")[0]! };
}
