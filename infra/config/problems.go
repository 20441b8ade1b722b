package config

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Problem is one rejected configuration value.
type Problem struct {
	// Key is the fully qualified config key, e.g. "django-gke:capacity".
	Key string
	// Field is the path inside the key's object, e.g. "authorizedNetworks[0].cidr"; empty for the key itself.
	Field string
	// Value is the rejected value as JSON text ("-5", "\"red\"").
	Value string
	// Rule says what is allowed.
	Rule string
}

// Path is "key.field", or the key alone.
func (p Problem) Path() string {
	if p.Field == "" {
		return p.Key
	}
	return p.Key + "." + p.Field
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s is not allowed: %s", p.Path(), p.Value, p.Rule)
}

// Problems is every problem found in one configuration; it is the error that
// Load returns, so callers print all of them at once.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, 0, len(ps)+1)
	noun := "problem"
	if len(ps) != 1 {
		noun = "problems"
	}
	lines = append(lines, fmt.Sprintf("invalid stack configuration (%d %s):", len(ps), noun))
	for _, p := range ps {
		lines = append(lines, "  "+p.String())
	}
	return strings.Join(lines, "\n")
}

// add records a problem with a Go value shown as JSON.
func (ps *Problems) add(key, field string, value any, rule string, args ...any) {
	ps.addRaw(key, field, show(value), rule, args...)
}

// addRaw records a problem whose value is already JSON text.
func (ps *Problems) addRaw(key, field, valueJSON string, rule string, args ...any) {
	if len(args) > 0 {
		rule = fmt.Sprintf(rule, args...)
	}
	*ps = append(*ps, Problem{Key: key, Field: field, Value: shorten(valueJSON), Rule: rule})
}

// show renders a value the way it would be written in a stack file's JSON.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// shorten keeps messages readable when someone pastes a huge value.
func shorten(s string) string {
	const max = 120
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
