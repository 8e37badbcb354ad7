# Kiosk UI (issue 3): the Vazirmatn font (OFL) from its npm package into git-ignored assets/fonts/,
# and `make screenshots`, which starts the real kiosk under Xvfb and walks every screen in fa and en.
VAZIRMATN_PKG  := vazirmatn@33.0.3
FONT_DIR       := assets/fonts
FONT_REGULAR   := $(FONT_DIR)/Vazirmatn-Regular.ttf
FONT_BOLD      := $(FONT_DIR)/Vazirmatn-Bold.ttf
SCREENSHOT_DIR := screenshots

SETUP_TARGETS += ui-fonts

.PHONY: ui-fonts ui-test screenshots

ui-fonts: $(FONT_REGULAR) ## fetch the Vazirmatn font (npm) into assets/fonts

$(FONT_REGULAR):
	@mkdir -p $(FONT_DIR)/pack
	cd $(FONT_DIR)/pack && npm pack --silent $(VAZIRMATN_PKG) >/dev/null
	tar -xzf $(FONT_DIR)/pack/*.tgz -C $(FONT_DIR)/pack
	cp $(FONT_DIR)/pack/package/fonts/ttf/Vazirmatn-Regular.ttf $(FONT_DIR)/pack/package/fonts/ttf/Vazirmatn-Bold.ttf $(FONT_DIR)/
	cp $(FONT_DIR)/pack/package/OFL.txt $(FONT_DIR)/ 2>/dev/null || true
	rm -rf $(FONT_DIR)/pack

ui-test: ui-fonts ## run the UI tests (headless Fyne driver; walks a whole session) and the capture logic's
	$(GO) test -count=1 ./app/ui/... ./app/camera/

# Each language and screen size runs the real binary under its own Xvfb (the kiosk goes full
# screen, so the screen's size is the window's); the app's screenshot tour (EHRAZ_SCREENSHOTS)
# walks every screen in the real window, captures it and exits. 1024×768 goes to
# screenshots/<lang>/, the 1080×1920 portrait kiosk to screenshots/<lang>-1080x1920/.
SCREENSHOT_SIZES := 1024x768 1080x1920
screenshots: ui-fonts plugins ## start the kiosk under Xvfb and write a PNG of every screen (fa and en, 1024×768 and 1080×1920) to screenshots/
	@mkdir -p $(BIN) $(SCREENSHOT_DIR)
	$(GO) build -o $(BIN)/ehraz ./app
	for l in fa en; do for s in $(SCREENSHOT_SIZES); do \
		d=$(SCREENSHOT_DIR)/$$l; [ $$s = 1024x768 ] || d=$$d-$$s; \
		rm -rf $$d; \
		dd=$$(mktemp -d); install -d -m 700 $$dd/keys; install -m 644 $(PLUGIN_KEY).pub $$dd/keys/; \
		EHRAZ_LANG=$$l EHRAZ_SCREENSHOTS=$$d EHRAZ_DATA_DIR=$$dd \
			xvfb-run -a -s "-screen 0 $${s}x24" ./$(BIN)/ehraz || exit 1; \
		test $$(ls $$d/*.png | wc -l) -ge 35 || { echo "screenshots: $$d incomplete"; exit 1; }; \
	done; done
	@ls $(SCREENSHOT_DIR)/*

.PHONY: ui-preview-bench
ui-preview-bench: ui-fonts ## measure the live preview (frames drawn per second, CPU) in a real window under Xvfb
	$(GO) build -o $(BIN)/previewbench ./app/ui/previewbench
	for f in 15 30; do xvfb-run -a -s "-screen 0 1024x768x24" ./$(BIN)/previewbench -fps $$f -for 10s; done

# Voice guidance (issue 15): each step's instruction spoken from the locale text, pre-rendered at
# set-up with espeak-ng's voices into git-ignored bin/voice/<lang>/<key>.wav; the kiosk plays
# them through ALSA (oto, which needs the ALSA headers to build). A brokerage's recorded prompts
# replace them by name (README "Voice guidance").
APT_PACKAGES  += espeak-ng libasound2-dev
SETUP_TARGETS += voice
VOICE_DIR     := $(BIN)/voice

.PHONY: voice
voice: ## render the voice prompts (espeak-ng, fa and en) into bin/voice/
	$(GO) run ./tools/voicerender -out $(VOICE_DIR)
