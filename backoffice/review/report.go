package review

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Day is one day of the supervisor's report.
type Day struct {
	Date         time.Time // midnight, in the report's location
	Received     int
	AutoApproved int
	Reviewed     int            // decisions made by people (approve, reject, ask, confirmations)
	Rejected     map[string]int // by reason key
	// MedianToDecision is the median time from receipt to a person's final decision (approve
	// or reject) for the dossiers decided that day; 0 when none.
	MedianToDecision time.Duration
}

// Report counts, per day in loc from from (inclusive) to to (exclusive), what the back office
// received and decided.
func (s *Service) Report(ctx context.Context, from, to time.Time, loc *time.Location) ([]Day, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.at, e.action, e.to_status, e.reason, d.received_at
		FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id
		WHERE e.at >= ? AND e.at < ? AND e.action IN ('received', 'auto_approved', 'approve', 'reject', 'ask', 'confirmed_approve', 'confirmed_reject', 'declined_approve', 'declined_reject')
		ORDER BY e.at`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("review: report: %w", err)
	}
	defer rows.Close()
	days := map[time.Time]*Day{}
	waits := map[time.Time][]time.Duration{}
	for rows.Next() {
		var at, received int64
		var action, toStatus, reason string
		if err := rows.Scan(&at, &action, &toStatus, &reason, &received); err != nil {
			return nil, fmt.Errorf("review: report: %w", err)
		}
		t := time.UnixMilli(at).In(loc)
		key := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		d := days[key]
		if d == nil {
			d = &Day{Date: key, Rejected: map[string]int{}}
			days[key] = d
		}
		switch action {
		case "received":
			d.Received++
		case "auto_approved":
			d.AutoApproved++
		default:
			d.Reviewed++
		}
		if Status(toStatus) == Rejected {
			d.Rejected[reason]++
		}
		if Status(toStatus) == Rejected || Status(toStatus) == Approved {
			waits[key] = append(waits[key], time.Duration(at-received)*time.Millisecond)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review: report: %w", err)
	}
	out := make([]Day, 0, len(days))
	for k, d := range days {
		d.MedianToDecision = median(waits[k])
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b Day) int { return a.Date.Compare(b.Date) })
	return out, nil
}

func median(v []time.Duration) time.Duration {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
