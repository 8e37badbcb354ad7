package localeenv

import "testing"

func TestSettle(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want string // LANGUAGE afterwards
	}{
		{"C.UTF-8 from LANG", map[string]string{"LANG": "C.UTF-8"}, Fallback},
		{"C.utf8 from LC_ALL", map[string]string{"LC_ALL": "C.utf8", "LANG": "fa_IR.UTF-8"}, Fallback},
		{"POSIX with modifier", map[string]string{"LANG": "POSIX@euro"}, Fallback},
		{"plain C needs nothing", map[string]string{"LANG": "C"}, ""},
		{"a real locale is kept", map[string]string{"LANG": "fa_IR.UTF-8"}, ""},
		{"LC_ALL wins over a C LANG", map[string]string{"LC_ALL": "en_GB.UTF-8", "LANG": "C.UTF-8"}, ""},
		{"LANGUAGE already set", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "fa"}, "fa"},
		{"nothing set", map[string]string{}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range c.env {
				env[k] = v
			}
			Settle(func(k string) string { return env[k] },
				func(k, v string) error { env[k] = v; return nil })
			if got := env["LANGUAGE"]; got != c.want {
				t.Errorf("LANGUAGE = %q, want %q", got, c.want)
			}
		})
	}
}
