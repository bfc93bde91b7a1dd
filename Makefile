# Every target creates the virtual environment on first use, so each README command
# works on a fresh machine.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test bench lock clean app-tools compat

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: an unpinned resolve would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/edgepack build -o dist/ --target all --app android --app ios

test: $(STAMP) app-tools
	$(BIN)/python -m pytest -ra

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

# Rebuild every (architecture, task) pair the registries claim, record what verified in
# tests/compatibility.json, and render README.md's compatibility table from it (the suite
# checks the table against the record and the record against the registries).
compat: $(STAMP)
	rm -f tests/compatibility.json
	EDGEPACK_UPDATE_COMPAT=1 $(BIN)/python -m pytest -q tests/test_architectures.py -k "builds_and_verifies or compatibility_table"

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/coreml.py

# Re-pin constraints.txt from what the current environment resolved to.
lock: $(STAMP)
	{ head -n 2 constraints.txt; $(BIN)/pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) dist
