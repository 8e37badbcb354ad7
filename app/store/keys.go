package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// KeySize is the length of a store key: AES-256.
const KeySize = 32

// KeyEnv is the environment variable that may hold the store key (hex or base64) instead of a
// key file.
const KeyEnv = "EHRAZ_STORE_KEY"

// Key files next to the active one: a rotation writes NextSuffix first (so an interrupted
// rotation resumes with the same key) and, with keep-old, moves the old key under retired/.
const (
	nextSuffix = ".next"
	retiredDir = "retired"
)

// ErrNoKey is returned when no key is configured, or the key file of an existing database is
// missing.
var ErrNoKey = errors.New("no store key")

// ErrKeyPermissions is returned for a key file that group or others may read.
var ErrKeyPermissions = errors.New("key file is readable by others (chmod 600)")

// key is one AES-256-GCM key with its id.
type key struct {
	id   string
	aead cipher.AEAD
	raw  []byte
}

// KeyID is the short public name of a key: the first 16 hex digits of SHA-256 over a label and
// the key. It identifies which key sealed a row without revealing the key.
func KeyID(k []byte) string {
	h := sha256.Sum256(append([]byte("ehraz-store-key-id\x00"), k...))
	return hex.EncodeToString(h[:8])
}

func newKey(raw []byte) (*key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("store key: %d bytes, want %d", len(raw), KeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("store key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store key: %w", err)
	}
	return &key{id: KeyID(raw), aead: aead, raw: append([]byte(nil), raw...)}, nil
}

// ParseKey reads a key written as 64 hex digits or as standard or URL base64 (raw bytes are
// refused: 32 typed characters would be mistaken for a key).
func ParseKey(b []byte) ([]byte, error) {
	s := strings.TrimSpace(string(b))
	if k, err := hex.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	return nil, fmt.Errorf("store key: want %d bytes as hex or base64", KeySize)
}

// NewRandomKey returns a fresh key from crypto/rand.
func NewRandomKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("store key: random: %w", err)
	}
	return k, nil
}

// readKeyFile reads a key file, refusing one that group or others can read.
func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s (mode %o): %w", path, fi.Mode().Perm(), ErrKeyPermissions)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	k, err := ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// writeKeyFile creates path (0600, folder 0700) holding k in hex; it fails if path exists.
func writeKeyFile(path string, k []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("key folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close key file: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// keyring holds the active key (seals everything new) and older ones (read only).
type keyring struct {
	active *key
	byID   map[string]*key
	// fromEnv is set when the active key came from the environment: rotation then needs a new
	// key given by the operator, since the store cannot rewrite the environment.
	fromEnv bool
}

func newKeyring(active []byte, others ...[]byte) (*keyring, error) {
	a, err := newKey(active)
	if err != nil {
		return nil, err
	}
	r := &keyring{active: a, byID: map[string]*key{a.id: a}}
	for _, o := range others {
		if err := r.add(o); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *keyring) add(raw []byte) error {
	k, err := newKey(raw)
	if err != nil {
		return err
	}
	if _, ok := r.byID[k.id]; !ok {
		r.byID[k.id] = k
	}
	return nil
}

// candidates lists the key named id first, then every other key, so a row whose key id is stale
// (a rotation interrupted between a file rename and its row update) still opens.
func (r *keyring) candidates(id string) []*key {
	out := make([]*key, 0, len(r.byID))
	if k, ok := r.byID[id]; ok {
		out = append(out, k)
	}
	ids := make([]string, 0, len(r.byID))
	for other := range r.byID {
		if other != id {
			ids = append(ids, other)
		}
	}
	sort.Strings(ids)
	for _, other := range ids {
		out = append(out, r.byID[other])
	}
	return out
}

// loadKeyring builds the keyring Open uses: explicit keys, else EHRAZ_STORE_KEY, else the key
// file (created when missing and the database is new) plus a pending rotation's next key and
// retired keys beside it, for reading.
func loadKeyring(o Options, dbExists bool) (*keyring, error) {
	if len(o.Keys) > 0 {
		return newKeyring(o.Keys[0], o.Keys[1:]...)
	}
	if v := os.Getenv(KeyEnv); v != "" {
		k, err := ParseKey([]byte(v))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", KeyEnv, err)
		}
		r, err := newKeyring(k)
		if err != nil {
			return nil, err
		}
		r.fromEnv = true
		return r, nil
	}
	if o.KeyFile == "" {
		return nil, fmt.Errorf("store: %w: set Options.KeyFile, Options.Keys or %s", ErrNoKey, KeyEnv)
	}
	active, err := readKeyFile(o.KeyFile)
	if errors.Is(err, os.ErrNotExist) {
		if dbExists {
			return nil, fmt.Errorf("store: %w: key file %s is missing but the database exists: restore it (a new key could not read the data)", ErrNoKey, o.KeyFile)
		}
		if active, err = NewRandomKey(); err != nil {
			return nil, err
		}
		if err := writeKeyFile(o.KeyFile, active); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	r, err := newKeyring(active)
	if err != nil {
		return nil, err
	}
	extra := []string{o.KeyFile + nextSuffix}
	retired, _ := filepath.Glob(filepath.Join(filepath.Dir(o.KeyFile), retiredDir, "*.key"))
	extra = append(extra, retired...)
	for _, p := range extra {
		k, err := readKeyFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if err := r.add(k); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// LoadKeys returns the store keys Open would load for an existing database (Options.Keys,
// EHRAZ_STORE_KEY, or the key file with a pending rotation's key and the retired keys), the
// active one first, creating none: for tools that check a database without opening the store
// (ehrazctl audit verify).
func LoadKeys(o Options) ([][]byte, error) {
	r, err := loadKeyring(o, true)
	if err != nil {
		return nil, err
	}
	out := [][]byte{r.active.raw}
	ids := make([]string, 0, len(r.byID))
	for id := range r.byID {
		if id != r.active.id {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		out = append(out, r.byID[id].raw)
	}
	return out, nil
}
