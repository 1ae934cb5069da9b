/** Directory records (shared/directory.ts) and reading a directory file, before anything is written. */
import { Readable } from "node:stream";
import { expect } from "chai";
import { DirectoryLineError, isDirectoryId, parseLine } from "../../shared/domain/directory.js";
import { readDirectory } from "../../shared/redis/directory-store.js";
import { activity, attachment, client, customer, department, departmentUser, DESIGN_EXAMPLES, globalUser } from "../support/factories.js";

const accept = (record: Record<string, unknown>) => parseLine(JSON.stringify(record), 1);

/** The reason a line is refused; fails the test when the line is accepted. */
function refusal(text: string): string {
  try {
    parseLine(text, 7);
  } catch (error) {
    expect(error).to.be.instanceOf(DirectoryLineError);
    expect((error as DirectoryLineError).line).to.equal(7);
    return (error as DirectoryLineError).reason;
  }
  throw new Error(`accepted ${text}`);
}

const viewable = (count: number) => Array.from({ length: count }, (_, i) => `c${i + 100}`);

describe("directory records", () => {
  for (const text of DESIGN_EXAMPLES) {
    const { kind, id, altId } = JSON.parse(text) as Record<string, string>;
    it(`accepts DESIGN.md's ${kind} example ${altId ?? id}`, () => {
      const entry = parseLine(text, 1);
      expect(entry).to.include({ kind, id: altId ?? id, deleted: false });
    });
  }

  it("fills in defaults for users, customers, clients and activities", () => {
    expect(accept({ kind: "user", id: "u1", userType: "department", homeDepartment: "d1" })).to.deep.equal({
      kind: "user",
      id: "u1",
      deleted: false,
      record: { id: "u1", userType: "department", enabled: true, homeDepartment: "d1", foreignDepartments: [], actions: [] },
    });
    expect(accept({ kind: "user", id: "g1", userType: "global" })).to.have.deep.property("record", {
      id: "g1",
      userType: "global",
      enabled: true,
      departmentPermissions: [],
      privileges: [],
    });
    expect(accept({ kind: "customer", id: "c1" })).to.have.deep.property("record", { id: "c1", enabled: true, canViewCustomers: [] });
    expect(accept({ kind: "client", id: "app1" })).to.have.deep.property("record", { id: "app1", enabled: true });
    expect(accept({ kind: "activity", id: "a1", app: "task", department: "d1" })).to.have.deep.property("record", {
      id: "a1",
      app: "task",
      department: "d1",
      customer: null,
    });
  });

  it("fills in attachment defaults and normalizes the creation time to UTC", () => {
    const minimal = attachment("x1", { contentType: undefined, created: "2026-11-01T12:00:00+02:00" });
    expect(accept(minimal)).to.have.deep.property("record", {
      altId: "x1",
      id: "id-x1",
      activity: "a1",
      app: "email",
      type: "attachment.inbound",
      fileName: "report.pdf",
      name: "report.pdf",
      contentType: "application/octet-stream",
      size: 11,
      objectKey: "objects/x1",
      encodingType: null,
      charset: null,
      inline: false,
      contentId: null,
      blocked: false,
      created: "2026-11-01T10:00:00.000Z",
    });
  });

  it("accepts a customer who can view 75 other customers", () => {
    expect(accept(customer("c1", { canViewCustomers: viewable(75) }))).to.have.nested.property("record.canViewCustomers.length", 75);
  });

  it("keeps enabled: false on users, customers and clients", () => {
    for (const record of [departmentUser("u1", { enabled: false }), globalUser("g1", { enabled: false }), customer("c1", { enabled: false }), client("app1", { enabled: false })]) {
      expect(accept(record), String(record.id)).to.have.nested.property("record.enabled", false);
    }
  });

  it("reads deleted: true as a deletion by id (altId for attachments) and deleted: false as an upsert", () => {
    expect(accept({ kind: "user", id: "u1", deleted: true })).to.deep.equal({ kind: "user", id: "u1", deleted: true });
    expect(accept({ kind: "attachment", altId: "x1", deleted: true })).to.deep.equal({ kind: "attachment", id: "x1", deleted: true });
    expect(accept(client("app1", { deleted: false }))).to.include({ kind: "client", deleted: false });
  });

  const refused: ReadonlyArray<readonly [string, Record<string, unknown> | string, string]> = [
    ["not JSON", `{"kind":"client","id":`, "not valid JSON"],
    ["a JSON array instead of an object", `[{"kind":"client","id":"app1"}]`, "expected a JSON object"],
    ["a JSON string instead of an object", `"client app1"`, "expected a JSON object"],
    ["null instead of an object", "null", "expected a JSON object"],
    ["an unknown kind", client("app1", { kind: "robot" }), '"kind" must be one of department, user, customer, client, activity, attachment'],
    ["a department without its name", { kind: "department", id: "d1" }, '"name" is required'],
    ["a department user without a home department", departmentUser("u1", { homeDepartment: undefined }), '"homeDepartment" is required'],
    ["a user without a user type", { kind: "user", id: "u1" }, '"userType" must be one of department, global'],
    ["an attachment without an object key", attachment("x1", { objectKey: undefined }), '"objectKey" is required'],
    ["an attachment with an empty object key", attachment("x1", { objectKey: "" }), '"objectKey" must not be empty'],
    ["an attachment deletion named by id instead of altId", { kind: "attachment", id: "1011", deleted: true }, '"altId" is required'],
    ["an unknown field", client("app1", { colour: "red" }), 'unknown field "colour"'],
    ["an unknown field inside an action", departmentUser("u1", { actions: [{ resource: "System", action: "View", extra: 1 }] }), 'unknown field "actions[0].extra"'],
    ["a global user's field on a department user", departmentUser("u1", { privileges: [] }), 'unknown field "privileges"'],
    ["enabled on a department, which cannot be disabled", department("d1", { enabled: false }), 'unknown field "enabled"'],
    ["a size given as a string", attachment("x1", { size: "11" }), '"size" must be a whole number of bytes, 0 or more'],
    ["a negative size", attachment("x1", { size: -1 }), '"size" must be a whole number of bytes, 0 or more'],
    ["enabled given as a string", client("app1", { enabled: "false" }), '"enabled" must be true or false'],
    ["deleted given as a string", client("app1", { deleted: "yes" }), '"deleted" must be true or false'],
    ["foreign departments given as one string", departmentUser("u1", { foreignDepartments: "d2" }), '"foreignDepartments" must be an array of ids'],
    ["a numeric id", { kind: "client", id: 7 }, '"id" must be a non-empty string'],
    ["an empty id", client(""), '"id" must be a non-empty string'],
    ["an id longer than 128 characters", client("x".repeat(129)), '"id" is longer than 128 characters'],
    ["an unknown app", activity("a1", { app: "fax" }), '"app" must be one of email, task, calltrack'],
    ["an unknown attachment type", attachment("x1", { type: "attachment.internal" }), '"type" must be one of attachment.inbound, attachment.outbound, attachment'],
    ["an unknown user type", departmentUser("u1", { userType: "admin" }), '"userType" must be one of department, global'],
    ["a creation time that is not a date", attachment("x1", { created: "yesterday" }), '"created" must be an ISO 8601 date-time such as 2026-11-01T10:00:00.000Z'],
    ["February 30", attachment("x1", { created: "2026-02-30T10:00:00Z" }), '"created" must be an ISO 8601 date-time such as 2026-11-01T10:00:00.000Z'],
    ["a customer who can view 76 other customers", customer("c1", { canViewCustomers: viewable(76) }), '"canViewCustomers" has 76 entries; at most 75 are allowed'],
    ["a control character in an id", client("app\u00011"), '"id" contains a control character'],
    ["a line separator in an id", client("app\u20281"), '"id" contains a control character'],
    ["a newline in a foreign department", departmentUser("u1", { foreignDepartments: ["d\n2"] }), '"foreignDepartments[0]" contains a control character'],
    ["a control character in an activity's customer", activity("a1", { customer: "c\u007f1" }), '"customer" contains a control character'],
    ...["../secret.pdf", "email/../../etc/passwd", "email/./1011.pdf", "email/1011/..", "/email/1011.pdf", "email//1011.pdf", "email/1011/", "."].map(
      (objectKey) =>
        [
          `an object key ${JSON.stringify(objectKey)}`,
          attachment("x1", { objectKey }),
          '"objectKey" must not have an empty, "." or ".." segment (leading, trailing or doubled "/" included)',
        ] as const,
    ),
    ["a deletion with an unknown field", { kind: "client", id: "app1", deleted: true, colour: "red" }, 'unknown field "colour"'],
    ["a deletion with a __proto__ field", `{"kind":"user","id":"u1","deleted":true,"__proto__":{"enabled":false}}`, 'unknown field "__proto__"'],
    ["a deletion carrying a whole record", JSON.stringify(attachment("x1", { deleted: true })), 'unknown field "id"'],
    ["an unknown field named with a terminal escape", `{"kind":"client","id":"app1","\\u001b[2Jx":1}`, 'unknown field "\\u001b[2Jx"'],
    ["an unknown field named with a newline and a forged line", `{"kind":"client","id":"app1","a\\nline 9: ok\\r\\u0085\\u2028":1}`, 'unknown field "a\\nline 9: ok\\r\\u0085\\u2028"'],
  ];
  for (const [what, line, reason] of refused) {
    it(`rejects ${what}`, () => {
      expect(refusal(typeof line === "string" ? line : JSON.stringify(line))).to.equal(reason);
    });
  }

  // Such a string has no UTF-8 form: Redis would file "x\ud800" and "x\udc00" under one key, and the
  // read script's JSON decoder refuses the record, so the attachment could never be served.
  it("refuses lone surrogates in ids and texts at import, and in a token's sub", () => {
    const lines = [
      { ...attachment("x\ud800") },
      { ...attachment("att1", { fileName: "a\udc00.pdf" }) },
      { ...attachment("att1", { objectKey: "objects/\ud83d" }) },
      { ...client("app\udfff") },
    ];
    for (const line of lines) {
      expect(() => parseLine(JSON.stringify(line), 7), JSON.stringify(line)).to.throw(DirectoryLineError, /line 7: .*lone surrogate/);
    }
    expect(() => parseLine(JSON.stringify(attachment("att1", { fileName: "📎 clip.pdf" })), 1)).not.to.throw();
    expect(isDirectoryId("app\ud800")).to.equal(false);
    expect(isDirectoryId("app📎")).to.equal(true);
  });
});

describe("reading a directory file", () => {
  it("rejects a record named twice, even as an upsert then a deletion, counting blank lines", async () => {
    const text = [JSON.stringify(client("app1")), "", JSON.stringify(client("app1", { enabled: false })), JSON.stringify(client("app1", { deleted: true }))].join("\n");
    const { entries, errors } = await readDirectory(Readable.from([text]));
    expect(entries).to.have.length(1);
    expect(errors.map((e) => e.message)).to.deep.equal(['line 3: client "app1" already appears on line 1', 'line 4: client "app1" already appears on line 1']);
  });

  it("accepts object keys with dots inside segments", () => {
    for (const objectKey of ["email/1011/report.v2.pdf", "email/...", "email/.hidden", "a..b/c"]) {
      expect(accept(attachment("x1", { objectKey }))).to.have.nested.property("record.objectKey", objectKey);
    }
  });

  it("names a duplicated id with its control-free quoting", async () => {
    const text = [JSON.stringify(client('a"b')), JSON.stringify(client('a"b'))].join("\n");
    const { errors } = await readDirectory(Readable.from([text]));
    expect(errors.map((e) => e.message)).to.deep.equal(['line 2: client "a\\"b" already appears on line 1']);
  });

  it("accepts CRLF line ends and a leading byte order mark", async () => {
    const text = `\uFEFF${JSON.stringify(client("app1"))}\r\n${JSON.stringify(department("d1"))}\r\n`;
    const { entries, errors } = await readDirectory(Readable.from([text]));
    expect(errors).to.deep.equal([]);
    expect(entries.map((e) => `${e.kind}:${e.id}`)).to.deep.equal(["client:app1", "department:d1"]);
  });
});
