/**
 * `npm run audit`, run as its own process against real Redis: export of a time range, following
 * the stream, and consumer-group consumption that survives a consumer killed before acknowledging;
 * then the same over several queue shards (one audit stream each) on one server (on a cluster:
 * test/topology/audit-cli.test.ts).
 */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { Redis } from "ioredis";
import { auditEvent, type AuditEvent } from "../../shared/domain/audit.js";
import { keys } from "../../shared/redis/keys.js";
import { entriesOf } from "../../cli/audit/read.js";
import { appendTo, crashAndResume, eventIdsOf, expectInOrderPerStream, killWhenStalled, RANGE, SCRIPT, secondOne, startCli, timeline } from "../support/audit-cli.js";
import { runScript } from "../support/cli.js";
import { assertAuditEvent, compareStreamIds, deleteKeys } from "../support/stack.js";

describe("audit CLI", () => {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const stream = `${prefix}:audit`;
  let env: Record<string, string>;
  let redis: Redis;

  // As `npm run audit` does: one process whose stdout is the pipe (the tsx binary would relay it through a second one).
  const start = (args: readonly string[], stopReadingAfter?: number) => startCli(env, args, stopReadingAfter);

  /** Appends events, at explicit stream ids when given (to place them in time). */
  async function append(count: number, idAt?: (i: number) => string): Promise<AuditEvent[]> {
    const events = Array.from({ length: count }, (_, i) =>
      auditEvent({ outcome: "denied", reason: "outside_user_departments", requestId: `cli-${i}`, actor: { type: "user", id: "u1" }, client: { ip: "10.0.0.7", userAgent: "a".repeat(500) } }),
    );
    const pipeline = redis.pipeline();
    events.forEach((event, i) => pipeline.xadd(stream, idAt === undefined ? "*" : idAt(i), "event", JSON.stringify(event)));
    await pipeline.exec();
    return events;
  }

  before(() => {
    // REDIS_URL is known once the global setup has found or started Redis.
    const url = process.env.REDIS_URL!;
    env = { REDIS_URL: url, KEY_PREFIX: prefix };
    redis = new Redis(url);
  });
  beforeEach(() => redis.del(stream));
  after(async () => {
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
  });

  describe("usage and failures", () => {
    it("explains a wrong command line and exits 2", async () => {
      const noConsumer = await runScript(SCRIPT, ["tail", "--group", "g"], env);
      expect(noConsumer.code).to.equal(2);
      expect(noConsumer.stderr).to.include("--group and --consumer go together").and.include("usage:");
      const badTime = await runScript(SCRIPT, ["export", "--since", "2026-11-28T03:00:00"], env);
      expect(badTime.code).to.equal(2);
      expect(badTime.stderr).to.include("--since must be an ISO 8601 time with a zone");
    });

    it("says where Redis was expected and exits 1 when it is not there", async () => {
      const result = await runScript(SCRIPT, ["export"], { ...env, REDIS_URL: "redis://127.0.0.1:1" });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.include("cannot reach Redis at 127.0.0.1:1");
    });
  });

  describe("export", () => {
    it("writes the events appended in [--since, --until), oldest first, as NDJSON", async () => {
      const t0 = Date.parse("2026-11-20T10:00:00.000Z");
      // one event a second from t0; the range takes seconds 2, 3 and 4
      const events = await append(8, (i) => `${t0 + i * 1000}-0`);
      const result = await runScript(SCRIPT, ["export", "--since", "2026-11-20T10:00:02Z", "--until", "2026-11-20T12:00:05+02:00"], env);
      expect(result.code, result.stderr).to.equal(0);
      const lines = result.stdout.trimEnd().split("\n");
      for (const line of lines) assertAuditEvent(JSON.parse(line));
      expect(lines.map((line) => (JSON.parse(line) as AuditEvent).id)).to.deep.equal(events.slice(2, 5).map((e) => e.id));
    });

    it("writes the whole stream up to now by default, across several reads", async () => {
      const events = await append(250);
      const result = await runScript(SCRIPT, ["export", "--count", "100"], env);
      expect(result.code, result.stderr).to.equal(0);
      const exported: unknown[] = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
      for (const event of exported) assertAuditEvent(event);
      expect(exported.map((event) => (event as AuditEvent).id)).to.deep.equal(events.map((e) => e.id));
    });
  });

  describe("tail", () => {
    it("follows new events until SIGTERM, then exits 0", async function () {
      this.timeout(30_000);
      const tail = start(["tail", "--since", new Date().toISOString()]);
      const events = await append(3);
      await tail.waitForLines(3);
      const more = await append(2);
      await tail.waitForLines(5);
      tail.child.kill("SIGTERM");
      expect(await tail.exited).to.deep.equal({ code: 0, signal: null });
      expect(tail.ids()).to.deep.equal([...events, ...more].map((e) => e.id));
    });
  });

  describe("consumer groups", () => {
    /**
     * Starts consumer `a`, lets it read while stdout is not drained so that it stalls holding
     * unacknowledged entries, and kills it. Returns what it printed and what it had acknowledged.
     * The stream must outsize what the stdout socket pair buffers (several hundred KiB).
     */
    async function crashConsumer(group: string, all: readonly string[]) {
      const a = start(["tail", "--group", group, "--consumer", "a", "--count", "50"], 20);
      const pending = await killWhenStalled(a, redis, [stream], group);
      const pendingIds = ((await redis.xpending(stream, group, "-", "+", all.length)) as Array<[string]>).map(([id]) => id);
      expect(pendingIds).to.have.length(pending);
      const [info] = (await redis.xinfo("GROUPS", stream)) as string[][];
      const lastDelivered = info![info!.indexOf("last-delivered-id") + 1]!;
      const entryIds = (await redis.xrange(stream, "-", "+")).map(([id]) => id);
      const deliveredCount = entryIds.indexOf(lastDelivered) + 1;
      const acked = new Set(entryIds.slice(0, deliveredCount).filter((id) => !pendingIds.includes(id)).map((id) => all[entryIds.indexOf(id)]!));
      expect(deliveredCount, "consumer a stopped before the end of the stream").to.be.below(all.length);
      const printed = new Set(a.ids());
      expect([...acked].filter((id) => !printed.has(id)), "acknowledged but never written").to.deep.equal([]);
      return { printed, pending, acked };
    }

    async function resume(args: readonly string[], expected: readonly string[]) {
      const b = start(args);
      await b.waitForLines(expected.length);
      b.child.kill("SIGTERM");
      expect(await b.exited).to.deep.equal({ code: 0, signal: null });
      return b.ids();
    }

    it("hands a killed consumer's unacknowledged entries to another consumer that claims idle ones, with none missing", async function () {
      this.timeout(30_000);
      const all = (await append(2000)).map((e) => e.id);
      const crash = await crashConsumer("g-claim", all);
      const expected = all.filter((id) => !crash.acked.has(id));
      expect(expected.length).to.be.above(crash.pending);

      const got = await resume(["tail", "--group", "g-claim", "--consumer", "b", "--claim-idle-ms", "0"], expected);
      expect([...got].sort()).to.deep.equal([...expected].sort());
      expect(all.filter((id) => !crash.printed.has(id) && !got.includes(id))).to.deep.equal([]);
      expect(((await redis.xpending(stream, "g-claim")) as [number])[0]).to.equal(0);
    });

    it("gives a consumer restarted under its name the entries it had read but not acknowledged", async function () {
      this.timeout(30_000);
      const all = (await append(2000)).map((e) => e.id);
      const crash = await crashConsumer("g-restart", all);
      const expected = all.filter((id) => !crash.acked.has(id));

      const got = await resume(["tail", "--group", "g-restart", "--consumer", "a"], expected);
      expect(got).to.deep.equal(expected);
      expect(((await redis.xpending(stream, "g-restart")) as [number])[0]).to.equal(0);
    });

    it("tells a group that fell behind the retention what it missed, and carries on with what is left", async () => {
      const events = await append(5, (i) => `${1000 * (i + 1)}-0`);
      await redis.xgroup("CREATE", stream, "g-behind", "0");
      await redis.xreadgroup("GROUP", "g-behind", "d", "COUNT", 1, "STREAMS", stream, ">");
      await redis.xtrim(stream, "MINID", 4000);
      const d = start(["tail", "--group", "g-behind", "--consumer", "d"]);
      await d.waitForLines(2);
      d.child.kill("SIGINT");
      expect(await d.exited).to.deep.equal({ code: 0, signal: null });
      expect(d.ids()).to.deep.equal(events.slice(3).map((e) => e.id));
      expect(d.stderr).to.include("audit entry 1000-0: trimmed before it was acknowledged");
      expect(d.stderr).to.include('group "g-behind" has read up to 1000-0, but the stream now starts at 4000-0: 2 entries appended in between were trimmed');
    });

    /** Runs a consumer of `group` until it printed `expected` lines; returns what it said on stderr. */
    async function consumeOnce(group: string, expected: readonly AuditEvent[]): Promise<string> {
      const e = start(["tail", "--group", group, "--consumer", "e"]);
      await e.waitForLines(expected.length);
      e.child.kill("SIGINT");
      expect(await e.exited).to.deep.equal({ code: 0, signal: null });
      expect(e.ids()).to.deep.equal(expected.map((event) => event.id));
      return e.stderr;
    }

    it("warns of nothing for a group created at 0 on a stream trimmed before the group existed", async () => {
      const events = await append(5, (i) => `${1000 * (i + 1)}-0`);
      await redis.xtrim(stream, "MINID", 4000);
      await redis.xgroup("CREATE", stream, "g-zero", "0");
      expect(await consumeOnce("g-zero", events.slice(3))).not.to.include("trimmed");
    });

    it("warns of nothing when only entries the group had read were trimmed", async () => {
      const read = await append(3, (i) => `${1000 * (i + 1)}-0`);
      await redis.xgroup("CREATE", stream, "g-read", "0");
      const delivered = entriesOf(await redis.xreadgroup("GROUP", "g-read", "d", "COUNT", 10, "STREAMS", stream, ">"));
      expect(delivered.map(([id]) => id)).to.deep.equal(["1000-0", "2000-0", "3000-0"]);
      await redis.xack(stream, "g-read", ...delivered.map(([id]) => id));
      await redis.xtrim(stream, "MINID", 3500);
      const later = await append(2, (i) => `${4000 + 1000 * i}-0`);
      expect(read).to.have.length(3);
      expect(await consumeOnce("g-read", later)).not.to.include("trimmed");
    });

    it("starts a new group at the oldest entry the stream holds", async () => {
      const events = await append(3);
      const got = await resume(["tail", "--group", "g-new", "--consumer", "c"], events.map((e) => e.id));
      expect(got).to.deep.equal(events.map((e) => e.id));
    });
  });
});

describe("audit CLI over queue shards", () => {
  it("names a cluster's seed nodes, never its password, and exits 1 when none answers", async () => {
    const result = await runScript(SCRIPT, ["export"], { REDIS_URL: "redis+cluster://app:s3cret@127.0.0.1:1,127.0.0.1:2", QUEUE_SHARDS: "3" });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include("cannot reach Redis Cluster at 127.0.0.1:1,127.0.0.1:2").and.not.include("s3cret");
  });

  describe("on one server, QUEUE_SHARDS=3", () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const shardKeys = keys(prefix, { shards: 3 });
    const streams = shardKeys.auditStreams;
    let env: Record<string, string>;
    let redis: Redis;

    before(() => {
      env = { REDIS_URL: process.env.REDIS_URL!, KEY_PREFIX: prefix, QUEUE_SHARDS: "3" };
      redis = new Redis(process.env.REDIS_URL!);
    });
    beforeEach(() => redis.del(...streams));
    after(async () => {
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
    });

    it("reads one stream per shard, each with its own hash tag", () => {
      expect(streams).to.deep.equal([`${prefix}:audit:{s0}`, `${prefix}:audit:{s1}`, `${prefix}:audit:{s2}`]);
    });

    it("exports a range of the three shard streams merged in order of time, ids compared as numbers", async () => {
      const placements = timeline(streams, (i) => [0, 2, 2, 1, 0, 1, 1, 2, 0][i % 9]!);
      const events = await appendTo(redis, placements);
      const result = await runScript(SCRIPT, ["export", ...RANGE, "--count", "2"], env);
      expect(result.code, result.stderr).to.equal(0);
      const lines: unknown[] = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
      for (const event of lines) assertAuditEvent(event);
      expect(lines.map((event) => (event as AuditEvent).id)).to.deep.equal(secondOne(placements, events));

      const everything = await runScript(SCRIPT, ["export"], env);
      expect(everything.stdout.trimEnd().split("\n").map((line) => (JSON.parse(line) as AuditEvent).id)).to.deep.equal(
        placements
          .map((placement, i) => ({ id: placement.id!, event: events[i]!.id }))
          .sort((a, b) => compareStreamIds(a.id, b.id))
          .map(({ event }) => event),
      );
    });

    it("tails every shard: a replay from --since in order of time, then new events of each shard in order", async function () {
      this.timeout(30_000);
      const since = Date.now();
      const past = await appendTo(redis, [0, 1, 2, 2, 1, 0].map((shard, i) => ({ stream: streams[shard]!, id: `${since + i}-0` })));
      const tail = startCli(env, ["tail", "--since", new Date(since).toISOString()]);
      await tail.waitForLines(past.length);
      expect(tail.ids()).to.deep.equal(past.map((e) => e.id));

      const placements = Array.from({ length: 30 }, (_, i) => ({ stream: streams[shardKeys.shardFor(`new-${i}`).index]! }));
      const fresh = await appendTo(redis, placements);
      const more = await appendTo(redis, [{ stream: streams[2]! }, { stream: streams[0]! }]);
      await tail.waitForLines(past.length + fresh.length + more.length);
      tail.child.kill("SIGTERM");
      expect(await tail.exited).to.deep.equal({ code: 0, signal: null });

      const got = tail.ids().slice(past.length);
      expect([...got].sort()).to.deep.equal([...fresh, ...more].map((e) => e.id).sort());
      const byStream = new Map<string, string[]>();
      for (const stream of streams) byStream.set(stream, [...(await eventIdsOf(redis, stream)).values()].filter((id) => !past.some((e) => e.id === id)));
      expect([...byStream.values()].every((ids) => ids.length > 0), "every shard got new events").to.equal(true);
      expectInOrderPerStream(got, byStream);
    });

    it("resumes a group consumer killed before acknowledging with every entry of every shard, pending ones included", async function () {
      this.timeout(30_000);
      const placements = Array.from({ length: 2000 }, (_, i) => ({ stream: shardKeys.shardFor(`req-${i}`).auditStream }));
      const all = (await appendTo(redis, placements)).map((e) => e.id);
      const got = await crashAndResume(redis, env, streams, "g-restart", all, ["tail", "--group", "g-restart", "--consumer", "a"]);
      const byStream = new Map<string, string[]>();
      for (const stream of streams) byStream.set(stream, [...(await eventIdsOf(redis, stream)).values()].filter((id) => got.includes(id)));
      expectInOrderPerStream(got, byStream);
    });

    it("lets another consumer claim the idle entries a killed consumer left on every shard", async function () {
      this.timeout(30_000);
      const placements = Array.from({ length: 2000 }, (_, i) => ({ stream: shardKeys.shardFor(`req-${i}`).auditStream }));
      const all = (await appendTo(redis, placements)).map((e) => e.id);
      await crashAndResume(redis, env, streams, "g-claim", all, ["tail", "--group", "g-claim", "--consumer", "b", "--claim-idle-ms", "0"]);
    });

    it("warns of entries trimmed before the group read them on the shard stream that lost them only", async () => {
      const events = await appendTo(redis, [
        ...[1, 2, 3, 4, 5].map((n) => ({ stream: streams[1]!, id: `${n * 1000}-0` })),
        { stream: streams[0]!, id: "1500-0" },
        { stream: streams[2]!, id: "2500-0" },
      ]);
      for (const stream of streams) await redis.xgroup("CREATE", stream, "g-behind", "0");
      for (const stream of streams) await redis.xreadgroup("GROUP", "g-behind", "d", "COUNT", 1, "STREAMS", stream, ">");
      await redis.xtrim(streams[1]!, "MINID", 4000);
      const d = startCli(env, ["tail", "--group", "g-behind", "--consumer", "d"]);
      await d.waitForLines(4);
      d.child.kill("SIGINT");
      expect(await d.exited).to.deep.equal({ code: 0, signal: null });
      // its own pending entries of every shard first (1000-0 is gone), then what it had not read
      expect(d.ids()).to.deep.equal([events[5]!.id, events[6]!.id, events[3]!.id, events[4]!.id]);
      expect(d.stderr).to.include(`${streams[1]}: group "g-behind" has read up to 1000-0, but the stream now starts at 4000-0: 2 entries appended in between were trimmed`);
      expect(d.stderr).to.include(`${streams[1]}: audit entry 1000-0: trimmed before it was acknowledged`);
      expect(d.stderr).not.to.include(`${streams[0]}:`).and.not.include(`${streams[2]}:`);
    });
  });


});
