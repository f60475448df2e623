"""`mimir` against the real service."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
from cli_helpers import Run
from harness import ServiceProcess, free_port

NOTE = """# Payments

We retry failed card payments twice with exponential backoff.

# Refunds

Refunds of a {word} order go back to the original card within five days.
"""


def capture(mimir: Run, path: Path, *args: str) -> dict[str, object]:
    result = mimir("--json", "capture", str(path), *args)
    assert result.exit_code == 0, result.output
    captured: dict[str, object] = json.loads(result.stdout)
    return captured


def test_capture_a_new_version_and_show(mimir: Run, tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("first draft\n")
    created = capture(mimir, path, "--type", "note")
    assert (created["artifact_type"], created["external_id"], created["latest_version"]) == (
        "note",
        str(path.resolve()),
        1,
    )
    assert capture(mimir, path, "--type", "note")["id"] == created["id"]  # unchanged: shown

    path.write_text("second draft\n")
    plain = mimir("capture", str(path), "--artifact", str(created["id"]))
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.startswith(f"artifact {created['id']} version 2 (")
    path.write_text("third draft\n")  # edited again: the next version of the file's artifact
    edited = mimir("capture", str(path), "--type", "note")
    assert edited.exit_code == 0, edited.output
    assert edited.stdout.startswith(f"artifact {created['id']} version 3 (")
    other = tmp_path / "elsewhere" / "note.md"  # the same name in another folder: its own
    other.parent.mkdir()
    other.write_text("another note\n")
    assert capture(mimir, other, "--type", "note")["id"] != created["id"]

    piped = json.loads(
        mimir("--json", "capture", "-", "--type", "conversation", input="A: hi\n").stdout
    )
    assert (piped["artifact_type"], piped["external_id"]) == ("conversation", None)

    shown = mimir("show", str(created["id"]))
    assert shown.exit_code == 0, shown.output
    assert "latest_version:  3" in shown.stdout
    assert shown.stdout.rstrip().endswith("third draft")
    assert (
        json.loads(mimir("show", str(created["id"]), "--json").stdout)["versions"][1]["content"]
        == "second draft\n"
    )


def test_search_quotes_spans_with_offsets(mimir: Run, tmp_path: Path) -> None:
    word = f"zq{uuid.uuid4().hex[:8]}"
    path = tmp_path / "payments.md"
    path.write_text(NOTE.format(word=word))
    created = capture(mimir, path, "--type", "document")
    content = NOTE.format(word=word)

    text = json.loads(mimir("search", word, "--mode", "text", "--json").stdout)
    hit = text["hits"][0]
    assert hit["artifact_id"] == created["id"]
    assert hit["text"] == content[hit["start_offset"] : hit["end_offset"]]
    assert word in hit["text"]

    shown = mimir("search", word, "--mode", "text")
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[0].startswith(
        f"1. document {created['id']} v1 [{hit['start_offset']}:{hit['end_offset']}]  score "
    )
    assert any(line.startswith("   > ") and word in line for line in lines)

    packed = mimir("search", word, "--mode", "text", "--budget", "200")
    assert packed.exit_code == 0, packed.output
    context = packed.stdout.split("context (", 1)[1]
    assert f"-- {created['id']} [" in context
    assert word in context

    hybrid = json.loads(mimir("--json", "search", word, "--type", "document").stdout)
    assert hybrid["mode"] == "hybrid"
    # unscoped, in a database other tests fill: by meaning a made-up word is near anything
    ours = [h["lexical_rank"] for h in hybrid["hits"] if h["artifact_id"] == created["id"]]
    assert 1 in ours

    deadline = time.monotonic() + 30
    while True:  # semantic hits appear once the worker has embedded the chunks
        semantic = json.loads(
            mimir("search", "card payment retries", "--mode", "semantic", "--json").stdout
        )
        if any(h["artifact_id"] == created["id"] for h in semantic["hits"]):
            break
        assert time.monotonic() < deadline, "not embedded within 30 s"
        time.sleep(0.5)


def test_decide_and_supersede(mimir: Run) -> None:
    first = mimir("--json", "decide", "Retry payments twice", "--rationale", "transient errors")
    assert first.exit_code == 0, first.output
    old = json.loads(first.stdout)
    assert (old["status"], old["rationale"]) == ("active", "transient errors")

    second = mimir("decide", "Retry payments three times", "--supersedes", old["id"])
    assert second.exit_code == 0, second.output
    new_id = second.stdout.split()[3].rstrip(";")
    assert second.stdout.strip() == (
        f"recorded active decision {new_id}; {old['id']} is superseded by it"
    )

    shown = json.loads(mimir("show", old["id"], "--json").stdout)
    assert (shown["status"], shown["superseded_by_id"]) == ("superseded", new_id)
    chain = mimir("show", new_id).stdout
    assert "supersession chain:" in chain
    assert "Retry payments twice" in chain

    again = mimir("decide", "Retry forever", "--supersedes", old["id"])
    assert again.exit_code == 1
    assert again.stderr == (
        f"Error: decision {old['id']} is superseded: only an active one can be superseded\n"
    )


def test_intents(mimir: Run, mimir_process: ServiceProcess) -> None:
    statement = f"Make checkout faster {uuid.uuid4().hex[:6]}"
    response = httpx.post(
        f"{mimir_process.url}/api/v1/intents",
        json={"statement": statement, "proposed_by": "dana"},
    )
    assert response.status_code == 201, response.text
    listed = mimir("intents", "--status", "proposed")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[0].split()[:3] == ["STATUS", "STATEMENT", "BY"]
    assert any(statement in line and "dana" in line for line in listed.stdout.splitlines())


def test_errors_are_one_line(mimir: Run, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    down = mimir("--url", url, "intents")
    assert down.exit_code == 1
    assert down.stderr == f"Error: mimir is not reachable at {url}\n"

    unknown = str(uuid.uuid4())
    missing = mimir("show", unknown)
    assert missing.exit_code == 1
    assert missing.stderr == f"Error: no artifact or decision {unknown}\n"

    not_found = mimir("decide", "x", "--supersedes", unknown)
    assert not_found.exit_code == 1
    assert not_found.stderr.startswith("Error: ")
    assert not_found.stderr.endswith("(404 NOT_FOUND)\n")

    bad_id = mimir("show", "not-an-id")
    assert bad_id.exit_code == 1
    assert bad_id.stderr.count("\n") == 1
    assert "(422 VALIDATION_ERROR)" in bad_id.stderr

    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert mimir("capture", str(empty)).stderr == f"Error: {empty} is empty\n"
