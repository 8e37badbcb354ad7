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

# Each language runs the real binary under its own Xvfb; the app's screenshot tour (EHRAZ_SCREENSHOTS)
# walks every screen in the real window, captures the canvas and exits.
screenshots: ui-fonts ## start the kiosk under Xvfb and write a PNG of every screen (fa and en) to screenshots/
	@mkdir -p $(BIN) $(SCREENSHOT_DIR)
	$(GO) build -o $(BIN)/ehraz ./app
	for l in fa en; do \
		rm -rf $(SCREENSHOT_DIR)/$$l; \
		EHRAZ_LANG=$$l EHRAZ_SCREENSHOTS=$(SCREENSHOT_DIR)/$$l EHRAZ_DATA_DIR=$$(mktemp -d) \
			xvfb-run -a -s "-screen 0 1024x768x24" ./$(BIN)/ehraz || exit 1; \
		test $$(ls $(SCREENSHOT_DIR)/$$l/*.png | wc -l) -ge 23 || { echo "screenshots: $$l incomplete"; exit 1; }; \
	done
	@ls $(SCREENSHOT_DIR)/fa $(SCREENSHOT_DIR)/en

.PHONY: ui-preview-bench
ui-preview-bench: ui-fonts ## measure the live preview (frames drawn per second, CPU) in a real window under Xvfb
	$(GO) build -o $(BIN)/previewbench ./app/ui/previewbench
	for f in 15 30; do xvfb-run -a -s "-screen 0 1024x768x24" ./$(BIN)/previewbench -fps $$f -for 10s; done
