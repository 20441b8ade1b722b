package gkeapi

// API groups, versions and kinds of the GKE Ingress resources.
const (
	// BackendConfigGroup is the API group of BackendConfig.
	BackendConfigGroup = "cloud.google.com"
	// BackendConfigVersion is the BackendConfig version these types mirror.
	BackendConfigVersion = "v1"
	// BackendConfigAPIVersion is the apiVersion of a BackendConfig manifest.
	BackendConfigAPIVersion = BackendConfigGroup + "/" + BackendConfigVersion
	// BackendConfigKind is the kind of a BackendConfig manifest.
	BackendConfigKind = "BackendConfig"

	// NetworkingGroup is the API group of FrontendConfig and ManagedCertificate
	// (and of the Gateway policies HealthCheckPolicy and GCPBackendPolicy).
	NetworkingGroup = "networking.gke.io"
	// FrontendConfigVersion is the FrontendConfig version these types mirror.
	FrontendConfigVersion = "v1beta1"
	// FrontendConfigAPIVersion is the apiVersion of a FrontendConfig manifest.
	FrontendConfigAPIVersion = NetworkingGroup + "/" + FrontendConfigVersion
	// FrontendConfigKind is the kind of a FrontendConfig manifest.
	FrontendConfigKind = "FrontendConfig"

	// ManagedCertificateVersion is the ManagedCertificate version these types mirror.
	ManagedCertificateVersion = "v1"
	// ManagedCertificateAPIVersion is the apiVersion of a ManagedCertificate manifest.
	ManagedCertificateAPIVersion = NetworkingGroup + "/" + ManagedCertificateVersion
	// ManagedCertificateKind is the kind of a ManagedCertificate manifest.
	ManagedCertificateKind = "ManagedCertificate"
)

// TypeMeta is the apiVersion and kind every object carries (as metav1.TypeMeta).
type TypeMeta struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
}

// ObjectMeta is the part of metav1.ObjectMeta a client sends when it creates
// or applies an object. Server-populated fields (uid, resourceVersion,
// creationTimestamp, managedFields …) are deliberately absent: DecodeStrict
// rejects them, since a manifest in this repository never carries them.
type ObjectMeta struct {
	Name         string            `json:"name,omitempty"`
	GenerateName string            `json:"generateName,omitempty"`
	Namespace    string            `json:"namespace,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	Finalizers   []string          `json:"finalizers,omitempty"`
}

// ---------------------------------------------------------------------------
// BackendConfig (cloud.google.com/v1)

// BackendConfig configures the Google Cloud backend service GKE Ingress
// creates for a Service port (referenced by the Service annotation
// cloud.google.com/backend-config).
type BackendConfig struct {
	TypeMeta
	ObjectMeta `json:"metadata,omitempty"`

	Spec   BackendConfigSpec   `json:"spec,omitempty"`
	Status BackendConfigStatus `json:"status,omitempty,omitzero"`
}

// BackendConfigSpec is the desired configuration of the backend service.
type BackendConfigSpec struct {
	Iap                   *IAPConfig                   `json:"iap,omitempty"`
	Cdn                   *CDNConfig                   `json:"cdn,omitempty"`
	SecurityPolicy        *SecurityPolicyConfig        `json:"securityPolicy,omitempty"`
	TimeoutSec            *int64                       `json:"timeoutSec,omitempty"`
	ConnectionDraining    *ConnectionDrainingConfig    `json:"connectionDraining,omitempty"`
	SessionAffinity       *SessionAffinityConfig       `json:"sessionAffinity,omitempty"`
	CustomRequestHeaders  *CustomRequestHeadersConfig  `json:"customRequestHeaders,omitempty"`
	CustomResponseHeaders *CustomResponseHeadersConfig `json:"customResponseHeaders,omitempty"`
	HealthCheck           *HealthCheckConfig           `json:"healthCheck,omitempty"`
	// Logging configures the load balancer's access logs for this backend.
	Logging *LogConfig `json:"logging,omitempty"`
}

// BackendConfigStatus is empty in the published API.
type BackendConfigStatus struct{}

// IAPConfig enables Identity-Aware Proxy on the backend.
type IAPConfig struct {
	Enabled bool `json:"enabled"`
	// OAuthClientCredentials is optional although its tag has no omitempty
	// (as published: a nil value marshals to null).
	OAuthClientCredentials *OAuthClientCredentials `json:"oauthclientCredentials"`
}

// OAuthClientCredentials names the OAuth client IAP uses.
type OAuthClientCredentials struct {
	// SecretName is a Secret holding client_id and client_secret.
	SecretName   string `json:"secretName"`
	ClientID     string `json:"clientID,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
}

// CDNConfig enables and tunes Cloud CDN on the backend.
type CDNConfig struct {
	Enabled                     bool                          `json:"enabled"`
	BypassCacheOnRequestHeaders []*BypassCacheOnRequestHeader `json:"bypassCacheOnRequestHeaders,omitempty"`
	CachePolicy                 *CacheKeyPolicy               `json:"cachePolicy,omitempty"`
	CacheMode                   *string                       `json:"cacheMode,omitempty"`
	ClientTtl                   *int64                        `json:"clientTtl,omitempty"`
	DefaultTtl                  *int64                        `json:"defaultTtl,omitempty"`
	MaxTtl                      *int64                        `json:"maxTtl,omitempty"`
	NegativeCaching             *bool                         `json:"negativeCaching,omitempty"`
	NegativeCachingPolicy       []*NegativeCachingPolicy      `json:"negativeCachingPolicy,omitempty"`
	RequestCoalescing           *bool                         `json:"requestCoalescing,omitempty"`
	ServeWhileStale             *int64                        `json:"serveWhileStale,omitempty"`
	SignedUrlCacheMaxAgeSec     *int64                        `json:"signedUrlCacheMaxAgeSec,omitempty"`
	SignedUrlKeys               []*SignedUrlKey               `json:"signedUrlKeys,omitempty"`
}

// BypassCacheOnRequestHeader is a request header whose presence bypasses the cache.
type BypassCacheOnRequestHeader struct {
	// HeaderName is matched case-insensitively.
	HeaderName string `json:"headerName,omitempty"`
}

// NegativeCachingPolicy is a cache TTL for one HTTP status code.
type NegativeCachingPolicy struct {
	Code int64 `json:"code,omitempty"`
	Ttl  int64 `json:"ttl,omitempty"`
}

// CacheKeyPolicy chooses what goes into the CDN cache key.
type CacheKeyPolicy struct {
	IncludeHost          bool     `json:"includeHost,omitempty"`
	IncludeProtocol      bool     `json:"includeProtocol,omitempty"`
	IncludeQueryString   bool     `json:"includeQueryString,omitempty"`
	QueryStringBlacklist []string `json:"queryStringBlacklist,omitempty"`
	QueryStringWhitelist []string `json:"queryStringWhitelist,omitempty"`
}

// SignedUrlKey is a Cloud CDN signed-URL key, given inline or by Secret.
type SignedUrlKey struct {
	KeyName    string `json:"keyName,omitempty"`
	KeyValue   string `json:"keyValue,omitempty"`
	SecretName string `json:"secretName,omitempty"`
}

// SecurityPolicyConfig attaches a Cloud Armor security policy. An empty name
// detaches the current one.
type SecurityPolicyConfig struct {
	Name string `json:"name"`
}

// ConnectionDrainingConfig sets the connection draining timeout.
type ConnectionDrainingConfig struct {
	DrainingTimeoutSec int64 `json:"drainingTimeoutSec,omitempty"`
}

// SessionAffinityConfig sets session affinity (stickiness).
type SessionAffinityConfig struct {
	AffinityType         string `json:"affinityType,omitempty"`
	AffinityCookieTtlSec *int64 `json:"affinityCookieTtlSec,omitempty"`
}

// CustomRequestHeadersConfig lists "Name: value" headers the load balancer
// adds to requests.
type CustomRequestHeadersConfig struct {
	Headers []string `json:"headers,omitempty"`
}

// CustomResponseHeadersConfig lists "Name: value" headers the load balancer
// adds to responses.
type CustomResponseHeadersConfig struct {
	Headers []string `json:"headers,omitempty"`
}

// HealthCheckConfig overrides the load balancer health check.
type HealthCheckConfig struct {
	CheckIntervalSec   *int64  `json:"checkIntervalSec,omitempty"`
	TimeoutSec         *int64  `json:"timeoutSec,omitempty"`
	HealthyThreshold   *int64  `json:"healthyThreshold,omitempty"`
	UnhealthyThreshold *int64  `json:"unhealthyThreshold,omitempty"`
	Type               *string `json:"type,omitempty"`
	// Port, when set, makes the health check use this fixed port.
	Port        *int64  `json:"port,omitempty"`
	RequestPath *string `json:"requestPath,omitempty"`
}

// LogConfig configures access logging.
type LogConfig struct {
	Enable bool `json:"enable,omitempty"`
	// SampleRate is the fraction of requests logged, in [0, 1] (default 1.0).
	SampleRate *float64 `json:"sampleRate,omitempty"`
}

// ---------------------------------------------------------------------------
// FrontendConfig (networking.gke.io/v1beta1)

// FrontendConfig configures the forwarding rules and target proxies of an
// Ingress (referenced by the Ingress annotation networking.gke.io/v1beta1.FrontendConfig).
type FrontendConfig struct {
	TypeMeta
	ObjectMeta `json:"metadata,omitempty"`

	Spec   FrontendConfigSpec   `json:"spec,omitempty"`
	Status FrontendConfigStatus `json:"status,omitempty,omitzero"`
}

// FrontendConfigSpec is the desired frontend configuration.
type FrontendConfigSpec struct {
	// SslPolicy is the name of a Compute Engine SSL policy.
	SslPolicy       *string              `json:"sslPolicy,omitempty"`
	RedirectToHttps *HttpsRedirectConfig `json:"redirectToHttps,omitempty"`
}

// HttpsRedirectConfig turns on the HTTP-to-HTTPS redirect.
type HttpsRedirectConfig struct {
	Enabled bool `json:"enabled"`
	// ResponseCodeName is a Compute Engine redirect response code name;
	// MOVED_PERMANENTLY_DEFAULT (301) when empty.
	ResponseCodeName string `json:"responseCodeName,omitempty"`
}

// FrontendConfigStatus is empty in the published API.
type FrontendConfigStatus struct{}

// ---------------------------------------------------------------------------
// ManagedCertificate (networking.gke.io/v1)

// ManagedCertificate asks GKE for a Google-managed certificate for up to 100
// non-wildcard domains (referenced by the Ingress annotation
// networking.gke.io/managed-certificates).
type ManagedCertificate struct {
	TypeMeta
	ObjectMeta `json:"metadata,omitempty"`

	Spec   ManagedCertificateSpec   `json:"spec,omitempty"`
	Status ManagedCertificateStatus `json:"status,omitempty,omitzero"`
}

// ManagedCertificateSpec lists the domains of the certificate.
type ManagedCertificateSpec struct {
	Domains []string `json:"domains"`
}

// ManagedCertificateStatus is written by the managed-certificate controller.
type ManagedCertificateStatus struct {
	CertificateStatus string         `json:"certificateStatus,omitempty"`
	DomainStatus      []DomainStatus `json:"domainStatus"`
	CertificateName   string         `json:"certificateName,omitempty"`
	// ExpireTime is an RFC 3339 date-time.
	ExpireTime string `json:"expireTime,omitempty"`
}

// DomainStatus is the provisioning status of one domain.
type DomainStatus struct {
	Domain string `json:"domain"`
	Status string `json:"status"`
}
