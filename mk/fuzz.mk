# Fuzzing (issue 9): `make fuzz` finds every Go fuzz target afresh (func FuzzXxx(*testing.F) in the
# test files `go list` reports) and runs each alone for FUZZTIME, printing one summary line per
# target, and stops at the first crash: go test keeps the crashing input in the package's
# testdata/fuzz/FuzzXxx/, where `make test` re-runs it with the seed corpora from then on.
# FUZZ=regexp narrows the targets by name; FUZZFLAGS adds go test flags (e.g. -parallel 1).
# FUZZMINIMIZETIME caps go test's minimizing of each new input (its default, 60s, can spend a whole
# short run minimizing one picture); execs counts fuzzing only, not minimizing.
FUZZTIME         ?= 30s
FUZZMINIMIZETIME ?= 5s
FUZZ             ?= .
FUZZFLAGS        ?=
FUZZ_LOGS := $(CACHE)/fuzz

.PHONY: fuzz

fuzz: apt go-deps ## run every Go fuzz target for FUZZTIME (30s) each, one at a time; stop at the first crash
	@set -o pipefail; mkdir -p $(FUZZ_LOGS); start=$$(date +%s); n=0; total=0; \
	targets=$$($(GO) list -f '{{$$d := .Dir}}{{range .TestGoFiles}}{{$$d}}/{{.}} {{end}}{{range .XTestGoFiles}}{{$$d}}/{{.}} {{end}}' ./... \
		| xargs -r grep -HoE '^func Fuzz[A-Za-z0-9_]*\([A-Za-z_]* *\*testing\.F\)' \
		| sed -E 's#^(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*).*#\1 \2#' | sort -u | grep -E " .*$(FUZZ)" ); \
	if [ -z "$$targets" ]; then echo "fuzz: no fuzz target matches FUZZ=$(FUZZ)"; exit 1; fi; \
	echo "fuzz: $$(echo "$$targets" | wc -l) targets, $(FUZZTIME) each"; \
	while read -r dir name; do \
		pkg=./$$(realpath --relative-to=. "$$dir"); log=$(FUZZ_LOGS)/$$name.log; \
		if $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $(FUZZFLAGS) $$pkg >$$log 2>&1; then res=ok; else res=FAIL; fi; \
		stats=$$(sed -nE 's/.*elapsed: ([^,]+), execs: ([0-9]+) .*new interesting: ([0-9]+).*/\1 \2 \3/p' $$log | tail -1); \
		read -r took execs fresh <<<"$${stats:-? 0 0}"; n=$$((n+1)); total=$$((total+execs)); \
		printf 'fuzz: %-5s %-24s %-34s %12s execs  %5s new  %s\n' $$res $$name $$pkg $$execs $$fresh $$took; \
		if [ $$res != ok ]; then \
			tail -n 40 $$log; \
			echo "fuzz: $$name failed (log $$log); a crashing input is kept in $$pkg/testdata/fuzz/$$name/"; exit 1; \
		fi; \
	done <<<"$$targets"; \
	echo "fuzz: $$n targets passed, $$total execs in $$(( $$(date +%s) - start ))s"
