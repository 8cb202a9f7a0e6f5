"""countries and currencies are cacheable: GET answers that hold only them say so."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.api import Api

REFERENCE = "query ReferenceData { countries { code } currencies { code } }"


async def _get(api: Api, query: str, token: str | None) -> tuple[int, dict[str, str]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await api.client.get(f"/graphql?{urlencode({'query': query})}", headers=headers)
    return response.status_code, dict(response.headers)


async def test_a_get_for_reference_data_may_be_cached_by_the_browser(api: Api) -> None:
    token = api.token(api.world.reseller, "VIEWER")
    status, headers = await _get(api, REFERENCE, token)
    assert status == 200
    assert headers["cache-control"] == "private, max-age=3600"
    assert headers["vary"] == "Authorization"


async def test_the_max_age_is_a_setting(api_factory) -> None:
    async with api_factory(reference_data_max_age_seconds=60) as api:
        _, headers = await _get(api, "{ currencies { code } }", api.token(api.world.reseller))
    assert headers["cache-control"] == "private, max-age=60"


async def test_nothing_else_is_marked_cacheable(api: Api) -> None:
    token = api.token(api.world.reseller, "VIEWER")
    mixed = "{ currencies { code } organizations { totalCount } }"
    for query, with_token in ((mixed, token), (REFERENCE, None)):
        _, headers = await _get(api, query, with_token)
        assert "cache-control" not in headers, query
    posted = await api.post(REFERENCE, token=token)
    assert posted.status_code == 200 and "cache-control" not in posted.headers
