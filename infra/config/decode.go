package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"django-gke/infra/spelling"
)

// The stock encoding/json decoder stops at the first error and (without
// DisallowUnknownFields) ignores typos. This decoder walks the target struct
// instead, so one pass reports every unknown field and every value of the
// wrong type, each with its path, and overlays only the fields present: the
// struct passed in already holds the environment defaults.

var decimalType = reflect.TypeOf(Decimal{})

// decodeObject overlays the JSON object raw onto dst, a pointer to a struct.
func decodeObject(ps *Problems, key, raw string, dst any) {
	v := reflect.ValueOf(dst).Elem()
	text := []byte(strings.TrimSpace(raw))
	if !json.Valid(text) {
		// Not JSON at all: the stack file holds a plain string where an object belongs.
		ps.add(key, "", raw, "must be an object with the fields %s", fieldList(v.Type()))
		return
	}
	decodeValue(ps, key, "", text, v)
}

func decodeValue(ps *Problems, key, path string, raw json.RawMessage, v reflect.Value) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		ps.addRaw(key, path, "null", "must be %s; leave the field out to use the default", describe(v.Type()))
		return
	}
	switch {
	case v.Type() == decimalType:
		var d Decimal
		if err := d.UnmarshalJSON(raw); err != nil {
			ps.addRaw(key, path, compact(raw), "%s", err.Error())
			return
		}
		v.Set(reflect.ValueOf(d))
	case v.Kind() == reflect.Struct:
		decodeStruct(ps, key, path, raw, v)
	case v.Kind() == reflect.Slice:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			ps.addRaw(key, path, compact(raw), "must be %s", describe(v.Type()))
			return
		}
		out := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, item := range items {
			decodeValue(ps, key, fmt.Sprintf("%s[%d]", path, i), item, out.Index(i))
		}
		v.Set(out)
	case v.Kind() == reflect.Map:
		var entries map[string]json.RawMessage
		if err := json.Unmarshal(raw, &entries); err != nil {
			ps.addRaw(key, path, compact(raw), "must be %s", describe(v.Type()))
			return
		}
		out := reflect.MakeMapWithSize(v.Type(), len(entries))
		for _, name := range sortedKeys(entries) {
			elem := reflect.New(v.Type().Elem()).Elem()
			decodeValue(ps, key, join(path, name), entries[name], elem)
			out.SetMapIndex(reflect.ValueOf(name), elem)
		}
		v.Set(out)
	case v.Kind() == reflect.String:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			ps.addRaw(key, path, compact(raw), "must be a string")
			return
		}
		v.SetString(s)
	case v.Kind() == reflect.Bool:
		b, ok := parseBool(raw)
		if !ok {
			ps.addRaw(key, path, compact(raw), "must be true or false")
			return
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int:
		n, ok := parseInt(raw)
		if !ok {
			ps.addRaw(key, path, compact(raw), "must be a whole number")
			return
		}
		v.SetInt(n)
	default:
		// A field type this decoder does not know is a programming error in
		// this package; report it instead of panicking.
		ps.addRaw(key, path, compact(raw), "cannot be decoded into %s", v.Type())
	}
}

func decodeStruct(ps *Problems, key, path string, raw json.RawMessage, v reflect.Value) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		ps.addRaw(key, path, compact(raw), "must be an object with the fields %s", fieldList(v.Type()))
		return
	}
	index := fieldIndex(v.Type())
	for _, name := range sortedKeys(fields) {
		i, ok := index[name]
		if !ok {
			ps.addRaw(key, join(path, name), compact(fields[name]), "unknown field%s; allowed fields: %s",
				suggestion(name, v.Type()), fieldList(v.Type()))
			continue
		}
		decodeValue(ps, key, join(path, name), fields[name], v.Field(i))
	}
}

// parseBool accepts JSON booleans and the strings "true"/"false", as the Pulumi CLI does.
func parseBool(raw json.RawMessage) (bool, bool) {
	switch string(raw) {
	case "true", `"true"`:
		return true, true
	case "false", `"false"`:
		return false, true
	}
	return false, false
}

// parseInt accepts whole JSON numbers (also written 1e3 or 3.0) and numeric strings.
func parseInt(raw json.RawMessage) (int64, bool) {
	var d Decimal
	if err := d.UnmarshalJSON(raw); err != nil {
		return 0, false
	}
	r := d.Rat()
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	n := r.Num().Int64()
	if n > math.MaxInt32 || n < math.MinInt32 {
		return 0, false
	}
	return n, true
}

func fieldIndex(t reflect.Type) map[string]int {
	index := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		if name := jsonName(t.Field(i)); name != "" {
			index[name] = i
		}
	}
	return index
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// fieldList names a struct's fields in declaration order, for messages.
func fieldList(t reflect.Type) string {
	names := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		if name := jsonName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

// suggestion points at the field a typo most likely meant.
func suggestion(name string, t reflect.Type) string {
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = jsonName(t.Field(i))
	}
	if best, ok := spelling.Closest(name, names, 2); ok {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func describe(t reflect.Type) string {
	switch {
	case t == decimalType:
		return "a number"
	case t.Kind() == reflect.Struct:
		return "an object with the fields " + fieldList(t)
	case t.Kind() == reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(describe(t.Elem()), "a "), "an ")
	case t.Kind() == reflect.Map:
		return "an object of " + strings.TrimPrefix(describe(t.Elem()), "a ") + " values"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Int:
		return "a whole number"
	}
	return t.String()
}

func compact(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
