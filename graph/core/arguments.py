"""`arg`: a described argument, short enough to sit inside `Annotated[...]` on one line.

```python
first: Annotated[int | None, arg("Page size (max 100).")] = None
```
"""

from __future__ import annotations

import strawberry


def arg(description: str) -> object:
    return strawberry.argument(description=description)
