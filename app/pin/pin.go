// Package pin hashes and checks the operator PIN. The kiosk keeps only the hash (PBKDF2-SHA256
// with a random salt), in the configuration or in <data_dir>/keys/operator.pin.hash.
package pin

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ehraz/ehraz/domain/text"
)

// FileName is the hash file's name under the data folder's keys/.
const FileName = "operator.pin.hash"

// Length limits of a PIN, in digits.
const (
	MinDigits = 4
	MaxDigits = 12
)

const iterations = 200_000

// ErrInvalid is returned by Normalize for a PIN that is not 4–12 digits.
var ErrInvalid = errors.New("pin: a PIN is 4 to 12 digits")

// Normalize returns pin in ASCII digits (Persian and Arabic digits accepted, spaces dropped) or
// ErrInvalid.
func Normalize(pin string) (string, error) {
	p := strings.Join(strings.Fields(text.ASCIIDigits(pin)), "")
	if len(p) < MinDigits || len(p) > MaxDigits {
		return "", ErrInvalid
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return "", ErrInvalid
		}
	}
	return p, nil
}

// Hash returns the stored form of a PIN: "pbkdf2-sha256$<iterations>$<salt hex>$<key hex>".
// Slow on purpose: a copied hash of a short PIN must not be cheap to search.
func Hash(pin string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("pin: salt: %w", err)
	}
	k, err := pbkdf2.Key(sha256.New, pin, salt, iterations, 32)
	if err != nil {
		return "", fmt.Errorf("pin: hash: %w", err)
	}
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", iterations, hex.EncodeToString(salt), hex.EncodeToString(k)), nil
}

// Check reports whether pin matches hash (as made by Hash), in constant time.
func Check(hash, pin string) bool {
	parts := strings.Split(strings.TrimSpace(hash), "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 {
		return false
	}
	salt, err1 := hex.DecodeString(parts[2])
	want, err2 := hex.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// WriteFile stores a PIN's hash in keysDir/FileName (0600), replacing any earlier one atomically.
func WriteFile(keysDir, hash string) error {
	if err := os.MkdirAll(keysDir, 0o700); err != nil {
		return fmt.Errorf("pin: keys folder: %w", err)
	}
	tmp, err := os.CreateTemp(keysDir, FileName+".*")
	if err != nil {
		return fmt.Errorf("pin: write hash: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(hash + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("pin: write hash: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("pin: write hash: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("pin: write hash: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(keysDir, FileName)); err != nil {
		return fmt.Errorf("pin: write hash: %w", err)
	}
	return nil
}
