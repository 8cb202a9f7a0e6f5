// PostGraphile 5 over the benchmark's database, as its documentation sets it up: the Amber
// preset, grafserv on node:http, no GraphiQL, no explain. Started by bench/peer.py with
// DATABASE_URL and PORT; NODE_PATH points at the cached install (never the repository).
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"] }),
  ],
  grafserv: { graphqlPath: "/graphql", graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 60_000;
serv.addTo(server);
await pgl.getSchema(); // build the schema before accepting connections
server.listen(Number(process.env.PORT), "127.0.0.1");
