# The two commands a newcomer needs: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: demo test lint typecheck deploycheck pytest test-postgres lock clean messages compile-messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $(VENV)/.runtime $@

demo: $(VENV)/.runtime compile-messages
	bash scripts/demo.sh

test: $(VENV)/.dev compile-messages lint typecheck deploycheck pytest

# The French catalogue: compiled at set-up (demo, test); the .mo files are not committed.
compile-messages:
	bash scripts/compile-messages.sh

# After marking new strings: extract them into orderflow/locale/fr/LC_MESSAGES/django.po, then translate
# every new or fuzzy entry there (a test fails on a string left untranslated).
messages: $(VENV)/.runtime
	DEBUG=true $(BIN)/python manage.py makemessages --locale fr --no-obsolete --no-wrap --add-location file \
		--ignore 'var/*' --ignore 'node_modules/*' --ignore 'bench/*' --ignore '*/tests/*'
	bash scripts/compile-messages.sh

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.dev
	$(BIN)/mypy orderflow

# Django's deploy checks, failing on any warning, in an environment holding only production's variables:
# DEBUG off, a strong secret, HTTPS redirect, HSTS, the proxy's HTTPS header (the README's configuration).
deploycheck: $(VENV)/.runtime
	env -i PATH="$$PATH" HOME="$$HOME" DEBUG=false ALLOWED_HOSTS=orders.example.com \
	  SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  SECURE_SSL_REDIRECT=true SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_INCLUDE_SUBDOMAINS=true \
	  SECURE_HSTS_PRELOAD=true SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https" \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

pytest: $(VENV)/.dev compile-messages
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-axe.sh
	bash scripts/pytest.sh

# The browser tests (page rendering, axe, phones) ran on SQLite in `make test`; on PostgreSQL the suite
# checks every rule and query again without them (PG_MARKERS='' runs them too).
PG_MARKERS ?= not browser
test-postgres: $(VENV)/.dev compile-messages
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-axe.sh
	DATABASE_URL=$(PG_URL) bash scripts/pytest.sh -m "$(PG_MARKERS)"

# Re-pin after editing requirements*.in (hashes, no download addresses).
lock: $(VENV)/.dev
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile --quiet --generate-hashes --no-header --python-version 3.11 requirements.in -o requirements.txt
	$(BIN)/uv pip compile --quiet --generate-hashes --no-header --python-version 3.11 requirements-dev.in -o requirements-dev.txt

clean:
	rm -rf $(VENV) var orderflow/locale/*/LC_MESSAGES/*.mo .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
