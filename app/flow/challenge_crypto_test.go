package flow

import "testing"

func TestCryptoChallenges(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c, err := CryptoChallenges{}.NewChallenge()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 3 {
			t.Fatalf("challenge %v: want 3 numbers", c)
		}
		for i, x := range c {
			if x < 1 || x > 5 {
				t.Fatalf("challenge %v: %d outside 1..5", c, x)
			}
			if i > 0 && c[i-1] == x {
				t.Fatalf("challenge %v repeats a neighbour", c)
			}
		}
		seen[joinInts(c)] = true
	}
	// 80 possible challenges; 200 draws from a uniform source cover far more than 20 of them.
	if len(seen) < 20 {
		t.Errorf("only %d distinct challenges in 200 draws", len(seen))
	}
	if c, _ := (CryptoChallenges{Count: 4, Max: 2}).NewChallenge(); len(c) != 4 {
		t.Errorf("Count ignored: %v", c)
	}
}
