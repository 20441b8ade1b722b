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
