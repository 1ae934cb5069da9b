/** Per-actor rate limiting in Redis: a burst, then 429-001 with Retry-After, audited; shared by every API process. */
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { startApi } from "../../api/server.js";
import { createLogger } from "../../shared/runtime/log.js";
import { activity, attachment, client, department, predownloadBody } from "../support/factories.js";
import { startStack, type Stack } from "../support/stack.js";

const BODY = predownloadBody();
const DIRECTORY = [department("d1"), client("app1"), client("app2"), activity("a1"), attachment("att1")];

describe("rate limiting", () => {
  let stack: Stack;
  beforeEach(async () => {
    // One request a second, a burst of three. A burst is sent at once, so it reaches the limiter within
    // milliseconds however slowly the machine answers it; a request a second leaves a second of slack.
    stack = await startStack({ env: { RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "3" } });
    await stack.importLines(DIRECTORY);
  });
  afterEach(async () => stack.close());

  /** Sends `count` requests at once with `token` and answers their responses in the order sent. */
  const burst = (token: string, count: number, tag = "burst") =>
    Promise.all(Array.from({ length: count }, (_, i) => stack.post(BODY, { token, headers: { "X-Request-Id": `${tag}-${i}` } })));
  const sortedStatuses = (responses: Response[]) => responses.map((r) => r.status).sort((a, b) => a - b);

  it("lets an actor make its burst, then answers 429-001 with Retry-After, and audits the refusal", async () => {
    const responses = await burst(stack.token("client", "app1"), 4);
    expect(sortedStatuses(responses)).to.deep.equal([200, 200, 200, 429]);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.headers.get("Retry-After")).to.equal("1");
    const body = (await refused.json()) as { code: string; details: Array<{ key: string; value: string }> };
    expect(body.code).to.equal("429-001");
    expect(body.details).to.deep.equal([{ key: "retryAfter", value: "1" }]);

    const refusedId = refused.headers.get("X-Request-Id");
    expect(refusedId).to.match(/^burst-[0-3]$/);
    const event = (await stack.auditEvents()).find((e) => e.requestId === refusedId);
    expect(event).to.deep.include({ outcome: "unavailable", reason: "429-001", actor: { type: "client", id: "app1" } });
  });

  it("limits each actor on its own", async () => {
    expect(sortedStatuses(await burst(stack.token("client", "app1"), 4))).to.deep.equal([200, 200, 200, 429]);
    expect((await stack.post(BODY, { token: stack.token("client", "app2") })).status).to.equal(200);
  });

  it("lets the actor go on at its steady rate once the interval has passed", async () => {
    const token = stack.token("client", "app1");
    const sent = Date.now();
    expect(sortedStatuses(await burst(token, 4))).to.deep.equal([200, 200, 200, 429]);
    // One more a second: 1.2 s after the burst the bucket holds one request, not two, until 2 s.
    await sleep(Math.max(sent + 1200 - Date.now(), 0));
    expect(sortedStatuses(await burst(token, 2, "steady"))).to.deep.equal([200, 429]);
  });

  it("shares one budget per actor across API processes", async () => {
    const second = await startApi(stack.config, createLogger("test", "silent"));
    try {
      const token = stack.token("client", "app1");
      const post = (base: string) =>
        fetch(`${base}/assets/predownload`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: JSON.stringify(BODY) });
      const responses = await Promise.all([stack.api.url, second.url, stack.api.url, second.url].map(post));
      expect(sortedStatuses(responses)).to.deep.equal([200, 200, 200, 429]);
    } finally {
      await second.close();
    }
  });

  it("does not count requests that fail authentication", async () => {
    for (let i = 0; i < 5; i++) expect((await stack.post(BODY, { token: "not.a.token" })).status).to.equal(401);
    expect((await stack.post(BODY, { token: stack.token("client", "app1") })).status).to.equal(200);
  });
});

describe("rate limiting turned off", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { RATE_LIMIT_PER_SECOND: "0" } });
    await stack.importLines(DIRECTORY);
  });
  after(async () => stack.close());

  it("lets any number of requests through and keeps no state in Redis", async () => {
    const token = stack.token("client", "app1");
    const statuses = await Promise.all(Array.from({ length: 30 }, async () => (await stack.post(BODY, { token })).status));
    expect(new Set(statuses)).to.deep.equal(new Set([200]));
    expect(await stack.redis.keys(`${stack.keys.prefix}:rate:*`)).to.deep.equal([]);
  });
});
