# External services (issue 8): the IP-country database for the eligibility IP rule and the
# intake server. It comes from the npm registry (the only reachable source of such data):
# @ip-location-db/geo-whois-asn-country-mmdb — RIR whois + ASN + geofeed data, CC BY 4.0 by the
# NRO (attribution: nro.net), package CC0. The version pins the data date (2026-06-17).
GEOIP_PKG     := @ip-location-db/geo-whois-asn-country-mmdb@2.3.2026061719
GEOIP_DIR     := $(CACHE)/geoip
GEOIP_DB      := $(GEOIP_DIR)/geo-whois-asn-country.mmdb

SETUP_TARGETS += services-geoip

.PHONY: services-geoip services-test services-sim services-intake

services-geoip: $(GEOIP_DB) ## fetch the IP-country database (npm) into .cache/geoip

$(GEOIP_DB):
	@mkdir -p $(GEOIP_DIR)/pack
	cd $(GEOIP_DIR)/pack && npm pack --silent $(GEOIP_PKG) >/dev/null
	tar -xzf $(GEOIP_DIR)/pack/*.tgz -C $(GEOIP_DIR)/pack
	cp $(GEOIP_DIR)/pack/package/geo-whois-asn-country.mmdb $(GEOIP_DIR)/pack/package/NRO_LICENSE $(GEOIP_DIR)/
	rm -rf $(GEOIP_DIR)/pack

services-test: services-geoip ## run the services' tests (OTP, SMS, SEJAM/registry contracts, eligibility, outbox/intake)
	$(GO) test -count=1 ./services/... ./domain/eligibility/... ./app/outbox/... ./backoffice/intake/...
	$(GO) test -count=1 -run 'TestDemoJourney|TestEveryKeyHasText|TestStoreFeedsOutbox' ./app/kiosk/

services-sim: ## run the SEJAM/Shahkar/registry simulator alone on 127.0.0.1:8787
	$(GO) run ./cmd/ehrazctl sim serve

services-intake: services-geoip ## run the reference intake server on 127.0.0.1:8790
	$(GO) run ./cmd/ehrazctl intake serve --geoip $(GEOIP_DB)
