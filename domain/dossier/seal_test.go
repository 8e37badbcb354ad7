package dossier

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	s, err := Seal(key, []byte("dossier"), []byte("k1"))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := Open(key, s, []byte("k1")); err != nil || string(p) != "dossier" {
		t.Fatalf("%q %v", p, err)
	}
	if _, err := Open(key, s, []byte("k2")); err == nil {
		t.Error("opened under another idempotency key")
	}
	s[len(s)-1] ^= 1
	if _, err := Open(key, s, []byte("k1")); err == nil {
		t.Error("tampered data opened")
	}
	if _, err := Seal([]byte("short"), nil, nil); err == nil {
		t.Error("short key accepted")
	}
}

// TestSealOpenLayout pins the sealed layout the other side relies on: a 12-byte nonce, then the
// ciphertext and its 16-byte tag; a fresh nonce every time; too short or wrong key refused.
func TestSealOpenLayout(t *testing.T) {
	key := bytes.Repeat([]byte{9}, 32)
	plain := []byte("the plain bytes")
	a, err := Seal(key, plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Seal(key, plain, nil)
	if len(a) != 12+len(plain)+16 {
		t.Errorf("sealed %d bytes, want nonce 12 + %d + tag 16", len(a), len(plain))
	}
	if bytes.Equal(a[:12], b[:12]) || bytes.Equal(a, b) {
		t.Error("two seals share a nonce")
	}
	if _, err := Open(key, a[:11], nil); err == nil {
		t.Error("opened data shorter than a nonce")
	}
	if _, err := Open(bytes.Repeat([]byte{8}, 32), a, nil); err == nil {
		t.Error("opened under another key")
	}
	if _, err := Open(key[:16], a, nil); err == nil {
		t.Error("a 16-byte key accepted")
	}
	if p, err := Open(key, a, nil); err != nil || !bytes.Equal(p, plain) {
		t.Errorf("open: %q %v", p, err)
	}
}

// TestDossierRoundTrip is the path a dossier takes: encoded by the kiosk, sealed under the
// idempotency key, opened and decoded by the back office, unchanged.
func TestDossierRoundTrip(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	d := golden()
	body, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := Seal(key, body, []byte("idem-key-1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(d.Applicant.Person.NationalCode)) {
		t.Error("national code readable in the sealed dossier")
	}
	opened, err := Open(key, sealed, []byte("idem-key-1"))
	if err != nil {
		t.Fatal(err)
	}
	var got Dossier
	if err := json.Unmarshal(opened, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Errorf("round trip changed the dossier:\n got %+v\nwant %+v", got, d)
	}
	media, err := Open(key, got.Media[0].Sealed, []byte("idem-key-1/selfie"))
	if err != nil || string(media) != "\xff\xd8 pretend jpeg" {
		t.Errorf("media: %q %v", media, err)
	}
}
