"""The Tortoise configuration for the `tortoise` command line (makemigrations, history, ...).

Imported only by that tool, through `[tool.tortoise]` in pyproject.toml; the application
builds its configuration from its own Settings instead.
"""

from models.database import tortoise_config
from settings import Settings

TORTOISE_ORM = tortoise_config(Settings.from_env())
