# Every target is one line; the scripts it calls live in deploy/ and bench/.
.PHONY: setup run test lint format migrate bench eval docs up demo doctor
# Where setup installs uv when the host has none.
export PATH := $(CURDIR)/.tools/bin:$(PATH)
SHELL_SCRIPTS := $(filter-out %.py,$(wildcard deploy/local/*)) deploy/build-images

setup:    ## install what is missing (apt-get), make PostgreSQL (with pgvector) and RabbitMQ ready, sync the workspace
	deploy/local/setup

doctor:    ## the host's checklist: Python, uv, PostgreSQL, pgvector, RabbitMQ, ports, .env; non-zero when something blocks
	deploy/local/doctor

run: setup    ## migrate and start imi (:8400) and mimir (:38000); Ctrl-C stops both
	deploy/local/run

test: setup    ## the whole suite against the local PostgreSQL and RabbitMQ
	uv run --no-sync pytest

lint:    ## ruff and mypy over the workspace, shellcheck over the host scripts
	uv run --no-sync ruff check . && uv run --no-sync ruff format --check . && uv run --no-sync mypy && shellcheck -x $(SHELL_SCRIPTS)

format:
	uv run --no-sync ruff format . && uv run --no-sync ruff check --fix .

bench: setup    ## benchmarks beside raw baselines; writes bench/results/<date>.{json,md,png}
	uv run --no-sync python -m bench

eval: setup    ## retrieval quality of mimir search beside BM25 and dense baselines; writes bench/results/<date>-retrieval.{md,json}
	uv run --no-sync python -m bench.retrieval

demo:    ## against `make run`'s services: ticket → work → PR → deploy → decision, then the trace
	set -a && . ./.env && set +a && uv run --no-sync python deploy/demo/story.py

docs:    ## regenerate docs/{openapi,asyncapi}/*.json, docs/events.md, docs/erd.md, deploy/bloodbank/registry.yaml, deploy/k8s topology
	uv run --no-sync python docs/generate.py

migrate:    ## apply both services' migrations
	deploy/local/migrate

up:    ## the same system in containers (needs a Docker engine)
	docker compose up --build
