/**
 * Revocable downloads (`CONTENT_URL_MODE=grant`) against real Redis and a real S3 server: the
 * grant URL redirects to the stored bytes, HEAD uses nothing, the use limit holds under
 * concurrency, each refusal has its code, revocations by grant, attachment and actor take effect
 * on the next redeem, and the grant itself is nowhere in Redis or the audit trail.
 */
import { randomBytes } from "node:crypto";
import { Worker } from "bullmq";
import { expect } from "chai";
import { SIGN_QUEUE, type JobData, type JobName, type JobReturn } from "../../shared/domain/job.js";
import { useGrant } from "../../shared/redis/scripts.js";
import { createLogger } from "../../shared/runtime/log.js";
import { startWorker } from "../../worker/worker.js";
import { until } from "../support/probes.js";
import { putObject } from "../../dev/embedded-s3.js";
import { grantIdOf } from "../../shared/domain/grant.js";
import { activity, attachment, client, department, departmentUser, predownloadBody } from "../support/factories.js";
import { expectRefused, grantsOf, PUBLIC_BASE_URL, type Grants } from "../support/grants.js";
import { startStack, TEST_BUCKET, type Stack } from "../support/stack.js";

const BYTES = randomBytes(2048);

interface Issued {
  contentUrl: string;
  signedUrlExpiry: string;
}

/** Short, so that a test sees the redirect's URL expire; long enough to use it first on a loaded machine. */
const REDIRECT_TTL_SECONDS = 5;

describe("revocable downloads (grant mode)", () => {
  let stack: Stack;
  let issue: Grants["issue"], redeem: Grants["redeem"], revoke: Grants["revoke"];

  before(async () => {
    stack = await startStack({ env: { CONTENT_URL_MODE: "grant", PUBLIC_BASE_URL, GRANT_REDIRECT_TTL_SECONDS: String(REDIRECT_TTL_SECONDS) } });
    const lines = [department("d1"), client("app1"), client("admin"), departmentUser("u1"), activity("a1")];
    for (const altId of ["att1", "att2", "att3", "att4"]) {
      await putObject(stack.s3.client, TEST_BUCKET, `objects/${altId}`, BYTES, "application/octet-stream");
      lines.push(attachment(altId, { size: BYTES.length }));
    }
    await stack.importLines(lines);
    ({ issue, redeem, revoke } = grantsOf(stack));
  });
  after(async () => stack?.close());

  it("issues a grant URL, and a GET redirects to a short-lived URL that downloads the stored bytes", async () => {
    const { grant } = await issue();
    const res = await redeem(grant);
    expect(res.status).to.equal(302);
    expect(res.headers.get("cache-control")).to.equal("no-store");
    expect(res.headers.get("referrer-policy")).to.equal("no-referrer");
    const location = res.headers.get("location")!;
    const downloaded = await fetch(location);
    expect(downloaded.status).to.equal(200);
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(BYTES)).to.equal(true);
    expect(Number(new URL(location).searchParams.get("X-Amz-Expires"))).to.equal(REDIRECT_TTL_SECONDS);
  });

  it("makes the redirect's URL stop working GRANT_REDIRECT_TTL_SECONDS after it was signed: the bytes before, refused by S3 after", async () => {
    const { grant } = await issue("att3");
    const location = (await redeem(grant)).headers.get("location")!;
    const query = new URL(location).searchParams;
    const signedAt = Date.parse(query.get("X-Amz-Date")!.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
    const expiresAt = signedAt + Number(query.get("X-Amz-Expires")) * 1000;
    expect(expiresAt - signedAt).to.equal(REDIRECT_TTL_SECONDS * 1000);
    const before = await fetch(location);
    expect(before.status).to.equal(200);
    expect(Buffer.from(await before.arrayBuffer()).equals(BYTES)).to.equal(true);
    const refused = await until("the redirect's URL refused", 15_000, async () => {
      const res = await fetch(location);
      if (res.status === 200) return void (await res.body?.cancel());
      return { status: res.status, body: await res.text(), at: Date.now() };
    });
    expect(refused.status, refused.body).to.equal(403);
    expect(refused.body).to.include("<Code>AccessDenied</Code>").and.include("expired");
    // Not refused for another reason on the way: only once its lifetime was over.
    expect(refused.at).to.be.at.least(expiresAt);
  });

  it("records the grant's id on the issued event and a download event joining issue to use, never the grant", async () => {
    const { grant } = await issue("att2");
    const res = await redeem(grant, { headers: { "User-Agent": "grant-test-agent" } });
    expect(res.status).to.equal(302);
    const grantId = grantIdOf(grant);
    const events = await stack.auditEvents();
    const issued = events.find((e) => e.type === "predownload" && e.grantId === grantId)!;
    expect(issued, "issued event").to.not.equal(undefined);
    const download = events.find((e) => e.type === "download" && e.grantId === grantId)!;
    expect(download).to.include({ outcome: "redeemed", reason: null, issuedRequestId: issued.requestId });
    expect(download.actor).to.deep.equal({ type: "client", id: "app1" });
    expect((download.client as { userAgent: string }).userAgent).to.equal("grant-test-agent");
    expect(JSON.stringify(events)).to.not.include(grant);
    // Every key and every value the stack holds now, the answers' result keys and the jobs included.
    const keys = await stack.redis.keys(`${stack.keys.prefix}:*`);
    expect(keys.join(" ")).to.not.include(grant);
    for (const key of keys) {
      const type = await stack.redis.type(key);
      const value =
        type === "string" ? await stack.redis.get(key) : type === "hash" ? await stack.redis.hgetall(key) : type === "stream" ? await stack.redis.xrange(key, "-", "+") : type === "list" ? await stack.redis.lrange(key, 0, -1) : type === "zset" ? await stack.redis.zrange(key, "0", "-1") : type === "set" ? await stack.redis.smembers(key) : null;
      expect(JSON.stringify(value), key).to.not.include(grant);
    }
  });

  it("answers HEAD with the status a GET would get, using nothing and recording no download event", async () => {
    const { grant } = await issue("att3");
    const before = (await stack.auditEvents()).length;
    for (let i = 0; i < 3; i++) expect((await redeem(grant, { method: "HEAD" })).status).to.equal(200);
    expect((await stack.auditEvents()).length).to.equal(before);
    const grantKey = stack.keys.shardFor(grantIdOf(grant)).grant(grantIdOf(grant));
    expect(await stack.redis.hget(grantKey, "used")).to.equal("0");
    expect((await redeem("A".repeat(32), { method: "HEAD" })).status).to.equal(404);
  });

  it("refuses an unknown or malformed grant with 404-103, and a browser gets a localized HTML page", async () => {
    await expectRefused(await redeem("A".repeat(32)), "404-103");
    await expectRefused(await redeem("not-a-grant"), "404-103");
    const page = await redeem("A".repeat(32), { headers: { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "Accept-Language": "fr-FR" } });
    expect(page.status).to.equal(404);
    expect(page.headers.get("content-type")).to.match(/^text\/html/);
    expect(page.headers.get("content-language")).to.equal("fr-FR");
    expect(await page.text()).to.include("Ce lien de téléchargement n’est pas valide ou a expiré.");
  });

  it("refuses with 403-107 an attachment blocked after issue, and with 403-105 an actor disabled after issue", async () => {
    await stack.importLines([attachment("att4", { size: BYTES.length })]);
    const blockedLater = await issue("att4");
    const userLater = await issue("att1", ["user", "u1"]);
    await stack.importLines([attachment("att4", { size: BYTES.length, blocked: true }), departmentUser("u1", { enabled: false })]);
    await expectRefused(await redeem(blockedLater.grant), "403-107");
    await expectRefused(await redeem(userLater.grant), "403-105");
    const events = await stack.auditEvents();
    const reasons = [blockedLater, userLater].map(({ grant }) => events.find((e) => e.type === "download" && e.grantId === grantIdOf(grant))?.reason);
    expect(reasons).to.deep.equal(["blocked", "denied"]);
    await stack.importLines([attachment("att4", { size: BYTES.length }), departmentUser("u1")]);
  });

  it("revokes one grant: 410-100 on its next redeem, {\"revoked\": 1}, a revocation event", async () => {
    const { grant } = await issue();
    const other = await issue();
    const res = await revoke({ grant });
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ revoked: 1 });
    await expectRefused(await redeem(grant), "410-100");
    expect((await redeem(grant, { method: "HEAD" })).status).to.equal(410);
    expect((await redeem(other.grant)).status).to.equal(302);
    const event = (await stack.auditEvents()).find((e) => e.type === "revocation" && JSON.stringify(e.target) === JSON.stringify({ grantId: grantIdOf(grant) }));
    expect(event).to.include({ revoked: 1 });
    expect(event!.by).to.deep.equal({ type: "client", id: "admin" });
    expect(await (await revoke({ grant })).json()).to.deep.equal({ revoked: 0 });
  });

  it("revokes every grant of an attachment issued before the call; grants issued after it work", async () => {
    const before = await issue("att3");
    const untouched = await issue("att2");
    const res = await revoke({ altId: "att3" });
    expect([res.status, await res.json()]).to.deep.equal([200, { revoked: 0 }]);
    const after = await issue("att3");
    await expectRefused(await redeem(before.grant), "410-100");
    expect((await redeem(untouched.grant)).status).to.equal(302);
    expect((await redeem(after.grant)).status).to.equal(302);
  });

  it("revokes every grant issued to an actor before the call; grants issued after it work", async () => {
    const before = await issue("att1", ["user", "u1"]);
    const untouched = await issue("att1");
    expect((await revoke({ actor: { type: "user", id: "u1" } })).status).to.equal(200);
    const after = await issue("att1", ["user", "u1"]);
    await expectRefused(await redeem(before.grant), "410-100");
    expect((await redeem(untouched.grant)).status).to.equal(302);
    expect((await redeem(after.grant)).status).to.equal(302);
  });

  it("keeps revoking after an attachment's epoch expired: grants issued under it work, a new revocation revokes them", async () => {
    expect((await revoke({ altId: "att2" })).status).to.equal(200);
    const under = await issue("att2");
    // What its expiry does, a grant's lifetime after the revocation: the grant issued under it outlives the key.
    await stack.redis.del(stack.keys.revokedAttachment("att2"));
    expect((await redeem(under.grant, { method: "HEAD" })).status).to.equal(200);
    expect((await revoke({ altId: "att2" })).status).to.equal(200);
    await expectRefused(await redeem(under.grant), "410-100");
    expect((await redeem((await issue("att2")).grant)).status).to.equal(302);
  });

  it("refuses a revocation without the grants:revoke scope (403-106) and a body that names no single target (400)", async () => {
    const res = await revoke({ altId: "att1" }, "directory:read");
    expect(res.status).to.equal(403);
    expect(await res.json()).to.deep.include({ code: "403-106", details: [{ key: "scope", value: "grants:revoke" }] });
    expect((await revoke({})).status).to.equal(400);
    expect((await revoke({ altId: "att1", grant: "x" })).status).to.equal(400);
    expect((await revoke({ colour: "red" })).status).to.equal(400);
  });
});

describe("revocable downloads with GRANT_MAX_USES", () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ env: { CONTENT_URL_MODE: "grant", PUBLIC_BASE_URL, GRANT_MAX_USES: "3", WORKER_CONCURRENCY: "16" } });
    await putObject(stack.s3.client, TEST_BUCKET, "objects/att1", BYTES, "application/octet-stream");
    await stack.importLines([department("d1"), client("app1"), activity("a1"), attachment("att1", { size: BYTES.length })]);
  });
  after(async () => stack?.close());

  it("never passes the limit under concurrent redeems, and the next one is 410-101", async () => {
    const res = await stack.post(predownloadBody(), { token: stack.token("client", "app1") });
    const { contentUrl } = (await res.json()) as Issued;
    const url = `${stack.api.url}/assets/download/${contentUrl.split("/").pop()!}`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(url, { redirect: "manual" })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 302)).to.have.length(3);
    expect(statuses.filter((s) => s === 410)).to.have.length(17);
    const next = await fetch(url, { redirect: "manual" });
    expect([next.status, ((await next.json()) as { code: string }).code]).to.deep.equal([410, "410-101"]);
    const downloads = (await stack.auditEvents()).filter((e) => e.type === "download");
    expect(downloads.filter((e) => e.outcome === "redeemed")).to.have.length(3);
    expect(downloads.filter((e) => e.reason === "used_up")).to.have.length(18);
  });
});

describe("a worker killed mid-redeem", function () {
  this.timeout(30_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack({ env: { CONTENT_URL_MODE: "grant", PUBLIC_BASE_URL, GRANT_MAX_USES: "2", WORKER_LOCK_MS: "1000", REQUEST_TIMEOUT_MS: "8000" } });
    await putObject(stack.s3.client, TEST_BUCKET, "objects/att1", BYTES, "application/octet-stream");
    await stack.importLines([department("d1"), client("app1"), activity("a1"), attachment("att1", { size: BYTES.length })]);
  });
  after(async () => stack?.close());

  it("never counts its use twice when another worker takes the job over", async () => {
    const issued = (await (await stack.post(predownloadBody(), { token: stack.token("client", "app1") })).json()) as Issued;
    const grant = issued.contentUrl.split("/").pop()!;
    const grantId = grantIdOf(grant);
    await stack.worker!.close();
    stack.worker = undefined;
    const shard = stack.keys.shardFor(grantId);
    // The worker that dies: it takes the redeem job, counts the use (the script a redeem runs last)
    // and is gone before it settles, so the job's lock runs out and another worker takes it over.
    const dying = new Worker<JobData, JobReturn, JobName>(SIGN_QUEUE, null, { connection: stack.redis, prefix: shard.queuePrefix, lockDuration: 1000 });
    const answer = fetch(`${stack.api.url}/assets/download/${grant}`, { redirect: "manual" });
    const job = await until("the redeem job", 5000, () => dying.getNextJob("dying-worker"));
    expect(job.name).to.equal("redeem");
    expect(JSON.stringify(job.data)).to.not.include(grant);
    const used = { grantKey: shard.grant(grantId), jobKey: stack.keys.shardFor(job.id!).job(job.id!), usedField: "pdUsed" };
    expect(await useGrant(stack.redis, used)).to.equal("ok");
    await dying.close(true);
    stack.worker = await startWorker(stack.config, createLogger("test", "silent"));

    const res = await answer;
    expect(res.status).to.equal(302);
    expect(await stack.redis.hget(shard.grant(grantId), "used")).to.equal("1");
    // The limit of 2 still allows one more, then refuses.
    expect((await fetch(`${stack.api.url}/assets/download/${grant}`, { redirect: "manual" })).status).to.equal(302);
    expect((await fetch(`${stack.api.url}/assets/download/${grant}`, { redirect: "manual" })).status).to.equal(410);
  });
});
