/**
 * The budget for refusals before a token is accepted: per client address, shared by every API
 * process; beyond it 429-001 and one summary event per address and second that counts every
 * refused request it stands for.
 */
import { Agent, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { startApi, type RunningApi } from "../../api/server.js";
import { createLogger } from "../../shared/runtime/log.js";
import { activity, attachment, client, department } from "../support/factories.js";
import { startStack, type Stack } from "../support/stack.js";

const BODY = { app: "email", type: "attachment.inbound", altId: "att1" };
const DIRECTORY = [department("d1"), client("app1"), activity("a1"), attachment("att1")];
const FLOOD = 2000;

/** The kinds of refusal an unauthenticated caller can draw, in turn. */
const REFUSALS: ReadonlyArray<{ method: string; path: string; headers: Record<string, string> }> = [
  { method: "POST", path: "/assets/predownload", headers: {} },
  { method: "POST", path: "/assets/predownload", headers: { Authorization: "Bearer not.a.token" } },
  { method: "DELETE", path: "/assets/predownload", headers: {} },
  { method: "POST", path: "/assets/predownload", headers: { Accept: "image/png" } },
  { method: "POST", path: "/assets/predownload?token=x", headers: {} },
];

/** One request over a keep-alive agent; resolves its status. */
function send(agent: Agent, base: string, refusal: (typeof REFUSALS)[number]): Promise<number> {
  const url = new URL(refusal.path, base);
  const body = JSON.stringify(BODY);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent, method: refusal.method, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), ...refusal.headers } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode!));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Events of requests without an accepted token, and the requests they stand for. */
async function refusalEvents(stack: Stack): Promise<{ events: Array<Record<string, unknown>>; requests: number }> {
  const events = (await stack.auditEvents()).filter((e) => (e.actor as { id: unknown }).id === null);
  return { events, requests: events.reduce((sum, e) => sum + 1 + ((e.suppressed as number | undefined) ?? 0), 0) };
}

describe("the budget for refusals before authentication", function () {
  this.timeout(60_000);
  let stack: Stack;
  let second: RunningApi;
  beforeEach(async () => {
    stack = await startStack({ env: { UNAUTHENTICATED_RATE_LIMIT_PER_SECOND: "10" } });
    second = await startApi(stack.config, createLogger("test", "silent"));
    await stack.importLines(DIRECTORY);
  });
  afterEach(async () => {
    await second?.close();
    await stack?.close();
  });

  it("answers a flood of 2,000 refusals from one address with a few hundred events at most, each request counted once, across API processes", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const token = stack.token("client", "app1");
    const started = Date.now();
    const statuses: number[] = [];
    const authenticated: number[] = [];
    let next = 0;
    // Two API processes share the budget: requests alternate between them.
    const lanes = Array.from({ length: 16 }, async () => {
      while (next < FLOOD) {
        const i = next++;
        statuses.push(await send(agent, i % 2 === 0 ? stack.api.url : second.url, REFUSALS[i % REFUSALS.length]!));
        // Meanwhile an authenticated caller at the same address is served, not charged.
        if (i % 200 === 0) authenticated.push((await stack.post(BODY, { token })).status);
      }
    });
    await Promise.all(lanes);
    const elapsedSeconds = (Date.now() - started) / 1000;
    agent.destroy();

    expect(statuses).to.have.length(FLOOD);
    expect(new Set(authenticated)).to.deep.equal(new Set([200]));
    const tooMany = statuses.filter((s) => s === 429).length;
    // Burst 20 plus 10 a second: the rest is over budget.
    const admittedAtMost = 20 + Math.ceil(elapsedSeconds * 10) + 2;
    expect(FLOOD - tooMany).to.be.within(20, admittedAtMost);
    // One summary per address and second: no more than the seconds the flood lasted (plus the partial ends).
    const summariesAtMost = Math.ceil(elapsedSeconds) + 2;

    // The last second's summary is written once that second has closed, though nothing follows it.
    let counted = await refusalEvents(stack);
    for (let waited = 0; counted.requests < FLOOD && waited < 10_000; waited += 200) {
      await sleep(200);
      counted = await refusalEvents(stack);
    }
    expect(counted.requests).to.equal(FLOOD);
    // A few hundred at most: the admitted ones and a summary a second, however long the flood lasted.
    expect(counted.events.length).to.be.at.most(admittedAtMost + summariesAtMost);
    const summaries = counted.events.filter((e) => e.suppressed !== undefined);
    const own = counted.events.filter((e) => e.suppressed === undefined);
    expect(own).to.have.length(FLOOD - tooMany);
    expect(summaries.reduce((sum, e) => sum + 1 + (e.suppressed as number), 0)).to.equal(tooMany);
    expect(summaries.length).to.be.at.least(1).and.at.most(summariesAtMost);
    for (const summary of summaries) {
      expect(summary).to.deep.include({ outcome: "unavailable", reason: "429-001", actor: { type: null, id: null } });
      expect((summary.client as { ip: string }).ip).to.match(/127\.0\.0\.1$/);
    }
    // Nothing is left pending: the keys are bounded by what is still to be summed up.
    const shard = stack.keys.shards[0]!;
    expect(await stack.redis.exists(shard.refusals, shard.refusalSeconds)).to.equal(0);
  });

  it("answers 429-001 with Retry-After once an address's burst is spent, and still audits every refusal", async () => {
    // All at once, so that the budget (a burst of 20, then 10 a second) cannot refill much meanwhile.
    const SENT = 30;
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: SENT }, async () => {
        const res = await stack.post(BODY);
        if (res.status === 429) {
          expect(res.headers.get("Retry-After")).to.match(/^[1-9]\d*$/);
          expect(((await res.json()) as { code: string }).code).to.equal("429-001");
        } else await res.body?.cancel();
        return res.status;
      }),
    );
    const refilled = Math.ceil(((Date.now() - started) / 1000) * 10);
    const refused = statuses.filter((s) => s === 401).length;
    expect(statuses.every((s) => s === 401 || s === 429)).to.equal(true);
    expect(refused).to.be.at.least(20).and.at.most(20 + refilled);
    expect(SENT - refused, "answered 429-001").to.be.above(0);
    // An authenticated request from the same address is served.
    expect((await stack.post(BODY, { token: stack.token("client", "app1") })).status).to.equal(200);
    let counted = await refusalEvents(stack);
    for (let waited = 0; counted.requests < SENT && waited < 5_000; waited += 200) {
      await sleep(200);
      counted = await refusalEvents(stack);
    }
    expect(counted.requests).to.equal(SENT);
  });
});
