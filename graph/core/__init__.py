"""What every domain of the schema shares: the request context, errors and payloads, the Node
registry, paging, conversion, the enums and what a request selected."""
