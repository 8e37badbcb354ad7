package confine

import (
	"reflect"
	"testing"
)

func TestArgsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Spec
	}{
		{"bare", Spec{Exec: "/w/face/bin/face"}},
		{"full", Spec{Exec: "/w/face/bin/face", ReadOnly: []string{"/usr", "/models"}, ReadWrite: []string{"/w/face/tmp"},
			MemoryBytes: 4 << 30, CPUSeconds: 3600, OpenFiles: 1024, Processes: 256, DieWithParent: true}},
		{"probe", Spec{Exec: "/w/ehraz-sandbox", Probe: true}},
		{"mount namespace", Spec{Exec: "/w/face/bin/face", FS: FSMount, Root: "/w/face/root", ReadWrite: []string{"/w/face/tmp"}}},
		{"both", Spec{Exec: "/w/face/bin/face", FS: FSBoth, Root: "/w/face/root"}},
		{"dash path", Spec{Exec: "-odd", ReadOnly: []string{"-also-odd"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.s.Args())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.s) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, tc.s)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-ro", "/usr"},
		{"--", "a", "b"},
		{"-as", "lots", "--", "a"},
		{"-unknown", "--", "a"},
		{"-fs", "chroot", "--", "a"},
	} {
		if s, err := Parse(args); err == nil {
			t.Errorf("Parse(%q) = %+v; want an error", args, s)
		}
	}
}
