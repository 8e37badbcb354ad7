package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/domain/dossier"
)

// Face calibration from real decisions (issue 16 item 3): a reviewer's approve or reject of a
// dossier is a label on its selfie ↔ registry-photo pair. With the applicant's consent recorded
// (RecordFaceConsent, an audit event), ExportFaces writes those pairs as a labelled folder that
// `ehrazctl eval face --data DIR --calibrate` reads: the two photos of each dossier and a
// people.tsv naming one person for an approval and two for a face-mismatch rejection.
const (
	// ActionFaceConsent is the trail event recording the applicant's consent to the use of their
	// two photos for calibrating the face match.
	ActionFaceConsent = "face_consent"
	// ActionFaceExport is the trail event of each dossier whose photos were exported.
	ActionFaceExport = "face_export"
	// ReasonFaceMismatch is the rejection that labels a pair as two different people.
	ReasonFaceMismatch = "review.reason.face_mismatch"
)

// ErrExportDir: the export folder must be named, and new or empty (photos are never mixed with
// another export's or written over).
var ErrExportDir = errors.New("face export: the folder must be new or empty")

// RecordFaceConsent records, as a trail event, that the applicant of dossier id consented to the
// calibration use of their photos (note: where the signed consent is kept). A reviewer or
// supervisor records it; nothing else of the dossier changes.
func (s *Service) RecordFaceConsent(ctx context.Context, id int64, by Actor, note string) error {
	if !by.Role.CanDecide() {
		return ErrForbidden
	}
	sealed, err := s.sealNote(note)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		var st string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM dossiers WHERE id = ?`, id).Scan(&st); err != nil {
			return ErrNotFound
		}
		return s.event(ctx, tx, id, s.now().UnixMilli(), by, ActionFaceConsent, Status(st), Status(st), "", sealed)
	})
}

func (s *Service) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// FaceExportOptions says where the photos go and how to open them.
type FaceExportOptions struct {
	// Dir is the folder the operator names; it is created, and must be new or empty.
	Dir string
	// MediaKey returns the transport key of a kiosk's media (the console's key, or the fleet's
	// per-kiosk key); nil when there is none.
	MediaKey func(kioskID string) []byte
	// By is who exports (recorded in each exported dossier's trail).
	By Actor
}

// FaceExportReport counts what was exported and what was left out, and why.
type FaceExportReport struct {
	Same, Different int            // dossiers exported as one person / as two
	Skipped         map[string]int // reason → dossiers with consent left out
}

// faceLabel is the human decision that labels a dossier's pair.
func faceLabel(c Case) (same bool, ok bool, why string) {
	switch c.Status {
	case Approved, SentToCSDI, BourseCodeIssued, Rejected:
	default:
		return false, false, "no_human_decision"
	}
	for i := len(c.Events) - 1; i >= 0; i-- {
		e := c.Events[i]
		if !e.Role.CanDecide() {
			continue
		}
		switch Action(e.Action) {
		case Approve:
			return true, c.Status != Rejected, "no_human_decision"
		case Reject:
			if e.Reason == ReasonFaceMismatch {
				return false, c.Status == Rejected, "no_human_decision"
			}
			return false, false, "rejected_not_face"
		}
	}
	return false, false, "no_human_decision"
}

// ExportFaces writes every consented, human-decided dossier's registry photo and selfie to
// opt.Dir (decrypted only there, each checked against its SHA-256) with a people.tsv, and records
// a face_export event in each exported dossier's trail. Dossiers left out are counted by reason.
func (s *Service) ExportFaces(ctx context.Context, opt FaceExportOptions) (FaceExportReport, error) {
	rep := FaceExportReport{Skipped: map[string]int{}}
	if !opt.By.Role.CanDecide() {
		return rep, ErrForbidden
	}
	if opt.Dir == "" || opt.MediaKey == nil {
		return rep, ErrExportDir
	}
	if ents, err := os.ReadDir(opt.Dir); err == nil && len(ents) > 0 {
		return rep, fmt.Errorf("%w: %s", ErrExportDir, opt.Dir)
	}
	if err := os.MkdirAll(opt.Dir, 0o700); err != nil {
		return rep, fmt.Errorf("face export: %w", err)
	}
	ids, err := s.ids(ctx, `SELECT DISTINCT dossier_id FROM dossier_events WHERE action = ?`, ActionFaceConsent)
	if err != nil {
		return rep, err
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	people := []string{"file\tperson\tnote"}
	var exported []int64
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		c, err := s.Get(ctx, id)
		if err != nil {
			return rep, err
		}
		same, ok, why := faceLabel(c)
		if !ok {
			rep.Skipped[why]++
			continue
		}
		if c.Purged {
			rep.Skipped["purged"]++
			continue
		}
		files, why := s.exportPair(c, opt)
		if files == nil {
			rep.Skipped[why]++
			continue
		}
		d := "d" + strconv.FormatInt(id, 10)
		if same {
			rep.Same++
			people = append(people, files[0]+"\t"+d+"\tregistry photo, approved", files[1]+"\t"+d+"\tselfie, approved")
		} else {
			rep.Different++
			people = append(people, files[0]+"\t"+d+"-registry\tregistry photo, rejected: face mismatch", files[1]+"\t"+d+"-applicant\tselfie, rejected: face mismatch")
		}
		exported = append(exported, id)
	}
	if err := os.WriteFile(filepath.Join(opt.Dir, "people.tsv"), []byte(strings.Join(people, "\n")+"\n"), 0o600); err != nil {
		return rep, fmt.Errorf("face export: %w", err)
	}
	sealed, err := s.sealNote("exported to " + opt.Dir)
	if err != nil {
		return rep, err
	}
	at := s.now().UnixMilli()
	for _, id := range exported {
		err := s.db.InTx(ctx, func(tx *database.Tx) error {
			var st string
			if err := tx.QueryRowContext(ctx, `SELECT status FROM dossiers WHERE id = ?`, id).Scan(&st); err != nil {
				return fmt.Errorf("face export: %w", err)
			}
			return s.event(ctx, tx, id, at, opt.By, ActionFaceExport, Status(st), Status(st), "", sealed)
		})
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// exportPair decrypts the dossier's registry photo and selfie into opt.Dir as d<id>-registry.<ext>
// and d<id>-selfie.<ext>; nil and a reason when either is missing or cannot be opened.
func (s *Service) exportPair(c Case, opt FaceExportOptions) ([]string, string) {
	want := []string{"registry.photo", "selfie"}
	var media [2]*dossier.Media
	for i := range c.Dossier.Media {
		for j, n := range want {
			if c.Dossier.Media[i].Name == n {
				media[j] = &c.Dossier.Media[i]
			}
		}
	}
	if media[0] == nil || media[1] == nil {
		return nil, "photo_missing"
	}
	key := opt.MediaKey(c.KioskID)
	if len(key) != 32 {
		return nil, "no_media_key"
	}
	files := make([]string, 2)
	plain := make([][]byte, 2)
	for j, m := range media {
		if len(m.Sealed) == 0 {
			return nil, "photo_purged"
		}
		b, err := dossier.Open(key, m.Sealed, []byte(c.Key+"/"+m.Name))
		if err != nil {
			return nil, "photo_unreadable"
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != m.SHA256 {
			return nil, "photo_hash_mismatch"
		}
		ext := strings.Trim(strings.ToLower(m.Format), "./")
		if ext == "" || strings.ContainsAny(ext, `/\`) {
			ext = "jpg"
		}
		files[j] = fmt.Sprintf("d%d-%s.%s", c.ID, strings.TrimSuffix(m.Name, ".photo"), ext)
		plain[j] = b
	}
	for j := range files {
		if err := os.WriteFile(filepath.Join(opt.Dir, files[j]), plain[j], 0o600); err != nil {
			return nil, "write_failed"
		}
	}
	return files, ""
}
