# The two commands of the README:
#   make serve   set up on a fresh machine and run the service on http://127.0.0.1:8000
#   make test    set up on a fresh machine and run the whole test suite
# Everything below is what those two need; nothing is installed by hand. The Python packages
# come from the lock files, exact versions checked by hash:
#   requirements.lock        what the service needs (pyproject.toml's dependencies)
#   requirements-test.lock   that and the test extra (what `make setup` installs)
#   requirements-bench.lock  that and the bench extra (`make bench`)
#   make lock      after editing the dependencies in pyproject.toml: re-solve, keeping every pin
#                  it can (uv, from PyPI, does the solving; installing needs only pip)
#   make upgrade   the same, moving every package to its newest allowed version

VENV    := .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
HOST    ?= 127.0.0.1
PORT    ?= 8000
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PIP_VERSION := 26.3
# uv solves the locks (`make lock`); its version is the one the test lock pins.
UV_VERSION  = $(shell sed -n 's/^uv==\([^ ]*\).*/\1/p' requirements-test.lock)

.PHONY: serve test setup system-deps lint typecheck bench lock upgrade clean

serve: setup
	$(BIN)/ballerina-kg serve --host $(HOST) --port $(PORT)

test: setup system-deps
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed node_modules/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet pip==$(PIP_VERSION)

# The locked packages, then the project itself (editable, nothing more); `pip check` fails when
# pyproject.toml names a package the lock lacks. node_modules first: the project's build
# includes the browser libraries from it (pyproject.toml, [tool.setuptools]).
$(VENV)/.installed: pyproject.toml requirements-test.lock | $(BIN)/python node_modules/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@$(BIN)/pip check || { echo "requirements*.lock do not match pyproject.toml: run make lock"; exit 1; }
	touch $@

# Each lock is solved for every platform and Python >= 3.11 (--universal), the largest first and
# the others constrained by it, so a package has one version in all three.
COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command 'make lock'

lock: $(BIN)/uv
	$(COMPILE) $(UPGRADE) --extra test --extra bench -o requirements-bench.lock
	$(COMPILE) --extra test -c requirements-bench.lock -o requirements-test.lock
	$(COMPILE) -c requirements-test.lock -o requirements.lock

upgrade:
	$(MAKE) lock UPGRADE=--upgrade

$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)

# Front-end assets (GraphiQL and its React) come from the npm registry and are served locally:
# the service must work with no internet access.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# Debian packages the tests use: jing (official GEXF RELAX NG schema), chromium (GraphiQL in a
# real browser), node + npm (graphql-http audit, graphology reader).
system-deps:
	@missing=""; \
	command -v jing >/dev/null || missing="$$missing jing"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

lint: setup
	$(BIN)/ruff check graph schema server tests bench
	$(BIN)/ruff format --check graph schema server tests bench

# mypy --strict on what [tool.mypy] lists: graph/ (schema/ and server/ are not yet clean).
# `make test` runs it before the tests.
typecheck: setup
	$(BIN)/mypy

# The benchmarks of BENCHMARKS.md (not part of `make test`): wrk from Debian drives the HTTP
# runs, py-spy and pyinstrument (the bench extra) profile. BENCH_ARGS picks a command, e.g.
# `make bench BENCH_ARGS="throughput --duration 10"`; none runs them all (about 30 minutes).
bench: setup bench/peer/node_modules/.installed
	@command -v wrk >/dev/null || { echo "installing wrk (Debian)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/pip install --quiet --require-hashes -r requirements-bench.lock
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The peers of `bench.run peer` (Fastify + Mercurius, graphql-http), pinned by their own lock
# file: the benchmark's, never the service's.
bench/peer/node_modules/.installed: bench/peer/package.json bench/peer/package-lock.json
	@command -v npm >/dev/null || { echo "installing nodejs npm (Debian)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	cd bench/peer && npm ci --no-audit --no-fund --silent
	touch $@

clean:
	rm -rf $(VENV) node_modules bench/peer/node_modules .pytest_cache tests/artifacts
