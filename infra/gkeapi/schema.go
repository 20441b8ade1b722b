package gkeapi

import (
	"fmt"
	"reflect"
	"sort"
)

// CRDs returns the CustomResourceDefinitions (apiextensions.k8s.io/v1) of
// BackendConfig, FrontendConfig, ManagedCertificate, Gateway, HTTPRoute,
// HealthCheckPolicy, GCPBackendPolicy and ServiceExport, in that order, as
// plain maps ready to be marshalled to JSON or YAML. Lists are []any and
// objects map[string]any throughout. Each call returns fresh maps.
//
// Names, scope, short names, categories, printer columns and the
// api-approved.kubernetes.io annotation are the published ones
// (ServiceExport's CRD is not published: see the package documentation).
// Each CRD serves and stores only the version these types mirror
// (BackendConfig's published CRD also serves v1beta1, and Gateway's and
// HTTPRoute's serve v1beta1 too, which this package does not declare).
// None has a status subresource. For the Ingress resources that is as
// published: the managed-certificate controller writes status with a merge
// patch on the main resource, which a status subresource would silently
// discard. The Gateway API and GKE policy CRDs are published with one, but
// this package declares no status for them (so a status write would be
// pruned anyway): there is no controller for them where these CRDs are
// meant to be installed.
//
// The openAPIV3Schema is generated from the Go types and the validation
// table DecodeStrict uses; it carries neither the defaults nor the CEL
// x-kubernetes-validations of the published Gateway API CRDs (DecodeStrict
// applies the latter as cross checks). metadata is a bare {type: object}:
// the apiserver validates it itself.
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
		names["shortNames"] = anySlice(k.shortNames)
	}
	if len(k.categories) > 0 {
		names["categories"] = anySlice(k.categories)
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
	metadata := map[string]any{"name": k.plural + "." + k.group}
	if len(k.annotations) > 0 {
		ann := make(map[string]any, len(k.annotations))
		for key, val := range k.annotations {
			ann[key] = val
		}
		metadata["annotations"] = ann
	}
	return map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   metadata,
		"spec": map[string]any{
			"group":    k.group,
			"names":    names,
			"scope":    "Namespaced",
			"versions": []any{version},
		},
	}
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
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
	if r.minLength != nil {
		s["minLength"] = *r.minLength
	}
	if r.maxLength != nil {
		s["maxLength"] = *r.maxLength
	}
	if r.minItems != nil {
		s["minItems"] = *r.minItems
	}
	if r.maxItems != nil {
		s["maxItems"] = *r.maxItems
	}
	if r.maxProperties != nil {
		s["maxProperties"] = *r.maxProperties
	}
	if r.pattern != "" {
		s["pattern"] = r.pattern
	}
	if r.format != "" {
		s["format"] = r.format
	}
	return s
}
