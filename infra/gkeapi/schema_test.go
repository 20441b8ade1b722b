package gkeapi

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The published names of each CRD.
var wantNames = map[string]struct {
	name, group, version, plural, singular, listKind string
	shortNames, categories                           []any
	printerColumns                                   int
}{
	"BackendConfig":      {"backendconfigs.cloud.google.com", "cloud.google.com", "v1", "backendconfigs", "backendconfig", "BackendConfigList", []any{"bc"}, nil, 0},
	"FrontendConfig":     {"frontendconfigs.networking.gke.io", "networking.gke.io", "v1beta1", "frontendconfigs", "frontendconfig", "FrontendConfigList", nil, nil, 0},
	"ManagedCertificate": {"managedcertificates.networking.gke.io", "networking.gke.io", "v1", "managedcertificates", "managedcertificate", "ManagedCertificateList", []any{"mcrt"}, nil, 2},
	"Gateway": {"gateways.gateway.networking.k8s.io", "gateway.networking.k8s.io", "v1", "gateways", "gateway", "GatewayList",
		[]any{"gtw"}, []any{"gateway-api"}, 4},
	"HTTPRoute": {"httproutes.gateway.networking.k8s.io", "gateway.networking.k8s.io", "v1", "httproutes", "httproute", "HTTPRouteList",
		nil, []any{"gateway-api"}, 2},
	"HealthCheckPolicy": {"healthcheckpolicies.networking.gke.io", "networking.gke.io", "v1", "healthcheckpolicies", "healthcheckpolicy", "HealthCheckPolicyList",
		nil, nil, 0},
	"GCPGatewayPolicy": {"gcpgatewaypolicies.networking.gke.io", "networking.gke.io", "v1", "gcpgatewaypolicies", "gcpgatewaypolicy", "GCPGatewayPolicyList",
		nil, nil, 0},
	"GCPBackendPolicy": {"gcpbackendpolicies.networking.gke.io", "networking.gke.io", "v1", "gcpbackendpolicies", "gcpbackendpolicy", "GCPBackendPolicyList",
		nil, nil, 0},
	// Names by convention and from `kubectl get crd serviceexports.net.gke.io`:
	// GKE does not publish this CRD.
	"ServiceExport": {"serviceexports.net.gke.io", "net.gke.io", "v1", "serviceexports", "serviceexport", "ServiceExportList", nil, nil, 0},
}

// kindOrder is the order CRDs() returns (and kinds lists) the resources in.
var kindOrder = []string{"BackendConfig", "FrontendConfig", "ManagedCertificate", "Gateway", "HTTPRoute", "HealthCheckPolicy", "GCPBackendPolicy", "GCPGatewayPolicy", "ServiceExport"}

// crdOf returns the CRD of one kind.
func crdOf(t *testing.T, kind string) map[string]any {
	t.Helper()
	for _, crd := range CRDs() {
		if crd["spec"].(map[string]any)["names"].(map[string]any)["kind"] == kind {
			return crd
		}
	}
	t.Fatalf("no CRD for %s", kind)
	return nil
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
	require.Len(t, crds, len(wantNames))
	for i, crd := range crds {
		spec, names, version, _ := crdParts(t, crd)
		kind := names["kind"].(string)
		assert.Equal(t, kindOrder[i], kind)
		want, ok := wantNames[kind]
		require.True(t, ok, kind)
		assert.Equal(t, "apiextensions.k8s.io/v1", crd["apiVersion"])
		assert.Equal(t, "CustomResourceDefinition", crd["kind"])
		wantMeta := map[string]any{"name": want.name}
		if want.group == GatewayGroup {
			// The apiserver refuses a *.k8s.io CRD without it.
			wantMeta["annotations"] = map[string]any{"api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/gateway-api/pull/4530"}
		}
		assert.Equal(t, wantMeta, crd["metadata"])
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
		if want.categories == nil {
			assert.NotContains(t, names, "categories")
		} else {
			assert.Equal(t, want.categories, names["categories"])
		}
		if want.printerColumns == 0 {
			assert.NotContains(t, version, "additionalPrinterColumns", kind)
		} else {
			assert.Len(t, version["additionalPrinterColumns"], want.printerColumns, kind)
		}
		assert.Equal(t, want.version, version["name"])
		assert.Equal(t, true, version["served"])
		assert.Equal(t, true, version["storage"])
		assert.NotContains(t, version, "subresources", "no status subresource (none is published, or no status is declared)")
		_, err := json.Marshal(crd)
		require.NoError(t, err)
	}

	// Fresh maps on every call.
	crds[0]["kind"] = "changed"
	assert.Equal(t, "CustomResourceDefinition", CRDs()[0]["kind"])
}

var allowedKeywords = map[string]bool{
	"type": true, "format": true, "properties": true, "items": true, "required": true, "enum": true,
	"minimum": true, "maximum": true, "minLength": true, "maxLength": true, "minItems": true, "maxItems": true,
	"maxProperties": true, "pattern": true, "additionalProperties": true, "description": true,
}

var allowedFormats = map[string]map[string]bool{
	"integer": {"int64": true},
	"number":  {"double": true},
	"string":  {"date-time": true},
}

// checkStructural applies the rules of a structural schema that this
// generator could break: every node typed, known keywords only, arrays with
// items, properties xor additionalProperties, required names exist, enum
// values of the node's type, bounds ordered, patterns that compile, length
// bounds on strings, item bounds on arrays, maxProperties on maps.
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
		_, isMap := s["additionalProperties"]
		if _, ok := s["maxProperties"]; ok {
			assert.True(t, isMap, "%s: maxProperties on a struct", path)
		}
	case "array":
		items, ok := s["items"].(map[string]any)
		if assert.True(t, ok, "%s: array without items", path) {
			checkStructural(t, path+"[]", items)
		}
	case "string", "integer", "number", "boolean":
		for _, k := range []string{"properties", "items", "additionalProperties", "required", "maxProperties"} {
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
	for _, b := range []struct{ lo, hi, typ string }{{"minLength", "maxLength", "string"}, {"minItems", "maxItems", "array"}} {
		for _, k := range []string{b.lo, b.hi} {
			if v, ok := s[k]; ok {
				assert.Equal(t, b.typ, typ, "%s: %s on %s", path, k, typ)
				assert.IsType(t, int64(0), v, "%s.%s", path, k)
			}
		}
		if lo, ok := s[b.lo].(int64); ok {
			if hi, ok := s[b.hi].(int64); ok {
				assert.LessOrEqual(t, lo, hi, "%s", path)
			}
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
	// The Ingress resources declare status (and, as published, do not require
	// spec); the Gateway resources declare no status (a manifest never carries
	// one) and require spec, as published; ServiceExport has metadata only.
	ingress := []string{"apiVersion", "kind", "metadata", "spec", "status"}
	gateway := []string{"apiVersion", "kind", "metadata", "spec"}
	wantTop := map[string][]string{
		"BackendConfig": ingress, "FrontendConfig": ingress, "ManagedCertificate": ingress,
		"Gateway": gateway, "HTTPRoute": gateway, "HealthCheckPolicy": gateway, "GCPBackendPolicy": gateway, "GCPGatewayPolicy": gateway,
		"ServiceExport": {"apiVersion", "kind", "metadata"},
	}
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
		require.Contains(t, wantTop, kind)
		assert.Equal(t, wantTop[kind], keys, kind)
		assert.Equal(t, map[string]any{"type": "object"}, props["metadata"], kind)
		if slices.Equal(wantTop[kind], gateway) {
			assert.Equal(t, []any{"spec"}, schema["required"], kind)
		} else {
			assert.NotContains(t, schema, "required", kind)
		}
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
	// A map's values are listed under the key fill gives every map.
	if values, ok := s["additionalProperties"].(map[string]any); ok {
		out[joinPath(prefix, "k")] = values["type"].(string)
		schemaPaths(joinPath(prefix, "k"), values, out)
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

// findSchema returns the schema node at a rule path ("[]" after a name is
// its items, or its values for a map).
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
			// "[]" is an array's items or a map's values.
			next, ok := s["items"].(map[string]any)
			if !ok {
				if next, ok = s["additionalProperties"].(map[string]any); !ok {
					return nil, false
				}
			}
			s = next
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
		"Gateway": {"spec", "spec.gatewayClassName", "spec.listeners",
			"spec.listeners[].allowedRoutes.namespaces.selector.matchExpressions[].key",
			"spec.listeners[].allowedRoutes.namespaces.selector.matchExpressions[].operator",
			"spec.listeners[].name", "spec.listeners[].port", "spec.listeners[].protocol",
			"spec.listeners[].tls.certificateRefs[].name"},
		"HTTPRoute": {"spec", "spec.parentRefs[].name", "spec.rules[].backendRefs[].name", "spec.rules[].filters[].type",
			"spec.rules[].matches[].headers[].name", "spec.rules[].matches[].headers[].value"},
		"HealthCheckPolicy": {"spec", "spec.targetRef", "spec.targetRef.group", "spec.targetRef.kind", "spec.targetRef.name"},
		"GCPBackendPolicy":  {"spec", "spec.targetRef", "spec.targetRef.group", "spec.targetRef.kind", "spec.targetRef.name"},
		"GCPGatewayPolicy":  {"spec", "spec.targetRef", "spec.targetRef.group", "spec.targetRef.kind", "spec.targetRef.name"},
		"ServiceExport":     nil,
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
			for key, want := range map[string]*int64{
				"maxItems": r.maxItems, "minItems": r.minItems, "maxLength": r.maxLength, "minLength": r.minLength, "maxProperties": r.maxProperties,
			} {
				if want != nil {
					assert.Equal(t, *want, node[key], "%s %s", path, key)
				}
			}
			if r.required {
				required = append(required, path)
				parent, name := schema, path
				if i := strings.LastIndex(path, "."); i >= 0 {
					var ok bool
					parent, ok = findSchema(schema, path[:i])
					require.True(t, ok, path[:i])
					name = path[i+1:]
				}
				assert.Contains(t, parent["required"], name, path)
			}
			assert.NotEmpty(t, r.source, path)
		}
		sort.Strings(required)
		want, ok := wantRequired[k.kind]
		require.True(t, ok, k.kind)
		assert.Equal(t, want, required, k.kind)
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

func TestGatewaySchemaSpotChecks(t *testing.T) {
	_, _, _, gw := crdParts(t, crdOf(t, GatewayKind))
	listeners, ok := findSchema(gw, "spec.listeners")
	require.True(t, ok)
	assert.Equal(t, int64(1), listeners["minItems"])
	assert.Equal(t, int64(64), listeners["maxItems"])
	listener := listeners["items"].(map[string]any)
	assert.Equal(t, []any{"name", "port", "protocol"}, listener["required"])
	port, _ := findSchema(gw, "spec.listeners[].port")
	assert.Equal(t, map[string]any{"type": "integer", "format": "int64", "minimum": int64(1), "maximum": int64(65535)}, port)
	options, _ := findSchema(gw, "spec.listeners[].tls.options")
	assert.Equal(t, map[string]any{"type": "object", "maxProperties": int64(16),
		"additionalProperties": map[string]any{"type": "string", "maxLength": int64(4096)}}, options)
	spec, _ := findSchema(gw, "spec")
	assert.Equal(t, []any{"gatewayClassName", "listeners"}, spec["required"])

	_, _, _, hr := crdParts(t, crdOf(t, HTTPRouteKind))
	code, _ := findSchema(hr, "spec.rules[].filters[].requestRedirect.statusCode")
	assert.Equal(t, map[string]any{"type": "integer", "format": "int64",
		"enum": []any{int64(301), int64(302), int64(303), int64(307), int64(308)}}, code)
	weight, _ := findSchema(hr, "spec.rules[].backendRefs[].weight")
	assert.Equal(t, int64(1000000), weight["maximum"])
	rules, _ := findSchema(hr, "spec.rules")
	assert.Equal(t, int64(1), rules["minItems"])
	assert.Equal(t, int64(16), rules["maxItems"])

	for _, kind := range []string{HealthCheckPolicyKind, GCPBackendPolicyKind} {
		_, _, _, s := crdParts(t, crdOf(t, kind))
		target, ok := findSchema(s, "spec.targetRef")
		require.True(t, ok, kind)
		assert.Equal(t, []any{"group", "kind", "name"}, target["required"], kind)
		spec, _ := findSchema(s, "spec")
		assert.Equal(t, []any{"targetRef"}, spec["required"], kind)
	}
	_, _, _, gbp := crdParts(t, crdOf(t, GCPBackendPolicyKind))
	rate, _ := findSchema(gbp, "spec.default.logging.sampleRate")
	assert.Equal(t, map[string]any{"type": "integer", "format": "int64", "minimum": int64(0), "maximum": int64(1000000)}, rate)

	_, _, _, se := crdParts(t, crdOf(t, ServiceExportKind))
	assert.Equal(t, map[string]any{"type": "object", "properties": map[string]any{
		"apiVersion": map[string]any{"type": "string"},
		"kind":       map[string]any{"type": "string"},
		"metadata":   map[string]any{"type": "object"},
	}}, se)
}
