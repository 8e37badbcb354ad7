package office

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

// Environment variables Load reads (the SMS gateway's key is EHRAZ_SMS_API_KEY, read at Start).
const (
	EnvConfig  = "EHRAZ_BACKOFFICE_CONFIG"   // the TOML file, like --config
	EnvAddr    = "EHRAZ_BACKOFFICE_ADDR"     // like --addr
	EnvDataDir = "EHRAZ_BACKOFFICE_DATA_DIR" // like --data
)

// Load reads the back office's configuration from args: Defaults, then the TOML file of
// --config (or EHRAZ_BACKOFFICE_CONFIG), then EHRAZ_BACKOFFICE_ADDR and _DATA_DIR, then the
// flags given on the command line; later wins. name and output are the flag set's (usage and
// errors go to output). A parse error or -h returns an error wrapping flag.ErrHelp or the
// flag package's message.
func Load(name string, args []string, output io.Writer) (Config, error) {
	cfg := Defaults()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(output)
	path := fs.String("config", os.Getenv(EnvConfig), "TOML configuration file (env "+EnvConfig+")")
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on (put TLS in front of it when it leaves loopback; env "+EnvAddr+")")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data folder: the database and keys/ (env "+EnvDataDir+")")
	fs.StringVar(&cfg.Engine, "engine", cfg.Engine, "database engine: sqlite (the --db file) or postgres (connection string from "+EnvPostgresDSN+" or postgres_dsn_file)")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "the intake's SQLite database [<data>/intake.db]")
	fs.StringVar(&cfg.KeysDir, "keys", cfg.KeysDir, "folder of intake.token, intake-admin.token, intake-data.key, created when missing [<data>/keys]")
	fs.StringVar(&cfg.GeoIP, "geoip", cfg.GeoIP, "MMDB country database (missing: only the allow-list is accepted)")
	fs.Var((*list)(&cfg.Allow), "allow", "comma-separated networks accepted whatever the database says")
	fs.Var((*list)(&cfg.TrustedProxies), "trusted-proxies", "comma-separated networks of TLS proxies whose X-Forwarded-For is believed")
	fs.StringVar(&cfg.SMS.Provider, "sms", cfg.SMS.Provider, "SMS provider of the bourse-code notice: console or gateway")
	fs.StringVar(&cfg.SMS.BaseURL, "sms-url", cfg.SMS.BaseURL, "gateway base URL")
	fs.StringVar(&cfg.SMS.APIKeyFile, "sms-key-file", cfg.SMS.APIKeyFile, "file holding the gateway API key (or EHRAZ_SMS_API_KEY)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(output, "%s: unexpected arguments %q\n", name, fs.Args())
		return Config{}, fmt.Errorf("%s: unexpected arguments %q", name, fs.Args())
	}
	// The flags were parsed before the file was known: keep what they set, lay the file and
	// the environment under it, then set them again.
	given := map[string]string{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = f.Value.String() })
	if *path != "" {
		cfg = Defaults()
		md, err := toml.DecodeFile(*path, &cfg)
		if err != nil {
			return Config{}, fmt.Errorf("back office configuration %s: %w", *path, err)
		}
		if extra := md.Undecoded(); len(extra) > 0 {
			return Config{}, fmt.Errorf("back office configuration %s: unknown settings %v", *path, extra)
		}
	}
	if v, ok := os.LookupEnv(EnvAddr); ok && v != "" {
		cfg.Addr = v
	}
	if v, ok := os.LookupEnv(EnvDataDir); ok && v != "" {
		cfg.DataDir = v
	}
	for name, v := range given {
		if err := fs.Set(name, v); err != nil {
			return Config{}, errors.Join(fmt.Errorf("flag --%s", name), err)
		}
	}
	return cfg, nil
}

// list is a comma-separated flag over a []string setting; setting it replaces the list.
type list []string

func (l *list) String() string { return strings.Join(*l, ",") }

func (l *list) Set(s string) error {
	*l = nil
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}
