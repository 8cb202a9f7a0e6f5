// Copies GraphiQL's and React's built files (as installed by `npm ci` from the lock file, with
// their integrity hashes checked) into server/static/graphiql/vendor/, where the server serves
// them. Run by scripts/graphiql-assets.sh.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "..", "server", "static", "graphiql", "vendor");
const files = {
  "react.production.min.js": "react/umd/react.production.min.js",
  "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
  "graphiql.min.js": "graphiql/graphiql.min.js",
  "graphiql.min.css": "graphiql/graphiql.min.css",
};
const licenses = ["react", "react-dom", "graphiql"];

mkdirSync(target, { recursive: true });
for (const [name, source] of Object.entries(files)) {
  copyFileSync(join(here, "node_modules", source), join(target, name));
}
const versions = {};
for (const pkg of licenses) {
  const dir = join(here, "node_modules", pkg);
  versions[pkg] = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
  copyFileSync(join(dir, "LICENSE"), join(target, `${pkg}.LICENSE.txt`));
}
writeFileSync(join(target, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`GraphiQL files copied to ${target}: ${JSON.stringify(versions)}`);
