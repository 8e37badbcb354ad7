package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// TextLangs are the languages a plugin's own texts must cover, the kiosk's.
var TextLangs = []string{"fa", "en"}

// Texts are a plugin's own screen texts for the reason and hint keys it emits that the kiosk's
// catalog does not have: lang → key → text, shipped as <plugin dir>/<name>.locales/fa.json and
// en.json (flat JSON objects) beside the manifest, whose signature covers their SHA-256
// (Manifest.Locales).
type Texts map[string]map[string]string

// TextsDir is the folder of the texts of plugin name in the plugin folder dir.
func TextsDir(dir, name string) string { return filepath.Join(dir, name+".locales") }

// textFiles reads the plugin's text files: lang → bytes; nil when it ships none.
func textFiles(dir, name string) (map[string][]byte, error) {
	td := TextsDir(dir, name)
	if _, err := os.Stat(td); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	out := map[string][]byte{}
	for _, lang := range TextLangs {
		b, err := os.ReadFile(filepath.Join(td, lang+".json"))
		if err != nil {
			return nil, fmt.Errorf("plugin %q texts: %w", name, err)
		}
		out[lang] = b
	}
	return out, nil
}

// textHashes is lang → SHA-256 (hex) of each text file, for the manifest; nil without texts.
func textHashes(dir, name string) (map[string]string, error) {
	files, err := textFiles(dir, name)
	if files == nil || err != nil {
		return nil, err
	}
	if _, err := parseTexts(name, files); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for lang, b := range files {
		s := sha256.Sum256(b)
		out[lang] = hex.EncodeToString(s[:])
	}
	return out, nil
}

// parseTexts checks that every language has the same keys, each with a non-empty text.
func parseTexts(name string, files map[string][]byte) (Texts, error) {
	t := Texts{}
	for _, lang := range TextLangs {
		var m map[string]string
		if err := json.Unmarshal(files[lang], &m); err != nil {
			return nil, fmt.Errorf("plugin %q texts %s.json: %w", name, lang, err)
		}
		for k, v := range m {
			if k == "" || strings.TrimSpace(v) == "" {
				return nil, fmt.Errorf("plugin %q texts %s.json: key %q has no text", name, lang, k)
			}
		}
		t[lang] = m
	}
	for _, lang := range TextLangs[1:] {
		if a, b := t.keys(TextLangs[0]), t.keys(lang); !slices.Equal(a, b) {
			return nil, fmt.Errorf("plugin %q texts: %s.json and %s.json have different keys (%d and %d)", name, TextLangs[0], lang, len(a), len(b))
		}
	}
	return t, nil
}

func (t Texts) keys(lang string) []string {
	var ks []string
	for k := range t[lang] {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Keys lists the keys the texts define, sorted.
func (t Texts) Keys() []string { return t.keys(TextLangs[0]) }

// LoadTexts reads and checks the texts of plugin name in dir; nil, nil when it ships none. It
// does not check them against a manifest: the host does (loadTexts), `ehrazctl plugin check`
// uses this.
func LoadTexts(dir, name string) (Texts, error) {
	files, err := textFiles(dir, name)
	if files == nil || err != nil {
		return nil, err
	}
	return parseTexts(name, files)
}

// loadTexts reads the texts the manifest m covers and checks their hashes, as verify does for
// the binary: texts that differ from the signed manifest are refused with the plugin.
func loadTexts(dir string, m Manifest) (Texts, error) {
	if len(m.Locales) == 0 {
		return nil, nil
	}
	files, err := textFiles(dir, m.Name)
	if err != nil {
		return nil, err
	}
	if files == nil {
		return nil, fmt.Errorf("plugin %q REFUSED: its manifest names texts but %s is missing", m.Name, TextsDir(dir, m.Name))
	}
	for _, lang := range TextLangs {
		s := sha256.Sum256(files[lang])
		if got := hex.EncodeToString(s[:]); got != m.Locales[lang] {
			return nil, fmt.Errorf("plugin %q REFUSED: texts %s.json %w (manifest sha256 %s, file sha256 %s)",
				m.Name, lang, ErrChecksum, m.Locales[lang], got)
		}
	}
	return parseTexts(m.Name, files)
}
