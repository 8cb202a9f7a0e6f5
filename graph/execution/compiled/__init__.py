"""The compiled read path: a whole read operation as one SQL statement per root field.

For operations whose selection maps onto columns and joins (see `planner`), PostgreSQL or
SQLite builds the GraphQL-shaped JSON of each root field, and its bytes go into the response
as they are (`orjson.Fragment`): no rows decoded, no objects built, no fields resolved in
Python. Everything else, and every request that would answer an error, runs through the
normal executor for the whole operation, so answers never differ
(tests/test_executor_differential.py proves it on both databases).
`PORTAL_COMPILED_READS=false` switches it off.
"""

from graph.execution.compiled.extension import CompiledReads, answer_prepared

__all__ = ["CompiledReads", "answer_prepared"]
