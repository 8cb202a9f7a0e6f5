// The admin app's live status: a customer's page that shows its status tab change while it is
// open, from the organizationEvents subscription (graphql-ws, the client most GraphQL apps
// use, over graphql-transport-ws on the API's own /graphql URL).
//
//   PORTAL_URL=http://127.0.0.1:8000/graphql PORTAL_TOKEN=<token> PORTAL_CUSTOMER=<id> \
//   [PORTAL_ORGANIZATION=<id>] [PORTAL_CHANGES=2] node live-status.mjs
//
// Prints each status change as it arrives ("Copaco: PENDING_APPROVAL → ACTIVE") on stderr and,
// after PORTAL_CHANGES of them, what the page showed as JSON on stdout (tests/test_clients.py).
// The token goes in connection_init's payload, where browsers can put it (a WebSocket cannot
// carry an Authorization header); X-Organization-ID goes there too when the user switched.
import { print } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws"; // Node 20 has no WebSocket of its own; a browser passes nothing

import { operations } from "./src/operations.mjs";

const { PORTAL_URL, PORTAL_TOKEN, PORTAL_CUSTOMER, PORTAL_ORGANIZATION, PORTAL_CHANGES = "2" } =
  process.env;
if (!PORTAL_URL || !PORTAL_TOKEN || !PORTAL_CUSTOMER) {
  console.error("Set PORTAL_URL, PORTAL_TOKEN and PORTAL_CUSTOMER");
  process.exit(2);
}

const client = createClient({
  url: PORTAL_URL.replace(/^http/, "ws"),
  webSocketImpl: WebSocket,
  connectionParams: {
    Authorization: `Bearer ${PORTAL_TOKEN}`,
    ...(PORTAL_ORGANIZATION ? { "X-Organization-ID": PORTAL_ORGANIZATION } : {}),
  },
  // A refused token closes with 4401/4403: retrying would not help, so stop and say so.
  shouldRetry: () => false,
});

const page = { customer: PORTAL_CUSTOMER, statusTab: [], changes: [] };
const wanted = Number(PORTAL_CHANGES);

await new Promise((resolve, reject) => {
  const stop = client.subscribe(
    {
      query: print(operations.OrganizationEvents),
      variables: { kinds: ["CUSTOMER_STATUS_CHANGED"] },
    },
    {
      next: ({ data, errors }) => {
        if (errors) return reject(new Error(JSON.stringify(errors)));
        const event = data.organizationEvents;
        if (event.organization.id !== PORTAL_CUSTOMER) return; // another row of the list
        page.statusTab.push(event.organization.status);
        page.changes.push([event.fromStatus, event.toStatus]);
        console.error(`${event.organization.shortName}: ${event.fromStatus} → ${event.toStatus}`);
        if (page.changes.length >= wanted) {
          stop();
          resolve();
        }
      },
      error: (error) => {
        if (error instanceof Error) return reject(error);
        // A CloseEvent (the server refused or dropped us) or a socket error event.
        reject(new Error(error.code ? `closed ${error.code}: ${error.reason}` : `${error.type}`));
      },
      complete: resolve,
    },
  );
});
await client.dispose();
console.log(JSON.stringify(page, null, 2));
