package office

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/fleet"
	"github.com/ehraz/ehraz/backoffice/review"
	"github.com/ehraz/ehraz/services/secrets"
	"github.com/ehraz/ehraz/services/sms"
)

// FaceCommands are the back office's face-calibration commands (issue 16 item 3), run by
// `ehraz-backoffice <command> …` on the back-office machine, which holds the database and the
// keys that open the media (so they are here and not in ehrazctl, the kiosk's tool):
//
//	face-consent --dossier ID --as NAME [--note TEXT]   record the applicant's consent (trail event)
//	face-export  --out DIR --as NAME                    write consented, reviewed pairs to DIR
//
// Both take the server's --config/--data/--engine/--db/--keys. NAME is recorded in the trail as
// "cli:NAME" with the supervisor role: whoever runs them holds the server's keys.
var FaceCommands = []string{"face-consent", "face-export"}

// FaceCommand runs one of FaceCommands and returns the exit code.
func FaceCommand(ctx context.Context, prog, cmd string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(prog+" "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	as := fs.String("as", "", "your name, for the dossiers' trail (required)")
	out := fs.String("out", "", "face-export: the folder the photos are decrypted into (new or empty; required)")
	id := fs.Int64("dossier", 0, "face-consent: the dossier id")
	note := fs.String("note", "", "face-consent: where the signed consent is kept")
	pass := map[string]*string{}
	for _, n := range []string{"config", "data", "engine", "db", "keys"} {
		pass[n] = fs.String(n, "", "as for the server")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var loadArgs []string
	fs.Visit(func(f *flag.Flag) {
		if p, ok := pass[f.Name]; ok {
			loadArgs = append(loadArgs, "-"+f.Name, *p)
		}
	})
	if *as == "" || (cmd == "face-export" && *out == "") || (cmd == "face-consent" && *id <= 0) {
		fmt.Fprintf(stderr, "%s %s: --as and (face-export) --out or (face-consent) --dossier are required\n", prog, cmd)
		return 2
	}
	cfg, err := Load(prog, loadArgs, stderr)
	if err != nil {
		return 2
	}
	rv, media, closeDB, err := openReview(ctx, cfg.resolved())
	if err != nil {
		fmt.Fprintf(stderr, "%s %s: %v\n", prog, cmd, err)
		return 1
	}
	defer closeDB()
	by := review.Actor{Name: "cli:" + *as, Role: review.RoleSupervisor}
	switch cmd {
	case "face-consent":
		if err := rv.RecordFaceConsent(ctx, *id, by, *note); err != nil {
			fmt.Fprintf(stderr, "%s %s: dossier %d: %v\n", prog, cmd, *id, err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: consent recorded for dossier %d\n", cmd, *id)
	case "face-export":
		rep, err := rv.ExportFaces(ctx, review.FaceExportOptions{Dir: *out, MediaKey: media, By: by})
		if err != nil {
			fmt.Fprintf(stderr, "%s %s: %v\n", prog, cmd, err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: %s same=%d different=%d", cmd, *out, rep.Same, rep.Different)
		reasons := make([]string, 0, len(rep.Skipped))
		for r := range rep.Skipped {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			fmt.Fprintf(stdout, " skipped.%s=%d", r, rep.Skipped[r])
		}
		fmt.Fprintf(stdout, "\nnext: ehrazctl eval face --data %s --calibrate --out FILE (then delete %s)\n", *out, *out)
	default:
		fmt.Fprintf(stderr, "%s: unknown command %s\n", prog, cmd)
		return 2
	}
	return 0
}

// openReview opens the database and keys as the server does, without serving: the review
// service and the media key of each kiosk (its enrolled key, else the shared transport key).
func openReview(ctx context.Context, cfg Config) (*review.Service, func(string) []byte, func(), error) {
	dataKey, err := secrets.LoadKey(cfg.DataKeyFile)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("data key: %w", err)
	}
	source := cfg.DB
	if cfg.Engine == database.Postgres {
		if source, err = secrets.Secret(EnvPostgresDSN, cfg.PostgresDSNFile); err != nil || source == "" {
			return nil, nil, nil, fmt.Errorf("engine postgres needs %s or postgres_dsn_file: %v", EnvPostgresDSN, err)
		}
	} else if _, err := os.Stat(cfg.DB); err != nil {
		return nil, nil, nil, fmt.Errorf("database: %w", err)
	}
	db, err := database.Open(ctx, cfg.Engine, source)
	if err != nil {
		return nil, nil, nil, err
	}
	ca, err := fleet.LoadOrCreateCA(cfg.KeysDir, time.Now())
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	reg := fleet.NewRegistry(db, ca, dataKey, time.Now)
	shared, _ := secrets.LoadKey(cfg.MediaKeyFile)
	rv, err := review.New(db, review.Config{DataKey: dataKey, SMS: sms.NewConsole(1)})
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	media := func(kiosk string) []byte {
		if k := reg.MediaKey(ctx, kiosk); k != nil {
			return k
		}
		return shared
	}
	return rv, media, func() { db.Close() }, nil
}
