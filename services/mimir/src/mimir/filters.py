"""List machinery every resource shares: filters, keyset cursors, offsets, sparse fieldsets.

Filters are `field=value` or `field__op=value`, checked against a per-resource allow-list;
the SQL they become is composed from `psycopg.sql` identifiers of allow-listed columns and
placeholders, never from the caller's text.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from types import UnionType
from typing import Any, Generic, Literal, TypeVar, Union, cast, get_args, get_origin

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import BaseModel, ConfigDict, Field

from envelope import MAX_OFFSET, BadRequest, page_examples
from envelope.limits import MAX_JSON_DEPTH, json_depth
from mimir.external.queries import in_project_fragment
from mimir.sql import Conn, PageQuery, Row

Kind = Literal["text", "uuid", "int", "datetime", "json"]
COMPARISONS = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
OPERATORS_BY_KIND: dict[Kind, frozenset[str]] = {
    "text": frozenset(
        {"eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "icontains", "isnull"}
    ),
    "uuid": frozenset({"eq", "ne", "in", "isnull"}),
    "int": frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "isnull"}),
    "datetime": frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "isnull"}),
    "json": frozenset({"contains", "isnull"}),
}
RESERVED = frozenset({"limit", "offset", "cursor", "fields", "order"})
PROJECT_FILTER = "project_id"
MAX_LIMIT = 500
M = TypeVar("M", bound=BaseModel, covariant=True)


def literal_values(annotation: Any) -> tuple[str, ...]:
    """The strings of a `Literal[...]` annotation, optional or not; () for any other type."""
    if get_origin(annotation) is Literal:
        return tuple(str(value) for value in get_args(annotation))
    if get_origin(annotation) in (Union, UnionType):
        return tuple(value for arg in get_args(annotation) for value in literal_values(arg))
    return ()


def _parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("a time zone is required")
    return parsed


def _parse_json(value: str) -> str:
    try:
        depth = json_depth(json.loads(value))
    except RecursionError:  # past the parser's own depth
        depth = MAX_JSON_DEPTH + 1
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nests deeper than {MAX_JSON_DEPTH} levels")
    return value


PARSERS: dict[Kind, Callable[[str], Any]] = {
    "text": str,
    "uuid": uuid.UUID,
    "int": int,
    "datetime": _parse_datetime,
    "json": _parse_json,
}


def _like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def all_of(conditions: list[sql.Composable]) -> sql.Composable:
    """The conditions joined with AND; TRUE when there are none."""
    return sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("TRUE")


def chosen_clauses(
    filters: BaseModel, clauses: Mapping[str, sql.Composable]
) -> tuple[sql.Composable, dict[str, Any]]:
    """The filters a request sets that `clauses` knows, as one condition, and their values
    as parameters (`metadata` as JSONB). A true flag picks its clause and is no parameter."""
    params = filters.model_dump(include=set(clauses), exclude_none=True)
    conditions = [clauses[name] for name, value in params.items() if value is not False]
    params = {name: value for name, value in params.items() if not isinstance(value, bool)}
    if "metadata" in params:
        params["metadata"] = Jsonb(params["metadata"])
    return all_of(conditions), params


def in_project(
    entity_id: sql.Composable, entity_type: str, project_id: sql.Composable
) -> sql.Composable:
    """Condition: the entity is related (either way) to the imi project or to an imi entity
    the projection places in it. A semi-join, so the list stays one statement."""
    return in_project_fragment(entity_id, sql.Literal(entity_type), project_id)


@dataclass(frozen=True)
class Resource(Generic[M]):
    """A listable resource: its model, its list query (a statement with `{where}` and
    `{order}`), the table alias that statement uses, and the fields a caller may filter on."""

    model: type[M]
    list_query: PageQuery
    alias: str
    filters: Mapping[str, Kind]
    query_params: frozenset[str] = frozenset()
    """Other query parameters the endpoint declares itself (not filters)."""
    entity_type: str | None = None
    """The resource's entity type in relations; set, it accepts `project_id=<imi project>`."""
    enrich: Callable[[Conn, list[Row]], Awaitable[list[Row]]] | None = None
    """Adds computed fields to a page's rows (one statement for the whole page)."""
    fetch: Callable[[Conn, uuid.UUID], Awaitable[M]] | None = None
    """Reads one by id as the model, NotFound (404) if absent: what `get` serves."""

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.model.model_fields)

    @cached_property
    def choices(self) -> dict[str, tuple[str, ...]]:
        """The values a filtered field can hold, where the model declares it an enumeration."""
        found = {}
        for name in self.filters:
            info = self.model.model_fields.get(name)
            if info is not None and (values := literal_values(info.annotation)):
                found[name] = values
        return found

    async def list(self, conn: Conn, given: ListParams, **params: Any) -> Page[M] | JSONResponse:
        """One page of the resource (sparse if asked), `params` added to the statement's."""
        compiled = compile_list(self, given)
        rows = await self.list_query(
            conn, compiled.where, compiled.order, {**compiled.params, **params}
        )
        if self.enrich is not None:
            rows = await self.enrich(conn, rows)
        listed = sparse(page(self.model, rows, compiled), compiled.fields)
        return cast("Page[M] | JSONResponse", listed)

    async def get(self, conn: Conn, row_id: uuid.UUID, fields: str | None) -> M | JSONResponse:
        """One row by id (404 if absent), as the model or its sparse fieldset; the fieldset is
        checked first."""
        if self.fetch is None:
            raise TypeError("this resource has no fetch")
        wanted = parse_fields(self.fields, fields)
        return sparse_as(await self.fetch(conn, row_id), wanted)

    def column(self, name: str) -> sql.Composable:
        return sql.Identifier(self.alias, name)

    def condition(self, key: str, raw: str, param: str) -> tuple[sql.Composable, Any]:
        if key == PROJECT_FILTER and self.entity_type is not None:
            try:
                project_id = uuid.UUID(raw)
            except ValueError as error:
                raise BadRequest("project_id must be a UUID", field=key) from error
            placeholder = sql.Placeholder(param)
            return in_project(self.column("id"), self.entity_type, placeholder), project_id
        name, _, op = key.partition("__")
        op = op or "eq"
        kind = self.filters.get(name)
        if kind is None:
            raise BadRequest(
                f"unknown filter field {name!r}", field=name, allowed=sorted(self.filters)
            )
        if op not in OPERATORS_BY_KIND[kind]:
            raise BadRequest(
                f"operator {op!r} is not allowed on {name!r}",
                field=name,
                operator=op,
                allowed=sorted(OPERATORS_BY_KIND[kind]),
            )
        allowed = self.choices.get(name)
        if allowed and op in ("eq", "ne", "in"):
            given = [part.strip() for part in raw.split(",")] if op == "in" else [raw]
            if unknown := [value for value in given if value and value not in allowed]:
                raise BadRequest(
                    f"invalid value for {key!r}", field=name, given=unknown, allowed=list(allowed)
                )
        column, placeholder = self.column(name), sql.Placeholder(param)
        try:
            return self._compose(kind, op, column, placeholder, raw)
        except ValueError as error:
            raise BadRequest(
                f"invalid value for {key!r}", field=name, operator=op, reason=str(error)
            ) from error

    def _compose(
        self, kind: Kind, op: str, column: sql.Composable, ph: sql.Placeholder, raw: str
    ) -> tuple[sql.Composable, Any]:
        parse = PARSERS[kind]
        if op == "isnull":
            if raw.lower() not in ("true", "false"):
                raise ValueError("isnull takes true or false")
            test = sql.SQL("IS NULL" if raw.lower() == "true" else "IS NOT NULL")
            return sql.SQL("{} {}").format(column, test), None
        if op == "in":
            values = [parse(part.strip()) for part in raw.split(",") if part.strip()]
            return sql.SQL("{} = ANY({})").format(column, ph), values
        if kind == "json":
            return sql.SQL("{} @> {}::jsonb").format(column, ph), parse(raw)
        if op in ("contains", "icontains"):
            like = sql.SQL("LIKE" if op == "contains" else "ILIKE")
            return sql.SQL("{} {} {}").format(column, like, ph), _like_pattern(raw)
        return sql.SQL("{} {} {}").format(column, sql.SQL(COMPARISONS[op]), ph), parse(raw)


@dataclass
class ListParams:
    """What a list request asked for, before it is compiled against a resource."""

    limit: int
    offset: int
    cursor: str | None
    fields: str | None
    order: Literal["created_at", "-created_at"]
    filters: list[tuple[str, str]] = field(default_factory=list)


async def list_params(
    request: Request,
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="Page size"),
    offset: int = Query(
        0,
        ge=0,
        le=MAX_OFFSET,
        description=f"Rows to skip, at most {MAX_OFFSET} (not combinable with `cursor`); "
        "follow `next_cursor` to go further",
    ),
    cursor: str | None = Query(None, description="Opaque cursor from a previous page"),
    fields: str | None = Query(None, description="Sparse fieldset: `fields=id,created_at`"),
    order: Literal["created_at", "-created_at"] = Query(
        "-created_at", description="Creation order; `-` for newest first"
    ),
) -> ListParams:
    """The pagination/fieldset parameters; every other query parameter is a filter."""
    filters = [(k, v) for k, v in request.query_params.multi_items() if k not in RESERVED]
    return ListParams(limit, offset, cursor, fields, order, filters)


@dataclass(frozen=True)
class CompiledList:
    where: sql.Composable
    order: sql.Composable
    params: dict[str, Any]
    fields: frozenset[str] | None
    limit: int
    offset: int


def compile_list(resource: Resource[BaseModel], given: ListParams) -> CompiledList:
    """The WHERE and ORDER BY of a list query, and its parameters."""
    conditions: list[sql.Composable] = []
    params: dict[str, Any] = {}
    for index, (key, raw) in enumerate(given.filters):
        if key in resource.query_params:
            continue
        condition, value = resource.condition(key, raw, f"f{index}")
        conditions.append(condition)
        params[f"f{index}"] = value
    descending = given.order.startswith("-")
    keyset = sql.SQL("({}, {})").format(resource.column("created_at"), resource.column("id"))
    if given.cursor is not None:
        if given.offset:
            raise BadRequest("use either cursor or offset, not both")
        params["cursor_at"], params["cursor_id"] = decode_cursor(given.cursor)
        comparison = sql.SQL("<" if descending else ">")
        conditions.append(
            sql.SQL("{} {} (%(cursor_at)s, %(cursor_id)s)").format(keyset, comparison)
        )
    direction = sql.SQL("DESC" if descending else "ASC")
    order = sql.SQL("{} {}, {} {}").format(
        resource.column("created_at"), direction, resource.column("id"), direction
    )
    params["limit"], params["offset"] = given.limit + 1, given.offset
    where = all_of(conditions)
    return CompiledList(
        where,
        order,
        params,
        parse_fields(resource.fields, given.fields),
        given.limit,
        given.offset,
    )


def parse_fields(allowed: frozenset[str], fields: str | None) -> frozenset[str] | None:
    """The sparse fieldset asked for (`fields=a,b`), checked against `allowed`."""
    if fields is None:
        return None
    wanted = frozenset(name.strip() for name in fields.split(",") if name.strip())
    if not wanted:
        raise BadRequest("fields names no field", allowed=sorted(allowed))
    if unknown := sorted(wanted - allowed):
        raise BadRequest("unknown field in fields", unknown=unknown, allowed=sorted(allowed))
    return wanted


FIELDS_QUERY = Query(None, description="Sparse fieldset, e.g. `fields=id,created_at`")
PROJECT_QUERY = Query(
    None,
    description="Only entities related (either way) to this imi project, or to an imi entity "
    "(work item, PR, deploy, ticket) of that project",
)


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, row_id = json.loads(raw)
        return datetime.fromisoformat(created_at), uuid.UUID(row_id)
    except (binascii.Error, ValueError, TypeError) as error:
        raise BadRequest("invalid cursor") from error


T = TypeVar("T", bound=BaseModel)
EXAMPLE_CURSOR = encode_cursor(
    datetime.fromisoformat("2026-02-11T10:00:00+00:00"),
    uuid.UUID("3f1c2b4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
)


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    model_config = ConfigDict(
        json_schema_extra=page_examples(next_cursor=EXAMPLE_CURSOR, limit=1, offset=0)
    )

    items: list[T] = Field(description="The rows of this page")
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page"
    )
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Rows skipped")


def page(model: type[T], rows: list[dict[str, Any]], compiled: CompiledList) -> Page[T]:
    more = len(rows) > compiled.limit
    rows = rows[: compiled.limit]
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more and rows else None
    return Page[model](  # type: ignore[valid-type]
        items=[model.model_validate(row) for row in rows],
        next_cursor=next_cursor,
        limit=compiled.limit,
        offset=compiled.offset,
    )


def sparse(body: BaseModel, fields: frozenset[str] | None) -> Any:
    """`body` itself, or only the asked-for fields (of each item, for a page)."""
    if fields is None:
        return body
    if isinstance(body, Page):
        include: Any = {
            "items": {"__all__": set(fields)},
            "next_cursor": True,
            "limit": True,
            "offset": True,
        }
    else:
        include = set(fields)
    return JSONResponse(body.model_dump(mode="json", include=include))


def sparse_as(body: T, fields: frozenset[str] | None) -> T | JSONResponse:
    """`sparse` for one model: `body` itself, or a JSON response of the asked-for fields."""
    return cast("T | JSONResponse", sparse(body, fields))
