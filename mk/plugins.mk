# Detector plugins (issue 4): protocol v1 code generation (`make proto`, needs protoc from Debian
# and the two pinned generators; the Go code goes to plugins/sdk/transport/internal/detectorv1)
# and `make plugins`, which builds every plugins/<name>/main.go into bin/plugins/<name> and signs
# it with `ehrazctl plugin sign`: bin/plugins/<name>.json, kind <name>, with its SHA-256 and an
# Ed25519 signature (the host refuses an unsigned or altered manifest or binary). bin/ehraz-sandbox is the plugin
# sandbox's launcher (app/detect/confine), built without cgo: libpsx hangs as PID 1 of a namespace.
PROTOC_GEN_GO_VERSION      := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.5.1
PROTO_DIR     := plugins/sdk/proto
PROTO_OUT     := plugins/sdk/transport/internal/detectorv1
PLUGIN_BIN    := bin/plugins
PLUGIN_NAMES  := $(filter-out example,$(patsubst plugins/%/main.go,%,$(wildcard plugins/*/main.go)))
# The development signing key (never committed: var/ is ignored); the kiosk's default
# [plugins] trusted_keys names its .pub. A brokerage signs with its own key instead.
PLUGIN_KEY    := var/keys/plugin-signing
GOBIN_DIR     := $(shell $(or $(GO),go) env GOPATH)/bin

BUILD_TARGETS += plugins
TEST_TARGETS  += plugin-example

.PHONY: proto plugins plugins-test plugin-example

proto: ## regenerate the plugin protocol Go code (needs: apt protobuf-compiler)
	@command -v protoc >/dev/null || { echo "proto: install protoc: apt-get install protobuf-compiler"; exit 1; }
	$(or $(GO),go) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	$(or $(GO),go) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
	PATH="$(GOBIN_DIR):$$PATH" protoc -I $(PROTO_DIR) \
		--go_out=$(PROTO_OUT) --go_opt=paths=source_relative \
		--go-grpc_out=$(PROTO_OUT) --go-grpc_opt=paths=source_relative \
		ehraz/detector/v1/detector.proto
	mv $(PROTO_OUT)/ehraz/detector/v1/*.go $(PROTO_OUT)/ && rm -rf $(PROTO_OUT)/ehraz

plugins: ## build the detector plugins into bin/plugins and sign each with the development key (created in var/keys when missing)
	@mkdir -p $(PLUGIN_BIN)
	$(or $(GO),go) build -o $(or $(BIN),bin)/ehrazctl ./cmd/ehrazctl
	CGO_ENABLED=0 $(or $(GO),go) build -o $(or $(BIN),bin)/ehraz-sandbox ./cmd/ehraz-sandbox
	@test -f $(PLUGIN_KEY).key || ./$(or $(BIN),bin)/ehrazctl plugin keygen -out $(PLUGIN_KEY)
	@for p in $(PLUGIN_NAMES); do \
		echo "plugin $$p"; \
		$(or $(GO),go) build -o $(PLUGIN_BIN)/$$p ./plugins/$$p || exit 1; \
		./$(or $(BIN),bin)/ehrazctl plugin sign -key $(PLUGIN_KEY).key -info $(PLUGIN_BIN)/$$p 2>/dev/null || { \
			echo "plugin $$p: WARNING it did not start (models missing?): signed without its version and capabilities"; \
			./$(or $(BIN),bin)/ehrazctl plugin sign -key $(PLUGIN_KEY).key $(PLUGIN_BIN)/$$p || exit 1; }; \
	done

# plugins/example is a vendor's plugin in its own module (it is not installed: it would compete
# with the reference signature plugin); CI builds, tests, signs and checks it like a vendor would.
EXAMPLE_BIN := bin/plugin-example
plugin-example: plugins ## build, test, sign and check plugins/example (a third-party plugin module) in bin/plugin-example
	cd plugins/example && $(or $(GO),go) vet ./... && $(or $(GO),go) test -count=1 ./... && $(or $(GO),go) build -o ../../$(EXAMPLE_BIN)/acme .
	rm -rf $(EXAMPLE_BIN)/acme.locales && cp -r plugins/example/locales $(EXAMPLE_BIN)/acme.locales
	./$(or $(BIN),bin)/ehrazctl plugin sign -key $(PLUGIN_KEY).key -info $(EXAMPLE_BIN)/acme
	./$(or $(BIN),bin)/ehrazctl --lang en plugin check $(EXAMPLE_BIN)/acme

plugins-test: ## run the plugin SDK and host tests (real plugin processes)
	$(or $(GO),go) test -count=1 ./plugins/sdk/... ./app/detect/...
