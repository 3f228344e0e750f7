# The two commands of the README:
#   make serve   set up on a fresh machine and run the service on http://127.0.0.1:8000
#   make test    set up on a fresh machine and run the whole test suite
# Everything below is what those two need; nothing is installed by hand.

VENV    := .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
HOST    ?= 127.0.0.1
PORT    ?= 8000
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve test setup system-deps lint bench clean

serve: setup
	$(BIN)/ballerina-kg serve --host $(HOST) --port $(PORT)

test: setup system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

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

# The benchmarks of BENCHMARKS.md (not part of `make test`): wrk from Debian drives the HTTP
# runs, py-spy and pyinstrument (the bench extra) profile. BENCH_ARGS picks a command, e.g.
# `make bench BENCH_ARGS="throughput --duration 10"`; none runs them all (about 30 minutes).
bench: setup bench/peer/node_modules/.installed
	@command -v wrk >/dev/null || { echo "installing wrk (Debian)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/pip install --quiet -e '.[bench]'
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
