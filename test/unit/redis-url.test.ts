/** REDIS_URL: the three forms it takes (one server, a cluster, Sentinel), what it refuses, and what is printed of it. */
import { expect } from "chai";
import { ConfigError, loadConfig } from "../../shared/runtime/config.js";
import { parseRedisUrl, redactRedisUrl, RedisUrlError } from "../../shared/redis/url.js";
import { configEnv } from "../support/factories.js";

const VALID = configEnv();

describe("REDIS_URL", () => {
  it("takes one server, with credentials and a database", () => {
    expect(parseRedisUrl("redis://u:p@cache:6380/2")).to.deep.equal({ kind: "single", url: "redis://u:p@cache:6380/2" });
    expect(parseRedisUrl("rediss://cache:6380")).to.deep.equal({ kind: "single", url: "rediss://cache:6380" });
  });

  it("takes a cluster's seed nodes, with credentials and TLS", () => {
    expect(parseRedisUrl("redis+cluster://10.0.0.1:7000,10.0.0.2:7001,[::1]:7002")).to.deep.equal({
      kind: "cluster",
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 7001 },
        { host: "::1", port: 7002 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseRedisUrl("rediss+cluster://app:s%40cret@node-a:6379")).to.deep.include({ kind: "cluster", username: "app", password: "s@cret", tls: true });
  });

  it("takes Sentinel hosts, the master's name, a database and the sentinels' own password", () => {
    expect(parseRedisUrl("redis+sentinel://:pw@s1:26379,s2:26379/mymaster/3?sentinelPassword=spw")).to.deep.equal({
      kind: "sentinel",
      sentinels: [
        { host: "s1", port: 26379 },
        { host: "s2", port: 26379 },
      ],
      name: "mymaster",
      db: 3,
      username: undefined,
      password: "pw",
      sentinelPassword: "spw",
      tls: false,
    });
  });

  for (const [url, why] of [
    ["http://cache:6379", /expected redis:\/\//],
    ["redis+cluster://node-a", /expected host:port/],
    ["redis+cluster://node-a:70000", /expected host:port/],
    ["redis+cluster://node-a:7000/1", /no path/],
    ["redis+sentinel://s1:26379", /names the master/],
    ["redis+sentinel://s1:26379/mymaster/x", /database must be a number/],
  ] as const) {
    it(`refuses ${url}`, () => expect(() => parseRedisUrl(url)).to.throw(RedisUrlError, why));
  }

  it("prints a URL without its user, password or query", () => {
    expect(redactRedisUrl("redis://127.0.0.1:6379/2")).to.equal("redis://127.0.0.1:6379/2");
    expect(redactRedisUrl("redis://app:p/a@ss@cache:6379")).to.equal("redis://***@cache:6379");
    expect(redactRedisUrl("redis+sentinel://:pw@s1:26379/mymaster?sentinelPassword=spw")).to.equal("redis+sentinel://***@s1:26379/mymaster?***");
    expect(redactRedisUrl("not a url")).to.equal("REDIS_URL");
  });

  it("names REDIS_URL without printing its password", () => {
    try {
      loadConfig({ ...VALID, REDIS_URL: "redis+cluster://app:hunter2@node-a" });
      expect.fail("accepted");
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).problems[0]).to.match(/^REDIS_URL:/).and.not.include("hunter2");
    }
    // A password holding "/" or "@" splits where a parser would not expect: still never printed.
    for (const url of ["redis+cluster://a:hun/ter2@b", "redis+sentinel://a:hunter2@s1/x/y?sentinelPassword=hunter2", "redis+cluster://a:hun@ter2@b"]) {
      try {
        loadConfig({ ...VALID, REDIS_URL: url });
      } catch (error) {
        expect((error as ConfigError).problems.join(" ")).to.not.match(/hunter2|ter2/);
      }
    }
  });

  it("spreads a cluster's jobs over 12 shards and waits for one replica by default; one server uses one shard and does not wait", () => {
    expect(loadConfig({ ...VALID, REDIS_URL: "redis+cluster://a:7000" })).to.deep.include({ queueShards: 12, redisWaitReplicas: 1, redisWaitTimeoutMs: 250 });
    expect(loadConfig(VALID)).to.deep.include({ queueShards: 1, redisWaitReplicas: 0 });
    expect(loadConfig({ ...VALID, QUEUE_SHARDS: "4", REDIS_WAIT_REPLICAS: "2" })).to.deep.include({ queueShards: 4, redisWaitReplicas: 2 });
  });
});
