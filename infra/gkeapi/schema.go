package gkeapi

import (
	"fmt"
	"reflect"
	"sort"
)

// CRDs returns the CustomResourceDefinitions (apiextensions.k8s.io/v1) of
// BackendConfig, FrontendConfig and ManagedCertificate, in that order, as
// plain maps ready to be marshalled to JSON or YAML. Lists are []any and
// objects map[string]any throughout. Each call returns fresh maps.
//
// Names, scope and short names are the published ones. Each CRD serves and
// stores only the version these types mirror (BackendConfig's published CRD
// also serves v1beta1, which this package does not declare). None has a
// status subresource, as published: the managed-certificate controller
// writes status with a merge patch on the main resource, which a status
// subresource would silently discard.
//
// The openAPIV3Schema is generated from the Go types and the validation
// table DecodeStrict uses. metadata is a bare {type: object}: the apiserver
// validates it itself.
func CRDs() []map[string]any {
	out := make([]map[string]any, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k.crd())
	}
	return out
}

func (k *kindInfo) crd() map[string]any {
	names := map[string]any{
		"plural":   k.plural,
		"singular": k.singular,
		"kind":     k.kind,
		"listKind": k.listKind,
	}
	if len(k.shortNames) > 0 {
		sn := make([]any, len(k.shortNames))
		for i, s := range k.shortNames {
			sn[i] = s
		}
		names["shortNames"] = sn
	}
	version := map[string]any{
		"name":    k.version,
		"served":  true,
		"storage": true,
		"schema":  map[string]any{"openAPIV3Schema": k.schema(k.goType, "")},
	}
	if len(k.printerColumns) > 0 {
		cols := make([]any, len(k.printerColumns))
		for i, c := range k.printerColumns {
			cp := make(map[string]any, len(c))
			for key, val := range c {
				cp[key] = val
			}
			cols[i] = cp
		}
		version["additionalPrinterColumns"] = cols
	}
	return map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": k.plural + "." + k.group},
		"spec": map[string]any{
			"group":    k.group,
			"names":    names,
			"scope":    "Namespaced",
			"versions": []any{version},
		},
	}
}

// schema renders Go type t, found at rule path rpath, as a structural
// openAPI v3 schema.
func (k *kindInfo) schema(t reflect.Type, rpath string) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var s map[string]any
	integer := false
	switch t.Kind() {
	case reflect.Struct:
		s = map[string]any{"type": "object"}
		if t == objectMetaType {
			return s
		}
		props := map[string]any{}
		var required []string
		for _, jf := range jsonFields(t) {
			p := joinPath(rpath, jf.name)
			props[jf.name] = k.schema(jf.typ, p)
			if r, ok := k.rules[p]; ok && r.required && !jf.omitempty {
				required = append(required, jf.name)
			}
		}
		if len(props) > 0 {
			s["properties"] = props
		}
		if len(required) > 0 {
			sort.Strings(required)
			req := make([]any, len(required))
			for i, r := range required {
				req[i] = r
			}
			s["required"] = req
		}
	case reflect.Slice:
		s = map[string]any{"type": "array", "items": k.schema(t.Elem(), rpath+"[]")}
	case reflect.Map:
		s = map[string]any{"type": "object", "additionalProperties": k.schema(t.Elem(), rpath+"[]")}
	case reflect.String:
		s = map[string]any{"type": "string"}
	case reflect.Bool:
		s = map[string]any{"type": "boolean"}
	case reflect.Int64:
		s = map[string]any{"type": "integer", "format": "int64"}
		integer = true
	case reflect.Float64:
		s = map[string]any{"type": "number", "format": "double"}
	default:
		panic(fmt.Sprintf("gkeapi: no schema for Go kind %s at %s", t.Kind(), rpath))
	}

	r, ok := k.rules[rpath]
	if !ok {
		return s
	}
	bound := func(x float64) any {
		if integer {
			return int64(x)
		}
		return x
	}
	if len(r.enum) > 0 {
		s["enum"] = append([]any(nil), r.enum...)
	}
	if r.minimum != nil {
		s["minimum"] = bound(*r.minimum)
	}
	if r.maximum != nil {
		s["maximum"] = bound(*r.maximum)
	}
	if r.maxLength != nil {
		s["maxLength"] = *r.maxLength
	}
	if r.maxItems != nil {
		s["maxItems"] = *r.maxItems
	}
	if r.pattern != "" {
		s["pattern"] = r.pattern
	}
	if r.format != "" {
		s["format"] = r.format
	}
	return s
}
