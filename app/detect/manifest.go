package detect

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Manifest pins one plugin binary: bin/plugins/<name>.json next to the binary it names.
//
//	{"name":"face","kinds":["face"],"binary":"face","sha256":"<64 hex>","version":"v1.2",
//	 "capabilities":["CheckSelfie","MatchFaces"],"signer":"<key id>","signature":"<base64>"}
//
// Binary is a file name inside the same folder (no path separators); sha256 is its hex digest.
// Pin writes an unsigned one (`ehrazctl plugin pin PATH`); Sign adds the Ed25519 signature of
// every other field (`ehrazctl plugin sign --key K PATH`, used by `make plugins`), which a host
// configured with trusted keys requires. Version and Capabilities, when present, bind the
// plugin: the host refuses one whose Info reports another version or a capability not listed.
type Manifest struct {
	Name         string     `json:"name"`
	Kinds        []sdk.Kind `json:"kinds"`
	Binary       string     `json:"binary"`
	SHA256       string     `json:"sha256"`
	Version      string     `json:"version,omitempty"`
	Capabilities []string   `json:"capabilities,omitempty"`
	// Locales is lang → SHA-256 of the plugin's own text files (see Texts), when it ships any.
	Locales   map[string]string `json:"locales,omitempty"`
	Signer    string            `json:"signer,omitempty"`    // KeyID of the signing key
	Signature string            `json:"signature,omitempty"` // base64 Ed25519 over signedBytes
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
	if len(m.Locales) > 0 {
		for _, lang := range TextLangs {
			if len(m.Locales[lang]) != 64 {
				return fmt.Errorf("plugin %q: locales must give the sha256 of %s", m.Name, strings.Join(TextLangs, " and "))
			}
		}
		if len(m.Locales) != len(TextLangs) {
			return fmt.Errorf("plugin %q: locales lists a language other than %s", m.Name, strings.Join(TextLangs, " and "))
		}
	}
	return nil
}

// Pin hashes the plugin binary at path and writes its manifest beside it, as
// <folder of path>/<name>.json naming the binary by its file name. An empty name takes the
// binary's file name. It returns the manifest written; an invalid one (no kinds, an unknown
// kind) is not written.
func Pin(path, name string, kinds []sdk.Kind) (Manifest, error) {
	m, err := NewManifest(path, name, kinds)
	if err != nil {
		return Manifest{}, err
	}
	return m, WriteManifest(manifestDir(path), m)
}

// NewManifest hashes the plugin binary at path and returns its unsigned manifest (not written).
func NewManifest(path, name string, kinds []sdk.Kind) (Manifest, error) {
	bin := filepath.Base(path)
	if name == "" {
		name = bin
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{Name: name, Kinds: kinds, Binary: bin, SHA256: hex.EncodeToString(sum)}
	if m.Locales, err = textHashes(manifestDir(path), name); err != nil {
		return Manifest{}, err
	}
	return m, m.validate()
}

// manifestDir is the folder a manifest for the binary at path goes to.
func manifestDir(path string) string {
	if dir := filepath.Dir(path); dir != "" {
		return dir
	}
	return "."
}

// SignFile writes m, signed by priv, beside the binary at path.
func SignFile(path string, m Manifest, priv ed25519.PrivateKey) (Manifest, error) {
	m, err := Sign(m, priv)
	if err != nil {
		return Manifest{}, err
	}
	return m, WriteManifest(manifestDir(path), m)
}

// WriteManifest validates m and writes it as dir/<m.Name>.json, one line of JSON, replacing an
// older manifest of the same name at once (a reader never sees half a file).
func WriteManifest(dir string, m Manifest) error {
	if err := m.validate(); err != nil {
		return fmt.Errorf("plugin manifest: %w", err)
	}
	if strings.ContainsAny(m.Name, `/\`) || m.Name == "." || m.Name == ".." {
		return fmt.Errorf("plugin manifest: name %q must be usable as a file name", m.Name)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("plugin manifest %q: %w", m.Name, err)
	}
	f, err := os.CreateTemp(dir, "."+m.Name+".json.*")
	if err != nil {
		return fmt.Errorf("write plugin manifest %q: %w", m.Name, err)
	}
	defer os.Remove(f.Name()) // after the rename there is nothing left to remove
	if _, err = f.Write(append(b, '\n')); err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, m.Name+".json"))
	}
	if err != nil {
		return fmt.Errorf("write plugin manifest %q: %w", m.Name, err)
	}
	return nil
}

// fileSHA256 is the SHA-256 digest of the file at path.
func fileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open binary %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("hash binary %s: %w", path, err)
	}
	return h.Sum(nil), nil
}
