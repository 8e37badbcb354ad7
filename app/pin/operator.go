package pin

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
)

// GeneratedDigits is the length of a PIN the kiosk makes for itself.
const GeneratedDigits = 6

// Generate returns a random PIN of GeneratedDigits digits (crypto/rand, leading zeros kept).
func Generate() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("pin: generate: %w", err)
	}
	return fmt.Sprintf("%0*d", GeneratedDigits, n.Int64()), nil
}

// Operator returns the operator PIN's hash: configured when it is set, else the one this kiosk
// generated on its first start (kept hashed in keysDir/FileName). A new PIN is written once to
// out — the terminal of whoever started the kiosk — never logged and never stored in clear.
func Operator(configured, keysDir string, out io.Writer) (string, error) {
	if configured != "" {
		return configured, nil
	}
	path := filepath.Join(keysDir, FileName)
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("operator pin: %w", err)
	}
	code, err := Generate()
	if err != nil {
		return "", fmt.Errorf("operator pin: %w", err)
	}
	hash, err := Hash(code)
	if err != nil {
		return "", err
	}
	if err := WriteFile(keysDir, hash); err != nil {
		return "", fmt.Errorf("operator pin: %w", err)
	}
	fmt.Fprintf(out, "ehraz: operator PIN for this kiosk (shown once; `ehrazctl pin set` chooses another): %s\n", code)
	return hash, nil
}
