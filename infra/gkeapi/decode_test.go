package gkeapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const validBackendConfig = `{
  "apiVersion": "cloud.google.com/v1",
  "kind": "BackendConfig",
  "metadata": {"name": "web", "namespace": "app", "labels": {"app": "django"}, "annotations": {"a": "b"}, "finalizers": ["x"]},
  "spec": {
    "timeoutSec": 40,
    "connectionDraining": {"drainingTimeoutSec": 60},
    "sessionAffinity": {"affinityType": "GENERATED_COOKIE", "affinityCookieTtlSec": 3600},
    "customRequestHeaders": {"headers": ["X-Client-Region:{client_region}"]},
    "customResponseHeaders": {"headers": ["Strict-Transport-Security: max-age=31536000"]},
    "securityPolicy": {"name": "edge-policy"},
    "healthCheck": {"checkIntervalSec": 15, "timeoutSec": 5, "healthyThreshold": 1, "unhealthyThreshold": 2,
                    "type": "HTTP", "requestPath": "/healthz", "port": 8080},
    "logging": {"enable": true, "sampleRate": 0.5},
    "cdn": {
      "enabled": true,
      "cacheMode": "CACHE_ALL_STATIC",
      "clientTtl": 3600, "defaultTtl": 3600, "maxTtl": 86400,
      "negativeCaching": true,
      "negativeCachingPolicy": [{"code": 404, "ttl": 120}, {"code": 301, "ttl": 600}],
      "requestCoalescing": true,
      "serveWhileStale": 86400,
      "signedUrlCacheMaxAgeSec": 7200,
      "signedUrlKeys": [{"keyName": "key-1", "keyValue": "c2VjcmV0"}, {"keyName": "key-2", "secretName": "cdn-key"}],
      "bypassCacheOnRequestHeaders": [{"headerName": "Authorization"}],
      "cachePolicy": {"includeHost": true, "includeProtocol": true, "includeQueryString": true, "queryStringWhitelist": ["page"]}
    }
  }
}`

const validIAPBackendConfig = `{
  "apiVersion": "cloud.google.com/v1", "kind": "BackendConfig", "metadata": {"name": "admin"},
  "spec": {"iap": {"enabled": true, "oauthclientCredentials": {"secretName": "oauth"}}}
}`

const validFrontendConfig = `{
  "apiVersion": "networking.gke.io/v1beta1", "kind": "FrontendConfig", "metadata": {"name": "web"},
  "spec": {"sslPolicy": "modern-tls", "redirectToHttps": {"enabled": true, "responseCodeName": "PERMANENT_REDIRECT"}}
}`

const validManagedCertificate = `{
  "apiVersion": "networking.gke.io/v1", "kind": "ManagedCertificate", "metadata": {"name": "web"},
  "spec": {"domains": ["example.com", "www.example.com"]}
}`

func TestDecodeStrictValid(t *testing.T) {
	obj, err := DecodeStrict([]byte(validBackendConfig))
	require.NoError(t, err)
	bc, ok := obj.(*BackendConfig)
	require.True(t, ok, "%T", obj)
	assert.Equal(t, "web", bc.Name)
	assert.Equal(t, "app", bc.Namespace)
	assert.Equal(t, BackendConfigAPIVersion, bc.APIVersion)
	require.NotNil(t, bc.Spec.HealthCheck)
	assert.Equal(t, "/healthz", *bc.Spec.HealthCheck.RequestPath)
	assert.Equal(t, int64(8080), *bc.Spec.HealthCheck.Port)
	assert.Equal(t, 0.5, *bc.Spec.Logging.SampleRate)
	assert.Equal(t, int64(404), bc.Spec.Cdn.NegativeCachingPolicy[0].Code)
	assert.Equal(t, "cdn-key", bc.Spec.Cdn.SignedUrlKeys[1].SecretName)
	assert.Equal(t, "edge-policy", bc.Spec.SecurityPolicy.Name)

	obj, err = DecodeStrict([]byte(validIAPBackendConfig))
	require.NoError(t, err)
	assert.Equal(t, "oauth", obj.(*BackendConfig).Spec.Iap.OAuthClientCredentials.SecretName)

	obj, err = DecodeStrict([]byte(validFrontendConfig))
	require.NoError(t, err)
	fc := obj.(*FrontendConfig)
	assert.Equal(t, "modern-tls", *fc.Spec.SslPolicy)
	assert.Equal(t, "PERMANENT_REDIRECT", fc.Spec.RedirectToHttps.ResponseCodeName)

	obj, err = DecodeStrict([]byte(validManagedCertificate))
	require.NoError(t, err)
	assert.Equal(t, []string{"example.com", "www.example.com"}, obj.(*ManagedCertificate).Spec.Domains)
}

// fieldErrors decodes and returns the field errors, failing if there are none.
func fieldErrors(t *testing.T, manifest string) []*FieldError {
	t.Helper()
	obj, err := DecodeStrict([]byte(manifest))
	require.Error(t, err)
	assert.Nil(t, obj)
	var de *DecodeError
	require.True(t, errors.As(err, &de), "%T: %v", err, err)
	require.NotEmpty(t, de.Errs)
	return de.Errs
}

func paths(errs []*FieldError) []string {
	var p []string
	for _, e := range errs {
		p = append(p, e.Path)
	}
	return p
}

func TestDecodeStrictMisspeltFields(t *testing.T) {
	cases := []struct {
		name, manifest, path, suggestion string
	}{
		{"spec field", `{"apiVersion":"cloud.google.com/v1","kind":"BackendConfig","metadata":{"name":"x"},
			"spec":{"healthChek":{"requestPath":"/"}}}`, "spec.healthChek", `"healthCheck"`},
		{"nested field", `{"apiVersion":"cloud.google.com/v1","kind":"BackendConfig","metadata":{"name":"x"},
			"spec":{"healthCheck":{"requstPath":"/"}}}`, "spec.healthCheck.requstPath", `"requestPath"`},
		{"wrong case (encoding/json alone accepts it)", `{"apiVersion":"cloud.google.com/v1","kind":"BackendConfig",
			"metadata":{"name":"x"},"spec":{"HealthCheck":{"requestPath":"/"}}}`, "spec.HealthCheck", `"healthCheck"`},
		{"array item field", `{"apiVersion":"cloud.google.com/v1","kind":"BackendConfig","metadata":{"name":"x"},
			"spec":{"cdn":{"enabled":true,"negativeCachingPolicy":[{"code":404,"tll":60}]}}}`, "spec.cdn.negativeCachingPolicy[0].tll", `"ttl"`},
		{"frontend", `{"apiVersion":"networking.gke.io/v1beta1","kind":"FrontendConfig","metadata":{"name":"x"},
			"spec":{"redirectToHTTPS":{"enabled":true}}}`, "spec.redirectToHTTPS", `"redirectToHttps"`},
		{"certificate", `{"apiVersion":"networking.gke.io/v1","kind":"ManagedCertificate","metadata":{"name":"x"},
			"spec":{"domain":["example.com"]}}`, "spec.domain", `"domains"`},
		{"server-set metadata", `{"apiVersion":"networking.gke.io/v1","kind":"ManagedCertificate",
			"metadata":{"name":"x","creationTimestamp":"2024-01-01T00:00:00Z"},"spec":{"domains":["example.com"]}}`, "metadata.creationTimestamp", "known: name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := fieldErrors(t, tc.manifest)
			require.Len(t, errs, 1, "%v", errs)
			assert.Equal(t, tc.path, errs[0].Path)
			assert.Contains(t, errs[0].Error(), "unknown field")
			assert.Contains(t, errs[0].Error(), tc.suggestion)
		})
	}
}

func TestDecodeStrictRejectsOutOfRule(t *testing.T) {
	bc := func(spec string) string {
		return `{"apiVersion":"cloud.google.com/v1","kind":"BackendConfig","metadata":{"name":"x"},"spec":` + spec + `}`
	}
	fc := func(spec string) string {
		return `{"apiVersion":"networking.gke.io/v1beta1","kind":"FrontendConfig","metadata":{"name":"x"},"spec":` + spec + `}`
	}
	mc := func(spec string) string {
		return `{"apiVersion":"networking.gke.io/v1","kind":"ManagedCertificate","metadata":{"name":"x"},"spec":` + spec + `}`
	}
	var many []string
	for i := range 101 {
		many = append(many, fmt.Sprintf("%q", fmt.Sprintf("d%d.example.com", i)))
	}
	cases := []struct {
		name, manifest, path, msg string
	}{
		{"health check type", bc(`{"healthCheck":{"type":"TCP"}}`), "spec.healthCheck.type", `must be one of "HTTP", "HTTPS", "HTTP2"`},
		{"health check port", bc(`{"healthCheck":{"port":0}}`), "spec.healthCheck.port", "between 1 and 65535"},
		{"affinity type", bc(`{"sessionAffinity":{"affinityType":"HTTP_COOKIE"}}`), "spec.sessionAffinity.affinityType", "GENERATED_COOKIE"},
		{"affinity ttl", bc(`{"sessionAffinity":{"affinityCookieTtlSec":86401}}`), "spec.sessionAffinity.affinityCookieTtlSec", "between 0 and 86400"},
		{"sample rate", bc(`{"logging":{"enable":true,"sampleRate":1.5}}`), "spec.logging.sampleRate", "between 0 and 1"},
		{"timeout", bc(`{"timeoutSec":0}`), "spec.timeoutSec", "between 1 and 2147483647"},
		{"cache mode", bc(`{"cdn":{"enabled":true,"cacheMode":"CACHE_EVERYTHING"}}`), "spec.cdn.cacheMode", "FORCE_CACHE_ALL"},
		{"negative caching code", bc(`{"cdn":{"enabled":true,"negativeCachingPolicy":[{"code":404,"ttl":1},{"code":200,"ttl":1}]}}`),
			"spec.cdn.negativeCachingPolicy[1].code", "must be one of 300, 301"},
		{"negative caching ttl", bc(`{"cdn":{"enabled":true,"negativeCachingPolicy":[{"code":404,"ttl":1801}]}}`),
			"spec.cdn.negativeCachingPolicy[0].ttl", "between 0 and 1800"},
		{"signed url key name", bc(`{"cdn":{"enabled":true,"signedUrlKeys":[{"keyName":"Key_1","keyValue":"x"}]}}`),
			"spec.cdn.signedUrlKeys[0].keyName", "must match"},
		{"bypass headers", bc(`{"cdn":{"enabled":true,"bypassCacheOnRequestHeaders":[{},{},{},{},{},{}]}}`),
			"spec.cdn.bypassCacheOnRequestHeaders", "at most 5 items"},
		{"response code name", fc(`{"redirectToHttps":{"enabled":true,"responseCodeName":"MOVED_PERMANENTLY"}}`),
			"spec.redirectToHttps.responseCodeName", "MOVED_PERMANENTLY_DEFAULT"},
		{"uppercase domain", mc(`{"domains":["WWW.example.com"]}`), "spec.domains[0]", "must match"},
		{"wildcard domain", mc(`{"domains":["*.example.com"]}`), "spec.domains[0]", "must match"},
		{"trailing dot", mc(`{"domains":["example.com."]}`), "spec.domains[0]", "must match"},
		{"long domain", mc(`{"domains":["` + strings.Repeat("a", 60) + `.com"]}`), "spec.domains[0]", "at most 63 characters"},
		{"too many domains", mc(`{"domains":[` + strings.Join(many, ",") + `]}`), "spec.domains", "at most 100 items"},
		{"expire time", `{"apiVersion":"networking.gke.io/v1","kind":"ManagedCertificate","metadata":{"name":"x"},
			"spec":{"domains":["example.com"]},"status":{"domainStatus":[],"expireTime":"tomorrow"}}`, "status.expireTime", "RFC 3339"},
		// Required fields.
		{"iap enabled", bc(`{"iap":{"oauthclientCredentials":{"secretName":"s"}}}`), "spec.iap.enabled", "required field is missing"},
		{"oauth secret", bc(`{"iap":{"enabled":true,"oauthclientCredentials":{"clientID":"c"}}}`), "spec.iap.oauthclientCredentials.secretName", "required"},
		{"cdn enabled", bc(`{"cdn":{"cacheMode":"CACHE_ALL_STATIC"}}`), "spec.cdn.enabled", "required"},
		{"security policy name", bc(`{"securityPolicy":{}}`), "spec.securityPolicy.name", "required"},
		{"redirect enabled", fc(`{"redirectToHttps":{"responseCodeName":"FOUND"}}`), "spec.redirectToHttps.enabled", "required"},
		{"domain status", `{"apiVersion":"networking.gke.io/v1","kind":"ManagedCertificate","metadata":{"name":"x"},
			"spec":{"domains":["example.com"]},"status":{"domainStatus":[{"domain":"example.com"}]}}`, "status.domainStatus[0].status", "required"},
		// JSON types.
		{"string for integer", bc(`{"timeoutSec":"30"}`), "spec.timeoutSec", "must be an integer"},
		{"fraction for integer", bc(`{"timeoutSec":30.5}`), "spec.timeoutSec", "must be an integer"},
		{"string for bool", bc(`{"cdn":{"enabled":"true"}}`), "spec.cdn.enabled", "must be a boolean"},
		{"object for array", mc(`{"domains":{"a":"example.com"}}`), "spec.domains", "must be an array"},
		{"number for label", `{"apiVersion":"networking.gke.io/v1","kind":"ManagedCertificate","metadata":{"name":"x","labels":{"tier":1}},"spec":{"domains":["example.com"]}}`,
			"metadata.labels.tier", "must be a string"},
		// Cross-field rules.
		{"iap with cdn", bc(`{"iap":{"enabled":true},"cdn":{"enabled":true}}`), "spec.cdn.enabled", "iap and cdn"},
		{"hc timeout above interval", bc(`{"healthCheck":{"checkIntervalSec":5,"timeoutSec":10}}`), "spec.healthCheck.timeoutSec", "checkIntervalSec"},
		{"duplicate negative code", bc(`{"cdn":{"enabled":true,"negativeCachingPolicy":[{"code":404,"ttl":1},{"code":404,"ttl":2}]}}`),
			"spec.cdn.negativeCachingPolicy[1].code", "duplicates"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := fieldErrors(t, tc.manifest)
			require.Len(t, errs, 1, "%v", errs)
			assert.Equal(t, tc.path, errs[0].Path)
			assert.Contains(t, errs[0].Error(), tc.msg)
		})
	}
}

func TestDecodeStrictReportsEveryProblem(t *testing.T) {
	errs := fieldErrors(t, `{"apiVersion":"cloud.google.com/v1","kind":"BackendConfig","metadata":{"name":"web"},
	  "spec":{"healthChek":{},"healthCheck":{"type":"TCP","requstPath":"/"},"logging":{"sampleRate":2},
	          "sessionAffinity":{"affinityType":"STICKY"}}}`)
	assert.ElementsMatch(t, []string{
		"spec.healthChek", "spec.healthCheck.requstPath", "spec.healthCheck.type",
		"spec.logging.sampleRate", "spec.sessionAffinity.affinityType",
	}, paths(errs))

	// Cross-field rules are still checked next to unknown fields.
	errs = fieldErrors(t, `{"apiVersion":"cloud.google.com/v1","kind":"BackendConfig","metadata":{"name":"web","uid":"u"},
	  "spec":{"iap":{"enabled":true},"cdn":{"enabled":true}}}`)
	assert.Equal(t, []string{"metadata.uid", "spec.cdn.enabled"}, paths(errs))

	_, err := DecodeStrict([]byte(`{"apiVersion":"cloud.google.com/v1","kind":"BackendConfig","metadata":{"name":"web"},
	  "spec":{"healthCheck":{"type":"TCP"},"timeoutSec":0}}`))
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, `BackendConfig "web": 2 problem(s)`)
	assert.Contains(t, msg, `spec.healthCheck.type: "TCP" is not allowed: must be one of "HTTP", "HTTPS", "HTTP2"`)
	assert.Contains(t, msg, `spec.timeoutSec: 0 is not allowed: must be between 1 and 2147483647`)
}

func TestDecodeStrictUnknownKinds(t *testing.T) {
	cases := map[string]string{
		"old backendconfig version": `{"apiVersion":"cloud.google.com/v1beta1","kind":"BackendConfig","metadata":{"name":"x"}}`,
		"wrong group":               `{"apiVersion":"networking.gke.io/v1","kind":"BackendConfig","metadata":{"name":"x"}}`,
		"unknown kind":              `{"apiVersion":"networking.gke.io/v1","kind":"ServiceNetworkEndpointGroup","metadata":{"name":"x"}}`,
		"old gateway version":       `{"apiVersion":"gateway.networking.k8s.io/v1beta1","kind":"Gateway","metadata":{"name":"x"}}`,
		"service import (by GKE)":   `{"apiVersion":"net.gke.io/v1","kind":"ServiceImport","metadata":{"name":"x"}}`,
	}
	for name, manifest := range cases {
		t.Run(name, func(t *testing.T) {
			errs := fieldErrors(t, manifest)
			require.Len(t, errs, 1)
			assert.Equal(t, "apiVersion", errs[0].Path)
			assert.Contains(t, errs[0].Error(), "unsupported apiVersion/kind")
			assert.Contains(t, errs[0].Error(), "cloud.google.com/v1 BackendConfig")
		})
	}
	errs := fieldErrors(t, `{"metadata":{"name":"x"}}`)
	assert.Equal(t, []string{"apiVersion", "kind"}, paths(errs))
	errs = fieldErrors(t, `{"apiVersion":1,"kind":"BackendConfig"}`)
	assert.Equal(t, []string{"apiVersion"}, paths(errs))

	_, err := DecodeStrict([]byte(`[1]`))
	require.Error(t, err)
	_, err = DecodeStrict([]byte(`{"apiVersion":`))
	require.Error(t, err)
	_, err = DecodeStrict([]byte(validFrontendConfig + validFrontendConfig))
	require.ErrorContains(t, err, "after the JSON object")
}

func TestDecodeStrictNullIsAbsent(t *testing.T) {
	obj, err := DecodeStrict([]byte(`{"apiVersion":"cloud.google.com/v1","kind":"BackendConfig","metadata":{"name":"x"},
	  "spec":{"iap":{"enabled":false,"oauthclientCredentials":null},"healthCheck":null},"status":{}}`))
	require.NoError(t, err)
	assert.Nil(t, obj.(*BackendConfig).Spec.HealthCheck)
	// A null required field counts as missing.
	errs := fieldErrors(t, `{"apiVersion":"cloud.google.com/v1","kind":"BackendConfig","spec":{"cdn":{"enabled":null}}}`)
	assert.Equal(t, []string{"spec.cdn.enabled"}, paths(errs))
}

func TestValidateGoObjects(t *testing.T) {
	path, typ := "/healthz", "HTTP"
	bc := BackendConfig{
		ObjectMeta: ObjectMeta{Name: "web"},
		Spec: BackendConfigSpec{
			HealthCheck: &HealthCheckConfig{RequestPath: &path, Type: &typ},
			Iap:         &IAPConfig{Enabled: false}, // oauthclientCredentials marshals to null
		},
	}
	require.NoError(t, Validate(bc))
	require.NoError(t, Validate(&bc))
	require.NoError(t, Validate(&ManagedCertificate{Spec: ManagedCertificateSpec{Domains: []string{"example.com"}}}))
	require.NoError(t, Validate(FrontendConfig{Spec: FrontendConfigSpec{RedirectToHttps: &HttpsRedirectConfig{Enabled: true}}}))

	bad := "TCP"
	bc.Spec.HealthCheck.Type = &bad
	err := Validate(bc)
	require.Error(t, err)
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, "spec.healthCheck.type", fe.Path)

	require.Error(t, Validate(struct{}{}))

	// Marshalling never sends an empty status, and does send spec.
	data, err := json.Marshal(ManagedCertificate{TypeMeta: TypeMeta{APIVersion: ManagedCertificateAPIVersion, Kind: ManagedCertificateKind}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"apiVersion":"networking.gke.io/v1","kind":"ManagedCertificate","metadata":{},"spec":{"domains":null}}`, string(data))
}

// The multi-cluster Gateway objects, as the project declares them (plus the
// optional fields it may use).

const validGateway = `{
  "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
  "metadata": {"name": "web", "namespace": "app", "annotations": {"networking.gke.io/certmap": "web-certmap"}},
  "spec": {
    "gatewayClassName": "gke-l7-global-external-managed-mc",
    "listeners": [
      {"name": "http", "port": 80, "protocol": "HTTP"},
      {"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "www.example.com"},
      {"name": "https-wildcard", "port": 443, "protocol": "HTTPS", "hostname": "*.example.com",
       "tls": {"mode": "Terminate", "certificateRefs": [{"group": "", "kind": "Secret", "name": "wildcard-tls", "namespace": "certs"}],
               "options": {"networking.gke.io/pre-shared-certs": "legacy"}},
       "allowedRoutes": {"namespaces": {"from": "Selector", "selector": {"matchLabels": {"team": "web"},
         "matchExpressions": [{"key": "env", "operator": "In", "values": ["prd"]}]}}}}
    ],
    "addresses": [{"type": "NamedAddress", "value": "web-global-ip"}]
  }
}`

const validHTTPRoute = `{
  "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "web", "namespace": "app"},
  "spec": {
    "parentRefs": [{"kind": "Gateway", "name": "web", "sectionName": "https"}, {"name": "other", "port": 443}],
    "hostnames": ["www.example.com", "*.example.com"],
    "rules": [
      {"backendRefs": [{"group": "net.gke.io", "kind": "ServiceImport", "name": "web", "port": 80}]},
      {"matches": [{"headers": [{"type": "Exact", "name": "X-Region-Probe", "value": "euw1"}]}],
       "backendRefs": [{"group": "net.gke.io", "kind": "ServiceImport", "name": "web-euw1", "port": 80, "weight": 100}]},
      {"matches": [{"path": {"type": "PathPrefix", "value": "/static/"}}, {"path": {"type": "RegularExpression", "value": "^/api/v[0-9]+/"}}, {"path": {}}],
       "backendRefs": [{"name": "static", "namespace": "assets", "port": 8080, "weight": 0}]}
    ]
  }
}`

const validRedirectRoute = `{
  "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "web-redirect"},
  "spec": {"parentRefs": [{"name": "web", "sectionName": "http"}],
           "rules": [{"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}]}
}`

const validHealthCheckPolicy = `{
  "apiVersion": "networking.gke.io/v1", "kind": "HealthCheckPolicy", "metadata": {"name": "web", "namespace": "app"},
  "spec": {
    "default": {"checkIntervalSec": 10, "timeoutSec": 5, "healthyThreshold": 1, "unhealthyThreshold": 3, "logConfig": {"enabled": true},
      "config": {"type": "HTTP", "httpHealthCheck": {"portSpecification": "USE_FIXED_PORT", "port": 8080, "requestPath": "/readyz",
        "host": "web.example.com", "response": "ok", "proxyHeader": "NONE"}}},
    "targetRef": {"group": "net.gke.io", "kind": "ServiceImport", "name": "web"}
  }
}`

const validGCPBackendPolicy = `{
  "apiVersion": "networking.gke.io/v1", "kind": "GCPBackendPolicy", "metadata": {"name": "web"},
  "spec": {
    "default": {"timeoutSec": 60, "connectionDraining": {"drainingTimeoutSec": 30}, "logging": {"enabled": true, "sampleRate": 500000},
      "securityPolicy": "edge-policy", "sessionAffinity": {"type": "GENERATED_COOKIE", "cookieTtlSec": 3600}},
    "targetRef": {"group": "", "kind": "Service", "name": "web", "namespace": "app"}
  }
}`

const validServiceExport = `{"apiVersion": "net.gke.io/v1", "kind": "ServiceExport", "metadata": {"name": "web", "namespace": "app"}}`

func TestDecodeStrictValidGatewayKinds(t *testing.T) {
	obj, err := DecodeStrict([]byte(validGateway))
	require.NoError(t, err)
	gw, ok := obj.(*Gateway)
	require.True(t, ok, "%T", obj)
	assert.Equal(t, GatewayAPIVersion, gw.APIVersion)
	assert.Equal(t, "gke-l7-global-external-managed-mc", gw.Spec.GatewayClassName)
	require.Len(t, gw.Spec.Listeners, 3)
	assert.Nil(t, gw.Spec.Listeners[1].TLS)
	assert.Equal(t, "www.example.com", *gw.Spec.Listeners[1].Hostname)
	assert.Equal(t, "wildcard-tls", gw.Spec.Listeners[2].TLS.CertificateRefs[0].Name)
	assert.Equal(t, "Selector", *gw.Spec.Listeners[2].AllowedRoutes.Namespaces.From)
	assert.Equal(t, "web-global-ip", gw.Spec.Addresses[0].Value)

	obj, err = DecodeStrict([]byte(validHTTPRoute))
	require.NoError(t, err)
	hr := obj.(*HTTPRoute)
	assert.Equal(t, "https", *hr.Spec.ParentRefs[0].SectionName)
	assert.Equal(t, MultiClusterServiceGroup, *hr.Spec.Rules[0].BackendRefs[0].Group)
	assert.Equal(t, ServiceImportKind, *hr.Spec.Rules[0].BackendRefs[0].Kind)
	assert.Equal(t, "X-Region-Probe", hr.Spec.Rules[1].Matches[0].Headers[0].Name)
	assert.Equal(t, int64(0), *hr.Spec.Rules[2].BackendRefs[0].Weight)

	obj, err = DecodeStrict([]byte(validRedirectRoute))
	require.NoError(t, err)
	assert.Equal(t, int64(301), *obj.(*HTTPRoute).Spec.Rules[0].Filters[0].RequestRedirect.StatusCode)

	obj, err = DecodeStrict([]byte(validHealthCheckPolicy))
	require.NoError(t, err)
	hc := obj.(*HealthCheckPolicy)
	assert.Equal(t, "/readyz", *hc.Spec.Default.Config.HTTPHealthCheck.RequestPath)
	assert.Equal(t, "ServiceImport", hc.Spec.TargetRef.Kind)

	obj, err = DecodeStrict([]byte(validGCPBackendPolicy))
	require.NoError(t, err)
	bp := obj.(*GCPBackendPolicy)
	assert.Equal(t, int64(500000), *bp.Spec.Default.Logging.SampleRate)
	assert.Equal(t, "", bp.Spec.TargetRef.Group)

	obj, err = DecodeStrict([]byte(validServiceExport))
	require.NoError(t, err)
	assert.Equal(t, "web", obj.(*ServiceExport).Name)
}

func TestDecodeStrictMisspeltGatewayFields(t *testing.T) {
	cases := []struct {
		name, manifest, path, suggestion string
	}{
		{"listener field", `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"name":"x"},
			"spec":{"gatewayClassName":"c","listeners":[{"name":"http","port":80,"protocol":"HTTP","hostName":"example.com"}]}}`,
			"spec.listeners[0].hostName", `"hostname"`},
		{"gateway spec field (wrong case)", `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"name":"x"},
			"spec":{"gatewayClassName":"c","listeners":[{"name":"http","port":80,"protocol":"HTTP"}],"Addresses":[]}}`,
			"spec.Addresses", `"addresses"`},
		{"route spec field", `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"x"},
			"spec":{"parentRef":[{"name":"web"}]}}`, "spec.parentRef", `"parentRefs"`},
		{"backend ref field", `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"x"},
			"spec":{"rules":[{"backendRefs":[{"name":"web","port":80,"wieght":1}]}]}}`, "spec.rules[0].backendRefs[0].wieght", `"weight"`},
		{"redirect field", `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"x"},
			"spec":{"rules":[{"filters":[{"type":"RequestRedirect","requestRedirect":{"statuscode":301}}]}]}}`,
			"spec.rules[0].filters[0].requestRedirect.statuscode", `"statusCode"`},
		{"health check field", `{"apiVersion":"networking.gke.io/v1","kind":"HealthCheckPolicy","metadata":{"name":"x"},
			"spec":{"default":{"config":{"httpHealthcheck":{"requestPath":"/"}}},"targetRef":{"group":"","kind":"Service","name":"web"}}}`,
			"spec.default.config.httpHealthcheck", `"httpHealthCheck"`},
		{"health check interval", `{"apiVersion":"networking.gke.io/v1","kind":"HealthCheckPolicy","metadata":{"name":"x"},
			"spec":{"default":{"checkIntervalSecs":5},"targetRef":{"group":"","kind":"Service","name":"web"}}}`,
			"spec.default.checkIntervalSecs", `"checkIntervalSec"`},
		{"backend policy field", `{"apiVersion":"networking.gke.io/v1","kind":"GCPBackendPolicy","metadata":{"name":"x"},
			"spec":{"default":{"connectionDrainig":{"drainingTimeoutSec":30}},"targetRef":{"group":"","kind":"Service","name":"web"}}}`,
			"spec.default.connectionDrainig", `"connectionDraining"`},
		{"service export has no spec", `{"apiVersion":"net.gke.io/v1","kind":"ServiceExport","metadata":{"name":"web"},"spec":{}}`,
			"spec", "known: apiVersion, kind, metadata"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := fieldErrors(t, tc.manifest)
			require.Len(t, errs, 1, "%v", errs)
			assert.Equal(t, tc.path, errs[0].Path)
			assert.Contains(t, errs[0].Error(), "unknown field")
			assert.Contains(t, errs[0].Error(), tc.suggestion)
		})
	}
}

func TestDecodeStrictRejectsOutOfRuleGatewayKinds(t *testing.T) {
	gw := func(spec string) string {
		return `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"name":"x"},"spec":` + spec + `}`
	}
	// ls builds a Gateway spec with these listeners.
	ls := func(listeners string) string {
		return gw(`{"gatewayClassName":"gke-l7-global-external-managed-mc","listeners":[` + listeners + `]}`)
	}
	addrs := func(addresses string) string {
		return gw(`{"gatewayClassName":"c","listeners":[{"name":"http","port":80,"protocol":"HTTP"}],"addresses":[` + addresses + `]}`)
	}
	hr := func(spec string) string {
		return `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"x"},"spec":` + spec + `}`
	}
	// rules builds an HTTPRoute spec with these rules.
	rules := func(r string) string { return hr(`{"parentRefs":[{"name":"web"}],"rules":[` + r + `]}`) }
	hc := func(def string) string {
		return `{"apiVersion":"networking.gke.io/v1","kind":"HealthCheckPolicy","metadata":{"name":"x"},
			"spec":{"default":` + def + `,"targetRef":{"group":"net.gke.io","kind":"ServiceImport","name":"web"}}}`
	}
	hcTarget := func(target string) string {
		return `{"apiVersion":"networking.gke.io/v1","kind":"HealthCheckPolicy","metadata":{"name":"x"},"spec":{"targetRef":` + target + `}}`
	}
	bp := func(def string) string {
		return `{"apiVersion":"networking.gke.io/v1","kind":"GCPBackendPolicy","metadata":{"name":"x"},
			"spec":{"default":` + def + `,"targetRef":{"group":"net.gke.io","kind":"ServiceImport","name":"web"}}}`
	}
	var listeners65, options17, matches64, hostnames17 []string
	for i := range 65 {
		listeners65 = append(listeners65, fmt.Sprintf(`{"name":"l%d","port":%d,"protocol":"HTTP"}`, i, 8000+i))
	}
	for i := range 17 {
		options17 = append(options17, fmt.Sprintf(`"o%d":"v"`, i))
		hostnames17 = append(hostnames17, fmt.Sprintf(`"h%d.example.com"`, i))
	}
	for range 64 {
		matches64 = append(matches64, `{"path":{"value":"/"}}`)
	}
	m64 := `{"matches":[` + strings.Join(matches64, ",") + `],"backendRefs":[{"name":"web","port":80}]}`
	cases := []struct {
		name, manifest, path, msg string
	}{
		// Gateway: schema rules.
		{"no listeners", gw(`{"gatewayClassName":"c","listeners":[]}`), "spec.listeners", "must not be empty"},
		{"too many listeners", ls(strings.Join(listeners65, ",")), "spec.listeners", "at most 64 items"},
		{"empty class name", gw(`{"gatewayClassName":"","listeners":[{"name":"http","port":80,"protocol":"HTTP"}]}`), "spec.gatewayClassName", "must not be empty"},
		{"listener name", ls(`{"name":"HTTP","port":80,"protocol":"HTTP"}`), "spec.listeners[0].name", "must match"},
		{"listener port", ls(`{"name":"http","port":0,"protocol":"HTTP"}`), "spec.listeners[0].port", "between 1 and 65535"},
		{"listener protocol", ls(`{"name":"http","port":80,"protocol":"HTTP S"}`), "spec.listeners[0].protocol", "must match"},
		{"listener hostname", ls(`{"name":"http","port":80,"protocol":"HTTP","hostname":"www.*.example.com"}`), "spec.listeners[0].hostname", "must match"},
		{"tls mode", ls(`{"name":"tls","port":443,"protocol":"TLS","tls":{"mode":"Terminated","certificateRefs":[{"name":"c"}]}}`),
			"spec.listeners[0].tls.mode", `must be one of "Terminate", "Passthrough"`},
		{"tls options", ls(`{"name":"https","port":443,"protocol":"HTTPS","tls":{"options":{` + strings.Join(options17, ",") + `}}}`),
			"spec.listeners[0].tls.options", "at most 16 entries"},
		{"allowed routes", ls(`{"name":"http","port":80,"protocol":"HTTP","allowedRoutes":{"namespaces":{"from":"Any"}}}`),
			"spec.listeners[0].allowedRoutes.namespaces.from", `"All", "Selector", "Same"`},
		{"address type", addrs(`{"type":"named","value":"ip"}`), "spec.addresses[0].type", "must match"},
		// Gateway: required fields.
		{"missing spec", `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"name":"x"}}`, "spec", "required field is missing"},
		{"missing listeners", gw(`{"gatewayClassName":"c"}`), "spec.listeners", "required field is missing"},
		{"missing class name", gw(`{"listeners":[{"name":"http","port":80,"protocol":"HTTP"}]}`), "spec.gatewayClassName", "required field is missing"},
		{"missing port", ls(`{"name":"http","protocol":"HTTP"}`), "spec.listeners[0].port", "required field is missing"},
		{"missing protocol", ls(`{"name":"http","port":80}`), "spec.listeners[0].protocol", "required field is missing"},
		{"missing certificate name", ls(`{"name":"https","port":443,"protocol":"HTTPS","tls":{"certificateRefs":[{"kind":"Secret"}]}}`),
			"spec.listeners[0].tls.certificateRefs[0].name", "required field is missing"},
		// Gateway: CEL rules.
		{"duplicate listener name", ls(`{"name":"http","port":80,"protocol":"HTTP"},{"name":"http","port":8080,"protocol":"HTTP"}`),
			"spec.listeners[1].name", "listener names must be unique"},
		{"duplicate port and protocol", ls(`{"name":"a","port":80,"protocol":"HTTP"},{"name":"b","port":80,"protocol":"HTTP"}`),
			"spec.listeners[1]", "combination must be unique"},
		{"tls on http", ls(`{"name":"http","port":80,"protocol":"HTTP","tls":{"certificateRefs":[{"name":"c"}]}}`),
			"spec.listeners[0].tls", "tls must not be specified for protocols HTTP"},
		{"https passthrough", ls(`{"name":"https","port":443,"protocol":"HTTPS","tls":{"mode":"Passthrough"}}`),
			"spec.listeners[0].tls.mode", "must be Terminate for protocol HTTPS"},
		{"terminate without certificates", ls(`{"name":"https","port":443,"protocol":"HTTPS","tls":{}}`),
			"spec.listeners[0].tls", "certificateRefs or options must be specified"},
		{"tls protocol without tls", ls(`{"name":"tls","port":443,"protocol":"TLS"}`), "spec.listeners[0].tls.mode", "must be set for protocol TLS"},
		{"tcp hostname", ls(`{"name":"tcp","port":5432,"protocol":"TCP","hostname":"db.example.com"}`),
			"spec.listeners[0].hostname", "must not be specified for protocols TCP"},
		{"ip address (default type)", addrs(`{"value":"web-global-ip"}`), "spec.addresses[0].value", "IPv4 or IPv6"},
		{"duplicate ip address", addrs(`{"value":"203.0.113.1"},{"type":"IPAddress","value":"203.0.113.1"}`),
			"spec.addresses[1].value", "IPAddress values must be unique"},
		{"hostname address", addrs(`{"type":"Hostname","value":"Web.example.com"}`), "spec.addresses[0].value", "Hostname value must be empty"},

		// HTTPRoute: schema rules.
		{"route hostname", hr(`{"hostnames":["Example.com"]}`), "spec.hostnames[0]", "must match"},
		{"too many hostnames", hr(`{"hostnames":[` + strings.Join(hostnames17, ",") + `]}`), "spec.hostnames", "at most 16 items"},
		{"no rules", hr(`{"rules":[]}`), "spec.rules", "must not be empty"},
		{"section name", hr(`{"parentRefs":[{"name":"web","sectionName":"HTTP"}]}`), "spec.parentRefs[0].sectionName", "must match"},
		{"path type", rules(`{"matches":[{"path":{"type":"Prefix","value":"/"}}],"backendRefs":[{"name":"web","port":80}]}`),
			"spec.rules[0].matches[0].path.type", `"Exact", "PathPrefix", "RegularExpression"`},
		{"long path", rules(`{"matches":[{"path":{"value":"/` + strings.Repeat("a", 1024) + `"}}],"backendRefs":[{"name":"web","port":80}]}`),
			"spec.rules[0].matches[0].path.value", "at most 1024 characters"},
		{"header name", rules(`{"matches":[{"headers":[{"name":"X Region","value":"a"}]}],"backendRefs":[{"name":"web","port":80}]}`),
			"spec.rules[0].matches[0].headers[0].name", "must match"},
		{"filter type", rules(`{"filters":[{"type":"Redirect"}]}`), "spec.rules[0].filters[0].type", `"RequestRedirect"`},
		{"redirect scheme", rules(`{"filters":[{"type":"RequestRedirect","requestRedirect":{"scheme":"HTTPS"}}]}`),
			"spec.rules[0].filters[0].requestRedirect.scheme", `must be one of "http", "https"`},
		{"redirect status code", rules(`{"filters":[{"type":"RequestRedirect","requestRedirect":{"statusCode":304}}]}`),
			"spec.rules[0].filters[0].requestRedirect.statusCode", "must be one of 301, 302, 303, 307, 308"},
		{"redirect port", rules(`{"filters":[{"type":"RequestRedirect","requestRedirect":{"port":0}}]}`),
			"spec.rules[0].filters[0].requestRedirect.port", "between 1 and 65535"},
		{"backend weight", rules(`{"backendRefs":[{"name":"web","port":80,"weight":1000001}]}`),
			"spec.rules[0].backendRefs[0].weight", "between 0 and 1000000"},
		{"backend namespace", rules(`{"backendRefs":[{"name":"web","port":80,"namespace":"App"}]}`),
			"spec.rules[0].backendRefs[0].namespace", "must match"},
		// HTTPRoute: required fields.
		{"missing route spec", `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"x"}}`, "spec", "required field is missing"},
		{"missing parent name", hr(`{"parentRefs":[{"sectionName":"http"}]}`), "spec.parentRefs[0].name", "required field is missing"},
		{"missing backend name", rules(`{"backendRefs":[{"port":80}]}`), "spec.rules[0].backendRefs[0].name", "required field is missing"},
		{"missing header value", rules(`{"matches":[{"headers":[{"name":"X-A"}]}],"backendRefs":[{"name":"web","port":80}]}`),
			"spec.rules[0].matches[0].headers[0].value", "required field is missing"},
		{"missing filter type", rules(`{"filters":[{}]}`), "spec.rules[0].filters[0].type", "required field is missing"},
		// HTTPRoute: CEL rules.
		{"redirect with backends", rules(`{"filters":[{"type":"RequestRedirect","requestRedirect":{"scheme":"https"}}],"backendRefs":[{"name":"web","port":80}]}`),
			"spec.rules[0].backendRefs", "must not be used together with backendRefs"},
		{"redirect without settings", rules(`{"filters":[{"type":"RequestRedirect"}]}`),
			"spec.rules[0].filters[0].requestRedirect", "must be specified for RequestRedirect"},
		{"undeclared filter", rules(`{"filters":[{"type":"URLRewrite"}],"backendRefs":[{"name":"web","port":80}]}`),
			"spec.rules[0].filters[0].type", "filter.urlRewrite must be specified for URLRewrite"},
		{"repeated redirect", rules(`{"filters":[{"type":"RequestRedirect","requestRedirect":{"scheme":"https"}},{"type":"RequestRedirect","requestRedirect":{"port":443}}]}`),
			"spec.rules[0].filters[1].type", "RequestRedirect filter cannot be repeated"},
		{"service without port", rules(`{"backendRefs":[{"name":"web"}]}`), "spec.rules[0].backendRefs[0].port", "Must have port for Service reference"},
		{"relative path (default PathPrefix)", rules(`{"matches":[{"path":{"value":"static"}}],"backendRefs":[{"name":"web","port":80}]}`),
			"spec.rules[0].matches[0].path.value", "must be an absolute path"},
		{"double slash", rules(`{"matches":[{"path":{"type":"Exact","value":"/a//b"}}],"backendRefs":[{"name":"web","port":80}]}`),
			"spec.rules[0].matches[0].path.value", "must not contain '//'"},
		{"dot segment", rules(`{"matches":[{"path":{"value":"/a/."}}],"backendRefs":[{"name":"web","port":80}]}`),
			"spec.rules[0].matches[0].path.value", "must not end with '/.'"},
		{"duplicate header", rules(`{"matches":[{"headers":[{"name":"X-A","value":"1"},{"name":"X-A","value":"2"}]}],"backendRefs":[{"name":"web","port":80}]}`),
			"spec.rules[0].matches[0].headers[1].name", "header names must be unique"},
		{"section name mixed", hr(`{"parentRefs":[{"name":"web"},{"name":"web","sectionName":"http"}]}`),
			"spec.parentRefs[1].sectionName", "sectionName must be specified"},
		{"section name repeated", hr(`{"parentRefs":[{"name":"web","sectionName":"http"},{"kind":"Gateway","name":"web","sectionName":"http"}]}`),
			"spec.parentRefs[1].sectionName", "sectionName must be unique"},
		{"too many matches", rules(m64 + "," + m64 + `,{"matches":[{}],"backendRefs":[{"name":"web","port":80}]}`),
			"spec.rules", "must be less than 128"},

		// HealthCheckPolicy.
		{"check interval", hc(`{"checkIntervalSec":301}`), "spec.default.checkIntervalSec", "between 1 and 300"},
		{"hc timeout", hc(`{"timeoutSec":0}`), "spec.default.timeoutSec", "between 1 and 300"},
		{"healthy threshold", hc(`{"healthyThreshold":11}`), "spec.default.healthyThreshold", "between 1 and 10"},
		{"unhealthy threshold", hc(`{"unhealthyThreshold":0}`), "spec.default.unhealthyThreshold", "between 1 and 10"},
		{"hc type", hc(`{"config":{"type":"GRPCS"}}`), "spec.default.config.type", `"TCP", "HTTP", "HTTPS", "HTTP2", "GRPC"`},
		{"port specification", hc(`{"config":{"httpHealthCheck":{"portSpecification":"FIXED"}}}`),
			"spec.default.config.httpHealthCheck.portSpecification", "USE_FIXED_PORT"},
		{"hc port", hc(`{"config":{"httpHealthCheck":{"port":70000}}}`), "spec.default.config.httpHealthCheck.port", "between 1 and 65535"},
		{"hc port name", hc(`{"config":{"httpHealthCheck":{"portName":"8080"}}}`), "spec.default.config.httpHealthCheck.portName", "must match"},
		{"request path", hc(`{"config":{"httpHealthCheck":{"requestPath":"readyz"}}}`), "spec.default.config.httpHealthCheck.requestPath", "must match"},
		{"hc host", hc(`{"config":{"httpHealthCheck":{"host":"Web.example.com"}}}`), "spec.default.config.httpHealthCheck.host", "must match"},
		{"proxy header", hc(`{"config":{"httpHealthCheck":{"proxyHeader":"PROXY_V2"}}}`),
			"spec.default.config.httpHealthCheck.proxyHeader", `"NONE", "PROXY_V1"`},
		{"missing target", `{"apiVersion":"networking.gke.io/v1","kind":"HealthCheckPolicy","metadata":{"name":"x"},"spec":{"default":{}}}`,
			"spec.targetRef", "required field is missing"},
		{"missing target group", hcTarget(`{"kind":"ServiceImport","name":"web"}`), "spec.targetRef.group", "required field is missing"},
		{"target kind", hcTarget(`{"group":"net.gke.io","kind":"Service Import","name":"web"}`), "spec.targetRef.kind", "must match"},
		{"missing policy spec", `{"apiVersion":"networking.gke.io/v1","kind":"HealthCheckPolicy","metadata":{"name":"x"}}`, "spec", "required field is missing"},
		{"hc timeout above interval", hc(`{"checkIntervalSec":5,"timeoutSec":10}`), "spec.default.timeoutSec", "checkIntervalSec"},

		// GCPBackendPolicy.
		{"backend timeout", bp(`{"timeoutSec":0}`), "spec.default.timeoutSec", "between 1 and 2147483647"},
		{"draining timeout", bp(`{"connectionDraining":{"drainingTimeoutSec":3601}}`), "spec.default.connectionDraining.drainingTimeoutSec", "between 0 and 3600"},
		{"log sample rate", bp(`{"logging":{"enabled":true,"sampleRate":1000001}}`), "spec.default.logging.sampleRate", "between 0 and 1000000"},
		{"fractional sample rate (BackendConfig's unit)", bp(`{"logging":{"enabled":true,"sampleRate":0.5}}`),
			"spec.default.logging.sampleRate", "must be an integer"},
		{"affinity type", bp(`{"sessionAffinity":{"type":"STICKY"}}`), "spec.default.sessionAffinity.type", "GENERATED_COOKIE"},
		{"affinity ttl", bp(`{"sessionAffinity":{"cookieTtlSec":1209601}}`), "spec.default.sessionAffinity.cookieTtlSec", "between 0 and 1209600"},
		{"security policy type", bp(`{"securityPolicy":{"name":"edge"}}`), "spec.default.securityPolicy", "must be a string"},
		{"empty target name", `{"apiVersion":"networking.gke.io/v1","kind":"GCPBackendPolicy","metadata":{"name":"x"},
			"spec":{"targetRef":{"group":"","kind":"Service","name":""}}}`, "spec.targetRef.name", "must not be empty"},
		{"missing backend policy target", `{"apiVersion":"networking.gke.io/v1","kind":"GCPBackendPolicy","metadata":{"name":"x"},"spec":{}}`,
			"spec.targetRef", "required field is missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := fieldErrors(t, tc.manifest)
			require.Len(t, errs, 1, "%v", errs)
			assert.Equal(t, tc.path, errs[0].Path)
			assert.Contains(t, errs[0].Error(), tc.msg)
			if !strings.HasPrefix(tc.msg, "must be a") { // JSON type errors have no source
				assert.NotEmpty(t, errs[0].Source)
			}
		})
	}
}

func TestDecodeStrictGatewayDefaults(t *testing.T) {
	// A path match without a type is a PathPrefix (checked as one); a
	// RegularExpression need not start with '/'.
	_, err := DecodeStrict([]byte(`{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"x"},
	  "spec":{"rules":[{"matches":[{"path":{"type":"RegularExpression","value":".*\\.css"}}],"backendRefs":[{"name":"web","port":80}]}]}}`))
	require.NoError(t, err)
	// A backendRef that is not a core Service needs no port.
	_, err = DecodeStrict([]byte(`{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"x"},
	  "spec":{"rules":[{"backendRefs":[{"group":"net.gke.io","kind":"ServiceImport","name":"web"}]}]}}`))
	require.NoError(t, err)
	// Passthrough needs no certificate; two references to different
	// parents need no sectionName.
	_, err = DecodeStrict([]byte(`{"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"name":"x"},
	  "spec":{"gatewayClassName":"c","listeners":[{"name":"tls","port":443,"protocol":"TLS","tls":{"mode":"Passthrough"}}],
	          "addresses":[{"value":"2001:db8::1"},{"type":"Hostname","value":"lb.example.com"}]}}`))
	require.NoError(t, err)
	_, err = DecodeStrict([]byte(`{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"x"},
	  "spec":{"parentRefs":[{"name":"web","sectionName":"http"},{"name":"web","namespace":"other"}]}}`))
	require.NoError(t, err)

	// Several problems are reported together.
	errs := fieldErrors(t, `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"name":"x"},
	  "spec":{"gatewayClassName":"","listeners":[{"name":"http","port":80,"protocol":"HTTP","tls":{"mode":"Terminate","certificateRefs":[{"name":"c"}]}},
	          {"name":"http","port":0,"protocol":"HTTP"}]}}`)
	assert.ElementsMatch(t, []string{"spec.gatewayClassName", "spec.listeners[1].port", "spec.listeners[0].tls", "spec.listeners[1].name"}, paths(errs))
}

func ref[T any](v T) *T { return &v }

func TestValidateGatewayGoObjects(t *testing.T) {
	require.NoError(t, Validate(&Gateway{
		ObjectMeta: ObjectMeta{Name: "web", Annotations: map[string]string{"networking.gke.io/certmap": "web"}},
		Spec: GatewaySpec{
			GatewayClassName: "gke-l7-global-external-managed-mc",
			Listeners: []Listener{
				{Name: "http", Port: 80, Protocol: "HTTP"},
				{Name: "https", Port: 443, Protocol: "HTTPS", Hostname: ref("www.example.com")},
			},
			Addresses: []GatewaySpecAddress{{Type: ref("NamedAddress"), Value: "web-global-ip"}},
		},
	}))
	serviceImport := func(name string) HTTPBackendRef {
		return HTTPBackendRef{Group: ref(MultiClusterServiceGroup), Kind: ref(ServiceImportKind), Name: name, Port: ref(int64(80))}
	}
	require.NoError(t, Validate(HTTPRoute{
		Spec: HTTPRouteSpec{
			ParentRefs: []ParentReference{{Kind: ref(GatewayKind), Name: "web", SectionName: ref("https")}},
			Hostnames:  []string{"www.example.com"},
			Rules: []HTTPRouteRule{
				{BackendRefs: []HTTPBackendRef{serviceImport("web")}},
				{Matches: []HTTPRouteMatch{{Headers: []HTTPHeaderMatch{{Type: ref("Exact"), Name: "X-Region-Probe", Value: "euw1"}}}},
					BackendRefs: []HTTPBackendRef{serviceImport("web-euw1")}},
			},
		},
	}))
	require.NoError(t, Validate(HTTPRoute{Spec: HTTPRouteSpec{
		ParentRefs: []ParentReference{{Name: "web", SectionName: ref("http")}},
		Rules: []HTTPRouteRule{{Filters: []HTTPRouteFilter{{Type: "RequestRedirect",
			RequestRedirect: &HTTPRequestRedirectFilter{Scheme: ref("https"), StatusCode: ref(int64(301))}}}}},
	}}))
	target := PolicyTargetReference{Group: MultiClusterServiceGroup, Kind: ServiceImportKind, Name: "web"}
	require.NoError(t, Validate(HealthCheckPolicy{Spec: HealthCheckPolicySpec{
		Default: &HealthCheckPolicyConfig{CheckIntervalSec: ref(int64(10)), TimeoutSec: ref(int64(5)),
			LogConfig: &HealthCheckLogConfig{Enabled: ref(true)},
			Config: &HealthCheckSettings{Type: ref("HTTP"), HTTPHealthCheck: &HTTPHealthCheck{
				PortSpecification: ref("USE_FIXED_PORT"), Port: ref(int64(8080)), RequestPath: ref("/readyz")}}},
		TargetRef: target,
	}}))
	require.NoError(t, Validate(&GCPBackendPolicy{Spec: GCPBackendPolicySpec{
		Default: &GCPBackendPolicyConfig{TimeoutSec: ref(int64(60)),
			ConnectionDraining: &BackendPolicyConnectionDraining{DrainingTimeoutSec: ref(int64(30))},
			Logging:            &BackendPolicyLogging{Enabled: ref(true), SampleRate: ref(int64(1000000))},
			SecurityPolicy:     ref("edge-policy")},
		TargetRef: target,
	}}))
	require.NoError(t, Validate(ServiceExport{ObjectMeta: ObjectMeta{Name: "web", Namespace: "app"}}))

	// Zero values: the required fields are sent empty (no omitempty) and fail.
	err := Validate(Gateway{})
	var de *DecodeError
	require.True(t, errors.As(err, &de), "%v", err)
	assert.ElementsMatch(t, []string{"spec.gatewayClassName", "spec.listeners"}, paths(de.Errs))
	require.True(t, errors.As(Validate(HealthCheckPolicy{}), &de))
	// (an empty kind fails both its minimum length and its pattern)
	assert.ElementsMatch(t, []string{"spec.targetRef.kind", "spec.targetRef.kind", "spec.targetRef.name"}, paths(de.Errs))

	// Marshalling sends spec (required) and no status; a ServiceExport is
	// metadata only.
	data, err := json.Marshal(HTTPRoute{TypeMeta: TypeMeta{APIVersion: HTTPRouteAPIVersion, Kind: HTTPRouteKind}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{},"spec":{}}`, string(data))
	data, err = json.Marshal(ServiceExport{TypeMeta: TypeMeta{APIVersion: ServiceExportAPIVersion, Kind: ServiceExportKind}, ObjectMeta: ObjectMeta{Name: "web"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"apiVersion":"net.gke.io/v1","kind":"ServiceExport","metadata":{"name":"web"}}`, string(data))
}
