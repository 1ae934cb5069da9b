/**
 * The service behind Redis Sentinel: a master, a replica and a sentinel on loopback. Requests are
 * served through the master Sentinel names, and again after Sentinel promotes the replica.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { Redis } from "ioredis";
import { minimalDirectory, predownloadBody } from "../support/factories.js";
import { startRedisSentinel, type RedisSentinel } from "../support/redis-sentinel.js";
import { startStack, type Stack } from "../support/stack.js";

const BODY = predownloadBody();

describe("behind Redis Sentinel", function () {
  this.timeout(60_000);
  let sentinel: RedisSentinel;
  let stack: Stack;

  before(async () => {
    sentinel = await startRedisSentinel();
    // A replica WAIT of 1 s, not 250 ms: on a loaded machine one that times out would skip WAITs for a while.
    stack = await startStack({ env: { REDIS_URL: sentinel.url, REDIS_WAIT_REPLICAS: "1", REDIS_WAIT_TIMEOUT_MS: "1000", REQUEST_TIMEOUT_MS: "3000" } });
    await stack.importLines(minimalDirectory());
  });
  after(async () => {
    await stack?.close();
    await sentinel?.stop();
  });

  it("serves through the master Sentinel names, its decisions acknowledged by the replica", async () => {
    const onMaster = new Redis(sentinel.master.url);
    const waits = async () => Number(/cmdstat_wait:calls=(\d+)/.exec(await onMaster.info("commandstats"))?.[1] ?? 0);
    const waitsBefore = await waits();
    const res = await stack.post(BODY, { token: stack.token("client", "app1") });
    expect(res.status).to.equal(200);
    // The settlement asked the master to WAIT for the replica before the reply went out.
    expect(await waits()).to.equal(waitsBefore + 1);
    onMaster.disconnect();
    const requestId = res.headers.get("X-Request-Id");
    // The replica has the issued event: it was acknowledged before the URL went out.
    const direct = new Redis(sentinel.replica.url);
    try {
      const entries = await direct.xrange(stack.keys.auditStream, "-", "+");
      expect(entries.some(([, fields]) => fields[1]!.includes(`"requestId":"${requestId}"`))).to.equal(true);
    } finally {
      direct.disconnect();
    }
  });

  it("shares WAITs among concurrent decisions", async () => {
    const onMaster = new Redis(sentinel.master.url);
    const waits = async () => Number(/cmdstat_wait:calls=(\d+)/.exec(await onMaster.info("commandstats"))?.[1] ?? 0);
    const waitsBefore = await waits();
    const token = stack.token("client", "app1");
    const statuses = await Promise.all(Array.from({ length: 40 }, async () => (await stack.post(BODY, { token })).status));
    expect(statuses.every((s) => s === 200)).to.equal(true);
    const used = (await waits()) - waitsBefore;
    onMaster.disconnect();
    // Fewer WAITs than decisions: the ones that land while a WAIT is out share the next.
    expect(used).to.be.within(1, 39);
  });

  it("serves again once Sentinel has promoted the replica of a dead master", async () => {
    await sentinel.killMaster();
    const token = stack.token("client", "app1");
    const deadline = Date.now() + 40_000;
    for (;;) {
      const res = await stack.post(BODY, { token }).catch(() => undefined);
      const status = res?.status;
      await res?.body?.cancel();
      if (status === 200) break;
      expect(status === undefined || status === 503, `status ${status}`).to.equal(true);
      if (Date.now() > deadline) throw new Error("no answer from the promoted replica");
      await sleep(200);
    }
    const promoted = new Redis(sentinel.replica.url);
    expect((await promoted.role())[0]).to.equal("master");
    promoted.disconnect();
  });
});
