"""Tax-ID verification with the tax registries (VIES for the EU and XI, HMRC for GB).

    registries.py  the HTTP calls and what counts as a verdict (everything else is NoAnswer)
    checks.py      the state per customer: start a check, the job that runs it, the verdict
    jobs.py        the queues (one per registry) and the task, for resolvers/jobs/tasks.py

Other domains start a check in their own transaction with `enqueue_verification` (e.g.
updateCustomer when the tax ID changes); createCustomer adds `verification_rows` to its
insert. Nothing here delays the request that starts a check.
"""

from resolvers.verification.checks import enqueue_verification, registry_for, verification_rows

__all__ = ["enqueue_verification", "registry_for", "verification_rows"]
