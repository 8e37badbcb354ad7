package sequence

import "testing"

// clip builds observations at 15 fps from (count, frames) runs.
func clip(runs ...[2]int) []Obs {
	var out []Obs
	for _, r := range runs {
		for range r[1] {
			out = append(out, Obs{TimestampMS: int64(len(out)) * 67, Count: r[0]})
		}
	}
	return out
}

func TestSegmentAndMatch(t *testing.T) {
	cases := []struct {
		name      string
		obs       []Obs
		challenge []int
		want      Outcome
		held      []int
	}{
		{"in order", clip([2]int{0, 8}, [2]int{3, 20}, [2]int{0, 5}, [2]int{1, 20}, [2]int{0, 5}, [2]int{5, 20}), []int{3, 1, 5}, Matched, []int{3, 1, 5}},
		{"glitches inside holds", clip([2]int{3, 10}, [2]int{4, 1}, [2]int{3, 10}, [2]int{0, 6}, [2]int{1, 18}, [2]int{-1, 2}, [2]int{1, 4}, [2]int{0, 5}, [2]int{5, 20}), []int{3, 1, 5}, Matched, []int{3, 1, 5}},
		{"wrong order", clip([2]int{1, 20}, [2]int{0, 5}, [2]int{3, 20}, [2]int{0, 5}, [2]int{5, 20}), []int{3, 1, 5}, WrongOrder, []int{1, 3, 5}},
		{"number missing", clip([2]int{3, 20}, [2]int{0, 5}, [2]int{1, 20}), []int{3, 1, 5}, NumberMissing, []int{3, 1}},
		{"too brief to count", clip([2]int{3, 20}, [2]int{0, 5}, [2]int{1, 4}, [2]int{0, 5}, [2]int{5, 20}), []int{3, 1, 5}, NumberMissing, []int{3, 5}},
		{"no hand", clip([2]int{-1, 60}), []int{3, 1, 5}, NoHandSeen, nil},
		{"repeated digits need a release", clip([2]int{2, 20}, [2]int{0, 6}, [2]int{2, 20}, [2]int{0, 6}, [2]int{4, 20}), []int{2, 2, 4}, Matched, []int{2, 2, 4}},
		{"counting up is not every challenge", clip([2]int{1, 12}, [2]int{2, 12}, [2]int{3, 12}, [2]int{4, 12}, [2]int{5, 12}), []int{2, 4, 5}, WrongOrder, []int{1, 2, 3, 4, 5}},
		{"invalid challenge", clip([2]int{3, 20}), []int{0, 7}, InvalidChallenge, []int{3}},
		{"empty challenge", clip([2]int{3, 20}), nil, InvalidChallenge, []int{3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			held := Segment(c.obs, Defaults)
			var nums []int
			hand := 0
			for _, h := range held {
				nums = append(nums, h.Number)
			}
			for _, o := range c.obs {
				if o.Count != NoHand {
					hand++
				}
			}
			if len(nums) != len(c.held) {
				t.Fatalf("held %v, want %v", nums, c.held)
			}
			for i := range nums {
				if nums[i] != c.held[i] {
					t.Fatalf("held %v, want %v", nums, c.held)
				}
			}
			if got := Match(c.challenge, held, hand); got != c.want {
				t.Fatalf("match %v, want %v", got.Reason(), c.want.Reason())
			}
		})
	}
}

func TestObserved(t *testing.T) {
	held := []Held{{Number: 3}, {Number: 2}, {Number: 5}}
	got := Observed([]int{3, 1, 5}, held)
	want := []int{3, 2, 5}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("observed %v, want %v", got, want)
		}
	}
}
