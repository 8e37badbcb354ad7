package detect

import (
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTexts(t *testing.T, dir, name string, files map[string]string) {
	t.Helper()
	td := TextsDir(dir, name)
	if err := os.MkdirAll(td, 0o755); err != nil {
		t.Fatal(err)
	}
	for lang, body := range files {
		if err := os.WriteFile(filepath.Join(td, lang+".json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadTexts(t *testing.T) {
	good := map[string]string{"fa": `{"verdict.acme.glare":"بازتاب نور"}`, "en": `{"verdict.acme.glare":"Glare on the photo"}`}
	for _, tc := range []struct {
		name  string
		files map[string]string // nil: no folder
		want  string            // error text; "" for none
	}{
		{"none", nil, ""},
		{"both", good, ""},
		{"english missing", map[string]string{"fa": good["fa"]}, "en.json"},
		{"keys differ", map[string]string{"fa": good["fa"], "en": `{"verdict.acme.other":"x"}`}, "different keys"},
		{"empty text", map[string]string{"fa": `{"verdict.acme.glare":" "}`, "en": good["en"]}, "no text"},
		{"not json", map[string]string{"fa": `verdict`, "en": good["en"]}, "fa.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.files != nil {
				writeTexts(t, dir, "acme", tc.files)
			}
			tx, err := LoadTexts(dir, "acme")
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v; want an error mentioning %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.files != nil && (tx["fa"]["verdict.acme.glare"] != "بازتاب نور" || len(tx.Keys()) != 1) {
				t.Fatalf("texts %v", tx)
			}
		})
	}
}

// A plugin's texts are covered by its signed manifest: the host serves them while it runs, and
// refuses the plugin when a text file changed after signing.
func TestSignedTexts(t *testing.T) {
	pub, priv := newKey(t)
	for _, altered := range []bool{false, true} {
		dir := t.TempDir()
		writeTexts(t, dir, "face", map[string]string{"fa": `{"verdict.acme.glare":"بازتاب نور"}`, "en": `{"verdict.acme.glare":"Glare"}`})
		installSigned(t, dir, "good", "face", priv, nil)
		if ms, _ := LoadManifests(dir); len(ms[0].Locales) != 2 {
			t.Fatalf("signed manifest does not cover the texts: %+v", ms[0])
		}
		if altered {
			writeTexts(t, dir, "face", map[string]string{"fa": `{"verdict.acme.glare":"قبول"}`})
		}
		h, err := Open(context.Background(), sandboxed(Config{Dir: dir, TrustedKeys: []ed25519.PublicKey{pub}}))
		if h == nil {
			t.Fatal(err)
		}
		text, ok := h.Text("fa", "verdict.acme.glare")
		x := healthOf(h, "face")
		h.Close()
		if altered {
			if !errors.Is(err, ErrChecksum) || x.State == StateUp || ok {
				t.Fatalf("altered texts: %v, %+v, text %q", err, x, text)
			}
			continue
		}
		if err != nil || !ok || text != "بازتاب نور" {
			t.Fatalf("texts: %v, %q %v", err, text, ok)
		}
		if _, ok := h.Text("en", "verdict.other"); ok {
			t.Fatal("a key the plugin does not define has a text")
		}
	}
}
