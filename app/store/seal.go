package store

import (
	"crypto/rand"
	"errors"
	"fmt"
)

// ErrUnreadable means no loaded key opens a sealed value: the key is missing or the bytes were
// altered or moved to another row or file.
var ErrUnreadable = errors.New("sealed data cannot be opened with any loaded key")

// seal encrypts plain with AES-256-GCM under k: nonce ‖ ciphertext ‖ tag. ad binds the value to
// where it belongs (a session id, a session+media name).
func seal(k *key, plain, ad []byte) ([]byte, error) {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return k.aead.Seal(nonce, nonce, plain, ad), nil
}

// open decrypts a sealed value, trying the key named keyID first. It returns the id of the key
// that opened it.
func (r *keyring) open(keyID string, sealed, ad []byte) ([]byte, string, error) {
	for _, k := range r.candidates(keyID) {
		ns := k.aead.NonceSize()
		if len(sealed) < ns+k.aead.Overhead() {
			return nil, "", fmt.Errorf("open: %d bytes is too short: %w", len(sealed), ErrUnreadable)
		}
		if plain, err := k.aead.Open(nil, sealed[:ns], sealed[ns:], ad); err == nil {
			return plain, k.id, nil
		}
	}
	return nil, "", fmt.Errorf("open (key %s): %w", keyID, ErrUnreadable)
}

func recordAD(sessionID string) []byte { return []byte("ehraz-record\x00" + sessionID) }

func mediaAD(sessionID, name string) []byte {
	return []byte("ehraz-media\x00" + sessionID + "\x00" + name)
}
