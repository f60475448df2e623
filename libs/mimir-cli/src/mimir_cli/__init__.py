"""The `mimir` command line: a client of mimir's REST API. Options, errors and output come
from `service_cli`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from service_cli import ApiError, CliError, Column, JsonFlag, Session, service_app, session

app = service_app(
    "mimir", "http://127.0.0.1:38000", "mimir: artifacts, search, decisions and intents."
)


# The service owns its vocabularies: an unknown type is refused with the allowed ones named.
ARTIFACT_TYPE = "an unknown type is refused with the allowed ones."
SearchMode = Literal["text", "semantic", "hybrid"]
DECISION_COLUMNS: list[Column] = [
    "position",
    "status",
    "statement",
    ("superseded by", "superseded_by_id"),
    "id",
]

ARTIFACT_KEYS: list[Column] = [
    "id",
    ("type", "artifact_type"),
    "source",
    "external_id",
    "latest_version",
    "indexing_status",
    "metadata",
    "created_at",
]
VERSION_COLUMNS: list[Column] = [
    ("version", "version_number"),
    ("indexing", "indexing_status"),
    "created_by",
    "created_at",
    "id",
]


def _read(file: Path) -> str:
    try:
        content = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"cannot read {file}: {error}") from error
    if not content:
        raise CliError(f"{file} is empty")
    return content


@app.command()
def capture(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file to store; - reads stdin.")],
    artifact_type: Annotated[str, typer.Option("--type", help=f"What it is; {ARTIFACT_TYPE}")] = (
        "document"
    ),
    artifact: Annotated[
        str | None, typer.Option(help="Store it as a new version of this artifact.")
    ] = None,
    source: Annotated[str, typer.Option(help="Where it comes from.")] = "cli",
    created_by: Annotated[str, typer.Option(help="Who stores it.")] = "cli",
    as_json: JsonFlag = False,
) -> None:
    """Store FILE verbatim as a new artifact (version 1), or with --artifact as that artifact's
    next version (identical content returns the existing version). A file is named by its
    absolute path in its source: captured again once edited, it becomes the next version of
    the artifact it was stored as; unchanged, that artifact is shown."""
    cli = session(ctx, as_json)
    content = _read(file)
    path = None if str(file) == "-" else str(file.resolve())
    body = {
        "artifact_type": artifact_type,
        "source": source,
        "external_id": path,
        "metadata": {"path": path} if path else {},
        "content": content,
        "created_by": created_by,
    }
    created = None
    if not artifact:
        try:
            created = cli.api.post("/artifacts", body)
        except ApiError as error:  # the file was stored before, with other content
            if error.status != 409 or error.params.get("differing") != ["content"]:
                raise
            artifact = str(error.params["artifact_id"])
    if created is None:
        version = cli.api.post(
            f"/artifacts/{artifact}/versions", {"content": content, "created_by": created_by}
        )
        cli.out.message(
            f"artifact {artifact} version {version['version_number']} ({version['id']})",
            data=version,
        )
        return
    cli.out.message(
        f"captured {created['artifact_type']} {created['id']} version {created['latest_version']} "
        f"(indexing {created['indexing_status']})",
        data=created,
    )


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Words, "phrases", OR, -excluded (text mode).')],
    mode: Annotated[SearchMode, typer.Option(help="Full text, vectors, or both fused.")] = "hybrid",
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    artifact_type: Annotated[
        list[str] | None, typer.Option("--type", help=f"Only these types; {ARTIFACT_TYPE}")
    ] = None,
    budget: Annotated[
        int | None,
        typer.Option(min=100, max=100_000, help="Also print the best passages up to N chars."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Search chunks; every hit quotes its text with its artifact, version and offsets."""
    cli = session(ctx, as_json)
    body = {"query": query, "limit": limit, "filters": {"artifact_type": artifact_type}}
    if budget is not None:
        body["budget_chars"] = budget
    result = cli.api.post(f"/search/{mode}", body)
    if cli.out.as_json:
        cli.out.json(result)
        return
    if not result["hits"]:
        typer.echo("no hits")
    for rank, hit in enumerate(result["hits"], 1):
        typer.echo(
            f"{rank}. {hit['artifact_type']} {hit['artifact_id']} v{hit['version_number']} "
            f"[{hit['start_offset']}:{hit['end_offset']}]  score {hit['score']:.4f}"
        )
        typer.echo("\n".join(f"   > {line}" for line in hit["text"].splitlines()))
    if result.get("context"):
        typer.echo(f"context ({sum(len(p['text']) for p in result['context'])} characters):")
        for passage in result["context"]:
            where = f"{passage['artifact_id']} [{passage['start_offset']}:{passage['end_offset']}]"
            typer.echo(f"-- {where}\n{passage['text']}")


@app.command()
def decide(
    ctx: typer.Context,
    statement: Annotated[str, typer.Argument(help="The decision, in one sentence.")],
    rationale: Annotated[str, typer.Option(help="Why.")] = "",
    supersedes: Annotated[
        str | None, typer.Option(help="The active decision this one replaces.")
    ] = None,
    tentative: Annotated[bool, typer.Option(help="Record it as tentative, not active.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Record a decision (active unless --tentative); with --supersedes the old decision is
    marked superseded by the new one."""
    cli = session(ctx, as_json)
    if supersedes:
        old = cli.api.get(f"/decisions/{supersedes}")
        if old["status"] != "active":
            raise CliError(
                f"decision {supersedes} is {old['status']}: only an active one can be superseded"
            )
    status = "tentative" if tentative else "active"
    decision = cli.api.post(
        "/decisions", {"statement": statement, "rationale": rationale, "status": status}
    )
    message = f"recorded {status} decision {decision['id']}"
    if supersedes:
        cli.api.patch(
            f"/decisions/{supersedes}", {"status": "superseded", "superseded_by_id": decision["id"]}
        )
        message += f"; {supersedes} is superseded by it"
    cli.out.message(message, data=decision)


@app.command()
def intents(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="proposed, accepted or rejected.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Intents, newest first."""
    cli = session(ctx, as_json)
    page = cli.api.get("/intents", status=status, limit=limit)
    columns: list[Column] = [
        "status",
        "statement",
        ("by", "proposed_by"),
        ("group", "intent_group_id"),
        "id",
    ]
    cli.out.table(page["items"], columns, data=page, empty="no intents")


def _show_artifact(cli: Session, artifact: dict[str, Any]) -> None:
    cli.out.record(artifact, ARTIFACT_KEYS, data=artifact)
    typer.echo()
    cli.out.table(artifact["versions"], VERSION_COLUMNS, data=artifact)
    typer.echo()
    typer.echo(artifact["versions"][-1]["content"])


def _show_decision(cli: Session, decision: dict[str, Any]) -> None:
    keys = ["id", "status", "statement", "rationale", "superseded_by_id", "metadata", "created_at"]
    cli.out.record(decision, keys, data=decision)
    chain = cli.api.get(f"/decisions/{decision['id']}/chain")
    if len(chain) > 1:
        typer.echo("\nsupersession chain:")
        cli.out.table(chain, DECISION_COLUMNS, data=chain)


@app.command()
def show(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="An artifact or decision id.")],
    as_json: JsonFlag = False,
) -> None:
    """An artifact (with its versions and newest content) or a decision (with its chain)."""
    cli = session(ctx, as_json)
    for path, render in (("/artifacts", _show_artifact), ("/decisions", _show_decision)):
        try:
            found = cli.api.get(f"{path}/{entity_id}")
        except ApiError as error:
            if error.status == 404:
                continue
            raise
        if cli.out.as_json:
            cli.out.json(found)
        else:
            render(cli, found)
        return
    raise CliError(f"no artifact or decision {entity_id}")
