/**
 * Revocable downloads (`CONTENT_URL_MODE=grant`) on a Redis Cluster of 3 masters, the sign and
 * redeem jobs spread over 6 shards: a grant's hash lives in its shard's slot beside the redeem's
 * job, result and event, the revocation cut-offs are plain keys read beside it, and none of it
 * needs a command across slots (a CROSSSLOT reply would fail the redeem). Each master has a replica
 * that acknowledges what the service writes, revocations included.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { Redis } from "ioredis";
import { putObject } from "../../dev/embedded-s3.js";
import { grantIdOf } from "../../shared/domain/grant.js";
import { activity, attachment, client, department, departmentUser } from "../support/factories.js";
import { expectRefused, grantsOf, PUBLIC_BASE_URL, type Grants } from "../support/grants.js";
import { masterForKey, slotOf, startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";
import { startStack, TEST_BUCKET, type Stack } from "../support/stack.js";

const BYTES = randomBytes(2048);
const MAX_USES = 3;

describe("grants on a Redis Cluster of 3 masters, QUEUE_SHARDS=6", function () {
  this.timeout(90_000);
  let cluster: RedisCluster;
  let stack: Stack;
  let grants: Grants;

  before(async () => {
    // Replicas, as in production: grants, uses and revocations are acknowledged by them (REDIS_WAIT_REPLICAS=1).
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    stack = await startStack({
      env: { REDIS_URL: cluster.url, QUEUE_SHARDS: "6", CONTENT_URL_MODE: "grant", PUBLIC_BASE_URL, GRANT_MAX_USES: String(MAX_USES), WORKER_CONCURRENCY: "16" },
    });
    const lines = [department("d1"), client("app1"), departmentUser("u1"), activity("a1")];
    for (const altId of ["att1", "att2", "att3"]) {
      await putObject(stack.s3.client, TEST_BUCKET, `objects/${altId}`, BYTES, "application/octet-stream");
      lines.push(attachment(altId, { size: BYTES.length }));
    }
    await stack.importLines(lines);
    grants = grantsOf(stack);
  });
  after(async () => {
    await stack?.close();
    await cluster?.stop();
  });

  /** Grants issued until their hashes lie on every master, each with the master that holds it. */
  async function grantsOnEveryMaster(): Promise<Array<{ grant: string; master: number }>> {
    const masters = new Set((await cluster.masters()).map((m) => m.port));
    const issued: Array<{ grant: string; master: number }> = [];
    while (new Set(issued.map((i) => i.master)).size < masters.size) {
      expect(issued.length, "grants issued without reaching every master").to.be.below(60);
      const { grant } = await grants.issue();
      issued.push({ grant, master: await masterForKey(cluster, stack.keys.shardFor(grantIdOf(grant)).grant(grantIdOf(grant))) });
    }
    return issued;
  }

  it("keeps each grant in the slot of its shard, and redeems grants on every master: a 302 to the stored bytes, and download events", async () => {
    const issued = await grantsOnEveryMaster();
    for (const { grant } of issued) {
      const shard = stack.keys.shardFor(grantIdOf(grant));
      expect(await slotOf(cluster, shard.grant(grantIdOf(grant)))).to.equal(await slotOf(cluster, shard.auditStream));
      const res = await grants.redeem(grant);
      expect(res.status, await res.clone().text()).to.equal(302);
      expect(res.headers.get("referrer-policy")).to.equal("no-referrer");
      const downloaded = await fetch(res.headers.get("location")!);
      expect(downloaded.status).to.equal(200);
      expect(Buffer.from(await downloaded.arrayBuffer()).equals(BYTES)).to.equal(true);
      // The use was counted in the grant's hash, on its master.
      expect(await stack.redis.hget(shard.grant(grantIdOf(grant)), "used")).to.equal("1");
    }
    const downloads = (await stack.auditEvents()).filter((e) => e.type === "download");
    const ids = new Set(issued.map(({ grant }) => grantIdOf(grant)));
    expect(downloads.filter((e) => ids.has(e.grantId as string) && e.outcome === "redeemed")).to.have.length(issued.length);
  });

  it("revokes one grant: 410-100 on its next redeem, the others unaffected", async () => {
    const [one, other] = await grantsOnEveryMaster();
    const res = await grants.revoke({ grant: one!.grant });
    expect([res.status, await res.json()]).to.deep.equal([200, { revoked: 1 }]);
    await expectRefused(await grants.redeem(one!.grant), "410-100");
    expect((await grants.redeem(other!.grant)).status).to.equal(302);
  });

  it("revokes by attachment and by actor, whichever master holds the grants and the cut-offs", async () => {
    const byAttachment = await Promise.all(Array.from({ length: 6 }, () => grants.issue("att2")));
    const byActor = await Promise.all(Array.from({ length: 6 }, () => grants.issue("att3", ["user", "u1"])));
    const untouched = await grants.issue("att3");
    expect((await grants.revoke({ altId: "att2" })).status).to.equal(200);
    expect((await grants.revoke({ actor: { type: "user", id: "u1" } })).status).to.equal(200);
    // The cut-offs are by Redis's clock in milliseconds: grants issued a few milliseconds later are after them.
    await sleep(20);
    const later = [await grants.issue("att2"), await grants.issue("att3", ["user", "u1"])];
    const refused = await Promise.all([...byAttachment, ...byActor].map(async ({ grant }) => ((await (await grants.redeem(grant)).json()) as { code: string }).code));
    expect(refused).to.deep.equal(Array.from({ length: 12 }, () => "410-100"));
    expect((await grants.redeem(untouched.grant)).status).to.equal(302);
    for (const { grant } of later) expect((await grants.redeem(grant)).status).to.equal(302);
    const masters = new Set(await Promise.all([...byAttachment, ...byActor].map(({ grant }) => masterForKey(cluster, stack.keys.shardFor(grantIdOf(grant)).grant(grantIdOf(grant))))));
    expect(masters.size, "the revoked grants lie on more than one master").to.be.above(1);
  });

  it("waits for the replica of the master that holds a revocation, not only for its event's", async () => {
    const waitsOn = async (port: number) => {
      const node = new Redis(port, "127.0.0.1");
      try {
        return Number(/cmdstat_wait:calls=(\d+)/.exec(await node.info("commandstats"))?.[1] ?? 0);
      } finally {
        node.disconnect();
      }
    };
    // Targets until two cut-offs lie on another master than their revocation's event.
    let apart = 0;
    for (let i = 0; apart < 2; i++) {
      expect(i, "revocations tried without a cut-off away from its event").to.be.below(30);
      const target: { altId: string } | { actor: { type: string; id: string } } = i % 2 === 0 ? { altId: `r-${i}` } : { actor: { type: "user", id: `r-${i}` } };
      const cutOff = "altId" in target ? stack.keys.revokedAttachment(target.altId) : stack.keys.revokedActor(target.actor.type, target.actor.id);
      const master = await masterForKey(cluster, cutOff);
      const before = await waitsOn(master);
      const res = await grants.revoke(target);
      expect(res.status).to.equal(200);
      const eventMaster = await masterForKey(cluster, stack.keys.shardFor(res.headers.get("X-Request-Id")!).auditStream);
      if (eventMaster === master) continue;
      apart += 1;
      expect((await waitsOn(master)) - before, "WAITs on the cut-off's master").to.be.at.least(1);
    }
  });

  it(`never passes GRANT_MAX_USES=${MAX_USES} under concurrent redeems, on any master; the next one is 410-101`, async () => {
    const issued = await grantsOnEveryMaster();
    const statuses = await Promise.all(
      issued.map(async ({ grant }) => {
        const answers = await Promise.all(Array.from({ length: 12 }, () => grants.redeem(grant)));
        return answers.map((a) => a.status);
      }),
    );
    for (const perGrant of statuses) {
      expect(perGrant.filter((s) => s === 302)).to.have.length(MAX_USES);
      expect(perGrant.filter((s) => s === 410)).to.have.length(12 - MAX_USES);
    }
    for (const { grant } of issued) await expectRefused(await grants.redeem(grant), "410-101");
    const events = (await stack.auditEvents()).filter((e) => e.type === "download" && issued.some(({ grant }) => grantIdOf(grant) === e.grantId));
    expect(events.filter((e) => e.outcome === "redeemed")).to.have.length(MAX_USES * issued.length);
    expect(events.filter((e) => e.reason === "used_up")).to.have.length((12 - MAX_USES + 1) * issued.length);
  });
});
