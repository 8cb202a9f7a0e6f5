// Runs the graphql-http server audit (the GraphQL-over-HTTP spec's own test suite) against the
// URL given as the first argument and prints one JSON line per audit: {id, name, status, reason}.
// Exit code 0 always; tests/test_graphql_http_audit.py decides what counts as a failure.
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node run.mjs http://127.0.0.1:PORT/graphql");
  process.exit(2);
}
const results = await auditServer({ url });
for (const r of results) {
  const reason = r.status === "ok" ? undefined : r.reason;
  console.log(JSON.stringify({ id: r.id, name: r.name, status: r.status, reason }));
}
