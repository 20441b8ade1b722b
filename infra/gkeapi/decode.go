package gkeapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"django-gke/infra/spelling"
)

// FieldError is one problem with one field of a manifest.
type FieldError struct {
	// Path is the json path of the field, with array indices, e.g.
	// "spec.healthCheck.type" or "spec.cdn.negativeCachingPolicy[1].code".
	Path string
	// Value is the offending value (nil for unknown or missing fields).
	Value any
	// Msg says what is wrong or what is allowed.
	Msg string
	// Source says where the rule is published (empty for JSON shape errors).
	Source string
}

func (e *FieldError) Error() string {
	path := e.Path
	if path == "" {
		path = "(root)"
	}
	if e.Value == nil {
		return path + ": " + e.Msg
	}
	return fmt.Sprintf("%s: %s is not allowed: %s", path, formatValue(e.Value), e.Msg)
}

// DecodeError collects every problem found in one manifest.
type DecodeError struct {
	// APIVersion, Kind and Name identify the manifest (each may be empty).
	APIVersion, Kind, Name string
	Errs                   []*FieldError
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	what := strings.TrimSpace(e.Kind + " " + quoteIf(e.Name))
	if what == "" {
		what = "manifest"
	}
	fmt.Fprintf(&b, "%s: %d problem(s)", what, len(e.Errs))
	for _, fe := range e.Errs {
		b.WriteString("\n  ")
		b.WriteString(fe.Error())
	}
	return b.String()
}

// Unwrap returns the individual *FieldError values (for errors.As / errors.Is).
func (e *DecodeError) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, fe := range e.Errs {
		out[i] = fe
	}
	return out
}

func quoteIf(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("%q", s)
}

func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case json.Number:
		return x.String()
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return fmt.Sprint(x)
	}
}

// DecodeStrict decodes one JSON manifest (a YAML manifest must be converted to
// JSON by the caller) of BackendConfig (cloud.google.com/v1), FrontendConfig
// (networking.gke.io/v1beta1), ManagedCertificate (networking.gke.io/v1),
// Gateway or HTTPRoute (gateway.networking.k8s.io/v1), HealthCheckPolicy or
// GCPBackendPolicy or GCPGatewayPolicy (networking.gke.io/v1) or ServiceExport (net.gke.io/v1),
// and returns a pointer to the matching type of this package (e.g. a
// *BackendConfig or a *Gateway).
//
// It fails on an unknown apiVersion/kind, on unknown fields (matched case
// sensitively, as the apiserver does; encoding/json alone would accept
// "HealthCheck" for "healthCheck"), on values of the wrong JSON type, on
// missing required fields, on values outside the validation table (enums,
// ranges, lengths, item counts, patterns) and on the cross-field rules: those
// of the ingress controller and the Compute Engine API, and the CEL
// validations of the Gateway API CRDs. The error is a *DecodeError listing
// every problem found. JSON null is treated as an absent field.
func DecodeStrict(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("gkeapi: not a JSON document: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("gkeapi: unexpected data after the JSON object (one manifest per call)")
	}
	root, ok := raw.(map[string]any)
	if !ok {
		return nil, &DecodeError{Errs: []*FieldError{{Value: raw, Msg: "a manifest must be a JSON object"}}}
	}

	de := &DecodeError{}
	de.APIVersion, _ = root["apiVersion"].(string)
	de.Kind, _ = root["kind"].(string)
	if md, ok := root["metadata"].(map[string]any); ok {
		de.Name, _ = md["name"].(string)
	}
	for _, key := range []string{"apiVersion", "kind"} {
		switch v := root[key].(type) {
		case string:
			if v == "" {
				de.Errs = append(de.Errs, &FieldError{Path: key, Msg: "required field is empty"})
			}
		case nil:
			de.Errs = append(de.Errs, &FieldError{Path: key, Msg: "required field is missing"})
		default:
			de.Errs = append(de.Errs, &FieldError{Path: key, Value: v, Msg: "must be a string"})
		}
	}
	if len(de.Errs) > 0 {
		return nil, de
	}
	k := lookupKind(de.APIVersion, de.Kind)
	if k == nil {
		de.Errs = append(de.Errs, &FieldError{Path: "apiVersion", Value: de.APIVersion + " " + de.Kind,
			Msg: "unsupported apiVersion/kind; supported: " + supportedKinds()})
		return nil, de
	}

	v := &validator{k: k}
	v.walk(root, k.goType, "", "")
	de.Errs = v.errs

	obj := reflect.New(k.goType).Interface()
	strict := json.NewDecoder(bytes.NewReader(data))
	strict.DisallowUnknownFields()
	decoded := true
	if err := strict.Decode(obj); err != nil {
		if len(de.Errs) == 0 {
			// The walk above is meant to find everything encoding/json does;
			// report the decoder's own words if it did not.
			de.Errs = append(de.Errs, &FieldError{Msg: err.Error()})
		}
		// Unknown fields already reported: decode leniently so that the
		// cross-field rules still get a look.
		obj = reflect.New(k.goType).Interface()
		decoded = json.Unmarshal(data, obj) == nil
	}
	if decoded && k.crossChecks != nil {
		de.Errs = append(de.Errs, k.crossChecks(obj)...)
	}
	if len(de.Errs) > 0 {
		return nil, de
	}
	return obj, nil
}

// Validate checks an object built in Go (a value of, or a pointer to, one of
// the resource types DecodeStrict returns) with the same rules as
// DecodeStrict. An empty apiVersion or kind is taken from the Go type.
func Validate(obj any) error {
	t := reflect.TypeOf(obj)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var k *kindInfo
	for _, ki := range kinds {
		if ki.goType == t {
			k = ki
		}
	}
	if k == nil {
		return fmt.Errorf("gkeapi: Validate: %T is not a type of this package", obj)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("gkeapi: Validate: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("gkeapi: Validate: %w", err)
	}
	if s, _ := m["apiVersion"].(string); s == "" {
		m["apiVersion"] = k.apiVersion()
	}
	if s, _ := m["kind"].(string); s == "" {
		m["kind"] = k.kind
	}
	if data, err = json.Marshal(m); err != nil {
		return fmt.Errorf("gkeapi: Validate: %w", err)
	}
	_, err = DecodeStrict(data)
	return err
}

func supportedKinds() string {
	var s []string
	for _, k := range kinds {
		s = append(s, k.apiVersion()+" "+k.kind)
	}
	return strings.Join(s, ", ")
}

// validator walks a decoded JSON value alongside the Go type it must fit.
type validator struct {
	k    *kindInfo
	errs []*FieldError
}

func (v *validator) add(path string, val any, msg, source string) {
	v.errs = append(v.errs, &FieldError{Path: path, Value: val, Msg: msg, Source: source})
}

// walk checks val against type t. rpath is the rule path ("[]" for array
// items), dpath the display path (with indices).
func (v *validator) walk(val any, t reflect.Type, rpath, dpath string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if val == nil {
		return // null: absent (the apiserver prunes nulls of non-nullable fields)
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := val.(map[string]any)
		if !ok {
			v.add(dpath, val, "must be an object", "")
			return
		}
		fields := jsonFields(t)
		byName := make(map[string]jsonField, len(fields))
		for _, jf := range fields {
			byName[jf.name] = jf
		}
		keys := make([]string, 0, len(m))
		for key := range m {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			jf, ok := byName[key]
			if !ok {
				v.add(joinPath(dpath, key), nil, unknownFieldMsg(key, fields), "")
				continue
			}
			v.walk(m[key], jf.typ, joinPath(rpath, key), joinPath(dpath, key))
		}
		for _, jf := range fields {
			if r, ok := v.k.rules[joinPath(rpath, jf.name)]; ok && r.required && m[jf.name] == nil {
				v.add(joinPath(dpath, jf.name), nil, "required field is missing", r.source)
			}
		}
	case reflect.Map:
		m, ok := val.(map[string]any)
		if !ok {
			v.add(dpath, val, "must be an object", "")
			return
		}
		if r, ok := v.k.rules[rpath]; ok && r.maxProperties != nil && int64(len(m)) > *r.maxProperties {
			v.add(dpath, fmt.Sprintf("%d entries", len(m)), fmt.Sprintf("must have at most %d entries", *r.maxProperties), r.source)
		}
		keys := make([]string, 0, len(m))
		for key := range m {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			if m[key] == nil {
				v.add(joinPath(dpath, key), nil, "must not be null", "")
				continue
			}
			v.walk(m[key], t.Elem(), rpath+"[]", joinPath(dpath, key))
		}
	case reflect.Slice:
		arr, ok := val.([]any)
		if !ok {
			v.add(dpath, val, "must be an array", "")
			return
		}
		if r, ok := v.k.rules[rpath]; ok {
			if r.maxItems != nil && int64(len(arr)) > *r.maxItems {
				v.add(dpath, fmt.Sprintf("%d items", len(arr)), fmt.Sprintf("must have at most %d items", *r.maxItems), r.source)
			}
			if r.minItems != nil && int64(len(arr)) < *r.minItems {
				v.add(dpath, fmt.Sprintf("%d items", len(arr)), minMsg(*r.minItems, "items"), r.source)
			}
		}
		for i, item := range arr {
			v.walk(item, t.Elem(), rpath+"[]", fmt.Sprintf("%s[%d]", dpath, i))
		}
	case reflect.String:
		s, ok := val.(string)
		if !ok {
			v.add(dpath, val, "must be a string", "")
			return
		}
		v.checkString(rpath, dpath, s)
	case reflect.Bool:
		if _, ok := val.(bool); !ok {
			v.add(dpath, val, "must be a boolean", "")
		}
	case reflect.Int64:
		num, ok := val.(json.Number)
		if !ok {
			v.add(dpath, val, "must be an integer", "")
			return
		}
		i, err := num.Int64()
		if err != nil {
			v.add(dpath, num, "must be an integer (64-bit, no fraction or exponent)", "")
			return
		}
		v.checkNumber(rpath, dpath, num, float64(i), i)
	case reflect.Float64:
		num, ok := val.(json.Number)
		if !ok {
			v.add(dpath, val, "must be a number", "")
			return
		}
		x, err := num.Float64()
		if err != nil {
			v.add(dpath, num, "must be a number", "")
			return
		}
		v.checkNumber(rpath, dpath, num, x, nil)
	default:
		panic(fmt.Sprintf("gkeapi: no JSON mapping for Go kind %s at %s", t.Kind(), rpath))
	}
}

func (v *validator) checkString(rpath, dpath, s string) {
	r, ok := v.k.rules[rpath]
	if !ok {
		return
	}
	if len(r.enum) > 0 && !slices.Contains(r.enum, any(s)) {
		v.add(dpath, s, "must be one of "+formatEnum(r.enum), r.source)
	}
	if r.maxLength != nil && int64(utf8.RuneCountInString(s)) > *r.maxLength {
		v.add(dpath, s, fmt.Sprintf("must be at most %d characters", *r.maxLength), r.source)
	}
	if r.minLength != nil && int64(utf8.RuneCountInString(s)) < *r.minLength {
		v.add(dpath, s, minMsg(*r.minLength, "characters"), r.source)
	}
	if re := v.k.patterns[rpath]; re != nil && !re.MatchString(s) {
		v.add(dpath, s, "must match "+r.pattern, r.source)
	}
	if r.format == "date-time" {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			v.add(dpath, s, "must be an RFC 3339 date-time", r.source)
		}
	}
}

// checkNumber applies the rule at rpath; asInt is the int64 value for
// integer fields (nil for number fields).
func (v *validator) checkNumber(rpath, dpath string, raw json.Number, x float64, asInt any) {
	r, ok := v.k.rules[rpath]
	if !ok {
		return
	}
	if len(r.enum) > 0 && (asInt == nil || !slices.Contains(r.enum, asInt)) {
		v.add(dpath, raw, "must be one of "+formatEnum(r.enum), r.source)
	}
	if (r.minimum != nil && x < *r.minimum) || (r.maximum != nil && x > *r.maximum) {
		v.add(dpath, raw, rangeMsg(r.minimum, r.maximum), r.source)
	}
}

// minMsg words a minimum length or item count.
func minMsg(n int64, unit string) string {
	if n == 1 {
		return "must not be empty"
	}
	return fmt.Sprintf("must have at least %d %s", n, unit)
}

func rangeMsg(lo, hi *float64) string {
	g := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("must be between %s and %s", g(*lo), g(*hi))
	case lo != nil:
		return "must be at least " + g(*lo)
	default:
		return "must be at most " + g(*hi)
	}
}

func formatEnum(enum []any) string {
	parts := make([]string, len(enum))
	for i, e := range enum {
		parts[i] = formatValue(e)
	}
	return strings.Join(parts, ", ")
}

// unknownFieldMsg names the closest known field when there is one (one edit
// away for names of up to four letters, two for longer ones).
func unknownFieldMsg(key string, fields []jsonField) string {
	names := make([]string, len(fields))
	for i, jf := range fields {
		names[i] = jf.name
	}
	limit := 2
	if len(key) <= 4 {
		limit = 1
	}
	if best, ok := spelling.Closest(key, names, limit); ok {
		return fmt.Sprintf("unknown field (did you mean %q?)", best)
	}
	return "unknown field (known: " + strings.Join(names, ", ") + ")"
}
