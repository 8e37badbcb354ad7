package simulator

import (
	"strings"
	"testing"
)

func TestDefaultSeed(t *testing.T) {
	ids, err := DefaultSeed()
	if err != nil {
		t.Fatal(err)
	}
	scenarios := map[string]bool{}
	for _, id := range ids {
		scenarios[id.Scenario] = true
	}
	for _, s := range []string{"ok", "ok_receipt", "mobile_not_owned", "under_18", "legal_person", "foreign_national",
		"card_revoked", "service_down", "slow", "deceased", "flaky", "no_photo", "old_card"} {
		if !scenarios[s] {
			t.Errorf("seed lacks scenario %q", s)
		}
	}
}

func TestParseSeedRejects(t *testing.T) {
	cases := map[string]string{
		"checksum":   `{"identities":[{"national_code":"0015260187","tracking_code":"1402000001"}]}`,
		"repeated":   `{"identities":[{"national_code":"0015260186","tracking_code":"1402000001"},{"national_code":"0015260186","tracking_code":"1402000002"}]}`,
		"tracking":   `{"identities":[{"national_code":"0015260186","tracking_code":"14020"}]}`,
		"behavior":   `{"identities":[{"national_code":"0015260186","tracking_code":"1402000001","behavior":"weird"}]}`,
		"same-digit": `{"identities":[{"national_code":"1111111111","tracking_code":"1402000001"}]}`,
		"json":       `{"identities":[`,
	}
	for name, doc := range cases {
		if _, err := ParseSeed([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseSeed([]byte(`{"identities":[{"national_code":"0076229645","tracking_code":"1402000001"}]}`)); err != nil {
		t.Errorf("domain.md's known-valid code refused: %v", err)
	}
}

func TestOwns(t *testing.T) {
	a := Identity{Mobile: "09121234567"}
	b := Identity{Mobile: "09121234567", ShahkarMobiles: []string{"09350000000"}}
	if !a.Owns("09121234567") || a.Owns("09350000000") || b.Owns("09121234567") || !b.Owns("09350000000") {
		t.Error("Owns")
	}
	if !strings.HasPrefix(maskMobile("09121234567"), "0912***") {
		t.Error("maskMobile")
	}
}
