/** The Redis scripts as files: each says what it takes and returns, and the loader registers every one. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { Redis } from "ioredis";
import { keyCountOf, registerScripts, SCRIPT_FILES, SCRIPTS, SCRIPTS_DIR } from "../../shared/redis/scripts.js";

const files = readdirSync(SCRIPTS_DIR).filter((name) => name.endsWith(".lua"));

/** The leading comment block, without the `-- ` marks, and the code after it. */
function split(lua: string): { header: string[]; body: string } {
  const lines = lua.split("\n");
  const end = lines.findIndex((line) => !line.startsWith("--"));
  const header = lines.slice(0, end === -1 ? lines.length : end).map((line) => line.replace(/^--\s?/, ""));
  return { header, body: lines.slice(header.length).join("\n") };
}

/** The indexes of `KEYS[n]` (or `ARGV[n]`) in `text`, each once, ascending. */
function indexes(text: string, array: "KEYS" | "ARGV"): number[] {
  return [...new Set([...text.matchAll(new RegExp(`${array}\\[(\\d+)\\]`, "g"))].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

/** The declared entries: header lines that start with `KEYS[n]` (or `ARGV[n]`). */
function declared(header: string[], array: "KEYS" | "ARGV"): number[] {
  return header.flatMap((line) => new RegExp(`^${array}\\[(\\d+)\\] \\S`).exec(line)?.[1] ?? []).map(Number);
}

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("Redis scripts", () => {
  it("has a script folder with files in it", () => {
    expect(files.length).to.be.greaterThan(0);
  });

  it("registers every .lua file of the script folder, and names no file that is not there", () => {
    expect([...Object.values(SCRIPT_FILES)].sort()).to.deep.equal([...files].sort());
  });

  for (const file of files) {
    describe(file, () => {
      const lua = readFileSync(join(SCRIPTS_DIR, file), "utf8");
      const { header, body } = split(lua);

      it("is named <what it does>-<number of keys>.lua", () => {
        expect(file).to.match(/^[a-z]+(-[a-z]+)*-\d+\.lua$/);
      });

      it("opens with a header that says what it does, each of its KEYS and ARGV, and its reply", () => {
        expect(header.length, "a header comment").to.be.greaterThan(2);
        expect(header[0], "what it does, first").to.match(/^[A-Z]/);
        expect(header.some((line) => /^Reply: \S/.test(line)), "a `Reply:` line").to.equal(true);
        expect(declared(header, "KEYS"), "KEYS declared 1..n, in order").to.deep.equal(oneToN(declared(header, "KEYS").length));
        expect(declared(header, "ARGV"), "ARGV declared 1..n, in order").to.deep.equal(oneToN(declared(header, "ARGV").length));
      });

      it("declares as many KEYS as its file name says, and uses each of them", () => {
        expect(declared(header, "KEYS")).to.deep.equal(oneToN(keyCountOf(file)));
        expect(indexes(body, "KEYS")).to.deep.equal(oneToN(keyCountOf(file)));
      });

      it("uses only the ARGV it declares, and each of them", () => {
        expect(indexes(body, "ARGV")).to.deep.equal(declared(header, "ARGV"));
      });

      it("touches only keys passed in KEYS, unless its header says it runs on one server only", () => {
        const calls = [...body.matchAll(/redis\.call\('([A-Z]+)'(?:, ([^,)]+))?/g)].filter(([, command]) => command !== "TIME");
        const undeclared = calls.filter(([, , key]) => key === undefined || !/^KEYS\[\d+\]$/.test(key.trim()));
        if (undeclared.length > 0) expect(header.some((line) => line.startsWith("One server only:")), undeclared.map(([call]) => call).join("; ")).to.equal(true);
      });
    });
  }

  it("registers every script on a client once, with its key count from the file name", () => {
    const redis = new Redis({ lazyConnect: true });
    const defined: Array<[string, number | undefined]> = [];
    const define = redis.defineCommand.bind(redis);
    redis.defineCommand = (name, definition) => {
      defined.push([name, definition.numberOfKeys]);
      define(name, definition);
    };
    registerScripts(redis);
    registerScripts(redis);
    expect(defined).to.deep.equal(Object.entries(SCRIPT_FILES).map(([name, file]) => [name, keyCountOf(file)]));
    for (const [name, script] of Object.entries(SCRIPTS)) {
      expect(typeof (redis as unknown as Record<string, unknown>)[name], name).to.equal("function");
      expect(script.lua).to.equal(readFileSync(join(SCRIPTS_DIR, script.file), "utf8"));
    }
    redis.disconnect();
  });
});
