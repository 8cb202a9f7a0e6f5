// Bulk import from an admin app: the one request refine's data provider cannot send (it posts
// JSON), so a plain `fetch` with a FormData, as the GraphQL multipart request spec has it
// (https://github.com/jaydenseric/graphql-multipart-request-spec):
//
//   operations  {"query": ImportCustomers, "variables": {"input": {"file": null, "dryRun": …}}}
//   map         {"0": ["variables.input.file"]}     which variable the file part fills
//   0           the file itself (a File from <input type="file">, or any Blob)
//
// in that order. No Content-Type header: fetch writes multipart/form-data with its boundary.
// The bearer token is required for multipart (the server refuses multipart without one, so no
// other site's HTML form can post here). importCustomers answers at once with the QUEUED
// import; `followImport` then polls customerImport for processedRows of totalRows until it is
// COMPLETED or FAILED, and pages the failed rows for the error table.
import { print } from "graphql";

import { operations } from "./operations.mjs";

const IMPORT = print(operations.ImportCustomers);
const STATUS = print(operations.CustomerImport);
const FINAL = new Set(["COMPLETED", "FAILED"]);

function headersFor(token, organization) {
  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  if (organization) headers["X-Organization-ID"] = organization; // the switcher, as elsewhere
  return headers;
}

async function answer(response) {
  const body = await response.json();
  if (body.errors?.length || !body.data) {
    const messages = (body.errors ?? []).map((e) => e.message).join("; ");
    throw new Error(messages || `HTTP ${response.status}`);
  }
  return body.data;
}

/** Upload `file` (File or Blob): `{ import: {id, status, …} | null, errors: [{field, code, message}] }`. */
export async function uploadCustomers({ url, token, organization, file, fileName, dryRun = false, resellerId }) {
  const input = { file: null, dryRun, ...(resellerId ? { resellerId } : {}) };
  const body = new FormData();
  body.append("operations", JSON.stringify({ query: IMPORT, operationName: "ImportCustomers", variables: { input } }));
  body.append("map", JSON.stringify({ 0: ["variables.input.file"] }));
  body.append("0", file, fileName ?? file.name ?? "customers.csv");
  const response = await fetch(url, { method: "POST", headers: headersFor(token, organization), body });
  return (await answer(response)).importCustomers;
}

async function status(url, headers, id, after) {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify({ query: STATUS, operationName: "CustomerImport", variables: { id, after } }),
  });
  return (await answer(response)).customerImport;
}

/**
 * Poll the import every `intervalMs` until it is COMPLETED or FAILED, telling `onProgress`
 * each `{status, processedRows, totalRows}` (for a progress bar); then the failed rows, all pages.
 */
export async function followImport({ url, token, organization, id, onProgress = () => {}, intervalMs = 500 }) {
  const headers = headersFor(token, organization);
  let current = await status(url, headers, id, null);
  for (;;) {
    if (current === null) throw new Error(`No import ${id} visible to this token.`);
    onProgress({ status: current.status, processedRows: current.processedRows, totalRows: current.totalRows });
    if (FINAL.has(current.status)) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    current = await status(url, headers, id, null);
  }
  const failedRows = [...current.rows.nodes];
  let page = current.rows.pageInfo;
  while (page.hasNextPage) {
    const next = await status(url, headers, id, page.endCursor);
    failedRows.push(...next.rows.nodes);
    page = next.rows.pageInfo;
  }
  const { rows: _rows, ...summary } = current;
  return { ...summary, failedRows };
}
