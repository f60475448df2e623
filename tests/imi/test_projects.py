import asyncio
import uuid

import httpx
import psycopg
from harness import Database
from imi_helpers import EventLog, create_project, remote, unique

from imi.projects.repository import remote_key


async def test_register_get_and_events(api: httpx.AsyncClient, events: EventLog) -> None:
    origin = remote()
    response = await api.post(
        "/api/v1/projects",
        json={"name": "alpha", "remote_origin": origin, "metadata": {"team": "core"}},
    )
    assert response.status_code == 201
    project = response.json()
    assert project["active"] is True
    assert project["metadata"] == {"team": "core"}
    assert project["default_branch"] == "main"
    fetched = await api.get(f"/api/v1/projects/{project['id']}")
    assert fetched.json() == project
    event = await events.wait_for("imi.project.registered", project_id=project["id"])
    assert event["payload"]["remote_origin"] == origin
    assert event["source"]["app"] == "imi"
    assert event["source"]["type"] == "service"


async def test_duplicate_remote_is_409_naming_the_project(api: httpx.AsyncClient) -> None:
    project = await create_project(api)
    again = await api.post(
        "/api/v1/projects", json={"name": "other", "remote_origin": project["remote_origin"]}
    )
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert detail["code"] == "CONFLICT"
    assert detail["params"]["project_id"] == project["id"]


async def test_concurrent_registration_one_wins(api: httpx.AsyncClient) -> None:
    origin = remote()
    responses = await asyncio.gather(
        *(
            api.post("/api/v1/projects", json={"name": f"r{i}", "remote_origin": origin})
            for i in range(6)
        )
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409, 409, 409, 409, 409]
    winner = next(r.json()["id"] for r in responses if r.status_code == 201)
    losers = {r.json()["detail"]["params"]["project_id"] for r in responses if r.status_code == 409}
    assert losers == {winner}
    listed = await api.get("/api/v1/projects", params={"remote_origin": origin, "active": "true"})
    assert listed.json()["total"] == 1


async def test_two_spellings_registered_at_once_give_one_project(api: httpx.AsyncClient) -> None:
    base = remote().removesuffix(".git")
    spellings = [base, f"{base}.git", f"{base}/", f"{base}.git/"]
    responses = await asyncio.gather(
        *(
            api.post("/api/v1/projects", json={"name": f"s{i}", "remote_origin": spelling})
            for i, spelling in enumerate(spellings)
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    winner = next(r.json()["id"] for r in responses if r.status_code == 201)
    losers = {r.json()["detail"]["params"]["project_id"] for r in responses if r.status_code == 409}
    assert losers == {winner}
    for spelling in spellings:
        listed = await api.get("/api/v1/projects", params={"remote_origin": spelling})
        assert [p["id"] for p in listed.json()["items"]] == [winner]


SPELLINGS = {
    "github.com/acme/api": [
        "https://github.com/acme/api",
        "https://github.com/Acme/API.git/",
        "git@github.com:acme/api.git",
        "ssh://git@github.com:22/acme/api",
        "https://ci:token@GitHub.com:443/acme/api.git",
        "https://github.com/acme/API.git\n",
        " git@github.com:acme/api ",
    ],
    "gitlab.example.com/group/sub/proj": [
        "git@gitlab.example.com:group/sub/proj",
        "https://gitlab.example.com/group/sub/proj.git",
    ],
    "host.xz/~user/path/to/repo": [
        "git://host.xz/~user/path/to/repo.git/",
        "host.xz:~user/path/to/repo.git",
    ],
    "/srv/git/Repo": ["/srv/git/Repo.git", "/srv/git/Repo/"],
    "file:///srv/git/Repo": ["file:///srv/git/Repo.git"],
    "file://localhost/srv/Case": ["file://localhost/srv/Case.git"],
    "h/a\nb": ["https://h/a\nb"],  # a newline inside is kept, in both twins
    "x": ["x", "x/", "x.git", "x.git/"],
    "git@x:team/a": ["git@x:team/a.git"],  # a one-letter host is a drive letter, not a forge
    "https://x": ["https://x"],
}


def test_the_database_keys_a_remote_as_the_service_does(
    database: Database, imi_env: dict[str, str]
) -> None:
    """`projects.remote_key` is computed by `imi.remote_key`; lookups use its Python twin."""
    spellings = [spelling for group in SPELLINGS.values() for spelling in group]
    with psycopg.connect(database.admin_conninfo()) as conn:
        keyed = conn.execute(
            "SELECT s, imi.remote_key(s) FROM unnest(%s::text[]) s", (spellings,)
        ).fetchall()
    for spelling, in_sql in keyed:
        assert in_sql == remote_key(spelling), spelling
    for key, group in SPELLINGS.items():
        assert {remote_key(spelling) for spelling in group} == {key}, key


async def test_a_forge_remote_over_ssh_is_the_project_registered_over_https(
    api: httpx.AsyncClient,
) -> None:
    repo = unique("repo")
    https = f"https://git.example.org/team/{repo}"
    project = await create_project(api, remote_origin=https)
    ssh = await api.post(
        "/api/v1/projects",
        json={"name": "again", "remote_origin": f"git@git.example.org:team/{repo}.git"},
    )
    assert ssh.status_code == 409
    assert ssh.json()["detail"]["params"]["project_id"] == project["id"]
    listed = await api.get(
        "/api/v1/projects", params={"remote_origin": f"ssh://git@git.example.org/team/{repo}"}
    )
    assert [p["id"] for p in listed.json()["items"]] == [project["id"]]


async def test_a_spelling_of_a_deactivated_remote_reactivates_it(api: httpx.AsyncClient) -> None:
    project = await create_project(api)
    await api.delete(f"/api/v1/projects/{project['id']}")
    variant = project["remote_origin"].removesuffix(".git") + "/"
    again = await api.post("/api/v1/projects", json={"name": "back", "remote_origin": variant})
    assert again.status_code == 200
    assert again.json()["id"] == project["id"]
    assert again.json()["active"] is True


async def test_deactivate_then_reregister_reactivates(
    api: httpx.AsyncClient, events: EventLog
) -> None:
    project = await create_project(api)
    deleted = await api.delete(f"/api/v1/projects/{project['id']}")
    assert deleted.status_code == 200
    assert deleted.json()["active"] is False
    assert (await api.get(f"/api/v1/projects/{project['id']}")).json()["active"] is False
    await events.wait_for("imi.project.deactivated", project_id=project["id"])
    again = await api.post(
        "/api/v1/projects", json={"name": "renamed", "remote_origin": project["remote_origin"]}
    )
    assert again.status_code == 200
    assert again.json()["id"] == project["id"]
    assert again.json()["active"] is True
    assert again.json()["name"] == "renamed"
    event = await events.wait_for(
        "imi.project.registered", project_id=project["id"], reactivated=True
    )
    assert event["payload"]["name"] == "renamed"


async def test_update_project(api: httpx.AsyncClient, events: EventLog) -> None:
    project = await create_project(api)
    response = await api.patch(
        f"/api/v1/projects/{project['id']}", json={"description": "d", "metadata": {"a": 1}}
    )
    assert response.status_code == 200
    assert response.json()["description"] == "d"
    assert response.json()["metadata"] == {"a": 1}
    event = await events.wait_for("imi.project.updated", project_id=project["id"])
    assert sorted(event["payload"]["changed"]) == ["description", "metadata"]
    short = await api.patch(f"/api/v1/projects/{project['id']}", json={"meta": {"b": 2}})
    assert short.json()["metadata"] == {"b": 2}  # the short form registering accepts


async def test_unknown_and_malformed_ids(api: httpx.AsyncClient) -> None:
    missing = await api.get(f"/api/v1/projects/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.json()["detail"]["code"] == "NOT_FOUND"
    assert (
        await api.patch(f"/api/v1/projects/{uuid.uuid4()}", json={"name": "n"})
    ).status_code == 404
    assert (await api.delete(f"/api/v1/projects/{uuid.uuid4()}")).status_code == 404
    bad = await api.get("/api/v1/projects/not-a-uuid")
    assert bad.status_code == 422
    assert bad.json()["detail"]["code"] == "VALIDATION_ERROR"
    empty = await api.post("/api/v1/projects", json={"name": "", "remote_origin": "x"})
    assert empty.status_code == 422
    project = await create_project(api)
    null_name = await api.patch(f"/api/v1/projects/{project['id']}", json={"name": None})
    assert null_name.status_code == 422


async def test_list_search_and_pagination(api: httpx.AsyncClient) -> None:
    stem = unique("zebra")
    for suffix in ("engine", "engines", "garden"):
        await create_project(api, name=f"{stem}-{suffix}")
    found = await api.get("/api/v1/projects", params={"q": f"{stem}-engine"})
    names = [p["name"] for p in found.json()["items"]]
    assert names[0] == f"{stem}-engine"
    assert f"{stem}-engines" in names
    page = await api.get("/api/v1/projects", params={"q": stem, "limit": 2, "offset": 0})
    body = page.json()
    assert body["total"] == 3
    assert len(body["items"]) == 2
    rest = await api.get("/api/v1/projects", params={"q": stem, "limit": 2, "offset": 2})
    assert len(rest.json()["items"]) == 1
    assert (await api.get("/api/v1/projects", params={"limit": 0})).status_code == 422


async def test_list_inactive(api: httpx.AsyncClient) -> None:
    project = await create_project(api)
    await api.delete(f"/api/v1/projects/{project['id']}")
    removed = await api.get(
        "/api/v1/projects", params={"active": "false", "remote_origin": project["remote_origin"]}
    )
    assert [p["id"] for p in removed.json()["items"]] == [project["id"]]
