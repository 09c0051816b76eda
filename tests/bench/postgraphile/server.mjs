// PostGraphile 4 serving the Mutualis database as the same role (mutualis_app) under the same
// row-level security: each request's transaction gets the scope settings Mutualis would set
// (benchmark only: the scope is taken from request headers, there is no authentication).
//   DATABASE_URL=postgres://mutualis_app@127.0.0.1/db PORT=5678 node server.mjs
import http from "node:http";
import { postgraphile } from "postgraphile";

const middleware = postgraphile(process.env.DATABASE_URL, "public", {
  disableDefaultMutations: true,
  ignoreRBAC: false,
  ignoreIndexes: true,
  setofFunctionsContainNulls: false,
  disableQueryLog: true,
  retryOnInitFail: false,
  pgSettings: (req) => ({
    "app.tenant_ids": `{${req.headers["x-tenant"] ?? ""}}`,
    "app.member_org_ids": `{${req.headers["x-organisation"] ?? ""}}`,
  }),
});

http.createServer(middleware).listen(Number(process.env.PORT ?? 5678), "127.0.0.1", () => {
  console.log(`postgraphile ready on ${process.env.PORT ?? 5678}`);
});
