/**
 * The benchmark's own parts: the request mix it drives, whose expected statuses must be what the
 * service really answers, and the counter of Redis round trips. (The seed's size and mix:
 * test/unit/benchmark-seed.test.ts.)
 */
import { once } from "node:events";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { writeDirectory } from "../../shared/redis/directory-store.js";
import { startProcess } from "../../bench/processes.js";
import { buildDirectory, buildRequests, DEFAULT_SIZE, type SeedSize } from "../../bench/seed.js";
import { startStack, TEST_SECRET, type Stack } from "../support/stack.js";

/** 400 requests at once: a request timeout long enough that none is given up on a loaded machine. */
const LOADED = { env: { REQUEST_TIMEOUT_MS: "30000" } };

describe("benchmark", () => {
  describe("against the running service", () => {
    const small: SeedSize = { ...DEFAULT_SIZE, activities: 500, attachments: 2000 };
    let stack: Stack;
    before(async () => {
      stack = await startStack(LOADED);
    });
    after(async () => stack.close());

    it("gets, for every request of a mix, the status the benchmark expects", async () => {
      const seed = buildDirectory(small);
      await writeDirectory(stack.redis, stack.keys, seed.entries);
      const specs = buildRequests(seed, TEST_SECRET, 400);
      const statuses = await Promise.all(
        specs.map(async (spec) => {
          const res = await fetch(`${stack.api.url}/assets/predownload`, {
            method: "POST",
            headers: { "Content-Type": "application/json", Authorization: `Bearer ${spec.token}` },
            body: spec.body,
          });
          await res.body?.cancel();
          return res.status;
        }),
      );
      const mismatched = specs.filter((spec, i) => statuses[i] !== spec.status).map((spec, i) => `${spec.outcome}: expected ${spec.status}, got ${statuses[i]}`);
      expect(mismatched).to.deep.equal([]);
    });
  });

  describe("the round-trip counter", () => {
    it("counts a command, a pipeline, a MULTI/EXEC and a script call once each, reports memory, and writes a CPU profile when asked", async () => {
      const profiles = mkdtempSync(join(tmpdir(), "pd-bench-prof-"));
      const child = startProcess("fixture", "test/fixtures/round-trips.ts", { REDIS_URL: process.env.REDIS_URL! }, profiles);
      try {
        const [message] = (await once(child.child, "message")) as [unknown];
        expect(message).to.equal("fixture:done");
        const { roundTrips, rss, heapUsed } = await child.stats();
        expect(roundTrips).to.include({ set: 1, "pipeline[get,get,get]": 1, "multi[incr,expire]": 1, "script:pdLiveWorkers": 1, del: 1 });
        expect(heapUsed).to.be.greaterThan(0).and.below(rss);
      } finally {
        await child.stop();
      }
      // The main thread's CPU profile (thread id 0), written as the process exited.
      expect(readdirSync(join(profiles, "fixture")).some((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name))).to.equal(true);
      rmSync(profiles, { recursive: true, force: true });
    });
  });
});
