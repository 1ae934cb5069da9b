/**
 * The forms `REDIS_URL` takes: one Redis, a Redis Cluster, or a Redis behind Sentinel.
 *
 *   redis://[user:password@]host:port[/db]                      one server (rediss:// for TLS)
 *   redis+cluster://[user:password@]host:port[,host:port…]       cluster seed nodes (rediss+cluster:// for TLS)
 *   redis+sentinel://[user:password@]host:port[,host:port…]/name[/db][?sentinelPassword=…]
 *                                                                the master `name` as Sentinel reports it
 */

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

interface Credentials {
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
}

export type RedisTarget =
  | { readonly kind: "single"; readonly url: string }
  | ({ readonly kind: "cluster"; readonly nodes: readonly HostPort[] } & Credentials)
  | ({ readonly kind: "sentinel"; readonly sentinels: readonly HostPort[]; readonly name: string; readonly db: number; readonly sentinelPassword: string | undefined } & Credentials);

/** Thrown with a sentence saying what is wrong with the URL (never the URL itself: it may hold a password). */
export class RedisUrlError extends Error {}

const SCHEME = /^(rediss?)(\+cluster|\+sentinel)?:\/\/(.*)$/;

export function parseRedisUrl(url: string): RedisTarget {
  const match = SCHEME.exec(url);
  if (match === null) throw new RedisUrlError("expected redis://, rediss://, redis+cluster://, rediss+cluster://, redis+sentinel:// or rediss+sentinel://");
  const [, scheme, topology, rest] = match as unknown as [string, string, string | undefined, string];
  const tls = scheme === "rediss";
  if (topology === undefined) {
    try {
      new URL(url);
    } catch {
      throw new RedisUrlError("not a valid URL");
    }
    return { kind: "single", url };
  }
  const [authority, ...pathParts] = rest.split("?")[0]!.split("/");
  const query = new URLSearchParams(rest.includes("?") ? rest.slice(rest.indexOf("?") + 1) : "");
  const at = authority!.lastIndexOf("@");
  const { username, password } = credentials(at < 0 ? "" : authority!.slice(0, at));
  const hosts = hostList(at < 0 ? authority! : authority!.slice(at + 1));
  if (topology === "+cluster") {
    if (pathParts.some((p) => p !== "")) throw new RedisUrlError("a cluster URL takes no path: Redis Cluster has database 0 only");
    return { kind: "cluster", nodes: hosts, username, password, tls };
  }
  const [name, db = "0"] = pathParts;
  if (name === undefined || name === "") throw new RedisUrlError("a sentinel URL names the master after the hosts: redis+sentinel://host:port/mymaster");
  if (!/^\d{1,2}$/.test(db)) throw new RedisUrlError(`database must be a number, got "${db}"`);
  const sentinelPassword = query.get("sentinelPassword") ?? undefined;
  return { kind: "sentinel", sentinels: hosts, name: decodeURIComponent(name), db: Number(db), username, password, sentinelPassword, tls };
}

function credentials(userInfo: string): { username: string | undefined; password: string | undefined } {
  if (userInfo === "") return { username: undefined, password: undefined };
  const colon = userInfo.indexOf(":");
  const user = decodeURIComponent(colon < 0 ? userInfo : userInfo.slice(0, colon));
  const password = colon < 0 ? undefined : decodeURIComponent(userInfo.slice(colon + 1));
  return { username: user === "" ? undefined : user, password };
}

function hostList(text: string): HostPort[] {
  const hosts = text.split(",").map((part) => {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(part.trim());
    const port = m === null ? Number.NaN : Number(m[2]);
    // The part is not quoted: a malformed URL may have split a password here.
    if (m === null || port < 1 || port > 65535) throw new RedisUrlError("expected host:port for each host");
    return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
  });
  if (hosts.length === 0) throw new RedisUrlError("no host given");
  return hosts;
}

/**
 * The URL fit to print: everything before the last `@` of the authority (user and password, which
 * may hold `/` or `@`) and the whole query (`sentinelPassword`) replaced.
 */
export function redactRedisUrl(url: string): string {
  const scheme = /^[a-z+]+:\/\//i.exec(url)?.[0];
  if (scheme === undefined) return "REDIS_URL";
  const rest = url.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  const afterCredentials = at < 0 ? rest : `***@${rest.slice(at + 1)}`;
  const query = afterCredentials.indexOf("?");
  return scheme + (query < 0 ? afterCredentials : `${afterCredentials.slice(0, query)}?***`);
}
