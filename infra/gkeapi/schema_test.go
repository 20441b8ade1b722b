package gkeapi

import (
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The published names of each CRD.
var wantNames = map[string]struct {
	name, group, version, plural, singular, listKind string
	shortNames                                       []any
}{
	"BackendConfig":      {"backendconfigs.cloud.google.com", "cloud.google.com", "v1", "backendconfigs", "backendconfig", "BackendConfigList", []any{"bc"}},
	"FrontendConfig":     {"frontendconfigs.networking.gke.io", "networking.gke.io", "v1beta1", "frontendconfigs", "frontendconfig", "FrontendConfigList", nil},
	"ManagedCertificate": {"managedcertificates.networking.gke.io", "networking.gke.io", "v1", "managedcertificates", "managedcertificate", "ManagedCertificateList", []any{"mcrt"}},
}

func crdParts(t *testing.T, crd map[string]any) (spec, names, version, schema map[string]any) {
	t.Helper()
	spec = crd["spec"].(map[string]any)
	names = spec["names"].(map[string]any)
	versions := spec["versions"].([]any)
	require.Len(t, versions, 1)
	version = versions[0].(map[string]any)
	schema = version["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)
	return
}

func TestCRDNames(t *testing.T) {
	crds := CRDs()
	require.Len(t, crds, 3)
	for _, crd := range crds {
		spec, names, version, _ := crdParts(t, crd)
		kind := names["kind"].(string)
		want, ok := wantNames[kind]
		require.True(t, ok, kind)
		assert.Equal(t, "apiextensions.k8s.io/v1", crd["apiVersion"])
		assert.Equal(t, "CustomResourceDefinition", crd["kind"])
		assert.Equal(t, map[string]any{"name": want.name}, crd["metadata"])
		assert.Equal(t, want.group, spec["group"])
		assert.Equal(t, "Namespaced", spec["scope"])
		assert.Equal(t, want.plural, names["plural"])
		assert.Equal(t, want.singular, names["singular"])
		assert.Equal(t, want.listKind, names["listKind"])
		if want.shortNames == nil {
			assert.NotContains(t, names, "shortNames")
		} else {
			assert.Equal(t, want.shortNames, names["shortNames"])
		}
		assert.Equal(t, want.version, version["name"])
		assert.Equal(t, true, version["served"])
		assert.Equal(t, true, version["storage"])
		assert.NotContains(t, version, "subresources", "no status subresource is published")
		_, err := json.Marshal(crd)
		require.NoError(t, err)
	}
	_, _, version, _ := crdParts(t, crds[2])
	assert.Len(t, version["additionalPrinterColumns"], 2)

	// Fresh maps on every call.
	crds[0]["kind"] = "changed"
	assert.Equal(t, "CustomResourceDefinition", CRDs()[0]["kind"])
}

var allowedKeywords = map[string]bool{
	"type": true, "format": true, "properties": true, "items": true, "required": true, "enum": true,
	"minimum": true, "maximum": true, "maxLength": true, "maxItems": true, "pattern": true,
	"additionalProperties": true, "description": true,
}

var allowedFormats = map[string]map[string]bool{
	"integer": {"int64": true},
	"number":  {"double": true},
	"string":  {"date-time": true},
}

// checkStructural applies the rules of a structural schema that this
// generator could break: every node typed, known keywords only, arrays with
// items, properties xor additionalProperties, required names exist, enum
// values of the node's type, bounds ordered, patterns that compile.
func checkStructural(t *testing.T, path string, s map[string]any) {
	t.Helper()
	for key := range s {
		assert.True(t, allowedKeywords[key], "%s: keyword %q", path, key)
	}
	typ, _ := s["type"].(string)
	switch typ {
	case "object":
		props, hasProps := s["properties"].(map[string]any)
		_, hasAdditional := s["additionalProperties"]
		assert.False(t, hasProps && hasAdditional, "%s: properties and additionalProperties", path)
		for name, p := range props {
			checkStructural(t, path+"."+name, p.(map[string]any))
		}
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			checkStructural(t, path+".*", ap)
		}
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				assert.Contains(t, props, r, "%s: required %v", path, r)
			}
		}
	case "array":
		items, ok := s["items"].(map[string]any)
		if assert.True(t, ok, "%s: array without items", path) {
			checkStructural(t, path+"[]", items)
		}
	case "string", "integer", "number", "boolean":
		for _, k := range []string{"properties", "items", "additionalProperties", "required"} {
			assert.NotContains(t, s, k, "%s", path)
		}
	default:
		t.Errorf("%s: type %q", path, typ)
	}
	if f, ok := s["format"].(string); ok {
		assert.True(t, allowedFormats[typ][f], "%s: format %q for %s", path, f, typ)
	}
	if enum, ok := s["enum"].([]any); ok {
		for _, e := range enum {
			switch typ {
			case "string":
				assert.IsType(t, "", e, "%s", path)
			case "integer":
				assert.IsType(t, int64(0), e, "%s", path)
			default:
				t.Errorf("%s: enum on %s", path, typ)
			}
		}
	}
	if p, ok := s["pattern"].(string); ok {
		_, err := regexp.Compile(p)
		assert.NoError(t, err, "%s", path)
	}
	if lo, ok := s["minimum"]; ok {
		if hi, ok := s["maximum"]; ok {
			assert.LessOrEqual(t, toFloat(lo), toFloat(hi), "%s", path)
		}
	}
	for _, k := range []string{"minimum", "maximum"} {
		if v, ok := s[k]; ok && typ == "integer" {
			assert.IsType(t, int64(0), v, "%s.%s", path, k)
		}
	}
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

func TestCRDSchemasAreStructural(t *testing.T) {
	for _, crd := range CRDs() {
		_, names, _, schema := crdParts(t, crd)
		kind := names["kind"].(string)
		checkStructural(t, kind, schema)
		assert.Equal(t, "object", schema["type"])
		props := schema["properties"].(map[string]any)
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		assert.Equal(t, []string{"apiVersion", "kind", "metadata", "spec", "status"}, keys, kind)
		assert.Equal(t, map[string]any{"type": "object"}, props["metadata"], kind)
		assert.NotContains(t, schema, "required", kind)
	}
}

// fill sets every field of v (recursively) to a non-zero value, so that
// encoding/json emits every field.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e)
		v.SetMapIndex(reflect.ValueOf("k"), e)
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int64:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(0.5)
	default:
		panic(v.Kind().String())
	}
}

// jsonPaths lists the paths of a decoded JSON value ("[]" for array items),
// stopping at metadata.
func jsonPaths(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			p := joinPath(prefix, k)
			out[p] = jsonType(child)
			if p != "metadata" {
				jsonPaths(p, child, out)
			}
		}
	case []any:
		for _, child := range x {
			out[prefix+"[]"] = jsonType(child)
			jsonPaths(prefix+"[]", child, out)
		}
	}
}

func jsonType(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	}
	return "null"
}

// schemaPaths lists the paths of a schema ("[]" for array items) with their type.
func schemaPaths(prefix string, s map[string]any, out map[string]string) {
	if props, ok := s["properties"].(map[string]any); ok {
		for k, p := range props {
			ps := p.(map[string]any)
			out[joinPath(prefix, k)] = ps["type"].(string)
			schemaPaths(joinPath(prefix, k), ps, out)
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		out[prefix+"[]"] = items["type"].(string)
		schemaPaths(prefix+"[]", items, out)
	}
}

// TestSchemaRoundTrip: every field encoding/json emits for a fully populated
// object is in the generated schema with the matching type, and the schema
// has nothing else.
func TestSchemaRoundTrip(t *testing.T) {
	for i, k := range kinds {
		t.Run(k.kind, func(t *testing.T) {
			obj := reflect.New(k.goType)
			fill(obj.Elem())
			data, err := json.Marshal(obj.Interface())
			require.NoError(t, err)
			var decoded any
			require.NoError(t, json.Unmarshal(data, &decoded))
			fromGo := map[string]string{}
			jsonPaths("", decoded, fromGo)

			_, _, _, schema := crdParts(t, CRDs()[i])
			fromSchema := map[string]string{}
			schemaPaths("", schema, fromSchema)

			for p, typ := range fromGo {
				st, ok := fromSchema[p]
				if assert.True(t, ok, "json field %s missing from the schema", p) && typ != "integer" {
					assert.Equal(t, typ, st, "%s", p)
				}
				if typ == "integer" {
					assert.Contains(t, []string{"integer", "number"}, st, "%s", p)
				}
			}
			for p := range fromSchema {
				if sf, _ := k.goType.FieldByName("Status"); p == "status" && sf.Type.NumField() == 0 {
					continue // an empty status struct is never emitted (omitzero)
				}
				assert.Contains(t, fromGo, p, "schema property %s is not a json field", p)
			}
		})
	}
}

// findSchema returns the schema node at a rule path.
func findSchema(s map[string]any, path string) (map[string]any, bool) {
	for _, part := range strings.Split(path, ".") {
		name, items := strings.CutSuffix(part, "[]")
		props, ok := s["properties"].(map[string]any)
		if !ok {
			return nil, false
		}
		if s, ok = props[name].(map[string]any); !ok {
			return nil, false
		}
		for items {
			if s, ok = s["items"].(map[string]any); !ok {
				return nil, false
			}
			name, items = strings.CutSuffix(name, "[]")
		}
	}
	return s, true
}

// TestRulesReachTheSchema: every rule of the table lands on a field of the
// generated schema, so a typo in a rule path cannot silently drop a rule; and
// the required rules are exactly the published ones, on fields without
// omitempty.
func TestRulesReachTheSchema(t *testing.T) {
	wantRequired := map[string][]string{
		"BackendConfig":      {"spec.cdn.enabled", "spec.iap.enabled", "spec.iap.oauthclientCredentials.secretName", "spec.securityPolicy.name"},
		"FrontendConfig":     {"spec.redirectToHttps.enabled"},
		"ManagedCertificate": {"status.domainStatus[].domain", "status.domainStatus[].status"},
	}
	for i, k := range kinds {
		_, _, _, schema := crdParts(t, CRDs()[i])
		var required []string
		for path, r := range k.rules {
			node, ok := findSchema(schema, path)
			if !assert.True(t, ok, "%s rule path %s is not in the schema", k.kind, path) {
				continue
			}
			if len(r.enum) > 0 {
				assert.Equal(t, r.enum, node["enum"], path)
			}
			if r.pattern != "" {
				assert.Equal(t, r.pattern, node["pattern"], path)
			}
			if r.maxItems != nil {
				assert.Equal(t, *r.maxItems, node["maxItems"], path)
			}
			if r.required {
				required = append(required, path)
				parentPath, name := "", path
				if i := strings.LastIndex(path, "."); i >= 0 {
					parentPath, name = path[:i], path[i+1:]
				}
				parent, ok := findSchema(schema, parentPath)
				require.True(t, ok, parentPath)
				assert.Contains(t, parent["required"], name, path)
			}
			assert.NotEmpty(t, r.source, path)
		}
		sort.Strings(required)
		assert.Equal(t, wantRequired[k.kind], required, k.kind)
	}
}

func TestSchemaSpotChecks(t *testing.T) {
	crds := CRDs()
	_, _, _, bc := crdParts(t, crds[0])
	hcType, ok := findSchema(bc, "spec.healthCheck.type")
	require.True(t, ok)
	assert.Equal(t, map[string]any{"type": "string", "enum": []any{"HTTP", "HTTPS", "HTTP2"}}, hcType)
	rate, _ := findSchema(bc, "spec.logging.sampleRate")
	assert.Equal(t, map[string]any{"type": "number", "format": "double", "minimum": 0.0, "maximum": 1.0}, rate)
	ttl, _ := findSchema(bc, "spec.sessionAffinity.affinityCookieTtlSec")
	assert.Equal(t, map[string]any{"type": "integer", "format": "int64", "minimum": int64(0), "maximum": int64(86400)}, ttl)
	status, _ := findSchema(bc, "status")
	assert.Equal(t, map[string]any{"type": "object"}, status)

	_, _, _, mc := crdParts(t, crds[2])
	domains, _ := findSchema(mc, "spec.domains")
	assert.Equal(t, map[string]any{
		"type": "array", "maxItems": int64(100),
		"items": map[string]any{"type": "string", "maxLength": int64(63),
			"pattern": `^(([a-z0-9]+|[a-z0-9][-a-z0-9]*[a-z0-9])\.)+[a-z][-a-z0-9]*[a-z0-9]$`},
	}, domains)
	expire, _ := findSchema(mc, "status.expireTime")
	assert.Equal(t, map[string]any{"type": "string", "format": "date-time"}, expire)
	ds, _ := findSchema(mc, "status.domainStatus[]")
	assert.Equal(t, []any{"domain", "status"}, ds["required"])
}
