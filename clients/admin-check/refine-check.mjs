// Drives refine's GraphQL data provider, unmodified, against a running portal and prints what
// it got back as JSON (tests/test_clients.py compares that with the database). Any error the
// provider raises (the schema no longer accepts what it sends) fails the run.
//
//   PORTAL_URL=http://127.0.0.1:8000/graphql PORTAL_TOKEN=<reseller ADMIN token> \
//   PORTAL_IDS=<id>,<id>,<id> [PORTAL_SWITCH_TOKEN=<distributor token>
//   PORTAL_ORGANIZATION=<reseller id>] node refine-check.mjs
//
// The "select organization" control is one header: a client built with X-Organization-ID acts
// in that organization (see `actingIn` below); nothing else in the data provider changes.
import { createRequire } from "node:module";

import { Client, fetchExchange } from "@urql/core";

import { customerFormOptions } from "./src/customer-form.mjs";
import { operations } from "./src/operations.mjs";

// The package's ESM build imports "lodash/set" without an extension, which only bundlers
// resolve; Node loads its CommonJS build instead (same code).
const dataProvider = createRequire(import.meta.url)("@refinedev/graphql").default;

const {
  PORTAL_URL,
  PORTAL_TOKEN,
  PORTAL_IDS = "",
  PORTAL_SWITCH_TOKEN = "",
  PORTAL_ORGANIZATION = "",
} = process.env;
if (!PORTAL_URL || !PORTAL_TOKEN) {
  console.error("Set PORTAL_URL and PORTAL_TOKEN");
  process.exit(2);
}

// A data provider for `token`, acting in `organization` when given (X-Organization-ID).
function providerFor(token, organization) {
  const headers = { Authorization: `Bearer ${token}` };
  if (organization) headers["X-Organization-ID"] = organization;
  const client = new Client({
    url: PORTAL_URL,
    exchanges: [fetchExchange],
    requestPolicy: "network-only",
    fetchOptions: () => ({ headers }),
  });
  return dataProvider(client, customerFormOptions);
}
const provider = providerFor(PORTAL_TOKEN);
const list = { resource: "organizations", meta: { gqlQuery: operations.OrganizationList } };
const names = (result) => result.data.map((row) => row.shortName);

const report = {};

// A status tab: pending approval, by name, second page of five.
const pending = await provider.getList({
  ...list,
  filters: [{ field: "status", operator: "eq", value: "PENDING_APPROVAL" }],
  sorters: [{ field: "shortName", order: "asc" }],
  pagination: { currentPage: 2, pageSize: 5 },
});
report.pendingPage2 = { total: pending.total, names: names(pending) };

// The SUSPENDED tab (new statuses are plain enum values to the provider).
const suspended = await provider.getList({
  ...list,
  filters: [{ field: "status", operator: "eq", value: "SUSPENDED" }],
});
report.suspended = { total: suspended.total, names: names(suspended) };

// A distributor's user switched into a reseller sees what the reseller's own token sees.
if (PORTAL_SWITCH_TOKEN && PORTAL_ORGANIZATION) {
  const customers = {
    ...list,
    filters: [{ field: "kind", operator: "eq", value: "CUSTOMER" }],
    pagination: { currentPage: 1, pageSize: 100 },
  };
  const acting = await providerFor(PORTAL_SWITCH_TOKEN, PORTAL_ORGANIZATION).getList(customers);
  const everything = await providerFor(PORTAL_SWITCH_TOKEN).getList(customers);
  report.actingIn = { total: acting.total, everywhere: everything.total };
}

// The search box: `contains` becomes iLike "%…%", case-insensitive.
const search = await provider.getList({
  ...list,
  filters: [{ field: "shortName", operator: "contains", value: "OMER 01" }],
  sorters: [{ field: "createdAt", order: "desc" }],
});
report.containsSearch = { total: search.total, names: names(search) };

// The customers tab with a column header clicked twice: ERP ID descending, page 2 of 10
// (refine's default page size).
const byErp = await provider.getList({
  ...list,
  filters: [{ field: "kind", operator: "eq", value: "CUSTOMER" }],
  sorters: [{ field: "erpId", order: "desc" }],
  pagination: { currentPage: 2 },
});
report.erpDescPage2 = { total: byErp.total, erpIds: byErp.data.map((row) => row.erpId) };

const ids = PORTAL_IDS.split(",").filter(Boolean);
if (ids.length) {
  const one = await provider.getOne({
    resource: "organizations",
    id: ids[0],
    meta: { gqlQuery: operations.OrganizationProfile },
  });
  report.getOne = {
    id: one.data.id,
    shortName: one.data.shortName,
    history: one.data.history.nodes.map((h) => [h.fromStatus, h.toStatus]),
  };
  const many = await provider.getMany({
    resource: "organizations",
    ids,
    meta: { gqlQuery: operations.OrganizationList },
  });
  report.getMany = { ids: many.data.map((row) => row.id) };
}

// The create form with mistakes: refine's HttpError with errors keyed by form field.
const form = {
  shortName: "Refine Ltd",
  fullName: "Refine Test Company B.V.",
  erpId: "REFINE-1",
  registrationNumber: "17048595",
  taxId: "NL006486253B01",
  currency: "EUR",
  industry: "COMMERCIAL",
  primaryAddress: { country: "NL", city: "Eindhoven", line1: "Hoevenweg 21", postalCode: "5652AW" },
  primaryContact: {
    firstName: "Jan",
    lastName: "Jansen",
    role: "CEO",
    email: "jan@copaco.nl",
    phone: "040 250 6000",
  },
};
const create = { resource: "organizations", meta: { gqlMutation: operations.CreateCustomer } };
try {
  await provider.create({
    ...create,
    variables: {
      ...form,
      primaryContact: { ...form.primaryContact, email: "not an email", phone: "12" },
    },
  });
  report.invalidCreate = { thrown: false };
} catch (error) {
  report.invalidCreate = { thrown: true, statusCode: error.statusCode, errors: error.errors };
}
const created = await provider.create({ ...create, variables: form });
report.create = { id: created.data.id, status: created.data.status, erpId: created.data.erpId };

console.log(JSON.stringify(report, null, 2));
