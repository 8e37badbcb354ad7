# face-api.js as a peer of the face plugin (issue 5, item 7): tools/facepeer runs npm
# @vladmandic/face-api under Node (tfjs WebAssembly backend, models from the package itself, all
# offline from npm) on $(SHARED)/testdata/faces and prints `eval.face.peer` lines in the format of
# `ehrazctl eval face`. An evaluation, not a test: neither in SETUP_TARGETS nor TEST_TARGETS.
FACEPEER_DIR     := tools/facepeer
FACEPEER_MODULES := $(FACEPEER_DIR)/node_modules/.package-lock.json
FACEPEER_OUT     := $(CACHE)/facepeer
# Extra flags for facepeer.js, e.g. FACEPEER_FLAGS='--backend cpu' or '--detector tiny'.
FACEPEER_FLAGS   ?=
# The peer (and face-compare's face-bench) run pinned to one core; empty to let them roam.
FACEPEER_PIN     ?= taskset -c 0

.PHONY: face-peer face-compare

$(FACEPEER_MODULES): $(FACEPEER_DIR)/package.json $(FACEPEER_DIR)/package-lock.json
	cd $(FACEPEER_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

face-peer: $(FACEPEER_MODULES) ## run face-api.js (Node, wasm) on $(SHARED)/testdata/faces: accuracy and speed
	$(FACEPEER_PIN) node $(FACEPEER_DIR)/facepeer.js --data $(SHARED)/testdata/faces $(FACEPEER_FLAGS)

face-compare: $(FACEPEER_MODULES) ## ehrazctl eval face + face-bench beside face-api.js, as one table
	@mkdir -p $(FACEPEER_OUT)
	@echo "face-compare: load before: $$(cut -d' ' -f1-3 /proc/loadavg)"
	$(MAKE) --no-print-directory -s face-eval > $(FACEPEER_OUT)/ours.txt
	$(FACEPEER_PIN) $(MAKE) --no-print-directory -s face-bench > $(FACEPEER_OUT)/bench.txt
	$(MAKE) --no-print-directory -s face-peer > $(FACEPEER_OUT)/peer.txt
	@echo "face-compare: load after: $$(cut -d' ' -f1-3 /proc/loadavg)"
	@grep -h '^eval\.face\|^Benchmark' $(FACEPEER_OUT)/ours.txt $(FACEPEER_OUT)/bench.txt $(FACEPEER_OUT)/peer.txt
	@node $(FACEPEER_DIR)/compare.js $(FACEPEER_OUT)/ours.txt $(FACEPEER_OUT)/bench.txt $(FACEPEER_OUT)/peer.txt
