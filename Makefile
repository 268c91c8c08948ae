# commstats: `make run` starts the dashboard, `make test` runs the whole suite.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
PORT    ?= 8501
# The address the dashboard listens on: this machine only, unless told otherwise (HOST=0.0.0.0 make run,
# or better a reverse proxy, see deploy/nginx.conf).
HOST    ?= 127.0.0.1
# The suite runs on two workers, a test file per worker at a time (module servers are started once).
# PYTEST_ARGS= (empty) runs it in one process.
PYTEST_ARGS ?= -n 2 --dist loadfile --durations=30

.PHONY: run test lint format bench bench-sessions db clean messages

# uv installs the pinned requirements in well under half pip's time (fresh clone: ~40 s against ~95 s); pip
# does it if uv cannot (e.g. an index only pip's own configuration knows).
UV      := $(VENV)/bin/uv
INSTALL  = $(UV) pip install --quiet --python $(PY) -r $(1) || $(PY) -m pip install --quiet -r $(1)

$(VENV)/.runtime-installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip uv==0.13.9
	$(call INSTALL,requirements.txt)
	touch $@

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements-dev.txt
	$(call INSTALL,requirements-dev.txt)
	touch $@

# Create or upgrade the schema; load the demo data only into an empty database.
db: $(VENV)/.runtime-installed
	$(PY) -m commstats init --demo-if-empty

run: db
	@echo "commstats: mở / open http://$(HOST):$(PORT)"
	$(PY) -m streamlit run dashboard.py --server.address $(HOST) --server.port $(PORT) --server.headless true

test: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev-installed
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(VENV)/.dev-installed
	$(PY) -m bench $(BENCH_ARGS)

# Issue 15's load benchmark: 50 sessions through nginx on 1, 2 and 4 instances, 10M rows on a throwaway
# PostgreSQL, an import running (about 30 minutes; bench/results/sessions.json). SESSIONS_ARGS="--url ..."
# reuses a database loaded before (then leave out --rows: SESSIONS_ARGS overrides it).
SESSIONS_ARGS ?= --rows 10000000
bench-sessions: $(VENV)/.dev-installed
	$(PY) -m bench.sessions_bench $(SESSIONS_ARGS)

# Texts live in data/locale/<lang>/LC_MESSAGES/commstats.po; Vietnamese is the source. After adding or
# removing keys there, this gives every other language the same keys (new ones empty, to translate: the
# catalogue test lists them). A new language: pybabel init -i data/locale/commstats.pot -d data/locale
# -D commstats -l fr (or copy the English file), then translate.
messages: $(VENV)/.runtime-installed
	$(PY) tools/messages_pot.py
	$(VENV)/bin/pybabel update --input-file data/locale/commstats.pot --output-dir data/locale \
		--domain commstats --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
