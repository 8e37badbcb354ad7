package main

import (
	"context"
	"fmt"

	"github.com/ehraz/ehraz/backoffice/database"
)

// check is what the stored dossiers say against what the kiosks were told.
type check struct {
	Stored      int // rows in the dossiers table
	Lost        int // acknowledged (201, or 200 naming an earlier delivery) but not stored under that receipt
	Missing     int // sent by a kiosk and not stored
	Duplicates  int // a session, national code or receipt event stored more than once, or a row no kiosk sent
	Wrong       int // stored under another kiosk than the one whose certificate sent it
	Undelivered int // a kiosk gave up (the run's time ran out or a refusal)
	Problems    []string
}

func (c *check) problem(format string, args ...any) {
	if len(c.Problems) < 10 {
		c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
	}
}

// verify reads the back office's database (after it stopped) and compares it with the
// deliveries.
func verify(ctx context.Context, engine, source string, deliveries []delivery) (c check, err error) {
	db, err := database.Open(ctx, engine, source)
	if err != nil {
		return c, fmt.Errorf("fleetbench: verify: %w", err)
	}
	defer db.Close()
	type row struct {
		id           int64
		session      string
		kiosk        string
		received     int
		nationalCode string
	}
	rows, err := db.QueryContext(ctx, `SELECT d.id, d.idempotency_key, d.session_id, d.kiosk_id, d.nc_hash,
		(SELECT COUNT(*) FROM dossier_events e WHERE e.dossier_id = d.id AND e.action = 'received') FROM dossiers d`)
	if err != nil {
		return c, fmt.Errorf("fleetbench: verify: %w", err)
	}
	defer rows.Close()
	stored := map[string]row{}
	sessions, codes := map[string]int{}, map[string]int{}
	for rows.Next() {
		var r row
		var key string
		var nc []byte
		if err := rows.Scan(&r.id, &key, &r.session, &r.kiosk, &nc, &r.received); err != nil {
			return c, fmt.Errorf("fleetbench: verify: %w", err)
		}
		r.nationalCode = string(nc)
		c.Stored++
		if _, dup := stored[key]; dup {
			c.Duplicates++
			c.problem("idempotency key %s stored twice", key)
		}
		stored[key] = r
		sessions[r.session]++
		codes[r.nationalCode]++
		if r.received != 1 {
			c.Duplicates++
			c.problem("dossier %d (%s) has %d receipt events", r.id, key, r.received)
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("fleetbench: verify: %w", err)
	}
	for s, n := range sessions {
		if n > 1 {
			c.Duplicates += n - 1
			c.problem("session %s stored %d times", s, n)
		}
	}
	for _, n := range codes {
		if n > 1 {
			c.Duplicates += n - 1
			c.problem("a national code stored %d times", n)
		}
	}
	sent := map[string]bool{}
	for _, d := range deliveries {
		sent[d.Key] = true
		r, ok := stored[d.Key]
		if d.Err != nil {
			c.Undelivered++
			c.problem("%s undelivered: %v", d.Key, d.Err)
		}
		switch {
		case !ok && d.Err == nil:
			c.Lost++
			c.Missing++
			c.problem("%s answered %d (receipt %d) but not stored", d.Key, d.Status, d.Receipt)
		case !ok:
			c.Missing++
		case d.Err == nil && r.id != d.Receipt:
			c.Lost++
			c.problem("%s answered receipt %d but stored as %d", d.Key, d.Receipt, r.id)
		}
		if ok && r.kiosk != d.Kiosk {
			c.Wrong++
			c.problem("%s sent by %s stored under %s", d.Key, d.Kiosk, r.kiosk)
		}
	}
	for key := range stored {
		if !sent[key] {
			c.Duplicates++
			c.problem("%s stored but sent by no kiosk", key)
		}
	}
	return c, nil
}
