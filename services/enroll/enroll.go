// Package enroll is the kiosk side of joining a brokerage's fleet, and the wire format both
// sides share: a kiosk makes its own key (ECDSA P-256, never leaving the machine) and a
// certificate request naming its kiosk id, sends them with a one-time code it shows its
// operator and with its media transport key, and — once a back-office admin has typed that code
// into the console — fetches the client certificate the back office's CA issued. From then on
// every request to the back office is mutual TLS, and the back office knows the kiosk from its
// certificate alone. The certificate is renewed before it expires with the same exchange,
// authenticated by the certificate still valid.
//
// Trust in the back office at enrollment comes from the CA fingerprint the admin reads out
// (printed by the back office at start, shown in the console), pinned here.
package enroll

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ehraz/ehraz/services/apicall"
)

// Request is what a kiosk sends to enroll (POST /v1/enroll).
type Request struct {
	KioskID  string `json:"kioskId"`
	CSR      string `json:"csr"`      // PEM certificate request, CN = KioskID
	Code     string `json:"code"`     // the one-time code the kiosk's operator reads to the admin
	MediaKey []byte `json:"mediaKey"` // the kiosk's transport key (32 bytes) for the back office to open its media
}

// Status is the back office's answer about one kiosk (GET /v1/enroll/{id}).
type Status struct {
	State string `json:"state"` // pending | active | revoked | unknown
	Cert  string `json:"cert,omitempty"`
	CA    string `json:"ca,omitempty"`
}

// Kiosk states.
const (
	Pending = "pending"
	Active  = "active"
	Revoked = "revoked"
	Unknown = "unknown"
)

// KioskIDPattern is what a kiosk id may look like (it becomes a certificate's name).
var KioskIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// CodePattern is the one-time code: 8 digits.
var CodePattern = regexp.MustCompile(`^[0-9]{8}$`)

// URIPrefix names a kiosk in its certificate's URI SAN.
const URIPrefix = "urn:ehraz:kiosk:"

// RenewBefore is how long before expiry a kiosk renews its certificate.
const RenewBefore = 30 * 24 * time.Hour

// Files a kiosk keeps its identity in (under its keys folder).
type Files struct {
	Key  string // kiosk-tls.key: the private key, 0600
	Cert string // kiosk-tls.crt
	CA   string // backoffice-ca.crt
}

// FilesIn names the files in dir.
func FilesIn(dir string) Files {
	return Files{Key: filepath.Join(dir, "kiosk-tls.key"), Cert: filepath.Join(dir, "kiosk-tls.crt"), CA: filepath.Join(dir, "backoffice-ca.crt")}
}

// NewKey makes a kiosk key and writes it (0600) to path.
func NewKey(path string) (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("enroll: key: %w", err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("enroll: key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("enroll: keys folder: %w", err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, fmt.Errorf("enroll: write key: %w", err)
	}
	return k, nil
}

// LoadKey reads a key written by NewKey.
func LoadKey(path string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("enroll: read key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("enroll: %s is not a PEM key", path)
	}
	k, err := x509.ParseECPrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("enroll: key %s: %w", path, err)
	}
	return k, nil
}

// CSR is a PEM certificate request for kioskID signed by key.
func CSR(key *ecdsa.PrivateKey, kioskID string) (string, error) {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: kioskID}}, key)
	if err != nil {
		return "", fmt.Errorf("enroll: certificate request: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), nil
}

// Prepare makes an enrollment request for kioskID: the key at keyPath (made when missing), a
// certificate request naming the kiosk, a fresh one-time code, and the kiosk's media key.
func Prepare(keyPath, kioskID string, mediaKey []byte) (*ecdsa.PrivateKey, Request, error) {
	key, err := LoadKey(keyPath)
	if err != nil {
		if key, err = NewKey(keyPath); err != nil {
			return nil, Request{}, err
		}
	}
	csr, err := CSR(key, kioskID)
	if err != nil {
		return nil, Request{}, err
	}
	code, err := NewCode()
	if err != nil {
		return nil, Request{}, err
	}
	return key, Request{KioskID: kioskID, CSR: csr, Code: code, MediaKey: mediaKey}, nil
}

// NewCode is a random 8-digit one-time code.
func NewCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", fmt.Errorf("enroll: code: %w", err)
	}
	return fmt.Sprintf("%08d", n.Int64()), nil
}

// Fingerprint is the SHA-256 of a certificate's DER, hex.
func Fingerprint(der []byte) string {
	s := sha256.Sum256(der)
	return hex.EncodeToString(s[:])
}

// pinnedClient trusts a server whose chain ends in the CA with the given fingerprint (the
// enrollment's first contact, before the kiosk holds the CA certificate).
func pinnedClient(fingerprint string) *http.Client {
	fingerprint = strings.ToLower(strings.NewReplacer(":", "", " ", "").Replace(fingerprint))
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by VerifyConnection below: the chain must end in the pinned CA
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) < 2 {
				return errors.New("enroll: the back office sent no CA certificate")
			}
			ca := cs.PeerCertificates[len(cs.PeerCertificates)-1]
			if Fingerprint(ca.Raw) != fingerprint {
				return fmt.Errorf("enroll: the back office's CA fingerprint %s is not the one given", Fingerprint(ca.Raw))
			}
			pool := x509.NewCertPool()
			pool.AddCert(ca)
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: pool, DNSName: cs.ServerName})
			return err
		},
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 30 * time.Second}
}

// Submit sends an enrollment request to the back office at baseURL whose CA has fingerprint.
func Submit(ctx context.Context, baseURL, fingerprint string, req Request) error {
	resp, err := apicall.Do(ctx, pinnedClient(fingerprint), apicall.Policy{Timeout: 20 * time.Second, Retries: 1}, apicall.Request{
		Method: http.MethodPost, URL: strings.TrimRight(baseURL, "/") + "/v1/enroll", Body: req})
	if err != nil {
		return fmt.Errorf("enroll: %w", err)
	}
	if resp.Status != http.StatusAccepted && resp.Status != http.StatusOK {
		var out struct {
			Error string `json:"error"`
		}
		resp.Decode(&out)
		return fmt.Errorf("enroll: http %d %s", resp.Status, out.Error)
	}
	return nil
}

// Fetch asks the back office whether the kiosk's enrollment was approved and, once it was, for
// the certificate and the CA.
func Fetch(ctx context.Context, baseURL, fingerprint, kioskID string) (Status, error) {
	resp, err := apicall.Do(ctx, pinnedClient(fingerprint), apicall.Policy{Timeout: 20 * time.Second, Retries: 1}, apicall.Request{
		Method: http.MethodGet, URL: strings.TrimRight(baseURL, "/") + "/v1/enroll/" + kioskID})
	if err != nil {
		return Status{}, fmt.Errorf("enroll: %w", err)
	}
	var st Status
	if err := resp.Decode(&st); err != nil || resp.Status != http.StatusOK {
		return Status{}, fmt.Errorf("enroll: status http %d %v", resp.Status, err)
	}
	return st, nil
}

// Save writes the issued certificate and the CA beside the key, after checking that the
// certificate is the key's and names the kiosk.
func Save(f Files, st Status, key *ecdsa.PrivateKey, kioskID string) error {
	if _, err := tls.X509KeyPair([]byte(st.Cert), keyPEM(key)); err != nil {
		return fmt.Errorf("enroll: the certificate is not for this kiosk's key: %w", err)
	}
	c, err := parseCert(st.Cert)
	if err != nil {
		return err
	}
	if c.Subject.CommonName != kioskID {
		return fmt.Errorf("enroll: the certificate names %q, not %q", c.Subject.CommonName, kioskID)
	}
	if err := os.WriteFile(f.CA, []byte(st.CA), 0o644); err != nil {
		return fmt.Errorf("enroll: write CA: %w", err)
	}
	if err := writeAtomic(f.Cert, []byte(st.Cert)); err != nil {
		return err
	}
	return nil
}

func writeAtomic(path string, b []byte) error {
	tmp := path + ".new"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("enroll: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("enroll: write %s: %w", path, err)
	}
	return nil
}

func keyPEM(k *ecdsa.PrivateKey) []byte {
	der, _ := x509.MarshalECPrivateKey(k)
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

func parseCert(p string) (*x509.Certificate, error) {
	blk, _ := pem.Decode([]byte(p))
	if blk == nil {
		return nil, errors.New("enroll: not a PEM certificate")
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("enroll: certificate: %w", err)
	}
	return c, nil
}

// Identity is an enrolled kiosk's TLS material for talking to its back office.
type Identity struct {
	files Files
	now   func() time.Time
}

// Open returns the identity in f, or an error naming what is missing (the kiosk is not
// enrolled: `ehrazctl kiosk enroll`).
func Open(f Files, now func() time.Time) (*Identity, error) {
	for _, p := range []string{f.Key, f.Cert, f.CA} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("enroll: this kiosk is not enrolled (%s missing; run ehrazctl kiosk enroll)", filepath.Base(p))
		}
	}
	if now == nil {
		now = time.Now
	}
	return &Identity{files: f, now: now}, nil
}

// Client is an HTTP client presenting the kiosk's certificate and trusting only the back
// office's CA. The certificate is read at each handshake, so a renewal takes effect without a
// restart.
func (id *Identity) Client() (*http.Client, error) {
	ca, err := os.ReadFile(id.files.CA)
	if err != nil {
		return nil, fmt.Errorf("enroll: read CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("enroll: %s holds no certificate", id.files.CA)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			c, err := tls.LoadX509KeyPair(id.files.Cert, id.files.Key)
			if err != nil {
				return nil, fmt.Errorf("enroll: kiosk certificate: %w", err)
			}
			return &c, nil
		}}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}}, nil
}

// TrustsCA reports whether the identity's CA file holds caPEM (the back office it was enrolled
// with is this one).
func (id *Identity) TrustsCA(caPEM string) bool {
	b, err := os.ReadFile(id.files.CA)
	return err == nil && strings.TrimSpace(string(b)) == strings.TrimSpace(caPEM)
}

// Expiry is when the kiosk's certificate ends.
func (id *Identity) Expiry() (time.Time, error) {
	b, err := os.ReadFile(id.files.Cert)
	if err != nil {
		return time.Time{}, fmt.Errorf("enroll: read certificate: %w", err)
	}
	c, err := parseCert(string(b))
	if err != nil {
		return time.Time{}, err
	}
	return c.NotAfter, nil
}

// RenewIfDue asks the back office for a new certificate (same key, authenticated by the current
// one) when fewer than RenewBefore remain, and reports whether it renewed.
func (id *Identity) RenewIfDue(ctx context.Context, baseURL, kioskID string) (bool, error) {
	exp, err := id.Expiry()
	if err != nil {
		return false, err
	}
	if exp.Sub(id.now()) > RenewBefore {
		return false, nil
	}
	key, err := LoadKey(id.files.Key)
	if err != nil {
		return false, err
	}
	csr, err := CSR(key, kioskID)
	if err != nil {
		return false, err
	}
	hc, err := id.Client()
	if err != nil {
		return false, err
	}
	resp, err := apicall.Do(ctx, hc, apicall.Policy{Timeout: 20 * time.Second, Retries: 1}, apicall.Request{
		Method: http.MethodPost, URL: strings.TrimRight(baseURL, "/") + "/v1/renew", Body: map[string]string{"csr": csr}})
	if err != nil {
		return false, fmt.Errorf("enroll: renew: %w", err)
	}
	var st Status
	if err := resp.Decode(&st); err != nil || resp.Status != http.StatusOK {
		return false, fmt.Errorf("enroll: renew: http %d %v", resp.Status, err)
	}
	ca, _ := os.ReadFile(id.files.CA)
	st.CA = string(ca)
	if err := Save(id.files, st, key, kioskID); err != nil {
		return false, err
	}
	return true, nil
}
