# Aftersales — `make run` sets everything up and serves the app; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app webapp
PORT ?= 5000
FRONTEND := webapp/frontend

.PHONY: run install assets db test test-pg check bench browser translations clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

$(FRONTEND)/node_modules/.package-lock.json: $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund

webapp/static/dist/app.js: $(FRONTEND)/node_modules/.package-lock.json $(wildcard $(FRONTEND)/src/*) $(FRONTEND)/build.mjs
	cd $(FRONTEND) && npm run build

assets: webapp/static/dist/app.js

db: install
	$(FLASK) db upgrade
	$(FLASK) diagrams deploy
	$(FLASK) demo load --if-empty

# plain http on 127.0.0.1, so the session cookie may not demand https here; e-mails go to a
# local SMTP sink on 127.0.0.1:8025 that prints them
run: install assets db
	@echo "Aftersales on http://127.0.0.1:$(PORT) — log in as cs1 / demo"
	export SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-0}; \
	trap 'kill 0' EXIT INT TERM; \
	$(PY) -m workflows.notifications.sink & \
	$(VENV)/bin/celery -A webapp.celery_app worker --loglevel=warning --concurrency=2 & \
	$(VENV)/bin/celery -A webapp.celery_app beat --loglevel=warning & \
	$(FLASK) run --host 127.0.0.1 --port $(PORT) --with-threads

# Debian's chromium drives the browser tests (no browser download); a small CJK font so
# screenshots show Chinese text
browser:
	@command -v chromium >/dev/null && dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

test: install assets browser
	$(PY) -m pytest $(PYTEST_ARGS)

check: install
	$(VENV)/bin/ruff check engine workflows webapp forms tests
	$(VENV)/bin/ruff format --check engine workflows webapp forms tests

bench: install
	$(PY) -m tests.bench

# re-extract the UI's messages, merge them into each catalog (new ones untranslated, never
# guessed), then compile the .mo files the app reads; both .po and .mo are committed
translations: install
	$(VENV)/bin/pybabel extract -F webapp/babel.cfg -k _l -k lazy_gettext --project=Aftersales -o webapp/translations/messages.pot webapp
	$(VENV)/bin/pybabel update -i webapp/translations/messages.pot -d webapp/translations --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile -d webapp/translations --statistics

clean:
	rm -rf $(VENV) $(FRONTEND)/node_modules webapp/static/dist var
