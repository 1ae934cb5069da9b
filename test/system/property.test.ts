/**
 * Object-level authorization, proved over random directories rather than sampled: the whole service
 * is held against the independent model in support/model.ts (the policy alone:
 * test/unit/policy.test.ts). The seed is fixed so that a failure reproduces; fast-check shrinks it
 * to a minimal directory and request.
 */
import { expect } from "chai";
import fc from "fast-check";
import { expected, scenario } from "../support/model.js";
import { deleteKeys, startStack, type Stack } from "../support/stack.js";

const SEED = 20261128;

describe("object-level authorization against an independent model", () => {
  describe("through the API, the queue and the worker", () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack();
    });
    after(async () => stack?.close());

    it("answers random requests over random directories as the model says", async function () {
      this.timeout(60_000);
      await fc.assert(
        fc.asyncProperty(scenario, async ({ lines, requests }) => {
          await deleteKeys(stack.redis, `${stack.keys.directory}*`);
          await stack.importLines(lines);
          await Promise.all(
            requests.map(async (request) => {
              const res = await stack.post({ app: request.app, type: request.type, altId: request.altId }, { token: stack.token(request.actor, request.sub) });
              const body = (await res.json()) as Record<string, unknown>;
              const want = expected(lines, request);
              const context = `${JSON.stringify(request)} -> ${res.status} ${JSON.stringify(body)}`;
              if (want === "issued" || want === "blocked") {
                expect(res.status, context).to.equal(200);
                expect(body.altId, context).to.equal(request.altId);
                expect(body.blocked, context).to.equal(want === "blocked");
                expect(typeof body.contentUrl === "string", context).to.equal(want === "issued");
              } else {
                expect(`${res.status}:${String(body.code)}`, context).to.equal(`${want.slice(0, 3)}:${want}`);
              }
            }),
          );
        }),
        { seed: SEED, numRuns: 40 },
      );
    });
  });
});
