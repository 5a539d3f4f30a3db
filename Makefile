# The two commands a newcomer needs: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: demo test lint typecheck deploycheck pytest test-postgres lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $(VENV)/.runtime $@

demo: $(VENV)/.runtime
	bash scripts/demo.sh

test: $(VENV)/.dev lint typecheck deploycheck pytest

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

pytest: $(VENV)/.dev
	bash scripts/ensure-chromium.sh
	bash scripts/pytest.sh

test-postgres: $(VENV)/.dev
	bash scripts/ensure-postgres.sh
	DATABASE_URL=$(PG_URL) bash scripts/pytest.sh

# Re-pin after editing requirements*.in (hashes, no download addresses).
lock: $(VENV)/.dev
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile --quiet --generate-hashes --no-header --python-version 3.11 requirements.in -o requirements.txt
	$(BIN)/uv pip compile --quiet --generate-hashes --no-header --python-version 3.11 requirements-dev.in -o requirements-dev.txt

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
