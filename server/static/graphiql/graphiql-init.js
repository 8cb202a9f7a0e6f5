// Starts GraphiQL from files this server serves (see graph/graphiql.py); no inline script, so
// the page works under `script-src 'self'`.
(function () {
  "use strict";
  var page = document.getElementById("graphiql");
  var EXAMPLE = [
    "# Paste a token into the Headers tab below:",
    '#   {"Authorization": "Bearer <token printed by `portal serve`>"}',
    "# then press the run button (or Ctrl-Enter). To act in an organization below your",
    "# token's (the SELECT ORGANIZATION control), add its ID from viewer.organizations:",
    '#   {"Authorization": "Bearer <token>", "X-Organization-ID": "<organization ID>"}',
    "query Organizations {",
    "  organizations(sorting: [{ field: shortName, direction: ASC }], paging: { limit: 20 }) {",
    "    totalCount",
    "    countsByStatus { status count }",
    "    nodes { shortName kind status createdAt }",
    "  }",
    "}",
    "",
  ].join("\n");
  var fetcher = GraphiQL.createFetcher({ url: page.dataset.endpoint });
  ReactDOM.createRoot(page).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: EXAMPLE,
      defaultHeaders: '{"Authorization": "Bearer "}',
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: false,
    })
  );
})();
