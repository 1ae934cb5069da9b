/**
 * Object-level authorization, proved over random directories rather than sampled: the policy, and
 * then the whole service, are held against the independent model in support/model.ts. Seeds are
 * fixed so that a failure reproduces; fast-check shrinks it to a minimal directory and request.
 */
import { expect } from "chai";
import fc from "fast-check";
import { parseLine, type DirectoryEntry } from "../shared/directory.js";
import type { ActorRecord, DecisionInputs } from "../shared/directory-store.js";
import { decide, type Decision } from "../shared/policy.js";
import { directoryArb, expected, requestArb, requestFor, type Expected, type ModelRequest } from "./support/model.js";
import { deleteKeys, startStack, type Stack } from "./support/stack.js";

const SEED = 20261128;

type Line = Record<string, unknown>;

/** What the service's directory store would read for one request: the same records, by key. */
function inputsFor(lines: readonly Line[], request: ModelRequest): DecisionInputs {
  const records = new Map<string, DirectoryEntry>();
  lines.forEach((l, i) => {
    const entry = parseLine(JSON.stringify(l), i + 1);
    records.set(`${entry.kind}:${entry.id}`, entry);
  });
  const record = (kind: string, id: string) => {
    const entry = records.get(`${kind}:${id}`);
    return entry === undefined || entry.deleted ? undefined : entry.record;
  };
  const attachment = record("attachment", request.altId) as DecisionInputs["attachment"];
  const actorRecord = record(request.actor, request.sub);
  return {
    attachment,
    activity: attachment === undefined ? undefined : (record("activity", attachment.activity) as DecisionInputs["activity"]),
    actor: actorRecord === undefined ? undefined : ({ type: request.actor, record: actorRecord } as ActorRecord),
  };
}

function answerOf(decision: Decision): Expected {
  switch (decision.outcome) {
    case "allowed":
      return "issued";
    case "blocked":
      return "blocked";
    case "unauthenticated":
      return "401-101";
    case "not_found":
      return "404-100";
    case "denied":
      return decision.code;
  }
}

/** A request that mostly names an existing attachment, sometimes anything at all. */
const scenario = directoryArb.chain((lines) =>
  fc.record({ lines: fc.constant(lines), requests: fc.array(fc.oneof({ arbitrary: requestFor(lines), weight: 3 }, { arbitrary: requestArb, weight: 1 }), { minLength: 1, maxLength: 12 }) }),
);

describe("object-level authorization against an independent model", () => {
  it("decide() agrees with the model for random directories and requests", () => {
    const seen = new Map<Expected, number>();
    fc.assert(
      fc.property(scenario, ({ lines, requests }) => {
        for (const request of requests) {
          const want = expected(lines, request);
          seen.set(want, (seen.get(want) ?? 0) + 1);
          expect(answerOf(decide(inputsFor(lines, request), request)), JSON.stringify(request)).to.equal(want);
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
    // The generators must reach every answer often, or agreement would prove little.
    for (const answer of ["issued", "blocked", "401-101", "403-178", "403-105", "404-100"] as const) {
      expect(seen.get(answer) ?? 0, `${answer} reached`).to.be.at.least(200);
    }
  });

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
