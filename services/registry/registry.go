// Package registry is the client of the civil-registry card inquiry (ثبت احوال, through an
// inquiry provider) used at step 5: it checks that the card serial belongs to the national code
// and birth date, and brings back the person's data and reference photo for the face match.
// It implements flow.Registry; refusals become *problem.Error values with "registry.*" keys.
//
// Shape (inquiry providers' envelope): POST {BaseURL}/card {nationalCode, birthDate,
// serialNumber} with a bearer API key → {success, code, data:{firstName, lastName, fatherName,
// gender, birthDate, alive, cardKind, photo:{format,width,height,data(base64)}}, message}.
package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/domain/problem"
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/services/apicall"
)

// Config says where the inquiry is; APIKey comes from a file or the environment.
type Config struct {
	BaseURL string         `toml:"base_url"` // e.g. "http://127.0.0.1:8787/registry/v1"
	APIKey  string         `toml:"-"`
	Policy  apicall.Policy `toml:"-"`
}

// Client implements flow.Registry.
type Client struct {
	cfg  Config
	http *http.Client
}

var _ flow.Registry = (*Client)(nil)

// New checks the configuration and returns the client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, fmt.Errorf("registry: base_url is required")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Client{cfg: cfg, http: &http.Client{}}, nil
}

type reply struct {
	Success bool   `json:"success"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Data    *struct {
		NationalCode string       `json:"nationalCode"`
		FirstName    string       `json:"firstName"`
		LastName     string       `json:"lastName"`
		FatherName   string       `json:"fatherName"`
		Gender       string       `json:"gender"`
		BirthDate    string       `json:"birthDate"`
		PlaceOfBirth string       `json:"placeOfBirth"`
		Alive        *bool        `json:"alive"`
		CardKind     kyc.CardKind `json:"cardKind"`
		Photo        *struct {
			Format string `json:"format"`
			Width  int    `json:"width"`
			Height int    `json:"height"`
			Data   string `json:"data"`
		} `json:"photo"`
	} `json:"data"`
}

// VerifyCard implements flow.Registry. A deceased person is refused with
// "registry.deceased": a card of a dead person must never pass, whatever the flow does next.
func (c *Client) VerifyCard(ctx context.Context, nationalCode kyc.NationalCode, birthDate string, serial kyc.CardSerial) (flow.RegistryRecord, error) {
	resp, err := apicall.Do(ctx, c.http, c.cfg.Policy, apicall.Request{Method: http.MethodPost, URL: c.cfg.BaseURL + "/card",
		Header: http.Header{"Authorization": {"Bearer " + c.cfg.APIKey}},
		Body:   map[string]string{"nationalCode": string(nationalCode), "birthDate": birthDate, "serialNumber": strings.ToUpper(string(serial))}})
	if err != nil {
		if ue, ok := err.(*apicall.UnavailableError); ok && ue.Timeout {
			return flow.RegistryRecord{}, problem.Wrap("registry.timeout", fmt.Errorf("registry: %w", err))
		}
		return flow.RegistryRecord{}, problem.Wrap("registry.unavailable", fmt.Errorf("registry: %w", err))
	}
	var r reply
	if derr := resp.Decode(&r); derr != nil {
		return flow.RegistryRecord{}, problem.Wrap("registry.unavailable", derr)
	}
	cause := fmt.Errorf("registry: http %d code %s", resp.Status, r.Code)
	if resp.Status != http.StatusOK || !r.Success || r.Data == nil {
		key := map[string]string{
			"PERSON_NOT_FOUND":    "registry.not_found",
			"BIRTH_DATE_MISMATCH": "registry.birth_date_mismatch",
			"SERIAL_MISMATCH":     "registry.serial_mismatch",
			"CARD_REVOKED":        "registry.card_revoked",
		}[r.Code]
		if key == "" {
			key = "registry.unavailable"
		}
		return flow.RegistryRecord{}, problem.Wrap(key, cause)
	}
	d := r.Data
	if d.Alive == nil {
		return flow.RegistryRecord{}, problem.Wrap("registry.unavailable", fmt.Errorf("registry: answer lacks alive status"))
	}
	if !*d.Alive {
		return flow.RegistryRecord{}, problem.Wrap("registry.deceased", cause)
	}
	if d.CardKind != kyc.SmartCard && d.CardKind != kyc.CardReceipt {
		// Only the smart card or its receipt is accepted (product rule); older cards are not.
		return flow.RegistryRecord{}, problem.Wrap("registry.card_not_smart", fmt.Errorf("registry: card kind %q", d.CardKind))
	}
	rec := flow.RegistryRecord{
		Person: kyc.Person{NationalCode: kyc.NationalCode(d.NationalCode), FirstName: d.FirstName, LastName: d.LastName, FatherName: d.FatherName,
			Gender: d.Gender, BirthDate: d.BirthDate, PlaceOfBirth: d.PlaceOfBirth},
		Kind:  d.CardKind,
		Alive: true,
	}
	if d.Photo != nil && d.Photo.Data != "" {
		b, err := base64.StdEncoding.DecodeString(d.Photo.Data)
		if err != nil {
			return flow.RegistryRecord{}, problem.Wrap("registry.unavailable", fmt.Errorf("registry: photo: %w", err))
		}
		rec.Photo = sdk.Image{Data: b, Format: d.Photo.Format, Width: d.Photo.Width, Height: d.Photo.Height}
	}
	return rec, nil
}
