"""The Typer app every service CLI starts from, and how results are printed.

Every printer takes the API's JSON as `data`: with `--json` that is printed as it came
(for scripts), otherwise the human form (a table, key/value lines, a tree, a sentence).
"""

# No `from __future__ import annotations`: Typer reads the callback's option annotations,
# which refer to a local variable.
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer

from service_cli._client import Api, CliError, Connection

CELL_WIDTH = 60
Column = str | tuple[str, str]

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the API's JSON, for scripts.")]


@dataclass
class Tree:
    label: str
    children: list["Tree"] = field(default_factory=list)

    def add(self, label: str) -> "Tree":
        child = Tree(label)
        self.children.append(child)
        return child

    def lines(self) -> list[str]:
        out = [self.label]
        for index, child in enumerate(self.children):
            last = index == len(self.children) - 1
            first, rest = ("└── ", "    ") if last else ("├── ", "│   ")
            child_lines = child.lines()
            out.append(first + child_lines[0])
            out.extend(rest + line for line in child_lines[1:])
        return out


def cell(value: Any, width: int = CELL_WIDTH) -> str:
    """One value as table text: `-` for nothing, lists joined, long text cut with `…`."""
    if value is None or value == "":
        text = "-"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, list | tuple):
        text = ", ".join(cell(item, width) for item in value) or "-"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False) if value else "-"
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class Output:
    as_json: bool = False

    def json(self, data: Any) -> None:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))

    def message(self, text: str, *, data: Any) -> None:
        if self.as_json:
            self.json(data)
        else:
            typer.echo(text)

    def table(
        self,
        rows: Sequence[Mapping[str, Any]],
        columns: Sequence[Column],
        *,
        data: Any,
        empty: str = "nothing found",
    ) -> None:
        """Columns are keys of the rows, or (header, key) pairs."""
        if self.as_json:
            self.json(data)
            return
        if not rows:
            typer.echo(empty)
            return
        pairs = [(c, c) if isinstance(c, str) else c for c in columns]
        grid = [[header.upper() for header, _ in pairs]]
        grid += [[cell(row.get(key)) for _, key in pairs] for row in rows]
        widths = [max(len(line[i]) for line in grid) for i in range(len(pairs))]
        for line in grid:
            padded = (text.ljust(width) for text, width in zip(line, widths, strict=True))
            typer.echo("  ".join(padded).rstrip())

    def record(self, item: Mapping[str, Any], keys: Sequence[Column], *, data: Any) -> None:
        """One object as `key: value` lines."""
        if self.as_json:
            self.json(data)
            return
        pairs = [(k, k) if isinstance(k, str) else k for k in keys]
        width = max(len(label) for label, _ in pairs)
        for label, key in pairs:
            typer.echo(f"{(label + ':').ljust(width + 1)} {cell(item.get(key), 1000)}")

    def tree(self, tree: Tree, *, data: Any) -> None:
        if self.as_json:
            self.json(data)
        else:
            typer.echo("\n".join(tree.lines()))


@dataclass(frozen=True)
class Session:
    """What a command needs: the service's API and the output mode."""

    api: Api
    out: Output


def one_line_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CliError as error:
            typer.echo(f"Error: {error.message}", err=True)
            raise typer.Exit(1) from None

    return run


class App(typer.Typer):
    """A Typer app whose commands print a `CliError` as one line and exit with 1."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:  # type: ignore[override]
        register = super().command(*args, **kwargs)

        def decorator(command: Callable[..., Any]) -> Callable[..., Any]:
            register(one_line_errors(command))
            return command

        return decorator


def service_app(service: str, default_url: str, help: str) -> App:
    """A Typer app whose callback reads `--url`/`<SERVICE>_URL`, `--api-key`/
    `<SERVICE>_API_KEY` and `--json`; commands get a `Session` from `session(ctx)`."""
    prefix = service.upper()
    app = App(
        name=service,
        help=help,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def options(
        ctx: typer.Context,
        url: Annotated[
            str, typer.Option(envvar=f"{prefix}_URL", help=f"{service}'s base URL.")
        ] = default_url,
        api_key: Annotated[
            str | None,
            typer.Option(envvar=f"{prefix}_API_KEY", help="Sent as X-API-Key.", show_default=False),
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        api = Api(Connection(service, url, api_key or None))
        ctx.call_on_close(api.client.close)
        ctx.obj = Session(api, Output(as_json))

    return app


def session(ctx: typer.Context, as_json: bool = False) -> Session:
    """The app's session; a command's own `--json` switches JSON on as the global one does."""
    current = ctx.find_root().obj
    assert isinstance(current, Session)
    return Session(current.api, Output(True)) if as_json else current
