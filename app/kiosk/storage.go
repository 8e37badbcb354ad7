package kiosk

import (
	"context"
	"path/filepath"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/outbox"
	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/services/otp"
)

// StoreOptions are the kiosk's store options: <data dir>/ehraz.db, <data dir>/keys/store.key and
// the migrations of every package whose tables live in that database (Schemas).
func StoreOptions(c config.Config) store.Options {
	return store.Options{Path: c.Path("ehraz.db"), KeyFile: c.Path(filepath.Join("keys", "store.key")), Schemas: Schemas()}
}

// Schemas registers the migrations of the packages that keep tables in the kiosk's database
// besides the store: the OTP codes and the outbox. The store applies them with its own, in
// version order. A new package with tables adds its set here.
func Schemas() []store.Schema {
	return []store.Schema{
		{Owner: "otp", FS: otp.Migrations, Dir: "migrations", Retention: store.Retention{
			ForgetSession: otp.ForgetSessionSQL,
			Log:           otp.SendLog, CountLog: otp.CountSendLogSQL, DeleteLog: otp.DeleteSendLogSQL, LogKept: otp.SendLogKept,
		}},
		{Owner: "outbox", FS: outbox.Migrations, Dir: "migrations", Retention: store.Retention{ForgetSession: outbox.ForgetSessionSQL}},
	}
}

// DossierSource hands the outbox the finished sessions the store reads.
func DossierSource(st *store.Store) outbox.Source {
	return outbox.SourceFunc(func(ctx context.Context, id string) (outbox.Session, error) {
		f, err := st.FinishedSession(ctx, id)
		if err != nil {
			return outbox.Session{}, err
		}
		return dossierSession(f), nil
	})
}

// dossierSession copies the store's finished session into the outbox's form.
func dossierSession(f store.Finished) outbox.Session {
	out := outbox.Session{
		SessionID: f.SessionID, Mode: f.Mode, ClientIP: f.ClientIP,
		Applicant: dossier.Applicant{Person: f.Applicant.Person, Mobile: kyc.Mobile(f.Applicant.Mobile),
			CardSerial: kyc.CardSerial(f.Applicant.CardSerial), CardKind: f.Applicant.CardKind},
		StartedAt: f.StartedAt, AcceptedAt: f.AcceptedAt,
	}
	if f.Audit.Seq > 0 {
		out.Audit = &dossier.AuditHead{Seq: f.Audit.Seq, MAC: f.Audit.MAC, KeyID: f.Audit.KeyID}
	}
	for _, c := range f.Checks {
		out.Checks = append(out.Checks, dossier.Check{Step: c.Step, Attempt: c.Attempt, At: c.At, Outcome: c.Outcome,
			Reasons: c.Reasons, Rules: c.Rules, Score: c.Score, DurationMS: c.DurationMS, Provenance: dossier.ProvenanceOf(c.Provenance)})
	}
	for _, m := range f.Media {
		out.Media = append(out.Media, outbox.PlainMedia{Name: m.Name, Format: m.Format, Data: m.Data, AuditHash: m.AuditHash})
	}
	return out
}
