# Every target creates the virtual environment on first use, so each README command
# works on a fresh machine.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test test-fast test-real bench lock clean app-tools compat

# Two workers (the machines have two cores); tests/conftest.py's scheduler keeps each module's tests
# together except the architecture matrix, whose builds are shared run-wide. The slowest tests and
# the wall time close the output.
PYTEST := $(BIN)/python -m pytest -ra -n 2 --durations=25
# The inner loop: unit tests, refusals, parsers, the app toolkit, and one build per backend
# (test_build: ExecuTorch; test_coreml: Core ML). `make test` runs everything.
FAST_TESTS := tests/test_cli.py tests/test_checkpoint.py tests/test_passes.py tests/test_mil_executor.py \
	tests/test_gate.py tests/test_packaging.py tests/test_app_toolkit.py tests/test_build.py tests/test_coreml.py

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: an unpinned resolve would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/edgepack build -o dist/ --target all --app android --app ios --app ios:executorch

test: $(STAMP) app-tools
	$(PYTEST) -m "not real_model"

# The integration test on real weights (SmolLM2-135M-Instruct, tests/test_real_decoder.py): about 4 minutes, outside
# the suite's 30-minute budget; the real-models extra reads the GGUF file it is converted from.
test-real: $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,real-models]'
	$(PYTEST) -m real_model

test-fast: $(STAMP) app-tools
	$(PYTEST) -m "not slow" $(FAST_TESTS)

# What the app-shell checks need from the system: aapt2 and Android's framework resources to
# link the generated resources, JUnit 4 for the JVM tests, a JDK, and npm, through which the
# Kotlin compiler is installed on first use (into ~/.cache/edgepack/tools); and Swift: Debian
# 13's swiftlang in a debootstrap chroot under ~/.cache/edgepack/tools (about 3 GB, a few
# minutes once per machine; the native swift on macOS). Installs only what is missing.
app-tools: $(STAMP)
	@if ! command -v aapt2 >/dev/null || [ ! -f /usr/share/android-framework-res/framework-res.apk ] \
	    || [ ! -f /usr/share/java/junit4.jar ] || ! command -v javac >/dev/null || ! command -v npm >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq aapt android-framework-res junit4 \
	    $$(command -v javac >/dev/null || echo default-jdk-headless) $$(command -v npm >/dev/null || echo npm) >/dev/null; \
	fi
	$(BIN)/python -m builder.apps.swift_toolchain
	$(BIN)/python -c 'from builder.apps.kotlin import kotlinc; print("kotlinc:", kotlinc())'

# Rebuild every (architecture, task) pair the registries claim, record what verified in
# tests/compatibility.json, and render README.md's compatibility table from it (the suite
# checks the table against the record and the record against the registries).
compat: $(STAMP)
	rm -f tests/compatibility.json
	# One process: the table is rendered after the matrix has recorded every pair.
	EDGEPACK_UPDATE_COMPAT=1 $(BIN)/python -m pytest -q -p no:xdist tests/test_text_generation.py tests/test_architectures.py \
	    -k "builds_and_verifies or builds_and_generates or compatibility_table"

# The peers (ONNX Runtime), the plot and the GGUF reader for the real decoder (real-models) come from the
# bench extra, installed on first use. generation.py fetches and converts SmolLM2-135M-Instruct once
# (tools/real_decoder.py, cached under ~/.cache/edgepack/models), builds it twice (fp32: 5 minutes here,
# int8-dynamic: 8) and times both against eager PyTorch (4 minutes).
bench: $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python benchmarks/compare.py
	$(BIN)/python benchmarks/coreml.py
	$(BIN)/python benchmarks/generation.py

# Re-pin constraints.txt from what the current environment resolved to.
lock: $(STAMP)
	{ head -n 2 constraints.txt; $(BIN)/pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) dist
