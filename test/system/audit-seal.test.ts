/**
 * The sealed audit trail against real Redis: the sealer's signed checkpoints, `npm run audit --
 * verify` on the live streams and on an `export --with-seals` file, each kind of tampering found
 * and named, retention trimming whole sealed intervals only, a killed sealer replaced, two keys.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { expect } from "chai";
import { Redis } from "ioredis";
import { parseCheckpoint, SEAL_FIELD, sealKeyOf, sealsKeyOf, signCheckpoint, type Checkpoint, type SealKey } from "../../shared/domain/seal.js";
import { createLogger } from "../../shared/runtime/log.js";
import { startSealer, type Sealer } from "../../worker/sealer.js";
import { auditEvent } from "../../shared/domain/audit.js";
import { verifyFile } from "../../cli/audit/verify.js";
import { writeSealedExport } from "../../bench/offline-verify.js";
import { appendTo, SCRIPT } from "../support/audit-cli.js";
import { runScript } from "../support/cli.js";
import { spawnService, type ServiceProcess } from "../support/service-process.js";
import { minimalDirectory, predownloadBody } from "../support/factories.js";
import { deleteKeys, startStack, testEnv } from "../support/stack.js";

const log = createLogger("test", "silent");

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
ajvFormats.default(ajv);
ajv.addSchema(JSON.parse(readFileSync(new URL("../../schema/audit-event.schema.json", import.meta.url), "utf8")) as object);
const checkpointSchema = ajv.getSchema("urn:predownload-service:audit-event:1#/$defs/checkpoint")!;

interface KeyFiles {
  readonly key: SealKey;
  readonly privateFile: string;
  readonly publicFile: string;
}

describe("sealed audit trail", () => {
  const dir = mkdtempSync(join(tmpdir(), "pd-seal-"));
  const prefix = `t${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  let sealers: Sealer[] = [];
  let keyA: KeyFiles;
  let keyB: KeyFiles;

  function keyFiles(name: string): KeyFiles {
    const { privateKey } = generateKeyPairSync("ed25519");
    const key = sealKeyOf(privateKey);
    const privateFile = join(dir, `${name}.pem`);
    const publicFile = join(dir, `${name}.pub.pem`);
    writeFileSync(privateFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(publicFile, key.publicKey.export({ type: "spki", format: "pem" }));
    return { key, privateFile, publicFile };
  }

  before(() => {
    redis = new Redis(process.env.REDIS_URL!);
    keyA = keyFiles("a");
    keyB = keyFiles("b");
  });
  afterEach(async () => {
    await Promise.all(sealers.map((sealer) => sealer.stop()));
    sealers = [];
  });
  after(async () => {
    await deleteKeys(redis, `${prefix}.*`);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A stream of its own: a `KEY_PREFIX` under the suite's, and the CLI's environment for it. */
  function trailOf() {
    const keyPrefix = `${prefix}.${randomUUID().slice(0, 8)}`;
    const stream = `${keyPrefix}:audit`;
    return { stream, seals: sealsKeyOf(stream), env: { REDIS_URL: process.env.REDIS_URL!, KEY_PREFIX: keyPrefix } };
  }

  /** A sealer the test drives with `sealNow` (its timer's interval is long), by Redis's clock shifted `shiftMs`. */
  function sealer(stream: string, key: SealKey, options: { intervalSeconds?: number; shiftMs?: number; retentionDays?: number } = {}): Sealer {
    const s = startSealer({
      redis,
      streams: [stream],
      key,
      intervalSeconds: options.intervalSeconds ?? 3600,
      clock: { now: () => Date.now() + (options.shiftMs ?? 0) },
      retentionDays: options.retentionDays ?? 7,
      log,
    });
    sealers.push(s);
    return s;
  }

  const append = (stream: string, count: number) => appendTo(redis, Array.from({ length: count }, () => ({ stream })));

  /** A sealer still running that has sealed 5 entries, then 5 more. */
  async function sealingTwice(stream: string): Promise<Sealer> {
    const s = sealer(stream, keyA.key);
    await append(stream, 5);
    await s.sealNow();
    await append(stream, 5);
    await s.sealNow();
    return s;
  }

  /**
   * Checkpoints #1 and #2 (the sealer's first round, and one more) empty, #3 10 entries, #4 empty,
   * #5 15 entries, then 4 entries not yet sealed; the sealer stopped.
   */
  async function sealedTrail(key = keyA.key) {
    const trail = trailOf();
    const s = sealer(trail.stream, key);
    await s.sealNow();
    await append(trail.stream, 10);
    await s.sealNow();
    await s.sealNow();
    await append(trail.stream, 15);
    await s.sealNow();
    await append(trail.stream, 4);
    await s.stop();
    return trail;
  }

  const checkpoints = async (seals: string): Promise<Array<[string, Checkpoint]>> =>
    (await redis.xrange(seals, "-", "+")).map(([id, fields]) => [id, parseCheckpoint(fields[fields.indexOf(SEAL_FIELD) + 1]!)]);

  /** Rewrites a stream (entries or seals) as a list of [id, fields], as someone with write access could. */
  async function rewrite(key: string, change: (entries: Array<[string, string[]]>) => Array<[string, string[]]>): Promise<void> {
    const entries = change((await redis.xrange(key, "-", "+")) as Array<[string, string[]]>);
    const multi = redis.multi().del(key);
    for (const [id, fields] of entries) multi.xadd(key, id, ...fields);
    await multi.exec();
  }

  const cutNewest = async (stream: string, count: number) => redis.xdel(stream, ...(await redis.xrevrange(stream, "+", "-", "COUNT", count)).map(([id]) => id));

  const verify = (env: Record<string, string>, ...args: string[]) => runScript(SCRIPT, ["verify", "--public-key", keyA.publicFile, ...args], env);

  async function exportFile(env: Record<string, string>): Promise<string> {
    const result = await runScript(SCRIPT, ["export", "--with-seals"], env);
    expect(result.code, result.stderr).to.equal(0);
    const file = join(dir, `${randomUUID()}.ndjson`);
    writeFileSync(file, result.stdout);
    return file;
  }

  function expectBreak(result: { code: number | null; stdout: string; stderr: string }, kind: string, ...mentions: string[]) {
    expect(result.code, `${result.stdout}${result.stderr}`).to.equal(1);
    expect(result.stdout).to.include(`: ${kind}: `);
    for (const text of mentions) expect(result.stdout).to.include(text);
  }

  describe("an intact trail", () => {
    it("verifies live: every checkpoint, empty intervals included, and the entries not yet sealed apart", async () => {
      const { env, seals } = await sealedTrail();
      const stored = await checkpoints(seals);
      expect(stored.map(([, c]) => [c.seq, c.count])).to.deep.equal([
        [1, 0],
        [2, 0],
        [3, 10],
        [4, 0],
        [5, 15],
      ]);
      for (const [, c] of stored) expect(checkpointSchema(c), ajv.errorsText(checkpointSchema.errors)).to.equal(true);
      const result = await verify(env);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      const lines = result.stdout.trim().split("\n");
      expect(lines[0]).to.equal("5 seals, 25 entries, all valid");
      expect(result.stdout).to.include("4 entries newer than the last checkpoint (#5").and.include("not yet sealed");
      expect(result.stdout).to.include(`key ${keyA.key.keyId} (${keyA.publicFile}) signed`);
    });

    it("verifies offline from an export --with-seals, and with the sealing key when no public key is given", async () => {
      const { env } = await sealedTrail();
      const file = await exportFile(env);
      const lines = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.filter((line) => "seal" in line)).to.have.length(5);
      expect(lines.filter((line) => "event" in line)).to.have.length(29);
      const offline = await runScript(SCRIPT, ["verify", "--public-key", keyA.publicFile, "--input", file], {});
      expect(offline.code, offline.stdout + offline.stderr).to.equal(0);
      expect(offline.stdout).to.match(/^5 seals, 25 entries, all valid\n/);
      const withSealingKey = await runScript(SCRIPT, ["verify"], { ...env, AUDIT_SEAL_KEY_FILE: keyA.privateFile });
      expect(withSealingKey.code, withSealingKey.stdout).to.equal(0);
    });

    it("starts at --from: earlier checkpoints checked, their entries not read (a deletion there goes unseen)", async () => {
      const { env, stream, seals } = await sealedTrail();
      const stored = await checkpoints(seals);
      const fifth = stored.find(([, c]) => c.seq === 5)![1];
      const [first] = (await redis.xrange(stream, "-", "+", "COUNT", 1))[0]!;
      await redis.xdel(stream, first);
      const result = await verify(env, "--from", fifth.firstId!);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(result.stdout).to.match(/^5 seals, 15 entries, all valid\n/);
      expect(result.stdout).to.include("4 checkpoints before --from checked, their entries not read");
    });

    it("prints the public key of AUDIT_SEAL_KEY_FILE, and verify accepts it", async () => {
      const { env } = await sealedTrail();
      const printed = await runScript(SCRIPT, ["public-key"], { ...env, AUDIT_SEAL_KEY_FILE: keyA.privateFile });
      expect(printed.code).to.equal(0);
      expect(printed.stdout).to.equal(readFileSync(keyA.publicFile, "utf8"));
    });

    it("exits 2 on usage: no key, a bad --from, an option of another subcommand", async () => {
      const { env } = trailOf();
      for (const args of [["verify"], ["verify", "--public-key", keyA.publicFile, "--from", "yesterday"], ["export", "--with-seals", "--since", "2026-11-28"], ["public-key"], ["verify", "--public-key", keyA.publicFile, "--count", "5"], ["verify", "--public-key", keyA.publicFile, "--input", join(dir, "none")]]) {
        const result = await runScript(SCRIPT, args, env);
        expect(result.code, args.join(" ")).to.equal(2);
      }
    });
  });

  describe("tampering found and named, exit 1", () => {
    it("an entry deleted live (XDEL)", async () => {
      const { env, stream } = await sealedTrail();
      const [, , third] = await redis.xrange(stream, "-", "+");
      await redis.xdel(stream, third![0]);
      expectBreak(await verify(env), "entry deleted", "checkpoint #3", "9 of 10 left");
    });

    it("an entry deleted in an export", async () => {
      const { env } = await sealedTrail();
      const file = await exportFile(env);
      const lines = readFileSync(file, "utf8").split("\n");
      const index = lines.findIndex((line, i) => i > 15 && line.includes('"event"'));
      writeFileSync(file, lines.filter((_, i) => i !== index).join("\n"));
      expectBreak(await verify({}, "--input", file), "entry deleted", "checkpoint #");
    });

    it("an entry altered", async () => {
      const { env, stream } = await sealedTrail();
      await rewrite(stream, (entries) => entries.map(([id, fields], i) => [id, i === 12 ? ["event", fields[1]!.replace('"denied"', '"issued"')] : fields]));
      expectBreak(await verify(env), "entry altered", "checkpoint #5", "was altered");
    });

    it("an entry inserted", async () => {
      const { env, stream } = await sealedTrail();
      const [extra] = await append(stream, 1);
      let inserted = "";
      await rewrite(stream, (entries) => {
        // Just before the first entry of checkpoint #2, inside its interval.
        inserted = `${Number(entries[0]![0].split("-")[0]) - 1}-0`;
        return [[inserted, ["event", JSON.stringify(extra)]], ...entries.slice(0, -1)];
      });
      expectBreak(await verify(env), "entry inserted", `entry ${inserted} and 1 entry in all inserted into checkpoint #3`, "11 where 10 were sealed");
    });

    it("two entries swapped", async () => {
      const { env, stream } = await sealedTrail();
      await rewrite(stream, (entries) => entries.map(([id], i) => [id, entries[i === 2 ? 5 : i === 5 ? 2 : i]![1]]));
      expectBreak(await verify(env), "entries reordered", "checkpoint #3");
      // In an export, lines swapped put ids out of order.
      const file = await exportFile(env);
      const lines = readFileSync(file, "utf8").trim().split("\n");
      const events = lines.flatMap((line, i) => (line.includes('"event"') ? [i] : []));
      [lines[events[20]!], lines[events[21]!]] = [lines[events[21]!]!, lines[events[20]!]!];
      writeFileSync(file, lines.join("\n"));
      expectBreak(await verify({}, "--input", file), "entries reordered");
    });

    it("a checkpoint removed", async () => {
      const { env, seals } = await sealedTrail();
      const [, , third] = await redis.xrange(seals, "-", "+");
      await redis.xdel(seals, third![0]);
      expectBreak(await verify(env), "checkpoint missing", "checkpoint #3 is missing");
    });

    it("a checkpoint forged: changed after signing", async () => {
      const { env, seals } = await sealedTrail();
      await rewrite(seals, (entries) => entries.map(([id, fields], i) => [id, i === 2 ? [SEAL_FIELD, JSON.stringify({ ...parseCheckpoint(fields[1]!), count: 9 })] : fields]));
      expectBreak(await verify(env), "checkpoint forged", "checkpoint #3", "signature does not hold");
    });

    it("a checkpoint signed by another key", async () => {
      const { env, stream, seals } = await sealedTrail();
      // Someone rewrites history and re-signs the checkpoint with a key of their own.
      await rewrite(stream, (entries) => entries.slice(1));
      await rewrite(seals, (entries) => entries.map(([id, fields], i) => [id, i === 2 ? [SEAL_FIELD, JSON.stringify(signCheckpoint({ ...parseCheckpoint(fields[1]!), count: 9, keyId: keyB.key.keyId }, keyB.key))] : fields]));
      expectBreak(await verify(env), "unknown key", "checkpoint #3", keyB.key.keyId);
    });

    it("the tail cut behind the last checkpoint, with the sealer gone: reported against that checkpoint's time", async () => {
      const trail = trailOf();
      // Sealed a minute ago (by this sealer's clock), every second.
      const s = sealer(trail.stream, keyA.key, { intervalSeconds: 1, shiftMs: -60_000 });
      await s.sealNow();
      await append(trail.stream, 5);
      await s.sealNow();
      await append(trail.stream, 5);
      await s.sealNow();
      await s.stop();
      const stored = await checkpoints(trail.seals);
      // The sealer's own timer may have sealed a round between those calls: the last checkpoint with
      // entries is the one whose entries are cut, with every (empty) checkpoint after it.
      let last = stored.length - 1;
      while (stored[last]![1].count === 0) last -= 1;
      await redis.xdel(trail.seals, ...stored.slice(last).map(([id]) => id));
      await cutNewest(trail.stream, stored[last]![1].count);
      expectBreak(await verify(trail.env), "tail cut", `checkpoint #${stored[last]![1].seq - 1}, sealed ${stored[last - 1]![1].time}`);
    });

    it("the tail cut while the sealer runs: it chains on from its own last checkpoint, and the gap shows", async () => {
      const trail = trailOf();
      const s = await sealingTwice(trail.stream);
      const [sealId, last] = (await redis.xrevrange(trail.seals, "+", "-", "COUNT", 1))[0]!;
      await redis.xdel(trail.seals, sealId);
      await cutNewest(trail.stream, 5);
      await s.sealNow();
      expectBreak(await verify(trail.env), "checkpoint missing", `checkpoint #${parseCheckpoint(last[1]!).seq} is missing`);
    });
  });
  describe("checkpoints lost from under a running sealer", () => {
    // With an entry they cover gone too, they are not: see "the tail cut while the sealer runs".
    it("appends them again as they were when every entry they cover is intact (a failover that lost them): the chain stays whole", async () => {
      const trail = trailOf();
      const s = await sealingTwice(trail.stream);
      await s.sealNow();
      const newest = (await redis.xrevrange(trail.seals, "+", "-", "COUNT", 2)).map(([id]) => id);
      const lost = (await checkpoints(trail.seals)).slice(-2).map(([, c]) => c.signature);
      await redis.xdel(trail.seals, ...newest);
      await append(trail.stream, 2);
      await s.sealNow();
      const now = (await checkpoints(trail.seals)).map(([, c]) => c);
      expect(now.map((c) => c.seq)).to.deep.equal(now.map((_, i) => i + 1));
      expect(now.slice(-3, -1).map((c) => c.signature), "restored verbatim").to.deep.equal(lost);
      const result = await verify(trail.env);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(result.stdout).to.match(/^\d+ seals, 12 entries, all valid\n/);
    });
  });

  describe("keys", () => {
    it("rotation: checkpoints of two keys chain on; verify with both says which key signed which, with one names the other", async () => {
      const trail = trailOf();
      const a = sealer(trail.stream, keyA.key);
      await append(trail.stream, 3);
      await a.sealNow();
      await a.stop();
      const b = sealer(trail.stream, keyB.key);
      await append(trail.stream, 3);
      await b.sealNow();
      const stored = await checkpoints(trail.seals);
      const firstOfB = stored.find(([, c]) => c.keyId === keyB.key.keyId)![1];
      expect(stored.map(([, c]) => c.seq)).to.deep.equal(stored.map((_, i) => i + 1));
      const both = await runScript(SCRIPT, ["verify", "--public-key", keyA.publicFile, "--public-key", keyB.publicFile], trail.env);
      expect(both.code, both.stdout + both.stderr).to.equal(0);
      expect(both.stdout).to.include(`key ${keyA.key.keyId} (${keyA.publicFile}) signed ${trail.stream} #1 to #${firstOfB.seq - 1}`);
      expect(both.stdout).to.include(`key ${keyB.key.keyId} (${keyB.publicFile}) signed ${trail.stream} #${firstOfB.seq}`);
      expectBreak(await verify(trail.env), "unknown key", `checkpoint #${firstOfB.seq}`, keyB.key.keyId);
    });
  });

  describe("retention", () => {
    const DAY_MS = 24 * 3600 * 1000;

    it("trims whole sealed intervals older than the retention only, keeping the last one's checkpoint as the chain's anchor", async () => {
      const trail = trailOf();
      const oldMs = Date.now() - 3 * DAY_MS;
      // Sealed three days ago (by its clock): #1 and #2 empty, #3 five old entries.
      const then = sealer(trail.stream, keyA.key, { shiftMs: -3 * DAY_MS, retentionDays: 1 });
      await then.sealNow();
      await appendTo(redis, Array.from({ length: 5 }, (_, i) => ({ stream: trail.stream, id: `${oldMs + i}-0` })));
      await then.sealNow();
      // #4: one old entry and one fresh: an interval that is not wholly older than the retention.
      await appendTo(redis, [{ stream: trail.stream, id: `${oldMs + DAY_MS / 2}-0` }, { stream: trail.stream }]);
      await then.sealNow();
      await then.stop();
      const before = await checkpoints(trail.seals);
      const now = sealer(trail.stream, keyA.key, { retentionDays: 1 });
      await now.sealNow();
      const kept = await redis.xrange(trail.stream, "-", "+");
      expect(kept.map(([id]) => id)[0]).to.equal(`${oldMs + DAY_MS / 2}-0`);
      expect(kept).to.have.length(2);
      const after = await checkpoints(trail.seals);
      // Every checkpoint whose interval is gone but the last, which anchors the chain.
      const anchor = before.filter(([, c]) => c.count === 5)[0]!;
      expect(after[0]![1].seq).to.equal(anchor[1].seq);
      const result = await runScript(SCRIPT, ["verify", "--public-key", keyA.publicFile], { ...trail.env, AUDIT_RETENTION_DAYS: "1" });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(result.stdout).to.include("5 older entries trimmed by retention");
      // The same trail judged with a week's retention: the gone interval was younger than that.
      expectBreak(await verify(trail.env), "entry deleted", `checkpoint #${anchor[1].seq}`, "younger than the retention");
    });
    it("with sealing on, a worker's decision trims nothing: unsealed entries older than the retention stay", async () => {
      const stack = await startStack({ env: { AUDIT_RETENTION_DAYS: "2", AUDIT_SEAL_KEY_FILE: keyA.privateFile } });
      try {
        await stack.importLines(minimalDirectory());
        const oldMs = Date.now() - 3 * DAY_MS;
        await appendTo(stack.redis, Array.from({ length: 300 }, (_, i) => ({ stream: stack.keys.auditStream, id: `${oldMs + i}-0` })));
        const res = await stack.post(predownloadBody(), { token: stack.token("client", "app1") });
        expect(res.status).to.equal(200);
        const ids = (await stack.redis.xrange(stack.keys.auditStream, "-", "+")).map(([id]) => id);
        expect(ids.filter((id) => Number(id.split("-")[0]) < oldMs + 300)).to.have.length(300);
        expect((await stack.auditEvents()).filter((e) => e.requestId === res.headers.get("X-Request-Id")).map((e) => e.outcome)).to.deep.equal(["issued"]);
      } finally {
        await stack.close();
      }
    });
  });

  describe("sealers in worker processes", () => {
    let workers: ServiceProcess[] = [];
    afterEach(async () => {
      for (const worker of workers) worker.child.kill("SIGKILL");
      await Promise.all(workers.map((worker) => worker.exited()));
      workers = [];
    });

    async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 40_000): Promise<T> {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms\n${workers.map((w) => w.output()).join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    it("seal every shard's stream; a sealer killed is replaced within a few intervals and the chain goes on without a gap", async function () {
      this.timeout(90_000);
      const { env: cli } = trailOf();
      const env = testEnv(cli.KEY_PREFIX, "http://127.0.0.1:1", { QUEUE_SHARDS: "2", AUDIT_SEAL_KEY_FILE: keyA.privateFile, AUDIT_SEAL_INTERVAL_SECONDS: "1", LOG_LEVEL: "info" });
      const streams = [0, 1].map((shard) => `${cli.KEY_PREFIX}:audit:{s${shard}}`);
      workers = [spawnService("worker/main.ts", env), spawnService("worker/main.ts", env)];
      // The streams a worker has taken to seal, each counted once however often it took it.
      const taken = (w: ServiceProcess) => new Set(w.output().split("\n").filter((line) => line.includes("sealing the audit stream")).flatMap((line) => /"stream":"([^"]+)"/.exec(line)?.[1] ?? []));
      const sealing = (w: ServiceProcess) => taken(w).size;
      // Started together, the two workers may split the shards between them or one may take both.
      await until("every shard sealed", () => (new Set(workers.flatMap((w) => [...taken(w)])).size === 2 ? true : undefined));
      const holder = workers.reduce((a, b) => (sealing(b) > sealing(a) ? b : a));
      const other = workers.find((w) => w !== holder)!;
      await appendTo(redis, [...streams, ...streams].map((stream) => ({ stream })));
      await until("the entries sealed", async () => ((await Promise.all(streams.map((stream) => checkpoints(sealsKeyOf(stream))))).every((list) => list.some(([, c]) => c.count > 0)) ? true : undefined));

      holder.child.kill("SIGKILL");
      const killedAt = Date.now();
      await until("the other worker taking over", () => (sealing(other) === 2 ? true : undefined));
      const takeoverMs = Date.now() - killedAt;
      // The lock lives 3 intervals; the other worker looks every interval.
      expect(takeoverMs).to.be.below(3 * 1000 + 1000 + 5000);
      await appendTo(redis, streams.map((stream) => ({ stream })));
      const sealedCount = async () => (await Promise.all(streams.map(async (stream) => (await checkpoints(sealsKeyOf(stream))).reduce((n, [, c]) => n + c.count, 0)))).reduce((a, b) => a + b, 0);
      await until("the new entries sealed", async () => ((await sealedCount()) === 6 ? true : undefined));
      for (const stream of streams) {
        const seqs = (await checkpoints(sealsKeyOf(stream))).map(([, c]) => c.seq);
        expect(seqs, stream).to.deep.equal(seqs.map((_, i) => i + 1));
      }
      const result = await runScript(SCRIPT, ["verify", "--public-key", keyA.publicFile], { ...cli, QUEUE_SHARDS: "2" });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(result.stdout).to.match(/^\d+ seals, 6 entries, all valid\n/);
      console.log(`      sealer taken over ${takeoverMs} ms after its holder was killed (interval 1 s)`);
    });
  });

  it("verifies a large export offline, every entry counted, and names the checkpoint whose entry was altered", async function () {
    this.timeout(120_000);
    // Its speed is measured by the benchmark (bench/offline-verify.ts), not here.
    const file = join(dir, "big.ndjson");
    const total = 50_000;
    await writeSealedExport(file, keyA.key, total);
    const keys = new Map([[keyA.key.keyId, { keyId: keyA.key.keyId, publicKey: keyA.key.publicKey, source: keyA.publicFile }]]);
    const [intact] = await verifyFile(file, { keys, retentionDays: 7, fromId: undefined });
    expect(intact!.break).to.equal(undefined);
    expect(intact!.entries).to.equal(total);
    expect(intact!.seals).to.equal(total / 10_000);

    const lines = readFileSync(file, "utf8").split("\n");
    const victim = 31_337;
    lines[victim] = lines[victim]!.replace('"u1"', '"u2"');
    writeFileSync(file, lines.join("\n"));
    const [altered] = await verifyFile(file, { keys, retentionDays: 7, fromId: undefined });
    expect(altered!.break, "the altered entry is found").to.not.equal(undefined);
    expect(altered!.break!.kind).to.equal("entry altered");
    // Line 31 337 is in the fourth interval (10 000 entries and a checkpoint line each).
    expect(altered!.break!.message).to.include("checkpoint #4 (");
  });
});
