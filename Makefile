# popcon studio — the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1

.PHONY: run test lint bench setup clean chromium

setup: $(STAMP)

# Debian's chromium for the browser tests (Playwright drives it; it cannot download its own).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Until the studio UI lands: make one LINE emoji from a bundled example into out/.
run: $(STAMP)
	mkdir -p out
	$(VENV)/bin/popcon make examples/blob.png --motion "bounce with sparkles" -o out/blob-line-emoji.png
	@echo "open out/blob-line-emoji.png in a browser to see it move"

lint: $(STAMP)
	$(VENV)/bin/ruff check studio tests bench

test: $(STAMP) chromium lint
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/matting.py
	$(PY) bench/e2e.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
