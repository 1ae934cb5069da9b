/** The import's identity check on disk: repeats found bucket by bucket, collisions confirmed by text, and a replace's sweep that never deletes what the file holds. */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { expect } from "chai";
import type { IdentityHasher } from "../../shared/domain/identity-hash.js";
import { validateInput, type Validation } from "../../shared/redis/directory-import.js";
import { ImportIdentities, type ImportIdentityOptions } from "../../shared/redis/import-identities.js";

/** Every identity of a length hashes alike: identities of one length all collide. */
const byLength: IdentityHasher = (text) => ({ high: (text.length * 0x9e3779b1) >>> 0, low: 7 });

const client = (id: string) => JSON.stringify({ kind: "client", id });

async function all<T>(chunks: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of chunks) out.push(...chunk);
  return out;
}

async function* pages(identities: readonly string[], size = 3): AsyncGenerator<string[]> {
  for (let i = 0; i < identities.length; i += size) yield identities.slice(i, i + size);
}

describe("the import's identity check", () => {
  let dir: string;
  const validations: Validation[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "pd-identities-"));
  });
  afterEach(async () => {
    await Promise.all(validations.splice(0).map((v) => v.remove()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function spooled(identities: readonly string[], options: ImportIdentityOptions): Promise<ImportIdentities> {
    const spool = await ImportIdentities.create(dir, options);
    identities.forEach((identity, i) => spool.add(identity, i + 1));
    await spool.close();
    return spool;
  }

  async function validate(lines: readonly string[], options: ImportIdentityOptions): Promise<Validation> {
    const validation = await validateInput(Readable.from([lines.map((l) => `${l}\n`).join("")]), undefined, options);
    validations.push(validation);
    return validation;
  }

  it("finds every repeat when the records are spread over many buckets", async () => {
    const identities = Array.from({ length: 500 }, (_, i) => `client:c${i}`);
    // Lines 501.. repeat lines 7, 123, 250 and 499.
    const spool = await spooled([...identities, "client:c6", "client:c122", "client:c249", "client:c498"], { bucketRecords: 16 });
    const suspects = await spool.suspects(50);
    expect(readdirSync(dir).filter((f) => /^identities-\d+\.bin$/.test(f))).to.have.length(Math.ceil(504 / 16));
    expect(suspects.lines).to.deep.equal([501, 502, 503, 504]);
    expect(suspects.has("client:c122")).to.equal(true);
    expect(suspects.has("client:c1")).to.equal(false);
  });

  it("keeps only the lowest suspects of a file that is nothing but repeats", async () => {
    const spool = await spooled(Array.from({ length: 5000 }, () => "client:same"), { bucketRecords: 100 });
    const suspects = await spool.suspects(50);
    expect(suspects.lines).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 2));
  });

  it("refuses a real duplicate across buckets with the line it first appears on", async () => {
    const lines = Array.from({ length: 200 }, (_, i) => client(`c${i}`));
    lines.push(client("c17"), client("c150"));
    const { errors } = await validate(lines, { bucketRecords: 8 });
    expect(errors.map((e) => e.message)).to.deep.equal(['line 201: client "c17" already appears on line 18', 'line 202: client "c150" already appears on line 151']);
  });

  it("accepts a file whose distinct records collide, and still refuses the real duplicate among them", async () => {
    // Every id of two characters collides with every other under this hash.
    const colliding = ["aa", "ab", "ba", "bb", "cc"].map(client);
    expect((await validate(colliding, { hash: byLength, bucketRecords: 2 })).errors).to.deep.equal([]);
    const { errors } = await validate([...colliding, client("bb")], { hash: byLength, bucketRecords: 2 });
    expect(errors.map((e) => e.message)).to.deep.equal(['line 6: client "bb" already appears on line 4']);
  });

  for (const bucketRecords of [1 << 20, 4]) {
    const buckets = bucketRecords === 4 ? "several buckets" : "one bucket";
    it(`gives a replace only identities the file lacks, keeping a collision rather than deleting (${buckets})`, async () => {
      const held = ["client:aa", "client:b", "user:u1", "user:u22", "department:d"];
      const spool = await spooled(held, { hash: byLength, bucketRecords });
      // "client:zz" collides with "client:aa" (same length): kept, though the file lacks it.
      const stored = ["client:zz", "client:aa", "client:bbb", "user:u22", "activity:a-long-one", "department:d", "user:u1", "client:b", "x\nnewline:1"];
      const absent = await all(spool.absent(pages(stored)));
      expect(absent).to.have.members(["client:bbb", "activity:a-long-one", "x\nnewline:1"]);
      for (const identity of held) expect(absent).not.to.include(identity);
    });
  }

  it("finds exactly what the file lacks among many stored identities, with real 64-bit hashes", async () => {
    const held = Array.from({ length: 3000 }, (_, i) => `attachment:${i * 2}`);
    const spool = await spooled(held, { bucketRecords: 256 });
    const stored = Array.from({ length: 4000 }, (_, i) => `attachment:${i}`);
    const absent = await all(spool.absent(pages(stored, 500)));
    expect(absent.sort()).to.deep.equal(stored.filter((_, i) => i % 2 === 1).sort());
  });
});
