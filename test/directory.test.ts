/** The directory: record validation (shared/directory.ts) and `npm run directory -- import` end to end. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { expect } from "chai";
import { Redis } from "ioredis";
import { DirectoryLineError, parseLine } from "../shared/directory.js";
import { readDirectory, writeDirectory } from "../shared/directory-store.js";
import { keys } from "../shared/keys.js";
import { activity, attachment, client, customer, department, departmentUser, globalUser } from "./support/factories.js";
import { freePort } from "./support/redis-server.js";
import { deleteKeys } from "./support/stack.js";
import { runScript, type CliResult } from "./support/cli.js";

/** DESIGN.md's example lines, verbatim. */
const DESIGN_EXAMPLES = [
  `{"kind":"department","id":"d1","name":"Sales"}`,
  `{"kind":"user","id":"u1","userType":"department","homeDepartment":"d1","foreignDepartments":["d2"],"actions":[{"resource":"System","action":"View Agent Console"}]}`,
  `{"kind":"user","id":"g1","userType":"global","departmentPermissions":[{"department":"d1","permission":"Administer"}],"privileges":["Manage partition resources"]}`,
  `{"kind":"customer","id":"c1","canViewCustomers":["c2"]}`,
  `{"kind":"client","id":"app1"}`,
  `{"kind":"activity","id":"a1","app":"email","department":"d1","customer":"c1"}`,
  `{"kind":"attachment","altId":"7b6c5fff-036e-4a40-b68a-a67c592fc079","id":"1011","activity":"a1","app":"email","type":"attachment.inbound","fileName":"report.pdf","name":"report.pdf","contentType":"application/pdf","size":17245,"objectKey":"email/1011/report.pdf","encodingType":"base64","charset":"utf-8","inline":false,"contentId":null,"blocked":false,"created":"2026-11-01T10:00:00.000Z"}`,
];
const EXAMPLE_ALT_ID = "7b6c5fff-036e-4a40-b68a-a67c592fc079";

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
  ];
  for (const [what, line, reason] of refused) {
    it(`rejects ${what}`, () => {
      expect(refusal(typeof line === "string" ? line : JSON.stringify(line))).to.equal(reason);
    });
  }
});

describe("reading a directory file", () => {
  it("rejects a record named twice, even as an upsert then a deletion, counting blank lines", async () => {
    const text = [JSON.stringify(client("app1")), "", JSON.stringify(client("app1", { enabled: false })), JSON.stringify(client("app1", { deleted: true }))].join("\n");
    const { entries, errors } = await readDirectory(Readable.from([text]));
    expect(entries).to.have.length(1);
    expect(errors.map((e) => e.message)).to.deep.equal(['line 3: client "app1" already appears on line 1', 'line 4: client "app1" already appears on line 1']);
  });

  it("accepts CRLF line ends and a leading byte order mark", async () => {
    const text = `\uFEFF${JSON.stringify(client("app1"))}\r\n${JSON.stringify(department("d1"))}\r\n`;
    const { entries, errors } = await readDirectory(Readable.from([text]));
    expect(errors).to.deep.equal([]);
    expect(entries.map((e) => `${e.kind}:${e.id}`)).to.deep.equal(["client:app1", "department:d1"]);
  });
});

/** Runs `tsx scripts/directory.ts ARGS` with only PATH and `env` in its environment. */
function runDirectoryCli(args: readonly string[], env: Record<string, string>, stdin = ""): Promise<CliResult> {
  return runScript("scripts/directory.ts", args, env, stdin);
}

describe("npm run directory -- import", function () {
  this.timeout(15_000);
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  let redis: Redis;
  let dir: string;
  let prefix: string;
  const env = () => ({ REDIS_URL: redisUrl, KEY_PREFIX: prefix });
  const stored = async (kind: string, id: string): Promise<unknown> => {
    const json = await redis.get(`${prefix}:dir:${kind}:${id}`);
    return json === null ? null : JSON.parse(json);
  };
  const writeFile = (name: string, lines: readonly string[]): string => {
    const path = join(dir, name);
    writeFileSync(path, `${lines.join("\n")}\n`);
    return path;
  };

  before(() => {
    redis = new Redis(redisUrl);
    dir = mkdtempSync(join(tmpdir(), "pd-directory-"));
  });
  beforeEach(() => {
    prefix = `t${randomBytes(4).toString("hex")}`;
  });
  afterEach(async () => deleteKeys(redis, `${prefix}:*`));
  after(() => {
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes every record of a good file with defaults filled in and prints a summary", async () => {
    const file = writeFile("good.ndjson", DESIGN_EXAMPLES);
    const { code, stdout, stderr } = await runDirectoryCli(["import", file], env());
    expect(code, stderr).to.equal(0);
    expect(stdout).to.equal(
      `imported ${file} under prefix "${prefix}": upserted 7 (department 1, user 2, customer 1, client 1, activity 1, attachment 1), deleted 0\n`,
    );
    expect(await redis.keys(`${prefix}:dir:*`)).to.have.length(7);
    expect(Date.parse((await redis.get(`${prefix}:directory-imported`))!)).to.be.closeTo(Date.now(), 60_000);
    expect(await stored("user", "u1")).to.deep.equal({
      id: "u1",
      userType: "department",
      enabled: true,
      homeDepartment: "d1",
      foreignDepartments: ["d2"],
      actions: [{ resource: "System", action: "View Agent Console" }],
    });
    expect(await stored("customer", "c1")).to.deep.equal({ id: "c1", enabled: true, canViewCustomers: ["c2"] });
    expect(await stored("client", "app1")).to.deep.equal({ id: "app1", enabled: true });
    const { kind, ...example } = JSON.parse(DESIGN_EXAMPLES[6]!) as Record<string, unknown>;
    expect(kind).to.equal("attachment");
    expect(await stored("attachment", EXAMPLE_ALT_ID)).to.deep.equal(example);
  });

  it("replaces records and removes deleted ones on a re-import from stdin", async () => {
    const seed = await readDirectory(Readable.from([DESIGN_EXAMPLES.join("\n")]));
    await writeDirectory(redis, keys(prefix), seed.entries);

    const update = [JSON.stringify(customer("c1", { enabled: false })), JSON.stringify(client("app1", { deleted: true }))];
    const { code, stdout, stderr } = await runDirectoryCli(["import", "-"], env(), update.join("\n"));
    expect(code, stderr).to.equal(0);
    expect(stdout).to.equal(`imported stdin under prefix "${prefix}": upserted 1 (customer 1), deleted 1 (client 1)\n`);
    expect(await stored("customer", "c1")).to.deep.equal({ id: "c1", enabled: false, canViewCustomers: [] });
    expect(await stored("client", "app1")).to.equal(null);
    expect(await stored("department", "d1")).to.deep.equal({ id: "d1", name: "Sales" });
  });

  it("rejects a file with one bad line among good ones, naming the line, and writes nothing", async () => {
    const lines = [...DESIGN_EXAMPLES.slice(0, 3), JSON.stringify(attachment("x1", { size: "big" })), ...DESIGN_EXAMPLES.slice(3)];
    const file = writeFile("bad.ndjson", lines);
    const { code, stdout, stderr } = await runDirectoryCli(["import", file], env());
    expect(code).to.equal(1);
    expect(stdout).to.equal("");
    expect(stderr).to.include('line 4: "size" must be a whole number of bytes, 0 or more\n');
    expect(stderr).to.include("nothing was written");
    expect(await redis.keys(`${prefix}:*`)).to.deep.equal([]);
  });

  const usageErrors: ReadonlyArray<readonly [string, readonly string[], string]> = [
    ["no subcommand", [], "missing subcommand"],
    ["an unknown subcommand", ["export", "x.ndjson"], 'unknown subcommand "export"'],
    ["import without FILE", ["import"], "missing FILE"],
    ["a file that does not exist", ["import", "/nonexistent/directory.ndjson"], "cannot read /nonexistent/directory.ndjson"],
  ];
  for (const [what, args, message] of usageErrors) {
    it(`exits 2 with the usage for ${what}`, async () => {
      const { code, stderr } = await runDirectoryCli(args, env());
      expect(code).to.equal(2);
      expect(stderr).to.include(message).and.include("usage: npm run directory -- import FILE");
    });
  }

  it("exits 2 naming an invalid KEY_PREFIX", async () => {
    const file = writeFile("config.ndjson", DESIGN_EXAMPLES);
    const { code, stderr } = await runDirectoryCli(["import", file], { ...env(), KEY_PREFIX: "has space" });
    expect(code).to.equal(2);
    expect(stderr).to.include("KEY_PREFIX:");
  });

  it("exits 1 saying so when Redis cannot be reached", async () => {
    const file = writeFile("unreachable.ndjson", DESIGN_EXAMPLES);
    const { code, stderr } = await runDirectoryCli(["import", file], { ...env(), REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect(code).to.equal(1);
    expect(stderr).to.match(/cannot reach Redis at 127\.0\.0\.1:\d+ .*nothing was written/);
  });
});
