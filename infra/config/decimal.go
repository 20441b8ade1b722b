package config

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// Decimal is an exact decimal number as written in a stack file. The capacity
// model rounds up pod counts, so 0.1-style inputs must not pick up binary
// floating-point noise on the way (10000 / (300 / 1.5) is exactly 50, not
// 50.00000000000001).
type Decimal struct {
	rat *big.Rat // nil means zero
}

// decimalSyntax is a JSON number (or the same text in a string) with a bounded
// exponent: 1e999999999 would otherwise make big.Rat allocate gigabytes.
var decimalSyntax = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?([eE][+-]?[0-9]{1,2})?$`)

// ParseDecimal parses a decimal number such as "10000", "0.7" or "1.5e3".
func ParseDecimal(s string) (Decimal, error) {
	s = strings.TrimSpace(s)
	if !decimalSyntax.MatchString(s) {
		return Decimal{}, fmt.Errorf("must be a decimal number (at most 18 digits before and after the point)")
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Decimal{}, fmt.Errorf("must be a decimal number")
	}
	return Decimal{rat: r}, nil
}

// MustDecimal is ParseDecimal for constants in this package's defaults.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(fmt.Sprintf("bad decimal constant %q: %v", s, err))
	}
	return d
}

// DecimalFromInt returns n as a Decimal.
func DecimalFromInt(n int64) Decimal { return Decimal{rat: new(big.Rat).SetInt64(n)} }

// Rat returns a copy of the exact value.
func (d Decimal) Rat() *big.Rat {
	if d.rat == nil {
		return new(big.Rat)
	}
	return new(big.Rat).Set(d.rat)
}

// Float64 returns the nearest float64, for display and for non-exact maths.
func (d Decimal) Float64() float64 {
	f, _ := d.Rat().Float64()
	return f
}

// Sign is -1, 0 or +1.
func (d Decimal) Sign() int { return d.Rat().Sign() }

// IsZero reports whether d is zero (also the zero value).
func (d Decimal) IsZero() bool { return d.Sign() == 0 }

// Cmp compares d with o like big.Rat.Cmp.
func (d Decimal) Cmp(o Decimal) int { return d.Rat().Cmp(o.Rat()) }

// String prints the shortest exact decimal form ("0.7", "10000").
func (d Decimal) String() string {
	r := d.Rat()
	if r.IsInt() {
		return r.Num().String()
	}
	// Every value parsed from decimal text has a terminating expansion.
	if prec, exact := r.FloatPrec(); exact {
		return r.FloatString(prec)
	}
	return r.FloatString(18)
}

// MarshalJSON writes the number unquoted.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON accepts a JSON number, or a string holding one (the Pulumi CLI
// stores `config set --path` values as strings unless told otherwise).
func (d *Decimal) UnmarshalJSON(b []byte) error {
	text := string(b)
	if strings.HasPrefix(text, `"`) {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("must be a number")
		}
		text = s
	}
	parsed, err := ParseDecimal(text)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// ratQuo is d / n as a Decimal.
func (d Decimal) ratQuo(n int64) Decimal {
	return Decimal{rat: new(big.Rat).Quo(d.Rat(), big.NewRat(n, 1))}
}
