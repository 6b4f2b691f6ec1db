# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= demo.db

.PHONY: install demo test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

DEMO_BASE = $(basename $(DEMO_DB))
PORT ?= 8001

# Ingest the bundled samples, classify, create demo users, then serve (Ctrl-C stops).
demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_BASE).users.db $(DEMO_BASE).secret
	$(BIN)/qunguan ingest samples --db $(DEMO_DB) --silent
	$(BIN)/qunguan roster import samples/roster.csv --db $(DEMO_DB)
	$(BIN)/qunguan classify --db $(DEMO_DB) --silent
	$(BIN)/qunguan stats --db $(DEMO_DB)
	@sup=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(12))'); \
	aud=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(12))'); \
	echo "$$sup" | $(BIN)/qunguan users add demo-supervisor --role supervisor --db $(DEMO_DB) --password-stdin >/dev/null && \
	echo "$$aud" | $(BIN)/qunguan users add demo-auditor --role auditor --db $(DEMO_DB) --password-stdin >/dev/null && \
	echo && echo "Demo users (演示账号):" && \
	echo "  supervisor 核查人: demo-supervisor  password: $$sup" && \
	echo "  auditor    审计:   demo-auditor     password: $$aud" && \
	echo "Open http://127.0.0.1:$(PORT)/-/login" && echo
	$(BIN)/qunguan serve --db $(DEMO_DB) --port $(PORT)

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_BASE).users.db $(DEMO_BASE).secret
