"""Organizations and customers: their types, inputs, filters, lists, queries and mutations."""
