/**
 * Object-level authorization, proved over random directories rather than sampled: the policy's
 * decide() is held against the independent model in support/model.ts. The seed is fixed so that a
 * failure reproduces; fast-check shrinks it to a minimal directory and request.
 */
import { expect } from "chai";
import fc from "fast-check";
import { parseLine, type DirectoryEntry } from "../../shared/domain/directory.js";
import type { ActorRecord, DecisionInputs } from "../../shared/redis/directory-store.js";
import { decide, type Decision } from "../../worker/policy.js";
import { expected, scenario, type Expected, type ModelRequest } from "../support/model.js";

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
});
