// What the admin app's import screen does, against a running portal: upload a spreadsheet as a
// File in a FormData (src/customer-import.mjs), dry run first, follow its progress, show the
// failed rows, then import for real; prints what it saw as JSON for tests/test_clients.py.
//
//   PORTAL_URL=http://127.0.0.1:8000/graphql PORTAL_TOKEN=<token> PORTAL_FILE=customers.csv \
//   [PORTAL_ORGANIZATION=<reseller id>] node import-check.mjs
import { readFileSync } from "node:fs";
import { basename } from "node:path";

import { followImport, uploadCustomers } from "./src/customer-import.mjs";

const { PORTAL_URL, PORTAL_TOKEN, PORTAL_FILE, PORTAL_ORGANIZATION = "" } = process.env;
if (!PORTAL_URL || !PORTAL_TOKEN || !PORTAL_FILE) {
  console.error("Set PORTAL_URL, PORTAL_TOKEN and PORTAL_FILE");
  process.exit(2);
}
const connection = { url: PORTAL_URL, token: PORTAL_TOKEN, organization: PORTAL_ORGANIZATION || undefined };
// What <input type="file"> hands the app: a File (Node 20 has the browser's class).
const file = new File([readFileSync(PORTAL_FILE)], basename(PORTAL_FILE), { type: "text/csv" });

async function run(dryRun) {
  const started = await uploadCustomers({ ...connection, file, dryRun });
  if (started.errors.length) return { errors: started.errors };
  const progress = [];
  const done = await followImport({
    ...connection,
    id: started.import.id,
    intervalMs: 100,
    onProgress: ({ processedRows, totalRows }) => progress.push([processedRows, totalRows]),
  });
  return {
    queued: started.import.status,
    fileName: started.import.fileName,
    progress,
    final: {
      status: done.status,
      dryRun: done.dryRun,
      totalRows: done.totalRows,
      processedRows: done.processedRows,
      createdCount: done.createdCount,
      failedCount: done.failedCount,
    },
    // The error table: row, status, the column as the file names it, code.
    failedRows: done.failedRows.flatMap((row) =>
      row.errors.map((e) => [row.rowNumber, row.status, e.column, e.code]),
    ),
  };
}

const report = {};
// A file that is no spreadsheet is refused in the payload, on the `file` field, at once.
const picture = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])]);
const refused = await uploadCustomers({ ...connection, file: picture, fileName: "logo.png", dryRun: true });
report.refused = { import: refused.import, errors: refused.errors.map((e) => [e.field, e.code]) };
report.dryRun = await run(true);
report.real = await run(false);
console.log(JSON.stringify(report, null, 2));
