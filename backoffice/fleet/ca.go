// Package fleet is the back office's side of its kiosks' identities: its own certificate
// authority (an ECDSA P-256 key and self-signed certificate in the keys folder), the server
// certificate it serves TLS with, and the registry of kiosks — enrolled with a one-time code an
// admin confirms in the console, issued a 90-day client certificate naming the kiosk id,
// renewed by the kiosk before expiry, revoked at once by an admin. Every kiosk request is then
// mutual TLS, and the kiosk id comes from the certificate (Identify), never from the body. The
// enrollment also delivers the kiosk's media transport key, which opens its dossiers' media.
package fleet

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/ehraz/ehraz/services/enroll"
)

// CA is the back office's certificate authority.
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
	PEM  string
}

// Validity of what the CA issues.
const (
	caValidity     = 10 * 365 * 24 * time.Hour
	serverValidity = 365 * 24 * time.Hour
	KioskValidity  = 90 * 24 * time.Hour
)

// LoadOrCreateCA reads the CA from dir (ca.key 0600, ca.crt), creating both on first use.
func LoadOrCreateCA(dir string, now time.Time) (*CA, error) {
	keyPath, certPath := filepath.Join(dir, "ca.key"), filepath.Join(dir, "ca.crt")
	kb, kerr := os.ReadFile(keyPath)
	cb, cerr := os.ReadFile(certPath)
	if kerr == nil && cerr == nil {
		return parseCA(kb, cb)
	}
	if !errors.Is(kerr, os.ErrNotExist) && kerr != nil {
		return nil, fmt.Errorf("fleet: read CA key: %w", kerr)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("fleet: CA key: %w", err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: "Ehraz back office CA", Organization: []string{"Ehraz"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(caValidity), IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("fleet: CA certificate: %w", err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	kb = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	cb = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("fleet: keys folder: %w", err)
	}
	if err := os.WriteFile(keyPath, kb, 0o600); err != nil {
		return nil, fmt.Errorf("fleet: write CA key: %w", err)
	}
	if err := os.WriteFile(certPath, cb, 0o644); err != nil {
		return nil, fmt.Errorf("fleet: write CA certificate: %w", err)
	}
	return parseCA(kb, cb)
}

func parseCA(kb, cb []byte) (*CA, error) {
	kblk, _ := pem.Decode(kb)
	cblk, _ := pem.Decode(cb)
	if kblk == nil || cblk == nil {
		return nil, errors.New("fleet: CA files are not PEM")
	}
	key, err := x509.ParseECPrivateKey(kblk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("fleet: CA key: %w", err)
	}
	cert, err := x509.ParseCertificate(cblk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("fleet: CA certificate: %w", err)
	}
	return &CA{Cert: cert, key: key, PEM: string(cb)}, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

// Fingerprint is the CA certificate's SHA-256 (what a kiosk pins at enrollment).
func (ca *CA) Fingerprint() string { return enroll.Fingerprint(ca.Cert.Raw) }

// ServerTLS is the TLS configuration of the back office's listener: a fresh server certificate
// for hosts (names and addresses; loopback always) sent with the CA, and client certificates
// verified against the CA when a client presents one (kiosk endpoints then require it; the
// console and enrollment do not).
func (ca *CA) ServerTLS(hosts []string, now time.Time) (*tls.Config, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("fleet: server key: %w", err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: "Ehraz back office"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(serverValidity), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("fleet: server certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return &tls.Config{MinVersion: tls.VersionTLS12, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool,
		Certificates: []tls.Certificate{{Certificate: [][]byte{der, ca.Cert.Raw}, PrivateKey: key}}}, nil
}

// signKiosk issues a client certificate for kioskID over the CSR's key.
func (ca *CA) signKiosk(csrPEM, kioskID string, now time.Time) (certPEM, serialHex string, notAfter time.Time, err error) {
	blk, _ := pem.Decode([]byte(csrPEM))
	if blk == nil || blk.Type != "CERTIFICATE REQUEST" {
		return "", "", time.Time{}, errors.New("fleet: not a PEM certificate request")
	}
	csr, err := x509.ParseCertificateRequest(blk.Bytes)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("fleet: certificate request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return "", "", time.Time{}, fmt.Errorf("fleet: certificate request signature: %w", err)
	}
	if csr.Subject.CommonName != kioskID {
		return "", "", time.Time{}, fmt.Errorf("fleet: the request names %q, not %q", csr.Subject.CommonName, kioskID)
	}
	if _, ok := csr.PublicKey.(*ecdsa.PublicKey); !ok {
		return "", "", time.Time{}, errors.New("fleet: the request's key is not ECDSA")
	}
	u, _ := url.Parse(enroll.URIPrefix + kioskID)
	sn := serial()
	notAfter = now.Add(KioskValidity)
	tmpl := &x509.Certificate{SerialNumber: sn, Subject: pkix.Name{CommonName: kioskID}, URIs: []*url.URL{u},
		NotBefore: now.Add(-time.Hour), NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, csr.PublicKey, ca.key)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("fleet: kiosk certificate: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), sn.Text(16), notAfter, nil
}
