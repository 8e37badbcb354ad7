// Package secrets reads the secrets both programs are configured with — API keys and passwords
// from an environment variable or a file — and the keys and tokens a demo generates on first
// start (kept hex-encoded, mode 0600, under a keys folder).
package secrets

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Secret reads a secret from the environment variable env, else from file.
func Secret(env, file string) (string, error) {
	if v := os.Getenv(env); v != "" {
		return v, nil
	}
	if file == "" {
		return "", fmt.Errorf("secret missing: set %s or configure its file", env)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read secret %s: %w", file, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// LoadOrCreateKey returns the 32-byte key stored hex-encoded at path, creating it (mode 0600)
// from crypto/rand when missing.
func LoadOrCreateKey(path string) ([]byte, error) {
	s, err := loadOrCreate(path, 32)
	if err != nil {
		return nil, err
	}
	k, err := hex.DecodeString(s)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("key %s: want 64 hex digits", path)
	}
	return k, nil
}

// LoadKey returns the 32-byte key stored hex-encoded at path; it never creates one (a key that
// must come from elsewhere, like the kiosks' transport key at the back office).
func LoadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key %s: %w", path, err)
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("key %s: want 64 hex digits", path)
	}
	return k, nil
}

// LoadOrCreateToken returns the token stored at path, creating a random one when missing.
func LoadOrCreateToken(path string) (string, error) { return loadOrCreate(path, 24) }

func loadOrCreate(path string, n int) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("keys folder: %w", err)
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate %s: %w", path, err)
	}
	s := hex.EncodeToString(b)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process made it first
			return loadOrCreate(path, n)
		}
		return "", fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return s, f.Close()
}
