package detect

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Manifest pins one plugin binary: bin/plugins/<name>.json next to the binary it names.
//
//	{"name":"face","kinds":["face"],"binary":"face","sha256":"<64 hex>"}
//
// Binary is a file name inside the same folder (no path separators); sha256 is its hex digest.
type Manifest struct {
	Name   string     `json:"name"`
	Kinds  []sdk.Kind `json:"kinds"`
	Binary string     `json:"binary"`
	SHA256 string     `json:"sha256"`
}

// LoadManifests reads every *.json manifest in dir, sorted by name. A malformed manifest is an
// error naming the file: the kiosk must not silently run without a detector it was given.
func LoadManifests(dir string) ([]Manifest, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("list plugin manifests in %s: %w", dir, err)
	}
	var out []Manifest
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read plugin manifest %s: %w", f, err)
		}
		var m Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("parse plugin manifest %s: %w", f, err)
		}
		if err := m.validate(); err != nil {
			return nil, fmt.Errorf("plugin manifest %s: %w", f, err)
		}
		if seen[m.Name] {
			return nil, fmt.Errorf("plugin manifest %s: duplicate plugin name %q", f, m.Name)
		}
		seen[m.Name] = true
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (m Manifest) validate() error {
	switch {
	case m.Name == "":
		return fmt.Errorf("missing name")
	case m.Binary == "" || strings.ContainsAny(m.Binary, `/\`) || m.Binary == "." || m.Binary == "..":
		return fmt.Errorf("plugin %q: binary must be a file name inside the plugin folder, got %q", m.Name, m.Binary)
	case len(m.SHA256) != 64:
		return fmt.Errorf("plugin %q: sha256 must be 64 hex digits", m.Name)
	case len(m.Kinds) == 0:
		return fmt.Errorf("plugin %q: no kinds", m.Name)
	}
	for _, k := range m.Kinds {
		if k != sdk.KindFace && k != sdk.KindLiveness && k != sdk.KindSignature {
			return fmt.Errorf("plugin %q: unknown kind %q", m.Name, k)
		}
	}
	return nil
}
