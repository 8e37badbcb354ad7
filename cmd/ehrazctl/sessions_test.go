package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// seedStore writes two sessions into a fresh data folder: one finished long ago, one open today.
func seedStoreDir(t *testing.T) string {
	t.Helper()
	t.Setenv(store.KeyEnv, "")
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = dir
	ctx := context.Background()
	s, err := store.Open(ctx, kiosk.StoreOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	old := now.Add(-60 * 24 * time.Hour)
	for _, r := range []flow.Record{
		{ID: "old-1", Step: flow.StepSubmitted, Mode: "kiosk", StartedAt: old, LastActive: old, AcceptedAt: old},
		{ID: "today-1", Step: flow.StepSelfie, Mode: "kiosk", StartedAt: now, LastActive: now, NationalCode: "0499370899",
			Person: &kyc.Person{NationalCode: "0499370899", FirstName: "شهرزاد", LastName: "کیانپور"},
			Checks: map[flow.Step]flow.CheckResult{flow.StepSelfie: {Step: flow.StepSelfie, Attempt: 1, At: now,
				Verdict: sdk.Verdict{Outcome: sdk.NeedsReview, Reasons: []string{"verdict.face.match.low"}}}}},
	} {
		if err := s.Create(ctx, r, flow.Event{To: r.Step, Name: "session.started", At: r.StartedAt}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutMedia(ctx, r.ID, "selfie", "jpeg", []byte("jpeg bytes of "+r.ID)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runStoreCtl(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"--lang", "en"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestStoreCommands(t *testing.T) {
	dir := seedStoreDir(t)
	tests := []struct {
		name    string
		args    []string
		code    int
		want    []string // substrings of stdout
		notWant []string
	}{
		{"list today", []string{"sessions", "list", "--data", dir}, exitOK, []string{"today-1", "selfie", "yes"}, []string{"old-1", "0499370899", "کیانپور"}},
		{"list all", []string{"sessions", "list", "--all", "--data", dir}, exitOK, []string{"today-1", "old-1", "finished"}, []string{"0499370899"}},
		{"list reveal", []string{"sessions", "list", "--reveal", "--data", dir}, exitOK, []string{"0499370899 شهرزاد کیانپور"}, nil},
		{"show", []string{"sessions", "show", "today-1", "--data", dir}, exitOK, []string{"Checks", "needs-review", "verdict.face.match.low", "Media files", "selfie"}, []string{"0499370899", "شهرزاد"}},
		{"show reveal", []string{"sessions", "show", "--data", dir, "--reveal", "today-1"}, exitOK, []string{"Applicant", "0499370899"}, nil},
		{"show unknown", []string{"sessions", "show", "nobody", "--data", dir}, exitInvalid, nil, nil},
		{"no database", []string{"sessions", "list", "--data", filepath.Join(dir, "none")}, exitInvalid, nil, nil},
		{"audit ok", []string{"audit", "verify", "--db", filepath.Join(dir, "ehraz.db")}, exitOK, []string{"intact: 5 rows"}, nil},
		{"audit head", []string{"audit", "head", "--data", dir}, exitOK, []string{"5 "}, nil},
		{"purge dry run", []string{"purge", "--dry-run", "--data", dir}, exitOK, []string{"old-1", "would remove 1 sessions"}, []string{"today-1"}},
		{"keys show", []string{"keys", "show", "--data", dir}, exitOK, []string{"Active key"}, nil},
		{"keys rotate", []string{"keys", "rotate", "--data", dir}, exitOK, []string{"2 sessions and 2 media files re-encrypted"}, nil},
		{"show after rotation", []string{"sessions", "show", "today-1", "--reveal", "--data", dir}, exitOK, []string{"0499370899"}, nil},
		{"purge", []string{"purge", "--data", dir}, exitOK, []string{"Removed 1 sessions"}, nil},
		{"audit after purge", []string{"audit", "verify", "--data", dir}, exitOK, []string{"intact: 7 rows"}, nil},
		{"usage", []string{"sessions"}, exitUsage, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runStoreCtl(t, tc.args...)
			t.Logf("ehrazctl %s\n%s%s", strings.Join(tc.args, " "), out, errs)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, out, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out+errs, w) {
					t.Errorf("output shows %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestAuditVerifyCommandFindsEdit(t *testing.T) {
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 command-line tool not installed (apt sqlite3)")
	}
	dir := seedStoreDir(t)
	db := filepath.Join(dir, "ehraz.db")
	if out, err := exec.Command(cli, db, `UPDATE audit SET detail = 'edited' WHERE seq = 3;`).CombinedOutput(); err != nil {
		t.Fatalf("sqlite3: %v %s", err, out)
	}
	code, out, _ := runStoreCtl(t, "audit", "verify", "--db", db)
	if code != exitInvalid || !strings.Contains(out, "from row 3 on (hash)") {
		t.Fatalf("exit %d, output %q; want exit 1 naming row 3", code, out)
	}
}

// The audit chain is keyed: without the store key, verify says it could not verify and exits 1;
// a head noted earlier (as every dossier carries) reveals rows cut off the end.
func TestAuditVerifyCommandKeyAndHead(t *testing.T) {
	dir := seedStoreDir(t)
	db := filepath.Join(dir, "ehraz.db")
	code, out, _ := runStoreCtl(t, "audit", "head", "--data", dir)
	f := strings.Fields(out)
	if code != exitOK || len(f) != 2 {
		t.Fatalf("audit head: exit %d %q", code, out)
	}
	head := f[0] + ":" + f[1]
	if code, out, errs := runStoreCtl(t, "audit", "verify", "--db", db, "--head", head); code != exitOK {
		t.Fatalf("verify against its own head: exit %d %s %s", code, out, errs)
	}
	raw, err := sql.Open("sqlite3", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if code, out, _ := runStoreCtl(t, "audit", "verify", "--db", db); code != exitOK {
		t.Fatalf("a cut chain without a noted head: exit %d %s", code, out)
	}
	code, out, _ = runStoreCtl(t, "audit", "verify", "--db", db, "--head", head)
	if code != exitInvalid || !strings.Contains(out, "(truncated)") {
		t.Fatalf("cut chain against the noted head: exit %d %q", code, out)
	}
	kf := filepath.Join(dir, "keys", "store.key")
	if err := os.Rename(kf, kf+".away"); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runStoreCtl(t, "audit", "verify", "--db", db)
	if code != exitInvalid || !strings.Contains(out, "could NOT be verified") || strings.Contains(out, "intact") {
		t.Fatalf("verify without the key: exit %d %q", code, out)
	}
	if err := os.Rename(kf+".away", kf); err != nil {
		t.Fatal(err)
	}
}

// Without --reveal the key is not needed (nor read): list and show work with the key file gone.
func TestSessionsWithoutKey(t *testing.T) {
	dir := seedStoreDir(t)
	kf := filepath.Join(dir, "keys", "store.key")
	if err := os.Rename(kf, kf+".away"); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runStoreCtl(t, "sessions", "list", "--all", "--data", dir); code != exitOK || !strings.Contains(out, "old-1") {
		t.Errorf("list without key: exit %d %s %s", code, out, errs)
	}
	if code, out, errs := runStoreCtl(t, "sessions", "show", "today-1", "--data", dir); code != exitOK || !strings.Contains(out, "needs-review") {
		t.Errorf("show without key: exit %d %s %s", code, out, errs)
	}
	if code, _, errs := runStoreCtl(t, "sessions", "show", "today-1", "--reveal", "--data", dir); code != exitInvalid || !strings.Contains(errs, "key") {
		t.Errorf("reveal without key: exit %d, stderr %s", code, errs)
	}
}
