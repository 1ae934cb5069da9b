/**
 * Record versions, tombstones, `--replace` and the audit events of `npm run directory -- import`,
 * against real Redis; and a decision read from versioned records, through the whole stack.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { workspace } from "../support/workspace.js";
import { activity, attachment, client, customer, department, departmentUser, predownloadBody } from "../support/factories.js";
import { runScript, type CliResult } from "../support/cli.js";
import { assertAuditEvent, startStack } from "../support/stack.js";

type Line = Record<string, unknown>;

describe("directory versions, tombstones and replace", function () {
  this.timeout(20_000);
  const ws = workspace("directory-versions");

  let lastFile = "";
  const importLines = async (lines: readonly Line[], ...flags: string[]): Promise<CliResult> => {
    const file = join(ws.dir, `${randomBytes(4).toString("hex")}.ndjson`);
    lastFile = file;
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
    return runScript("cli/directory.ts", ["import", file, ...flags], { REDIS_URL: ws.redisUrl, KEY_PREFIX: ws.prefix, DIRECTORY_TOMBSTONE_DAYS: "3" });
  };
  const summary = async (lines: readonly Line[], ...flags: string[]): Promise<string> => {
    const { code, stdout, stderr } = await importLines(lines, ...flags);
    expect(code, stderr).to.equal(0);
    return stdout.slice(stdout.indexOf(": ") + 2).trim();
  };
  const key = (kind: string, id: string) => `${ws.prefix}:dir:${kind}:${id}`;
  const enabledOf = async (kind: string, id: string): Promise<unknown> => {
    const stored = await ws.redis.get(key(kind, id));
    if (stored === null || stored.startsWith("t")) return null;
    return (JSON.parse(stored.slice(stored.indexOf("{"))) as { enabled: unknown }).enabled;
  };


  it("skips and counts a stale version, writes nothing for an equal one, applies a higher one", async () => {
    expect(await summary([customer("c1", { version: 5 }), customer("c2", { version: 5 }), customer("c3", { version: 5 })])).to.equal(
      "upserted 3 (customer 3), deleted 0, unchanged 0, stale 0",
    );
    const next = [customer("c1", { version: 4, enabled: false }), customer("c2", { version: 5, enabled: false }), customer("c3", { version: 6, enabled: false })];
    expect(await summary(next)).to.equal("upserted 1 (customer 1), deleted 0, unchanged 1, stale 1");
    expect(await enabledOf("customer", "c1")).to.equal(true);
    expect(await enabledOf("customer", "c2")).to.equal(true);
    expect(await enabledOf("customer", "c3")).to.equal(false);
  });

  it("applies a write without a version whatever version is stored", async () => {
    await summary([client("app1", { version: 9 })]);
    expect(await summary([client("app1", { enabled: false })])).to.equal("upserted 1 (client 1), deleted 0, unchanged 0, stale 0");
    expect(await enabledOf("client", "app1")).to.equal(false);
  });

  it("keeps a tombstone after a versioned delete, so a late older upsert cannot bring the record back", async () => {
    await summary([client("app1", { version: 3 })]);
    expect(await summary([{ kind: "client", id: "app1", deleted: true, version: 5 }])).to.equal("upserted 0, deleted 1 (client 1), unchanged 0, stale 0");
    expect(await summary([client("app1", { version: 4 })])).to.equal("upserted 0, deleted 0, unchanged 0, stale 1");
    expect(await enabledOf("client", "app1")).to.equal(null);
    // DIRECTORY_TOMBSTONE_DAYS=3
    expect(await ws.redis.ttl(key("client", "app1"))).to.be.within(3 * 86_400 - 60, 3 * 86_400);
    expect(await summary([client("app1", { version: 6 })])).to.equal("upserted 1 (client 1), deleted 0, unchanged 0, stale 0");
    expect(await enabledOf("client", "app1")).to.equal(true);
    expect(await ws.redis.ttl(key("client", "app1"))).to.equal(-1);
  });

  it("leaves a tombstone for a versioned delete of a record never seen, which an older upsert then cannot pass", async () => {
    await summary([{ kind: "user", id: "u9", deleted: true, version: 10 }]);
    expect(await summary([departmentUser("u9", { version: 2 })])).to.equal("upserted 0, deleted 0, unchanged 0, stale 1");
    expect(await enabledOf("user", "u9")).to.equal(null);
  });

  it("with --replace holds exactly the file's records afterwards, keeping tombstones", async () => {
    await summary([department("d1"), department("d2"), client("app1"), client("app2", { version: 1 }), activity("a1"), attachment("x1")]);
    await summary([{ kind: "client", id: "gone", deleted: true, version: 7 }]);
    const result = await summary([department("d1", { name: "Renamed" }), client("app2", { version: 2 }), attachment("x1")], "--replace");
    expect(result).to.equal("upserted 3 (department 1, client 1, attachment 1), deleted 3 (department 1, client 1, activity 1), unchanged 0, stale 0");
    const left = (await ws.redis.keys(`${ws.prefix}:dir:*`)).map((k) => k.slice(`${ws.prefix}:dir:`.length)).sort();
    expect(left).to.deep.equal(["attachment:x1", "client:app2", "client:gone", "department:d1"]);
    expect(await ws.redis.get(key("client", "gone"))).to.equal("t7");
  });

  it("rejects an invalid version, naming the line, and writes nothing", async () => {
    const { code, stderr } = await importLines([client("app1"), client("app2", { version: -1 }), client("app3", { version: 2 ** 53 })]);
    expect(code).to.equal(1);
    expect(stderr).to.include('line 2: "version" must be a whole number from 0 to 9007199254740991');
    expect(stderr).to.include('line 3: "version" must be a whole number');
    expect(await ws.redis.keys(`${ws.prefix}:*`)).to.deep.equal([]);
  });

  it("audits each changed principal with before and after, and the import once with its counts and the file's SHA-256", async () => {
    await summary([customer("c1", { version: 1 }), activity("a1")]);
    await ws.redis.del(`${ws.prefix}:audit`);
    const lines = [
      customer("c1", { version: 2, enabled: false }),
      customer("c2", { version: 1 }),
      { kind: "client", id: "app1", deleted: true },
      department("d1", { version: 3 }),
      activity("a1", { department: "d2" }),
      attachment("x1"),
    ];
    await summary(lines);
    await summary([customer("c2", { version: 1 }), department("d1", { version: 2 })]);
    const events = (await ws.redis.xrange(`${ws.prefix}:audit`, "-", "+")).map(([, fields]) => {
      const event: unknown = JSON.parse(fields[1]!);
      assertAuditEvent(event);
      return event;
    });
    const by = { type: "cli", id: `${userInfo().username}@${hostname()}` };
    const [c1, c2, d1, first, second] = events;
    expect(events).to.have.length(5);
    expect(c1).to.deep.include({ type: "directory", action: "upsert", kind: "customer", recordId: "c1", version: 2, by });
    expect(c1!.before).to.deep.equal({ id: "c1", enabled: true, canViewCustomers: [] });
    expect(c1!.after).to.deep.equal({ id: "c1", enabled: false, canViewCustomers: [] });
    expect(c2).to.deep.include({ action: "upsert", kind: "customer", recordId: "c2", before: null });
    expect(d1).to.deep.include({ action: "upsert", kind: "department", recordId: "d1", version: 3 });
    expect(first).to.deep.include({ action: "import", kind: null, recordId: null, version: null, mode: "upsert", before: null, after: null, by });
    expect(first!.counts).to.deep.equal({ upserted: { department: 1, customer: 2, activity: 1, attachment: 1 }, deleted: { client: 1 }, unchanged: 0, stale: 0 });
    expect(first!.requestId).to.equal(c1!.requestId);
    // The second import changed nothing: no record event, only its summary, with its own file's hash.
    expect(second!.counts).to.deep.equal({ upserted: {}, deleted: {}, unchanged: 1, stale: 1 });
    expect(second!.sha256).to.equal(createHash("sha256").update(readFileSync(lastFile)).digest("hex"));
  });

  it("converges when the same import runs again", async () => {
    const lines = [client("app1", { version: 1 }), client("app2"), { kind: "client", id: "app3", deleted: true, version: 4 }];
    const first = await summary(lines);
    expect(first).to.equal("upserted 2 (client 2), deleted 1 (client 1), unchanged 0, stale 0");
    expect(await summary(lines)).to.equal("upserted 1 (client 1), deleted 0, unchanged 2, stale 0");
  });
});

describe("decisions read versioned records", function () {
  this.timeout(20_000);

  it("issues a URL when the attachment, its activity and the client carry versions, and not once the client is deleted", async () => {
    const stack = await startStack();
    try {
      await stack.importLines([department("d1", { version: 1 }), client("app1", { version: 2 }), activity("a1", { version: 3 }), attachment("att1", { version: 4 })]);
      const token = stack.token("client", "app1");
      expect((await stack.post(predownloadBody(), { token })).status).to.equal(200);
      await stack.importLines([{ kind: "client", id: "app1", deleted: true, version: 3 }]);
      expect((await stack.post(predownloadBody(), { token })).status).to.equal(401);
    } finally {
      await stack.close();
    }
  });
});
