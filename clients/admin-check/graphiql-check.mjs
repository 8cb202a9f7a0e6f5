// Opens the portal's GraphiQL in headless Debian Chromium, pastes a bearer token into the
// Headers tab, runs the example organizations query and waits for the answer. Fails when the
// page loads anything from another origin, breaks its Content-Security-Policy, or shows no
// result. Prints a JSON report; saves a screenshot.
//
//   PORTAL_URL=http://127.0.0.1:8000/graphql PORTAL_TOKEN=<token> SCREENSHOT=out.png \
//   [EXPECT_TEXT="Demo Distributor"] [CHROMIUM=/usr/bin/chromium] node graphiql-check.mjs
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const {
  PORTAL_URL,
  PORTAL_TOKEN,
  PORTAL_ORGANIZATION = "",
  SCREENSHOT = "graphiql.png",
  EXPECT_TEXT = "totalCount",
  CHROMIUM = "/usr/bin/chromium",
} = process.env;
if (!PORTAL_URL || !PORTAL_TOKEN) {
  console.error("Set PORTAL_URL and PORTAL_TOKEN");
  process.exit(2);
}
const origin = new URL(PORTAL_URL).origin;

// A fresh profile every run: nothing cached, nothing remembered from an earlier run.
const profile = mkdtempSync(join(tmpdir(), "portal-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
  viewport: { width: 1400, height: 1000 },
});
const report = { foreignRequests: [], consoleErrors: [], pageErrors: [] };
try {
  // Everything must come from the portal itself; anything else is recorded and refused.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || new URL(url).origin === origin) return route.continue();
    report.foreignRequests.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error") report.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => report.pageErrors.push(error.message));

  const response = await page.goto(PORTAL_URL, { waitUntil: "load" });
  report.status = response.status();
  report.csp = response.headers()["content-security-policy"] ?? null;

  await page.waitForSelector(".graphiql-query-editor .CodeMirror", { timeout: 20000 });
  // Paste the token into the (open) Headers editor, as a person would.
  const headers = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror");
  await headers.click();
  await page.keyboard.press("Control+A");
  // With PORTAL_ORGANIZATION, act in that organization as the page's example says.
  const sent = { Authorization: `Bearer ${PORTAL_TOKEN}` };
  if (PORTAL_ORGANIZATION) sent["X-Organization-ID"] = PORTAL_ORGANIZATION;
  await page.keyboard.insertText(JSON.stringify(sent));
  await page.locator(".graphiql-execute-button").click();

  // The result editor renders only the lines in view; read its whole text instead.
  const resultText = () =>
    document.querySelector(".result-window .CodeMirror")?.CodeMirror.getValue() ?? null;
  try {
    await page.waitForFunction(
      (expected) =>
        document
          .querySelector(".result-window .CodeMirror")
          ?.CodeMirror.getValue()
          .includes(expected),
      EXPECT_TEXT,
      { timeout: 20000 },
    );
  } catch (error) {
    report.pageErrors.push(`no result with ${JSON.stringify(EXPECT_TEXT)}: ${error.message}`);
  }
  report.result = await page.evaluate(resultText);
  await page.screenshot({ path: SCREENSHOT });
  report.screenshot = SCREENSHOT;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(report, null, 2));
const broken = report.foreignRequests.length + report.consoleErrors.length + report.pageErrors.length;
process.exit(broken ? 1 : 0);
