package config

import "time"

// Services is the [services] section: SMS, OTP, SEJAM/Shahkar and civil registry (or their
// in-process simulator), geo-IP, eligibility and the dossier intake. The wiring (app/kiosk)
// turns it into each package's own configuration. Secrets are never in it: each *_file names a
// file holding the secret (or the matching EHRAZ_* environment variable overrides it).
type Services struct {
	// KeysDir holds the generated demo keys (otp.key, outbox.key, transport.key) ["<data_dir>/keys"].
	KeysDir string `toml:"keys_dir"`

	SMS struct {
		// Provider is "console" (demo: the code shows on the operator screen) or "gateway".
		Provider   string `toml:"provider"`
		BaseURL    string `toml:"base_url"`     // gateway only
		APIKeyFile string `toml:"api_key_file"` // gateway only; env EHRAZ_SMS_API_KEY
		Template   string `toml:"template"`     // OTP template name at the gateway
	} `toml:"sms"`

	OTP OTP `toml:"otp"`

	Simulator struct {
		// Enabled starts the SEJAM/Shahkar/registry simulator in-process and points the clients
		// at it (demo). Off when going live.
		Enabled  bool   `toml:"enabled"`
		Addr     string `toml:"addr"`      // loopback ["127.0.0.1:8787"]
		Seed     string `toml:"seed"`      // identities file [embedded seed]
		PhotoDir string `toml:"photo_dir"` // [<shared>/testdata/faces]
	} `toml:"simulator"`

	Sejam struct {
		BaseURL        string `toml:"base_url"`
		Username       string `toml:"username"`
		PasswordFile   string `toml:"password_file"` // env EHRAZ_SEJAM_PASSWORD
		ShahkarURL     string `toml:"shahkar_url"`
		ShahkarKeyFile string `toml:"shahkar_key_file"` // env EHRAZ_SHAHKAR_KEY
	} `toml:"sejam"`

	Registry struct {
		BaseURL    string `toml:"base_url"`
		APIKeyFile string `toml:"api_key_file"` // env EHRAZ_REGISTRY_KEY
	} `toml:"registry"`

	GeoIP struct {
		DB string `toml:"db"` // MMDB country file [".cache/geoip/geo-whois-asn-country.mmdb"]
	} `toml:"geoip"`

	Eligibility Eligibility `toml:"eligibility"`

	Intake struct {
		URL              string `toml:"url"`                // the brokerage's intake
		TokenFile        string `toml:"token_file"`         // env EHRAZ_INTAKE_TOKEN
		TransportKeyFile string `toml:"transport_key_file"` // shared with the intake [<keys_dir>/transport.key]
		// Embedded starts the reference intake in-process on Addr with its database at DB (demo).
		Embedded       bool   `toml:"embedded"`
		Addr           string `toml:"addr"` // ["127.0.0.1:8790"]
		DB             string `toml:"db"`   // [<data_dir>/intake.db]
		AdminTokenFile string `toml:"admin_token_file"`
	} `toml:"intake"`
}

// OTP is [services.otp], our own one-time codes (services/otp). Zero values take the service's
// defaults (in brackets); the durations are not in the file.
type OTP struct {
	Template    string        `toml:"template"`     // gateway template ["ehraz-otp"]
	Digits      int           `toml:"digits"`       // code length [6]
	TTL         time.Duration `toml:"-"`            // code lifetime [2m]
	MaxAttempts int           `toml:"max_attempts"` // tries per code [5]
	ResendAfter time.Duration `toml:"-"`            // resend cooldown [60s]
	// Window and the two limits: at most PerNumber sends to one number and PerKiosk sends from
	// this kiosk within Window [1h, 5, 60].
	Window    time.Duration `toml:"-"`
	PerNumber int           `toml:"per_number"`
	PerKiosk  int           `toml:"per_kiosk"`
}

// Eligibility is [services.eligibility] (domain/eligibility).
type Eligibility struct {
	// InBranch says the kiosk stands inside a branch on the brokerage's own network: only then
	// is the IP rule skipped in kiosk mode.
	InBranch bool `toml:"in_branch"`
	// PublicIP is the address a kiosk outside a branch reaches the internet from, used when the
	// request carries no client address.
	PublicIP string `toml:"public_ip"`
	// AllowCountries are the accepted ISO country codes ["IR"].
	AllowCountries []string `toml:"allow_countries"`
	// AllowNetworks are CIDRs accepted whatever the database says (the brokerage's ranges,
	// a counter-service office's line).
	AllowNetworks []string `toml:"allow_networks"`
	// MinAge is the minimum age in Jalali years [18].
	MinAge int `toml:"min_age"`
}

// DemoServices is the services configuration `make run` uses: console SMS, simulator and
// intake in-process.
func DemoServices() Services {
	var c Services
	c.SMS.Provider = "console"
	c.Simulator.Enabled = true
	c.Intake.Embedded = true
	c.Eligibility.InBranch = true // a demo kiosk stands on loopback, not on the internet
	return c
}
