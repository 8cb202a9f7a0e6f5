// The shared operation files (clients/operations/*.graphql), parsed once: one operation per file.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "graphql";

const folder = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "operations");

export const operations = Object.fromEntries(
  readdirSync(folder)
    .filter((name) => name.endsWith(".graphql"))
    .map((name) => [name.replace(/\.graphql$/, ""), parse(readFileSync(join(folder, name), "utf8"))]),
);
