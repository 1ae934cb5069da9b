/** The key layout: plain names on one server, and on a cluster each queue shard's keys in one slot of its own. */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { keys as makeKeys } from "../../shared/redis/keys.js";

/** The part of a key that decides its cluster slot: the first non-empty `{…}`, else the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf("{");
  const close = open < 0 ? -1 : key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe("key layout", () => {
  it("keeps the plain names with one shard on one server", () => {
    const k = makeKeys("pd");
    expect(k.shards).to.have.length(1);
    const [shard] = k.shards;
    expect(shard).to.deep.include({ queuePrefix: "pd", auditStream: "pd:audit" });
    expect(shard!.result("j1")).to.equal("pd:result:j1");
    expect(shard!.replyChannel("api1")).to.equal("pd:reply:api1");
    expect(k.auditStreams).to.deep.equal(["pd:audit"]);
  });

  it("puts each shard's queue, results, audit stream and reply channel in one slot, a different one per shard", () => {
    const k = makeKeys("pd", { shards: 4, cluster: true, auditStream: "pd:audit" });
    const tags = k.shards.map((shard) => {
      const names = [`${shard.queuePrefix}:sign:wait`, shard.result("j1"), shard.auditStream, shard.replyChannel("api1")];
      const shardTags = new Set(names.map(hashTag));
      expect([...shardTags], names.join(" ")).to.have.length(1);
      expect(names.every((name) => name.startsWith("pd:"))).to.equal(true);
      return [...shardTags][0];
    });
    expect(new Set(tags).size).to.equal(4);
    expect(k.shardedReplies).to.equal(true);
  });

  it("uses one reply channel for all shards on one server", () => {
    const k = makeKeys("pd", { shards: 3 });
    expect(new Set(k.shards.map((s) => s.replyChannel("api1")))).to.deep.equal(new Set(["pd:reply:api1"]));
    expect(k.shardedReplies).to.equal(false);
  });

  it("spreads job ids evenly over the shards", () => {
    const k = makeKeys("pd", { shards: 12, cluster: true });
    const counts = new Array<number>(12).fill(0);
    for (let i = 0; i < 12_000; i++) counts[k.shardFor(randomUUID()).index]! += 1;
    for (const n of counts) expect(n).to.be.within(800, 1200);
  });
});
