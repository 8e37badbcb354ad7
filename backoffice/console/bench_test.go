package console_test

import (
	"github.com/ehraz/ehraz/backoffice/database"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkPages10k measures the console's server time with 10,000 dossiers in the store: the
// queue (pending, oldest first, with counts), the queue filtered by kiosk, and one dossier
// screen, each reported as p50/p95 milliseconds (go test -run NONE -bench Pages10k
// ./backoffice/console).
func BenchmarkPages10k(b *testing.B) {
	r := newRig(b, database.SQLite, false)
	r.seed(b)
	db := r.intakeDB(b)
	// Copies of the real dossier row under new keys, national-code hashes, kiosks, times and
	// statuses (the payload stays the first dossier's, sealed to its own key: the list pages never
	// open it).
	_, err := db.Exec(`WITH RECURSIVE n(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
		INSERT INTO dossiers (idempotency_key, session_id, kiosk_id, mode, submitter_ip, nc_hash, payload, payload_sha256, received_at, status, findings)
		SELECT 'bench-' || i, 's-' || i, 'kiosk-' || (i % 40), mode, submitter_ip, randomblob(32), payload, payload_sha256,
			received_at - i * 60000, CASE i % 4 WHEN 0 THEN 'pending_review' WHEN 1 THEN 'auto_approved' WHEN 2 THEN 'approved' ELSE 'rejected' END, findings
		FROM n, (SELECT * FROM dossiers WHERE id = 1)`)
	if err != nil {
		b.Fatal(err)
	}
	c := &client{t: nil, base: r.URL, hc: &http.Client{}}
	loginBench(b, c, r.accounts["maryam"])
	for _, page := range []string{"/console/queue", "/console/queue?status=&kiosk=kiosk-7", "/console/dossiers/1"} {
		b.Run(page, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				resp, err := c.hc.Get(r.URL + page)
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: %v %v", page, resp, err)
				}
				resp.Body.Close()
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

func loginBench(b *testing.B, c *client, pass string) {
	b.Helper()
	var jarErr error
	c.hc.Jar, jarErr = newJar()
	if jarErr != nil {
		b.Fatal(jarErr)
	}
	resp, err := c.hc.Get(c.base + "/console/login")
	if err != nil {
		b.Fatal(err)
	}
	body := readAll(resp)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		b.Fatal("no sign-in token")
	}
	resp, err = c.hc.PostForm(c.base+"/console/login", map[string][]string{"csrf": {m[1]}, "username": {"maryam"}, "password": {pass}})
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("sign in: %v %v", resp, err)
	}
	resp.Body.Close()
}

func (r *rig) intakeDB(t testing.TB) *database.DB {
	t.Helper()
	db := r.db
	if db == nil {
		t.Fatal("no database")
	}
	return db
}
