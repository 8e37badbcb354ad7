# Soak (issue 18): tools/soak drives the kiosk's back end (real flow, SQLite store, services, the
# simulator, the outbox and the reference back office behind a switchable proxy) through simulated
# days on a virtual clock, with the real plugin processes checking every 10th session's captures
# and one SIGKILLed every 100 sessions, and prints RSS, open files, goroutines, database and media
# size per simulated day; it exits 1 when a rule breaks (see tools/soak). A short version
# (TestSoakShort, 120 sessions over 3 days) runs in `make test`.
# `make detector-rss` calls every plugin method 1000 times through app/detect and prints each
# plugin process's RSS every 100 calls (a measurement, not a timed test).
SOAK_FLAGS ?=
DETECTOR_RSS_CALLS ?= 1000

.PHONY: soak detector-rss

soak: build ## 2000 sessions over 7 simulated days through the real back end; prints figures, fails on a leak
	$(GO) run ./tools/soak run -sessions 2000 -days 7 -plugins $(BIN)/plugins $(SOAK_FLAGS)

detector-rss: build ## each detector plugin's RSS over $(DETECTOR_RSS_CALLS) calls of every method, through app/detect
	$(GO) run ./tools/soak detectors -calls $(DETECTOR_RSS_CALLS) -plugins $(BIN)/plugins
