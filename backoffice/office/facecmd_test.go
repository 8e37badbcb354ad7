package office

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/services/secrets"
)

// TestFaceCommandWiring: the commands open the server's database and keys from its flags, refuse
// missing arguments, and an export of a database without consented dossiers writes an empty
// labelled folder (the export's own rules are tested in backoffice/review on both engines).
func TestFaceCommandWiring(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	if _, err := secrets.LoadOrCreateKey(filepath.Join(data, "keys", "intake-data.key")); err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(ctx, database.SQLite, filepath.Join(data, "intake.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	out := filepath.Join(t.TempDir(), "faces")
	tests := []struct {
		name string
		cmd  string
		args []string
		code int
		want string
	}{
		{"export without --out", "face-export", []string{"-data", data, "-as", "sara"}, 2, "required"},
		{"consent without --dossier", "face-consent", []string{"-data", data, "-as", "sara"}, 2, "required"},
		{"no database", "face-export", []string{"-data", t.TempDir(), "-as", "sara", "-out", out}, 1, "data key"},
		{"consent for a dossier that is not there", "face-consent", []string{"-data", data, "-as", "sara", "-dossier", "7"}, 1, "dossier 7"},
		{"export", "face-export", []string{"-data", data, "-as", "sara", "-out", out}, 0, "same=0 different=0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := FaceCommand(ctx, "ehraz-backoffice", tc.cmd, tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String()+stderr.String(), tc.want) {
				t.Fatalf("exit %d, want %d; output %q %q", code, tc.code, stdout.String(), stderr.String())
			}
		})
	}
	if b, err := os.ReadFile(filepath.Join(out, "people.tsv")); err != nil || string(b) != "file\tperson\tnote\n" {
		t.Errorf("people.tsv %q %v", b, err)
	}
}
