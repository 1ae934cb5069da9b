/** The admin call event: its outcome by status, and the caller's text in it cleaned and bounded. */
import { expect } from "chai";
import jwt from "jsonwebtoken";
import { adminEvent, MAX_ADMIN_PATH_TEXT, type AdminInput } from "../../shared/domain/audit.js";
import { TEST_SECRET } from "../support/secrets.js";

const input = (o: Partial<AdminInput> = {}): AdminInput => ({
  status: 200,
  code: null,
  requestId: "r1",
  by: { type: "client", id: "admin" },
  method: "GET",
  route: "/directory/{kind}/{id}",
  kind: "user",
  recordId: "u1",
  client: { ip: "127.0.0.1", userAgent: null },
  ...o,
});

describe("the admin call event", () => {
  const outcomes: ReadonlyArray<readonly [number, string]> = [
    [200, "succeeded"],
    [201, "succeeded"],
    [204, "succeeded"],
    [400, "invalid"],
    [401, "unauthenticated"],
    [403, "forbidden"],
    [404, "not_found"],
    [405, "invalid"],
    [406, "invalid"],
    [408, "invalid"],
    [409, "conflict"],
    [413, "invalid"],
    [415, "invalid"],
    [422, "invalid"],
    [429, "unavailable"],
    [500, "error"],
    [503, "unavailable"],
  ];
  for (const [status, outcome] of outcomes) {
    it(`names a ${status} answer ${outcome}`, () => {
      expect(adminEvent(input({ status })).outcome).to.equal(outcome);
    });
  }

  it("keeps the path's kind and id without credentials or raw control characters, at most MAX_ADMIN_PATH_TEXT characters", () => {
    const token = jwt.sign({ actor: "client", sub: "x" }, TEST_SECRET, { algorithm: "HS256", expiresIn: 60 });
    const event = adminEvent(input({ kind: "\u001b[2J", recordId: `${token}\u2028${"y".repeat(1000)}` }));
    expect(event.request.kind).to.equal("\\u001b[2J");
    expect(event.request.recordId).to.have.length(MAX_ADMIN_PATH_TEXT);
    expect(event.request.recordId).to.match(/^\[redacted\]\\u2028y+$/);
    expect(JSON.stringify(event)).to.not.include(token.split(".")[2]!);
  });

  it("names no caller and no path where there are none", () => {
    const event = adminEvent(input({ by: null, kind: undefined, recordId: undefined, route: "/assets/revocations" }));
    expect(event.by).to.deep.equal({ type: null, id: null });
    expect(event.request).to.deep.equal({ method: "GET", route: "/assets/revocations", kind: null, recordId: null, target: null });
  });
});
