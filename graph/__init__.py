"""The GraphQL surface, one package per domain; `schema.py` assembles them. No HTTP here."""
