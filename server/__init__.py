"""The HTTP shell around the schema: app factory and lifespan, the view and authentication,
GraphQL-over-HTTP rules, middleware, observability, GraphiQL and HTTP caching."""
