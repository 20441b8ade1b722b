package gkeapi

// API groups, versions and kinds of the multi-cluster Gateway resources.
const (
	// GatewayGroup is the API group of the Kubernetes Gateway API (Gateway,
	// HTTPRoute).
	GatewayGroup = "gateway.networking.k8s.io"
	// GatewayVersion is the Gateway version these types mirror.
	GatewayVersion = "v1"
	// GatewayAPIVersion is the apiVersion of a Gateway manifest.
	GatewayAPIVersion = GatewayGroup + "/" + GatewayVersion
	// GatewayKind is the kind of a Gateway manifest.
	GatewayKind = "Gateway"

	// HTTPRouteVersion is the HTTPRoute version these types mirror.
	HTTPRouteVersion = "v1"
	// HTTPRouteAPIVersion is the apiVersion of an HTTPRoute manifest.
	HTTPRouteAPIVersion = GatewayGroup + "/" + HTTPRouteVersion
	// HTTPRouteKind is the kind of an HTTPRoute manifest.
	HTTPRouteKind = "HTTPRoute"

	// HealthCheckPolicyVersion is the HealthCheckPolicy version these types
	// mirror (group NetworkingGroup).
	HealthCheckPolicyVersion = "v1"
	// HealthCheckPolicyAPIVersion is the apiVersion of a HealthCheckPolicy manifest.
	HealthCheckPolicyAPIVersion = NetworkingGroup + "/" + HealthCheckPolicyVersion
	// HealthCheckPolicyKind is the kind of a HealthCheckPolicy manifest.
	HealthCheckPolicyKind = "HealthCheckPolicy"

	// GCPBackendPolicyVersion is the GCPBackendPolicy version these types
	// mirror (group NetworkingGroup).
	GCPBackendPolicyVersion = "v1"
	// GCPBackendPolicyAPIVersion is the apiVersion of a GCPBackendPolicy manifest.
	GCPBackendPolicyAPIVersion = NetworkingGroup + "/" + GCPBackendPolicyVersion
	// GCPBackendPolicyKind is the kind of a GCPBackendPolicy manifest.
	GCPBackendPolicyKind = "GCPBackendPolicy"

	// GCPGatewayPolicyVersion is the GCPGatewayPolicy version these types
	// mirror (group NetworkingGroup).
	GCPGatewayPolicyVersion = "v1"
	// GCPGatewayPolicyAPIVersion is the apiVersion of a GCPGatewayPolicy manifest.
	GCPGatewayPolicyAPIVersion = NetworkingGroup + "/" + GCPGatewayPolicyVersion
	// GCPGatewayPolicyKind is the kind of a GCPGatewayPolicy manifest.
	GCPGatewayPolicyKind = "GCPGatewayPolicy"

	// MultiClusterServiceGroup is the API group of GKE multi-cluster Services
	// (ServiceExport, ServiceImport). It is also the group a backendRef or a
	// policy targetRef names to point at a ServiceImport.
	MultiClusterServiceGroup = "net.gke.io"
	// ServiceExportVersion is the ServiceExport version these types mirror.
	ServiceExportVersion = "v1"
	// ServiceExportAPIVersion is the apiVersion of a ServiceExport manifest.
	ServiceExportAPIVersion = MultiClusterServiceGroup + "/" + ServiceExportVersion
	// ServiceExportKind is the kind of a ServiceExport manifest.
	ServiceExportKind = "ServiceExport"
	// ServiceExportCRD is the CRD's name: GKE installs it in each cluster of
	// the fleet once multi-cluster Services is enabled, asynchronously.
	ServiceExportCRD = "serviceexports." + MultiClusterServiceGroup
	// ServiceImportKind is the kind of the object GKE creates in every
	// cluster of the fleet for each exported Service (same name and
	// namespace). This package does not declare its type: it is referenced
	// (backendRefs, targetRef), never written.
	ServiceImportKind = "ServiceImport"
)

// ---------------------------------------------------------------------------
// Gateway (gateway.networking.k8s.io/v1)

// Gateway is a load balancer of a GatewayClass (for this project
// gke-l7-global-external-managed-mc: a global external Application Load
// Balancer over the clusters of a fleet) and the listeners it opens.
type Gateway struct {
	TypeMeta
	ObjectMeta `json:"metadata,omitempty"`

	Spec GatewaySpec `json:"spec"`
}

// GatewaySpec is the desired state of a Gateway.
type GatewaySpec struct {
	// GatewayClassName is the name of a GatewayClass.
	GatewayClassName string `json:"gatewayClassName"`
	// Listeners are the logical endpoints bound to the Gateway's addresses
	// (1 to 64, names unique).
	Listeners []Listener `json:"listeners"`
	// Addresses requests addresses for the Gateway; GKE takes a reserved
	// global address by name (type NamedAddress).
	Addresses []GatewaySpecAddress `json:"addresses,omitempty"`
}

// Listener accepts connections on one port and protocol (and hostname).
type Listener struct {
	// Name is unique within the Gateway; routes attach to it by sectionName.
	Name string `json:"name"`
	// Hostname, when set, restricts the listener to requests for this
	// hostname (a leading "*." is a wildcard).
	Hostname *string `json:"hostname,omitempty"`
	Port     int64   `json:"port"`
	// Protocol is HTTP, HTTPS, TLS, TCP, UDP or an implementation-specific
	// "domain/Name".
	Protocol string `json:"protocol"`
	// TLS must not be set for HTTP, TCP or UDP. GKE can also serve HTTPS
	// with a Certificate Manager map (Gateway annotation
	// networking.gke.io/certmap) and no TLS here.
	TLS           *ListenerTLSConfig `json:"tls,omitempty"`
	AllowedRoutes *AllowedRoutes     `json:"allowedRoutes,omitempty"`
}

// ListenerTLSConfig is a listener's TLS configuration.
type ListenerTLSConfig struct {
	// Mode is Terminate (default) or Passthrough.
	Mode *string `json:"mode,omitempty"`
	// CertificateRefs are the certificates (Secrets unless kind says
	// otherwise); Terminate needs certificateRefs or options.
	CertificateRefs []SecretObjectReference `json:"certificateRefs,omitempty"`
	// Options are implementation-specific TLS settings (up to 16).
	Options map[string]string `json:"options,omitempty"`
}

// SecretObjectReference names an object, a Secret unless group and kind
// say otherwise.
type SecretObjectReference struct {
	Group     *string `json:"group,omitempty"`
	Kind      *string `json:"kind,omitempty"`
	Name      string  `json:"name"`
	Namespace *string `json:"namespace,omitempty"`
}

// AllowedRoutes says which routes may attach to a listener.
type AllowedRoutes struct {
	Namespaces *RouteNamespaces `json:"namespaces,omitempty"`
}

// RouteNamespaces says from which namespaces routes may attach.
type RouteNamespaces struct {
	// From is All, Same (default) or Selector.
	From *string `json:"from,omitempty"`
	// Selector selects the namespaces when From is Selector.
	Selector *LabelSelector `json:"selector,omitempty"`
}

// LabelSelector is metav1.LabelSelector.
type LabelSelector struct {
	MatchLabels      map[string]string          `json:"matchLabels,omitempty"`
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

// LabelSelectorRequirement is metav1.LabelSelectorRequirement.
type LabelSelectorRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// GatewaySpecAddress is an address requested for a Gateway.
type GatewaySpecAddress struct {
	// Type is IPAddress (default), Hostname, NamedAddress or a
	// "domain/Name" type.
	Type *string `json:"type,omitempty"`
	// Value is the address; when empty the implementation picks one.
	Value string `json:"value,omitempty"`
}

// ---------------------------------------------------------------------------
// HTTPRoute (gateway.networking.k8s.io/v1)

// HTTPRoute routes HTTP requests from Gateway listeners to backends.
type HTTPRoute struct {
	TypeMeta
	ObjectMeta `json:"metadata,omitempty"`

	Spec HTTPRouteSpec `json:"spec"`
}

// HTTPRouteSpec is the desired state of an HTTPRoute.
type HTTPRouteSpec struct {
	// ParentRefs are the Gateways (and listeners) the route attaches to.
	ParentRefs []ParentReference `json:"parentRefs,omitempty"`
	// Hostnames restricts the route to requests for these hostnames.
	Hostnames []string `json:"hostnames,omitempty"`
	// Rules default to one rule matching every path (PathPrefix "/").
	Rules []HTTPRouteRule `json:"rules,omitempty"`
}

// ParentReference names a parent (a Gateway unless group and kind say
// otherwise), and optionally one of its listeners.
type ParentReference struct {
	// Group defaults to gateway.networking.k8s.io.
	Group *string `json:"group,omitempty"`
	// Kind defaults to Gateway.
	Kind      *string `json:"kind,omitempty"`
	Namespace *string `json:"namespace,omitempty"`
	Name      string  `json:"name"`
	// SectionName is a listener name of the Gateway.
	SectionName *string `json:"sectionName,omitempty"`
	Port        *int64  `json:"port,omitempty"`
}

// HTTPRouteRule sends the requests that match to its backends, through its
// filters.
type HTTPRouteRule struct {
	// Matches are ORed; a rule without matches matches every request.
	Matches []HTTPRouteMatch  `json:"matches,omitempty"`
	Filters []HTTPRouteFilter `json:"filters,omitempty"`
	// BackendRefs must be empty when a filter redirects.
	BackendRefs []HTTPBackendRef `json:"backendRefs,omitempty"`
}

// HTTPRouteMatch is a request predicate; its conditions are ANDed.
type HTTPRouteMatch struct {
	Path    *HTTPPathMatch    `json:"path,omitempty"`
	Headers []HTTPHeaderMatch `json:"headers,omitempty"`
}

// HTTPPathMatch matches the request path.
type HTTPPathMatch struct {
	// Type is Exact, PathPrefix (default) or RegularExpression.
	Type *string `json:"type,omitempty"`
	// Value defaults to "/".
	Value *string `json:"value,omitempty"`
}

// HTTPHeaderMatch matches one request header (names are unique within a
// match).
type HTTPHeaderMatch struct {
	// Type is Exact (default) or RegularExpression.
	Type  *string `json:"type,omitempty"`
	Name  string  `json:"name"`
	Value string  `json:"value"`
}

// HTTPRouteFilter modifies requests; this package declares the
// RequestRedirect filter only.
type HTTPRouteFilter struct {
	Type            string                     `json:"type"`
	RequestRedirect *HTTPRequestRedirectFilter `json:"requestRedirect,omitempty"`
}

// HTTPRequestRedirectFilter answers with a redirect.
type HTTPRequestRedirectFilter struct {
	// Scheme is http or https; the request's when unset.
	Scheme   *string `json:"scheme,omitempty"`
	Hostname *string `json:"hostname,omitempty"`
	Port     *int64  `json:"port,omitempty"`
	// StatusCode defaults to 302.
	StatusCode *int64 `json:"statusCode,omitempty"`
}

// HTTPBackendRef is a weighted backend (a core Service unless group and
// kind say otherwise, e.g. net.gke.io ServiceImport).
type HTTPBackendRef struct {
	Group     *string `json:"group,omitempty"`
	Kind      *string `json:"kind,omitempty"`
	Name      string  `json:"name"`
	Namespace *string `json:"namespace,omitempty"`
	// Port is required for a core Service.
	Port *int64 `json:"port,omitempty"`
	// Weight is relative to the rule's other backends (default 1).
	Weight *int64 `json:"weight,omitempty"`
}

// ---------------------------------------------------------------------------
// HealthCheckPolicy (networking.gke.io/v1)

// HealthCheckPolicy configures the load balancer health check of the
// backend service GKE's Gateway controller creates for its target (a
// Service or a ServiceImport).
type HealthCheckPolicy struct {
	TypeMeta
	ObjectMeta `json:"metadata,omitempty"`

	Spec HealthCheckPolicySpec `json:"spec"`
}

// HealthCheckPolicySpec is the health check and the backend it applies to.
type HealthCheckPolicySpec struct {
	Default   *HealthCheckPolicyConfig `json:"default,omitempty"`
	TargetRef PolicyTargetReference    `json:"targetRef"`
}

// HealthCheckPolicyConfig is the health check.
type HealthCheckPolicyConfig struct {
	CheckIntervalSec   *int64                `json:"checkIntervalSec,omitempty"`
	TimeoutSec         *int64                `json:"timeoutSec,omitempty"`
	HealthyThreshold   *int64                `json:"healthyThreshold,omitempty"`
	UnhealthyThreshold *int64                `json:"unhealthyThreshold,omitempty"`
	LogConfig          *HealthCheckLogConfig `json:"logConfig,omitempty"`
	Config             *HealthCheckSettings  `json:"config,omitempty"`
}

// HealthCheckLogConfig turns health check logging on.
type HealthCheckLogConfig struct {
	Enabled *bool `json:"enabled,omitempty"`
}

// HealthCheckSettings is the health check's protocol and its settings
// (this package declares httpHealthCheck only).
type HealthCheckSettings struct {
	// Type is TCP, HTTP, HTTPS, HTTP2 or GRPC.
	Type            *string          `json:"type,omitempty"`
	HTTPHealthCheck *HTTPHealthCheck `json:"httpHealthCheck,omitempty"`
}

// HTTPHealthCheck is an HTTP health check.
type HTTPHealthCheck struct {
	// PortSpecification is USE_FIXED_PORT (port), USE_NAMED_PORT (portName)
	// or USE_SERVING_PORT.
	PortSpecification *string `json:"portSpecification,omitempty"`
	Port              *int64  `json:"port,omitempty"`
	PortName          *string `json:"portName,omitempty"`
	// Host is the Host header sent.
	Host        *string `json:"host,omitempty"`
	RequestPath *string `json:"requestPath,omitempty"`
	// Response, when set, must begin the response body.
	Response *string `json:"response,omitempty"`
	// ProxyHeader is NONE or PROXY_V1.
	ProxyHeader *string `json:"proxyHeader,omitempty"`
}

// PolicyTargetReference names the object a policy applies to. Group is
// required but may be empty (the core group of a Service).
type PolicyTargetReference struct {
	Group     string  `json:"group"`
	Kind      string  `json:"kind"`
	Name      string  `json:"name"`
	Namespace *string `json:"namespace,omitempty"`
}

// ---------------------------------------------------------------------------
// GCPBackendPolicy (networking.gke.io/v1)

// GCPBackendPolicy configures the backend service GKE's Gateway controller
// creates for its target (a Service or a ServiceImport): what a
// BackendConfig does for an Ingress backend.
type GCPBackendPolicy struct {
	TypeMeta
	ObjectMeta `json:"metadata,omitempty"`

	Spec GCPBackendPolicySpec `json:"spec"`
}

// GCPBackendPolicySpec is the backend configuration and the backend it
// applies to.
type GCPBackendPolicySpec struct {
	Default   *GCPBackendPolicyConfig `json:"default,omitempty"`
	TargetRef PolicyTargetReference   `json:"targetRef"`
}

// GCPBackendPolicyConfig is the backend service configuration.
type GCPBackendPolicyConfig struct {
	TimeoutSec         *int64                           `json:"timeoutSec,omitempty"`
	ConnectionDraining *BackendPolicyConnectionDraining `json:"connectionDraining,omitempty"`
	Logging            *BackendPolicyLogging            `json:"logging,omitempty"`
	// SecurityPolicy is the name of a Cloud Armor security policy.
	SecurityPolicy  *string                       `json:"securityPolicy,omitempty"`
	SessionAffinity *BackendPolicySessionAffinity `json:"sessionAffinity,omitempty"`
}

// ---------------------------------------------------------------------------
// GCPGatewayPolicy (networking.gke.io/v1)

// GCPGatewayPolicy configures the load balancer of a Gateway (its target):
// the SSL policy of its HTTPS front end, what an Ingress's FrontendConfig does.
type GCPGatewayPolicy struct {
	TypeMeta
	ObjectMeta `json:"metadata,omitempty"`

	Spec GCPGatewayPolicySpec `json:"spec"`
}

// GCPGatewayPolicySpec is the Gateway's configuration and the Gateway.
type GCPGatewayPolicySpec struct {
	Default   *GCPGatewayPolicyConfig `json:"default,omitempty"`
	TargetRef PolicyTargetReference   `json:"targetRef"`
}

// GCPGatewayPolicyConfig is the Gateway's front-end configuration.
type GCPGatewayPolicyConfig struct {
	// SSLPolicy names a Compute Engine SSL policy (TLS versions and ciphers).
	SSLPolicy *string `json:"sslPolicy,omitempty"`
	// AllowGlobalAccess is for internal Gateways only.
	AllowGlobalAccess *bool `json:"allowGlobalAccess,omitempty"`
}

// BackendPolicyConnectionDraining sets the connection draining timeout.
type BackendPolicyConnectionDraining struct {
	DrainingTimeoutSec *int64 `json:"drainingTimeoutSec,omitempty"`
}

// BackendPolicyLogging configures the load balancer's access logs.
type BackendPolicyLogging struct {
	Enabled *bool `json:"enabled,omitempty"`
	// SampleRate is in millionths of requests, 0 to 1000000 (BackendConfig's
	// sampleRate is a fraction).
	SampleRate *int64 `json:"sampleRate,omitempty"`
}

// BackendPolicySessionAffinity sets session affinity.
type BackendPolicySessionAffinity struct {
	Type         *string `json:"type,omitempty"`
	CookieTtlSec *int64  `json:"cookieTtlSec,omitempty"`
}

// ---------------------------------------------------------------------------
// ServiceExport (net.gke.io/v1)

// ServiceExport exports the Service of the same name and namespace to every
// cluster of the fleet (GKE multi-cluster Services), where GKE creates a
// ServiceImport of that name. It has no spec: metadata.name must be the
// Service's name, which DecodeStrict cannot check.
type ServiceExport struct {
	TypeMeta
	ObjectMeta `json:"metadata,omitempty"`
}
