/** Test-run Redis Clusters: the helpers live with `npm run bench -- --cluster`, which needs the same. */
export * from "../../scripts/local-redis-cluster.js";
