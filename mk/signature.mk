# Signature detector plugin (issue 7). Nothing to fetch: OpenCV comes from Debian's libopencv-dev
# (APT_PACKAGES) and `make plugins` builds bin/plugins/signature. These targets print its figures;
# `make test` already runs its tests (go test ./...).
.PHONY: signature-eval signature-bench signature-leaks

signature-eval: plugins ## evaluate the signature plugin on generated scenes (N per kind, default 10)
	$(GO) run ./cmd/ehrazctl eval signature --n $(or $(N),10) --plugin $(PLUGIN_BIN)/signature

signature-bench: ## time CheckSignature and AnalyzeFrame on a 1280x720 photo on one core
	taskset -c 0 $(GO) test -run '^$$' -bench . -benchtime 30x ./plugins/signature/sigcheck

signature-leaks: ## check that no OpenCV Mat outlives a call (gocv MatProfile, -tags matprofile)
	$(GO) test -count=1 -tags matprofile -run NoMatLeaks ./plugins/signature/sigcheck
