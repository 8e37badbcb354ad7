package detect

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// ErrSignature marks a manifest that is unsigned, signed by a key the kiosk does not trust, or
// altered after signing.
var ErrSignature = errors.New("manifest signature invalid")

// signingContext prefixes the signed bytes, so a manifest signature is never valid for anything
// else the same key might sign.
const signingContext = "ehraz plugin manifest v1\n"

// KeyID names a public key in manifests: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	s := sha256.Sum256(pub)
	return hex.EncodeToString(s[:8])
}

// signedBytes is what the signature covers: every field but the signature itself.
func (m Manifest) signedBytes() []byte {
	m.Signature = ""
	b, _ := json.Marshal(m) // a struct of strings and string slices always marshals
	return append([]byte(signingContext), b...)
}

// Sign returns m signed by priv (Signer set to the key's ID). m must be valid.
func Sign(m Manifest, priv ed25519.PrivateKey) (Manifest, error) {
	if err := m.validate(); err != nil {
		return Manifest{}, fmt.Errorf("sign plugin manifest: %w", err)
	}
	m.Signer = KeyID(priv.Public().(ed25519.PublicKey))
	m.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, m.signedBytes()))
	return m, nil
}

// VerifySignature checks that m is signed, unaltered, by one of trusted.
func (m Manifest) VerifySignature(trusted []ed25519.PublicKey) error {
	if m.Signature == "" {
		return fmt.Errorf("plugin %q: %w: the manifest is not signed", m.Name, ErrSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return fmt.Errorf("plugin %q: %w: signature is not base64", m.Name, ErrSignature)
	}
	i := slices.IndexFunc(trusted, func(k ed25519.PublicKey) bool { return KeyID(k) == m.Signer })
	if i < 0 {
		return fmt.Errorf("plugin %q: %w: signed by key %q, which this kiosk does not trust", m.Name, ErrSignature, m.Signer)
	}
	if !ed25519.Verify(trusted[i], m.signedBytes(), sig) {
		return fmt.Errorf("plugin %q: %w: the manifest was altered after signing by key %s", m.Name, ErrSignature, m.Signer)
	}
	return nil
}

// GenerateKey writes a new Ed25519 key pair as base+".key" (PKCS #8 PEM, mode 0600) and
// base+".pub" (PKIX PEM), the formats `openssl genpkey -algorithm ed25519` uses. It refuses to
// replace an existing private key.
func GenerateKey(base string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate plugin signing key: %w", err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode plugin signing key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encode plugin signing key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(base), 0o700); err != nil {
		return nil, fmt.Errorf("plugin signing key folder: %w", err)
	}
	f, err := os.OpenFile(base+".key", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write plugin signing key: %w", err)
	}
	err = pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: privDER})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.WriteFile(base+".pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644)
	}
	if err != nil {
		return nil, fmt.Errorf("write plugin signing key %s: %w", base, err)
	}
	return pub, nil
}

// LoadPrivateKey reads a PKCS #8 PEM Ed25519 private key.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	der, err := readPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("plugin signing key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("plugin signing key %s: %T, want Ed25519", path, k)
	}
	return priv, nil
}

// LoadPublicKey reads a PKIX PEM Ed25519 public key.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	der, err := readPEM(path, "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("trusted plugin key %s: %w", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("trusted plugin key %s: %T, want Ed25519", path, k)
	}
	return pub, nil
}

func readPEM(path, typ string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("plugin key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != typ {
		return nil, fmt.Errorf("plugin key %s: not a PEM %q block", path, typ)
	}
	return blk.Bytes, nil
}
