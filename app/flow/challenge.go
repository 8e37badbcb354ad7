package flow

import (
	"crypto/rand"
	"fmt"
	"math/big"
)

// CryptoChallenges issues finger challenges from crypto/rand: Count numbers (default 3) from 1 to
// Max (default 5, one hand), left to right. Two neighbours are never equal, so every number shows
// as a visible change of gesture in the video.
type CryptoChallenges struct {
	Count, Max int
}

// NewChallenge implements ChallengeSource.
func (c CryptoChallenges) NewChallenge() ([]int, error) {
	n, hi := c.Count, c.Max
	if n <= 0 {
		n = 3
	}
	if hi <= 1 {
		hi = 5
	}
	out := make([]int, 0, n)
	for len(out) < n {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(hi)))
		if err != nil {
			return nil, fmt.Errorf("challenge: %w", err)
		}
		x := int(v.Int64()) + 1
		if len(out) > 0 && out[len(out)-1] == x {
			continue
		}
		out = append(out, x)
	}
	return out, nil
}
