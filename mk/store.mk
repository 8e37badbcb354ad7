# Session store (issues 2 and 9): SQLite + sealed media + audit chain + retention. Nothing to set
# up beyond the cgo SQLite driver (go.mod) and the sqlite3 CLI (APT_PACKAGES, used by the audit
# tamper tests). These targets are conveniences; `make test` already runs the store's tests.

.PHONY: store-test store-audit store-purge-dry

store-test: ## run the store's (with its migrations) and its ehrazctl commands' tests only
	$(GO) test -count=1 ./app/store/...
	$(GO) test -count=1 -run 'TestStoreFeedsOutbox' ./app/kiosk/
	$(GO) test -count=1 -run 'TestStoreCommands|TestAuditVerifyCommand' ./cmd/ehrazctl/

store-audit: ## verify the kiosk database's audit chain (data dir from EHRAZ_DATA_DIR or var/)
	$(GO) run ./cmd/ehrazctl audit verify

store-purge-dry: ## show which sessions are past their retention period
	$(GO) run ./cmd/ehrazctl purge --dry-run
