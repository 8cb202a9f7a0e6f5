"""The error log holds bugs, not client mistakes: those are counted in the access log."""

from __future__ import annotations

import logging

import pytest

from tests.api import Api


async def test_client_mistakes_do_not_reach_the_error_log(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    with caplog.at_level(logging.INFO):
        await api.post("{ organizations { nope } }", token=token)  # validation error
        await api.post("{ organizations { totalCount } }")  # UNAUTHENTICATED
        await api.post("query { organizations(first: -1) { totalCount } }", token=token)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
