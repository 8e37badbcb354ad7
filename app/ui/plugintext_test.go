package ui

import "testing"

// A vendor plugin's own reason key shows the text the plugin shipped (verified by the host);
// the kiosk's own keys keep the kiosk's text even if a plugin ships one.
func TestPluginTextForVendorKeys(t *testing.T) {
	for _, lang := range []string{"fa", "en"} {
		h := newHarnessWith(t, lang, func(o *Options) {
			o.PluginText = func(l, key string) (string, bool) {
				switch key {
				case "verdict.acme.ink.too_little":
					return map[string]string{"fa": "جوهر امضا کم است", "en": "Too little ink"}[l], true
				case "ui.welcome.start":
					return "hijacked", true
				}
				return "", false
			}
		})
		want := map[string]string{"fa": "جوهر امضا کم است", "en": "Too little ink"}[lang]
		if got := h.u.raw("verdict.acme.ink.too_little"); got != want {
			t.Errorf("%s: vendor key shows %q, want %q", lang, got, want)
		}
		if got := h.u.raw("ui.welcome.start"); got == "hijacked" {
			t.Errorf("%s: a plugin's text replaced the kiosk's own", lang)
		}
		if got := h.u.raw("verdict.nobody.knows"); got != "verdict.nobody.knows" {
			t.Errorf("%s: an unknown key shows %q, want the key itself", lang, got)
		}
	}
}
