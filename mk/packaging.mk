# Debian packages (issue 17): `make package` builds bin/deb/ehraz-kiosk_<version>_amd64.deb and
# ehraz-backoffice_<version>_amd64.deb with nfpm (tools/package, configurations in packaging/),
# from what `make build` and `make setup` made, versioned by FyneApp.toml. `make package-test`
# builds them, installs them into a throwaway root (dpkg --root), checks files, users, conffiles
# and units (systemd-analyze verify), runs the installed kiosk under Xvfb to its first screen,
# upgrades, fails an upgrade on purpose and purges; `make test` runs the same test.
PACKAGE_DIR := $(BIN)/deb
# The package test also starts the installed kiosk inside cage (headless), as the unit does.
APT_PACKAGES += cage xwayland

.PHONY: package package-test

package: build ## build the ehraz-kiosk and ehraz-backoffice .deb files into bin/deb
	$(GO) run ./tools/package -out $(PACKAGE_DIR)
	@ls -l $(PACKAGE_DIR)/*.deb

package-test: build ## build the packages, install them into a throwaway root, start the installed kiosk (prints sizes and times)
	set -o pipefail; $(GO) test -count=1 -v -run 'TestInstallIntoThrowawayRoot|TestKioskBackoff' ./tools/package 2>&1 \
		| grep -vE '^ +(ehraz-[a-z]+ depends on|Package .* is not installed)'
