"""The checked-in SDL, the descriptions GraphiQL shows, and migrations that match the models."""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from graph.schema import build_schema, print_schema
from models.database import tortoise_config
from settings import Settings
from tests.api import Api


def test_checked_in_schema_is_current(repo_root: Path) -> None:
    committed = (repo_root / "schema.graphql").read_text()
    assert committed == print_schema(), (
        "schema.graphql is stale: run `portal export-schema -o schema.graphql`"
    )


def test_every_type_field_and_argument_has_a_description() -> None:
    schema = build_schema()._schema
    missing: list[str] = []
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID", "DateTime"}:
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(type_, GraphQLEnumType) and not type_.values:
            missing.append(f"{name} has no values")
    assert missing == []


def test_sort_enum_values_are_the_field_names() -> None:
    sort_fields = build_schema()._schema.type_map["OrganizationSortFields"]
    assert isinstance(sort_fields, GraphQLEnumType)
    assert set(sort_fields.values) == {"shortName", "fullName", "erpId", "status", "createdAt"}


async def test_migrations_match_the_models(api: Api, settings: Settings) -> None:
    """Fails when a model changed without `tortoise makemigrations` being run."""
    apps = tortoise_config(settings)["apps"]
    detector = MigrationAutodetector(Tortoise.apps, apps)
    pending = await detector.changes()
    assert [w.name for w in pending] == []
