package pin

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// OperatorsFile is the named operators' file under the data folder's keys/.
const OperatorsFile = "operators.json"

// MaxNameRunes bounds an operator's name (it is shown on a key and written in the audit).
const MaxNameRunes = 40

// Errors of the operator list.
var (
	ErrNameInvalid = errors.New("pin: an operator name is 1 to 40 characters, letters, digits, spaces, dots or dashes")
	ErrNameTaken   = errors.New("pin: an operator of that name exists")
	ErrNoOperator  = errors.New("pin: no operator of that name")
)

// Named is one named operator: their PIN only as a hash.
type Named struct {
	Name    string    `json:"name"`
	Hash    string    `json:"hash"`
	AddedAt time.Time `json:"added_at"`
}

// Operators is the kiosk's list of named operators, kept in keysDir/OperatorsFile (0600). Each
// decision in operator mode carries the name of whoever logged in.
type Operators struct {
	List []Named `json:"operators"`
}

// LoadOperators reads the list; a missing file is an empty list.
func LoadOperators(keysDir string) (Operators, error) {
	var ops Operators
	b, err := os.ReadFile(filepath.Join(keysDir, OperatorsFile))
	if errors.Is(err, os.ErrNotExist) {
		return ops, nil
	}
	if err != nil {
		return ops, fmt.Errorf("pin: read operators: %w", err)
	}
	if err := json.Unmarshal(b, &ops); err != nil {
		return ops, fmt.Errorf("pin: parse %s: %w", OperatorsFile, err)
	}
	return ops, nil
}

// Save writes the list atomically (0600).
func (o Operators) Save(keysDir string) error {
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return fmt.Errorf("pin: operators: %w", err)
	}
	return writeAtomic(keysDir, OperatorsFile, append(b, '\n'))
}

// NormalizeName trims a name and checks it.
func NormalizeName(name string) (string, error) {
	n := strings.Join(strings.Fields(name), " ")
	if n == "" || utf8.RuneCountInString(n) > MaxNameRunes {
		return "", ErrNameInvalid
	}
	for _, r := range n {
		if !(r == ' ' || r == '.' || r == '-' || r == '\u200c' || isLetterOrDigit(r)) {
			return "", ErrNameInvalid
		}
	}
	return n, nil
}

// Add appends an operator with the hash of their PIN.
func (o *Operators) Add(name, hash string, now time.Time) error {
	n, err := NormalizeName(name)
	if err != nil {
		return err
	}
	if _, ok := o.Find(n); ok {
		return ErrNameTaken
	}
	o.List = append(o.List, Named{Name: n, Hash: hash, AddedAt: now.UTC()})
	return nil
}

// Remove deletes an operator by name.
func (o *Operators) Remove(name string) error {
	n, _ := NormalizeName(name)
	i := slices.IndexFunc(o.List, func(op Named) bool { return op.Name == n })
	if i < 0 {
		return ErrNoOperator
	}
	o.List = slices.Delete(o.List, i, i+1)
	return nil
}

// Find returns the operator of that name.
func (o Operators) Find(name string) (Named, bool) {
	i := slices.IndexFunc(o.List, func(op Named) bool { return op.Name == name })
	if i < 0 {
		return Named{}, false
	}
	return o.List[i], true
}

// Names lists the operators' names in the file's order.
func (o Operators) Names() []string {
	out := make([]string, len(o.List))
	for i, op := range o.List {
		out[i] = op.Name
	}
	return out
}

// CheckOperator reports whether pin is the named operator's PIN.
func (o Operators) CheckOperator(name, pin string) bool {
	op, ok := o.Find(name)
	return ok && Check(op.Hash, pin)
}

func isLetterOrDigit(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') ||
		(r >= 0x0600 && r <= 0x06FF) // Persian and Arabic letters and digits
}

// writeAtomic replaces keysDir/name with b (0600) through a temporary file.
func writeAtomic(keysDir, name string, b []byte) error {
	if err := os.MkdirAll(keysDir, 0o700); err != nil {
		return fmt.Errorf("pin: keys folder: %w", err)
	}
	tmp, err := os.CreateTemp(keysDir, name+".*")
	if err != nil {
		return fmt.Errorf("pin: write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("pin: write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("pin: write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("pin: write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(keysDir, name)); err != nil {
		return fmt.Errorf("pin: write %s: %w", name, err)
	}
	return nil
}
