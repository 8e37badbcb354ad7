# The brokerage's back office (issue 20): its own program, backoffice/main.go, built into
# bin/ehraz-backoffice by `make build`. `make backoffice` starts it on 127.0.0.1:8790 with its
# data in var/ (database var/intake.db, tokens and data key created under var/keys on first
# start) and the geo-IP database `make setup` fetched; BACKOFFICE_FLAGS adds flags, e.g.
# BACKOFFICE_FLAGS='--config backoffice.toml' (ehraz-backoffice -h lists them). The kiosk's
# `make run` starts the same server in-process instead (its [services.intake] embedded demo).
BACKOFFICE_BIN   := $(or $(BIN),bin)/ehraz-backoffice
BACKOFFICE_FLAGS ?=

BUILD_TARGETS += backoffice-build

.PHONY: backoffice backoffice-build

backoffice-build: ## build the back office into bin/ehraz-backoffice
	@mkdir -p $(dir $(BACKOFFICE_BIN))
	$(or $(GO),go) build -o $(BACKOFFICE_BIN) ./backoffice

backoffice: backoffice-build services-geoip ## start the back office (intake server) on 127.0.0.1:8790, data in var/
	./$(BACKOFFICE_BIN) --geoip $(GEOIP_DB) $(BACKOFFICE_FLAGS)

# The review console (issue 12) is served by the same program under /console/. Its browser test
# drives Debian's Chromium (installed here) through chromedp; `make backoffice-screenshots`
# runs that test with EHRAZ_CONSOLE_SHOTS set, writing a PNG of every console screen in fa and en
# to var/screenshots/console/ for review.
APT_PACKAGES += chromium
CONSOLE_SHOTS ?= var/screenshots/console

.PHONY: backoffice-screenshots
backoffice-screenshots: apt ## PNGs of every review-console screen (fa, en) in var/screenshots/console
	@mkdir -p $(CONSOLE_SHOTS)
	EHRAZ_CONSOLE_SHOTS=$(abspath $(CONSOLE_SHOTS)) $(or $(GO),go) test -count=1 -run TestConsoleInBrowser -v ./backoffice/console | grep -E '^(---|ok|FAIL)|seconds='
	@ls $(CONSOLE_SHOTS)

# PostgreSQL, the fleet engine (issue 13): `make test` needs only Debian's server package; the
# back office's storage tests (backoffice/database/dbtest) start a throwaway cluster themselves
# (initdb in a temporary folder, a Unix socket of its own, as the postgres user under root) and
# stop it at the end; EHRAZ_TEST_PG_DSN points them at an existing server instead.
APT_PACKAGES += postgresql

# Load and failure test of the fleet (issue 13 item 5): tools/fleetbench starts bin/ehraz-backoffice
# (TLS, require_mtls, from a TOML file) on a loopback port, for SQLite and then PostgreSQL (a
# throwaway cluster, durable settings, Unix socket only), enrolls FLEETBENCH_KIOSKS simulated
# kiosks with their own certificates and has each deliver FLEETBENCH_DOSSIERS dossiers over
# mutual TLS with retries while the back office is SIGKILLed and restarted three times and the
# cluster restarted once in immediate mode; then checks every dossier is stored exactly once and
# prints key=value lines (throughput, p50/p95 delivery latency, lost=0, duplicates=0) and a
# scaling table for 1, 10, 50 and 200 kiosks without kills; exits 1 on any loss or duplicate.
# It builds only bin/ehraz-backoffice (backoffice-build, the part of `make build` it needs).
# A short version (10 kiosks × 10 dossiers, one kill per engine) runs in `make test`.
FLEETBENCH_KIOSKS   ?= 200
FLEETBENCH_DOSSIERS ?= 50
FLEETBENCH_FLAGS    ?=

.PHONY: backoffice-bench
backoffice-bench: backoffice-build ## fleet load/failure test: 200 kiosks × 50 dossiers, SIGKILLs, PostgreSQL crash; SQLite and PostgreSQL side by side
	$(or $(GO),go) run ./tools/fleetbench -bin $(BACKOFFICE_BIN) -kiosks $(FLEETBENCH_KIOSKS) -dossiers $(FLEETBENCH_DOSSIERS) $(FLEETBENCH_FLAGS)
