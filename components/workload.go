package components

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// WebName names the web workload's objects (Deployment, Service, HPA, PDB,
// Ingress, BackendConfig) in the app's namespace: monitoring filters on it.
// previewName names the blue/green preview Service.
const (
	WebName     = "web"
	previewName = "web-preview"
)

// WorkloadArgs configures the Django workload on a Kubernetes cluster.
type WorkloadArgs struct {
	// Project is the GCP project (GOOGLE_CLOUD_PROJECT; nginx's trace field).
	Project   string
	Namespace string
	// ServiceAccount is the pods' Kubernetes service account; GoogleServiceAccount,
	// when set, the Google one it acts as through Workload Identity.
	ServiceAccount       string
	GoogleServiceAccount pulumi.StringInput
	Labels               map[string]string

	// Image is the app image by digest (repo@sha256:…).
	Image    pulumi.StringInput
	Database DatabaseConnection
	// Cache, when set, is the Redis the app caches views and sessions in.
	Cache *CacheConnection
	// NginxImage is the nginx container's image, pinned by digest (required).
	NginxImage string
	// MigratedBy, when set, are another workload's migrations Jobs (the
	// primary region's): this one declares none and its Deployments wait for
	// those. Django has no migration lock; one database is migrated once.
	MigratedBy []pulumi.Resource

	// Gunicorn container requests and process model (from the capacity plan).
	GunicornCPU, GunicornMemory      string
	GunicornWorkers, GunicornThreads int
	// HPA bounds and CPU target (percent of gunicorn's request).
	MinReplicas, MaxReplicas int
	TargetCPUPercent         int

	// Host is the name users reach the app by (ALLOWED_HOSTS, the CSRF origin);
	// TLS says it is served over HTTPS (secure cookies, HSTS, redirect).
	Host pulumi.StringInput
	TLS  bool
	// LoadBalancerIP is the address nginx trusts X-Forwarded-For from.
	LoadBalancerIP pulumi.StringInput
	// Settings are extra, non-secret environment variables.
	Settings map[string]string
	// DjangoSecretKey, when set, is a key shared with other workloads (every
	// region's: a session signed in one region is valid in the others); nil:
	// the workload generates its own.
	DjangoSecretKey pulumi.StringInput
	// NginxConfTemplate is app/nginx/nginx.conf.
	NginxConfTemplate string
	Release           Release
}

// DatabaseConnection is how the app reaches Postgres.
type DatabaseConnection struct {
	Name, User string
	Password   pulumi.StringInput
	// CloudSQLInstance, when set, is the instance connection name: the Cloud
	// SQL Auth Proxy runs beside the app (a native sidecar) and the app talks
	// to it on 127.0.0.1. Nil: the app connects to Host and Port directly.
	CloudSQLInstance pulumi.StringInput
	// ReplicaInstance, when set, is the region's read replica: the proxy
	// listens for it on proxyReplicaPort and Django reads there (writes, and a
	// writer's reads for ReadYourWritesSeconds, go to the primary).
	ReplicaInstance       pulumi.StringInput
	ReadYourWritesSeconds int
	// OtherRegionsServe: other regions can take this region's users (a
	// multi-region stack). Then a region whose read source is down leaves the
	// load balancer; in one region the pods stay in it through a database
	// outage (static files and cached pages keep working).
	OtherRegionsServe bool
	Host              string
	Port              int
}

// CacheConnection is how the app reaches its cache server: TLS verified
// against CACertificate, AUTH with Password.
type CacheConnection struct {
	Host pulumi.StringInput
	Port pulumi.IntInput
	// Password is the AUTH string: it goes into the app's Secret only.
	Password pulumi.StringInput
	// CACertificate (PEM) is mounted as a file; it is public.
	CACertificate pulumi.StringInput
	// TTLSeconds is the cached views' lifetime.
	TTLSeconds int
}

// cacheCAPath is where the app finds the cache server's CA.
const (
	cacheCADir  = "/etc/redis-tls"
	cacheCAFile = "ca.pem"
)

// endpoint is where the app's database client connects.
func (d DatabaseConnection) endpoint() (string, int) {
	if d.CloudSQLInstance != nil {
		return "127.0.0.1", proxyListenPort
	}
	return d.Host, d.Port
}

// Workload is the Django app on the cluster: namespace, identity, settings,
// the release tracks (Deployment, HPA, PDB, migrations Job) and Django's key.
// It uses the Kubernetes provider; the key comes from pulumi-random, which
// only keeps it in the stack's state, next to the Secret that carries it.
type Workload struct {
	pulumi.ResourceState

	Namespace pulumi.StringOutput `pulumi:"namespace"`
	// Migrations are its migrations Jobs (none with WorkloadArgs.MigratedBy).
	Migrations []pulumi.Resource
}

// NewWorkload declares the workload; it needs the cluster's Kubernetes provider.
func NewWorkload(ctx *pulumi.Context, name string, args *WorkloadArgs, opts ...pulumi.ResourceOption) (*Workload, error) {
	w := &Workload{}
	if err := ctx.RegisterComponentResource("django-gke:components:Workload", name, w, opts...); err != nil {
		return nil, err
	}
	if args.NginxImage == "" {
		return nil, fmt.Errorf("workload %s: NginxImage is required (django-gke:image.nginx)", name)
	}
	child := childrenOf(w, opts)
	k := newKubeObjects(pulumi.String(args.Namespace), args.Labels, child)

	ns, err := corev1.NewNamespace(ctx, name+"-ns", &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(args.Namespace), Labels: pulumi.ToStringMap(merge(k.labels, podSecurityLabels()))},
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating namespace: %w", err)
	}
	// Everything else in the namespace waits for it.
	k.children = k.children.with(pulumi.DependsOn([]pulumi.Resource{ns}))

	var ksaAnnotations pulumi.StringMapInput
	if args.GoogleServiceAccount != nil {
		ksaAnnotations = pulumi.StringMap{"iam.gke.io/gcp-service-account": args.GoogleServiceAccount}
	}
	if _, err := corev1.NewServiceAccount(ctx, name+"-ksa", &corev1.ServiceAccountArgs{
		Metadata:                     k.meta(args.ServiceAccount, nil, ksaAnnotations),
		AutomountServiceAccountToken: pulumi.Bool(false),
	}, k.opts()...); err != nil {
		return nil, fmt.Errorf("creating service account: %w", err)
	}

	// Settings: a ConfigMap (never a secret in it) and a Secret, both auto-named:
	// pulumi-kubernetes replaces them on change, the pods' references move, the pods roll.
	settings := settingsOutput(args)
	configMap, err := corev1.NewConfigMap(ctx, name+"-config", &corev1.ConfigMapArgs{
		Metadata: k.meta("", nil, nil), Data: settings, Immutable: pulumi.Bool(true),
	}, k.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating settings ConfigMap: %w", err)
	}
	nginxConf := args.LoadBalancerIP.ToStringOutput().ApplyT(func(ip string) (map[string]string, error) {
		text, err := RenderNginxConf(args.NginxConfTemplate, nginxValues(args.Project, ip))
		return map[string]string{"nginx.conf": text}, err
	}).(pulumi.StringMapOutput)
	nginxMap, err := corev1.NewConfigMap(ctx, name+"-nginx", &corev1.ConfigMapArgs{
		Metadata: k.meta("", nil, nil), Data: nginxConf, Immutable: pulumi.Bool(true),
	}, k.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating nginx ConfigMap: %w", err)
	}
	// Django's SECRET_KEY signs sessions and tokens; generated once per stack, kept in state as a secret.
	djangoKey := args.DjangoSecretKey
	if djangoKey == nil {
		generated, err := random.NewRandomPassword(ctx, name+"-django-secret-key", &random.RandomPasswordArgs{
			Length: pulumi.Int(64), Special: pulumi.Bool(false),
		}, child.opts()...)
		if err != nil {
			return nil, fmt.Errorf("generating Django secret key: %w", err)
		}
		djangoKey = generated.Result
	}
	secret, err := corev1.NewSecret(ctx, name+"-django", &corev1.SecretArgs{
		Metadata:   k.meta("", nil, nil),
		Type:       pulumi.String("Opaque"),
		Immutable:  pulumi.Bool(true),
		StringData: secretData(args, djangoKey),
	}, k.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating Django secret: %w", err)
	}
	var cacheCA pulumi.StringInput
	if args.Cache != nil {
		caMap, err := corev1.NewConfigMap(ctx, name+"-redis-ca", &corev1.ConfigMapArgs{
			Metadata: k.meta("", nil, nil), Data: pulumi.StringMap{cacheCAFile: args.Cache.CACertificate}, Immutable: pulumi.Bool(true),
		}, k.opts()...)
		if err != nil {
			return nil, fmt.Errorf("creating the cache's CA ConfigMap: %w", err)
		}
		cacheCA = caMap.Metadata.Name().Elem()
	}

	pod := podParams{
		nginxImage:       args.NginxImage,
		cloudSQLInstance: args.Database.CloudSQLInstance,
		replicaInstance:  args.Database.ReplicaInstance,
		serviceAccount:   args.ServiceAccount,
		configMapName:    configMap.Metadata.Name().Elem(),
		secretName:       secret.Metadata.Name().Elem(),
		nginxConfigMap:   nginxMap.Metadata.Name().Elem(),
		cacheCAConfigMap: cacheCA,
		gunicornCPU:      args.GunicornCPU,
		gunicornMemory:   args.GunicornMemory,
		// The pod template changes whenever its configuration does (and so rolls the pods).
		annotations: pulumi.StringMap{
			"checksum/config": settings.ApplyT(checksum).(pulumi.StringOutput),
			"checksum/nginx":  nginxConf.ApplyT(checksum).(pulumi.StringOutput),
		},
	}
	for _, t := range args.Release.tracks(args.Image, args.MinReplicas, args.MaxReplicas) {
		job, err := declareTrack(ctx, name, k, t, pod, args.TargetCPUPercent, args.MigratedBy)
		if err != nil {
			return nil, err
		}
		if job != nil {
			w.Migrations = append(w.Migrations, job)
		}
	}

	w.Namespace = ns.Metadata.Name().Elem()
	return w, ctx.RegisterResourceOutputs(w, pulumi.Map{"namespace": w.Namespace})
}

// settingsOutput is the settings ConfigMap's data, once the public host
// (and the cache server's address, with one) are known.
func settingsOutput(args *WorkloadArgs) pulumi.StringMapOutput {
	if args.Cache == nil {
		return args.Host.ToStringOutput().ApplyT(func(h string) map[string]string { return appSettings(args, h, nil) }).(pulumi.StringMapOutput)
	}
	return pulumi.All(args.Host, args.Cache.Host, args.Cache.Port).ApplyT(func(v []any) map[string]string {
		return appSettings(args, v[0].(string), &cacheEndpoint{host: v[1].(string), port: v[2].(int)})
	}).(pulumi.StringMapOutput)
}

// secretData is the app's Secret: Django's key, the database password and,
// with a cache server, its AUTH string.
func secretData(args *WorkloadArgs, djangoKey pulumi.StringInput) pulumi.StringMap {
	data := pulumi.StringMap{"DJANGO_SECRET_KEY": djangoKey, "DB_PASSWORD": args.Database.Password}
	if args.Cache != nil {
		data["CACHE_REDIS_PASSWORD"] = args.Cache.Password
	}
	return data
}

// cacheEndpoint is the cache server's resolved address.
type cacheEndpoint struct {
	host string
	port int
}

// webLabels select the web pods; migrateLabels the migration Job's.
func webLabels() map[string]string {
	return map[string]string{"app.kubernetes.io/name": "django", "app.kubernetes.io/component": WebName}
}

func migrateLabels() map[string]string {
	return map[string]string{"app.kubernetes.io/name": "django", "app.kubernetes.io/component": "migrate"}
}

// podSecurityLabels enforce the restricted Pod Security Standard on a namespace.
func podSecurityLabels() map[string]string {
	return map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted",
		"pod-security.kubernetes.io/audit":   "restricted",
		"pod-security.kubernetes.io/warn":    "restricted",
	}
}

// appSettings are the non-secret environment variables of the app (the ConfigMap).
// host is the public host name, or the load balancer's IP when there is none.
func appSettings(args *WorkloadArgs, host string, cache *cacheEndpoint) map[string]string {
	scheme, hsts := "http", "0"
	if args.TLS {
		scheme, hsts = "https", "31536000"
	}
	dbHost, dbPort := args.Database.endpoint()
	s := map[string]string{
		"DJANGO_ALLOWED_HOSTS":        host,
		"DJANGO_CSRF_TRUSTED_ORIGINS": scheme + "://" + host,
		"DJANGO_DEBUG":                "false",
		"DJANGO_SECURE_SSL_REDIRECT":  strconv.FormatBool(args.TLS),
		"DJANGO_SECURE_COOKIES":       strconv.FormatBool(args.TLS),
		"DJANGO_SECURE_HSTS_SECONDS":  hsts,
		"DB_HOST":                     dbHost,
		"DB_PORT":                     strconv.Itoa(dbPort),
		"DB_NAME":                     args.Database.Name,
		"DB_USER":                     args.Database.User,
		"GOOGLE_CLOUD_PROJECT":        args.Project,
		"GUNICORN_BIND":               fmt.Sprintf("0.0.0.0:%d", GunicornPort),
		"GUNICORN_WORKERS":            strconv.Itoa(args.GunicornWorkers),
		"GUNICORN_THREADS":            strconv.Itoa(args.GunicornThreads),
		"GUNICORN_GRACEFUL_TIMEOUT":   strconv.Itoa(GunicornGracefulTimeout),
		// nginx already logs every request (same JSON, same httpRequest): a second line
		// from gunicorn doubles the log bill and costs 7.5 % throughput (scripts/bench/tune.sh).
		"GUNICORN_ACCESS_LOG": "0",
	}
	// What /readyz checks: the database this pod reads from, where another
	// region can take over; nothing in a stack of one region (health.py).
	switch {
	case args.Database.ReplicaInstance != nil:
		s["DB_READINESS"] = "replica"
	case args.Database.OtherRegionsServe:
		s["DB_READINESS"] = "primary"
	default:
		s["DB_READINESS"] = "none"
	}
	if args.Database.ReplicaInstance != nil {
		s["DB_REPLICA_HOST"] = "127.0.0.1"
		s["DB_REPLICA_PORT"] = strconv.Itoa(proxyReplicaPort)
		s["DB_READ_YOUR_WRITES_SECONDS"] = strconv.Itoa(args.Database.ReadYourWritesSeconds)
	}
	if cache != nil {
		s["CACHE_REDIS_HOST"] = cache.host
		s["CACHE_REDIS_PORT"] = strconv.Itoa(cache.port)
		s["CACHE_REDIS_CA_FILE"] = cacheCADir + "/" + cacheCAFile
		s["CACHE_TTL_SECONDS"] = strconv.Itoa(args.Cache.TTLSeconds)
	}
	for k, v := range args.Settings {
		if _, set := s[k]; !set { // the config refuses these (podenv.Reserved); never override one
			s[k] = v
		}
	}
	return s
}

// nginxValues are the pod's values for app/nginx/nginx.conf's placeholders.
func nginxValues(project, loadBalancerIP string) map[string]string {
	return map[string]string{
		"LISTEN":       strconv.Itoa(NginxPort),
		"UPSTREAM":     fmt.Sprintf("127.0.0.1:%d", GunicornPort),
		"STATIC_ROOT":  "/static",
		"TEMP_DIR":     "/tmp",
		"PID_FILE":     "/tmp/nginx.pid",
		"REAL_IP_FROM": loadBalancerIP + "/32",
		"GCP_PROJECT":  project,
	}
}

// migrationJobName names the Job after the image digest (and the color being
// released, under blue/green), so each release migrates once.
func migrationJobName(color, imageRef string) string {
	digest := imageRef
	if i := strings.LastIndex(imageRef, "@sha256:"); i >= 0 {
		digest = imageRef[i+len("@sha256:"):]
	}
	if len(digest) > 12 {
		digest = digest[:12]
	}
	if color != "" {
		return "migrate-" + color + "-" + strings.ToLower(digest)
	}
	return "migrate-" + strings.ToLower(digest)
}
