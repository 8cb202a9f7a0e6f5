"""Wait for a condition instead of sleeping for a guessed time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Return as soon as `condition()` holds; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:g} s waiting until {what}")
        await asyncio.sleep(0.01)


def until_sync(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """`until` for tests that drive a subprocess without an event loop."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting until {what}")
        time.sleep(0.01)
