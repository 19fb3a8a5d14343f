# Math for Deep Learning: `make book` builds the website, `make test` runs every check.
# Both create .venv and install the pinned requirements on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# One BLAS and one OpenMP thread: for the two pytest workers (which share the two cores), and
# for the book build too, so that it executes each notebook exactly as nbval did (the
# reproducibility check compares the printed text of the two executions).
ONE_THREAD := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
# The book build renders every explorer in its precomputed, kernel-free form. EXECUTE first
# runs the notebooks not yet in the execution cache, two at a time; the build then reuses them.
BUILD := MATHDL_WIDGETS=static $(ONE_THREAD) $(BIN)/jupyter-book build . -W -n --keep-going
EXECUTE := MATHDL_WIDGETS=static $(ONE_THREAD) $(BIN)/python tests/execute_book.py
# Records how long a target took in _build/bench/timings.json (standard library only).
CLOCK := $(PYTHON) tests/benchmarks/clock.py

.PHONY: book test test-clock lint unit notebooks reproducibility site browser lab serve bench clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Sphinx and the execution cache key on each notebook; a change to mathdl must re-execute too.
_build/.mathdl-stamp: $(wildcard mathdl/*.py mathdl/*/*.py)
	rm -rf _build/.jupyter_cache _build/.doctrees
	mkdir -p _build && touch $@

book: $(STAMP) _build/.mathdl-stamp  ## execute every notebook and build the website (strict)
	$(BIN)/python tests/benchmarks/report.py
	@$(CLOCK) start book
	$(EXECUTE)
	$(BUILD)
	@$(CLOCK) stop book
	@echo "The book is built: open file://$(CURDIR)/_build/html/index.html or run 'make serve'"

test: test-clock browser lint unit notebooks book reproducibility site  ## every check, in order
	@$(CLOCK) stop test

test-clock:  # the browser goes first after it (fail fast); `fresh`: no .venv yet
	@$(CLOCK) start test --fresh-unless $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Two pytest workers share the two cores: one BLAS thread each, or they slow each other fivefold.
# MATHDL_AGREEMENT: the largest error of each module's comparisons, for the appendix.
unit: $(STAMP)  ## unit tests, docstring examples, notebook hygiene
	@$(CLOCK) start unit
	$(ONE_THREAD) MATHDL_AGREEMENT=_build/bench/agreement.json \
	  $(BIN)/pytest -n 2 tests --ignore=tests/test_site.py --doctest-modules mathdl
	@$(CLOCK) stop unit

# tests/nbval_record.py keeps what each cell printed, for the reproducibility check.
notebooks: $(STAMP)  ## execute every chapter notebook under nbval
	@$(CLOCK) start notebooks
	$(ONE_THREAD) PYTHONPATH=tests $(BIN)/pytest -p nbval_record --nbval-record=_build/nbval-outputs \
	  -n 2 --nbval-lax --dist loadfile chapters
	@$(CLOCK) stop notebooks

# Needs `make notebooks` and `make book` first; executes nothing itself.
reproducibility: $(STAMP)  ## nbval's and the book's executions of every notebook print the same text
	$(BIN)/python tests/reproducibility.py

site: $(STAMP) browser  ## browser checks of the built site in headless Chromium, network blocked
	$(BIN)/pytest tests/test_site.py

# The site checks drive Debian's Chromium through chromedriver. Install both when missing:
# directly as root, else through passwordless sudo, else stop with the one command to run.
browser:  ## install chromium and chromium-driver for the site checks, if they are missing
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "make: the browser checks need Chromium; run: sudo apt-get install -y chromium chromium-driver" >&2; exit 1; fi; \
	echo "Installing chromium and chromium-driver for the browser checks"; \
	$$SUDO apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver && \
	command -v chromium >/dev/null && command -v chromedriver >/dev/null

lab: $(STAMP)  ## JupyterLab on the chapters, explorers live
	$(BIN)/jupyter lab chapters

serve:  ## serve the built site on localhost
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

bench: $(STAMP)  ## benchmarks against torch and LAPACK: _build/bench/results.json, then the appendix
	$(BIN)/python tests/benchmarks/run.py
	$(BIN)/python tests/benchmarks/report.py

clean:
	rm -rf _build .pytest_cache .hypothesis
