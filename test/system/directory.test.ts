/** `npm run directory -- import` end to end (the records themselves: test/unit/directory-records.test.ts). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { expect } from "chai";
import { decodeRecord } from "../../shared/domain/directory-codec.js";
import type { DirectoryKind } from "../../shared/domain/directory.js";
import { readDirectory, writeDirectory } from "../../shared/redis/directory-store.js";
import { keys } from "../../shared/redis/keys.js";
import { workspace } from "../support/workspace.js";
import { attachment, client, customer, DESIGN_EXAMPLES } from "../support/factories.js";
import { freePort } from "../support/redis-server.js";
import { runScript, type CliResult } from "../support/cli.js";

const EXAMPLE_ALT_ID = "7b6c5fff-036e-4a40-b68a-a67c592fc079";

/** Runs `tsx cli/directory.ts ARGS` with only PATH and `env` in its environment. */
function runDirectoryCli(args: readonly string[], env: Record<string, string>, stdin = ""): Promise<CliResult> {
  return runScript("cli/directory.ts", args, env, stdin);
}

describe("npm run directory -- import", function () {
  this.timeout(15_000);
  const ws = workspace("directory");
  const env = () => ({ REDIS_URL: ws.redisUrl, KEY_PREFIX: ws.prefix });
  const stored = async (kind: DirectoryKind, id: string): Promise<unknown> => {
    const body = await ws.redis.get(`${ws.prefix}:dir:${kind}:${id}`);
    return body === null ? null : decodeRecord(kind, id, body);
  };
  const writeFile = (name: string, lines: readonly string[]): string => {
    const path = join(ws.dir, name);
    writeFileSync(path, `${lines.join("\n")}\n`);
    return path;
  };


  it("writes every record of a good file with defaults filled in and prints a summary", async () => {
    const file = writeFile("good.ndjson", DESIGN_EXAMPLES);
    const { code, stdout, stderr } = await runDirectoryCli(["import", file], env());
    expect(code, stderr).to.equal(0);
    expect(stdout).to.equal(
      `imported ${file} under prefix "${ws.prefix}": upserted 7 (department 1, user 2, customer 1, client 1, activity 1, attachment 1), deleted 0, unchanged 0, stale 0\n`,
    );
    expect(await ws.redis.keys(`${ws.prefix}:dir:*`)).to.have.length(7);
    expect(Date.parse((await ws.redis.get(`${ws.prefix}:directory-imported`))!)).to.be.closeTo(Date.now(), 60_000);
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
    // Activities and attachments are stored compactly (shared/domain/directory-codec.ts), the rest as JSON.
    expect(await ws.redis.strlen(`${ws.prefix}:dir:attachment:${EXAMPLE_ALT_ID}`)).to.equal(66);
    expect(await ws.redis.get(`${ws.prefix}:dir:activity:a1`)).to.equal("\u001e0d1\u001fc1");
  });

  it("replaces records and removes deleted ones on a re-import from stdin", async () => {
    const seed = await readDirectory(Readable.from([DESIGN_EXAMPLES.join("\n")]));
    await writeDirectory(ws.redis, keys(ws.prefix), seed.entries);

    const update = [JSON.stringify(customer("c1", { enabled: false })), JSON.stringify(client("app1", { deleted: true }))];
    const { code, stdout, stderr } = await runDirectoryCli(["import", "-"], env(), update.join("\n"));
    expect(code, stderr).to.equal(0);
    expect(stdout).to.equal(`imported stdin under prefix "${ws.prefix}": upserted 1 (customer 1), deleted 1 (client 1), unchanged 0, stale 0\n`);
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
    expect(await ws.redis.keys(`${ws.prefix}:*`)).to.deep.equal([]);
  });

  it("prints control characters from the file escaped, so no line of its output is forged", async () => {
    const forged = `x\u001b[31m\nline 99: all good\r\u009b2J\u2028`;
    const file = writeFile("escape.ndjson", [JSON.stringify({ ...client("app1"), [forged]: 1 })]);
    const { code, stderr } = await runDirectoryCli(["import", file], env());
    expect(code).to.equal(1);
    expect(stderr).not.to.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    const lines = stderr.split("\n").filter((l) => l !== "");
    expect(lines[0]).to.equal('line 1: unknown field "x\\u001b[31m\\nline 99: all good\\r\\u009b2J\\u2028"');
    expect(lines.filter((l) => l.startsWith("line "))).to.have.length(1);
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
      expect(stderr).to.include(message).and.include("usage: npm run directory -- import FILE [--replace]");
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
