package facecheck

import (
	"crypto/sha256"
	"sync"

	face "github.com/Kagami/go-face"
)

// cacheSize bounds how many pictures' descriptors are remembered.
const cacheSize = 8

// descCache remembers, by the SHA-256 of a picture's bytes, how many faces it holds and the
// largest face's descriptor. The kiosk matches several video keyframes against one selfie and the
// registry photo against it, and the evaluation compares every photo with every other: each
// picture then goes through the networks once. Templates stay in this process's memory only, at
// most cacheSize of them, the least recently used replaced first.
type descCache struct {
	mu    sync.Mutex
	items [cacheSize]cached
	clock uint64
}

type cached struct {
	key   [sha256.Size]byte
	used  uint64 // clock of the last use; 0 = empty slot
	faces int
	desc  face.Descriptor
	qual  float64 // pictureQuality of the largest face
}

func (c *descCache) get(key [sha256.Size]byte) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.items {
		if c.items[i].used != 0 && c.items[i].key == key {
			c.clock++
			c.items[i].used = c.clock
			return c.items[i], true
		}
	}
	return cached{}, false
}

func (c *descCache) put(it cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	oldest := 0
	for i := range c.items {
		if c.items[i].used < c.items[oldest].used {
			oldest = i
		}
	}
	c.clock++
	it.used = c.clock
	c.items[oldest] = it
}
