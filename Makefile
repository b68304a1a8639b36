# kkpr: two commands do all the set-up on a fresh Debian machine.
#   make run    installs what is missing, serves the API and pages on the Kupang sample plan
#   make test   installs what is missing, brings up a throwaway PostGIS, runs the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages: GDAL's ogrinfo (a real OGC API client in the tests), PostGIS, Chromium
RUN_DEBS := gdal-bin fonts-dejavu-core
TEST_DEBS := gdal-bin postgresql-15 postgresql-15-postgis-3 chromium fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint typecheck check bench clean debs-run debs-test

$(PY):
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "installing python3-venv"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv python3-dev >/dev/null; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[api,bulk,dev]'
	touch $@

define install_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

debs-run:
	$(call install_debs,$(RUN_DEBS))

debs-test:
	$(call install_debs,$(TEST_DEBS))

# served directly: no proxy's X-Forwarded-For to believe (api/limits.py)
UVICORN_ARGS ?= --no-proxy-headers

run: debs-run $(VENV)/.installed
	KKPR_DELIVERY_IN_APP=$${KKPR_DELIVERY_IN_APP:-1} $(VENV)/bin/uvicorn api.main:create_app --factory --host $(HOST) --port $(PORT) $(UVICORN_ARGS)

test: debs-test $(VENV)/.installed
	$(VENV)/bin/ruff check kkpr api tests bench zoning_data
	$(VENV)/bin/mypy
	$(PY) -m pytest -p no:cacheprovider

lint:
	$(VENV)/bin/ruff check kkpr api tests bench zoning_data
	$(VENV)/bin/ruff format --check kkpr api tests bench zoning_data

typecheck:
	$(VENV)/bin/mypy

bench: $(VENV)/.installed
	$(PY) bench/stores.py && $(PY) bench/api.py && $(PY) bench/bulk.py && $(PY) bench/itbx.py && $(PY) bench/single.py --sizes sample,500000 --postgis

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
