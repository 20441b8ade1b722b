package components_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/components"
	"django-gke/infra/offline"
)

// Each component on its own, under the offline engine: a few-line program
// that declares just it, with the capabilities it is given (or not).

func declare(t *testing.T, program pulumi.RunFunc) *offline.Result {
	t.Helper()
	res, err := offline.Run(offline.Options{Dir: "..", Stack: "dev", Program: program})
	require.NoError(t, err)
	return res
}

func input(t *testing.T, r *offline.Resource, path string) any {
	t.Helper()
	v, ok := r.Input(path)
	require.True(t, ok, "%s %s has no input %s; inputs: %v", r.Type, r.Name, path, offline.PlainMap(r.Inputs))
	return v
}

func one(t *testing.T, res *offline.Result, typ string) *offline.Resource {
	t.Helper()
	rs := res.ByType(typ)
	require.Len(t, rs, 1, "one %s", typ)
	return rs[0]
}

// settings is the app's settings ConfigMap (the one with DB_HOST; the other is nginx's).
func settings(t *testing.T, res *offline.Result) *offline.Resource {
	t.Helper()
	for _, cm := range res.ByType("kubernetes:core/v1:ConfigMap") {
		if _, ok := cm.Input("data.DB_HOST"); ok {
			return cm
		}
	}
	require.FailNow(t, "no settings ConfigMap")
	return nil
}

// policyNamed is the NetworkPolicy with this metadata.name.
func policyNamed(t *testing.T, res *offline.Result, name string) *offline.Resource {
	t.Helper()
	for _, p := range res.ByType("kubernetes:networking.k8s.io/v1:NetworkPolicy") {
		if input(t, p, "metadata.name") == name {
			return p
		}
	}
	require.FailNow(t, "no NetworkPolicy "+name)
	return nil
}

func workloadArgs() *components.WorkloadArgs {
	return &components.WorkloadArgs{
		NginxImage: "registry.example/nginx@sha256:" + strings.Repeat("0", 64),
		Project:    "acme", Namespace: "django", ServiceAccount: "django",
		Image:       pulumi.String("r.example/app@sha256:" + strings.Repeat("ab", 32)),
		Database:    components.DatabaseConnection{Name: "django", User: "django", Password: pulumi.String("pw"), Host: "10.0.0.5", Port: 5433},
		GunicornCPU: "500m", GunicornMemory: "512Mi", GunicornWorkers: 3, GunicornThreads: 2,
		MinReplicas: 2, MaxReplicas: 6, TargetCPUPercent: 70,
		Host: pulumi.String("localhost"), LoadBalancerIP: pulumi.String("127.0.0.1"),
		NginxConfTemplate: "listen @@LISTEN@@; upstream @@UPSTREAM@@; @@STATIC_ROOT@@ @@TEMP_DIR@@ @@PID_FILE@@ @@REAL_IP_FROM@@ @@GCP_PROJECT@@",
	}
}

func containerNames(t *testing.T, r *offline.Resource, path string) []string {
	var names []string
	list, _ := r.Input(path)
	items, _ := list.([]any)
	for _, c := range items {
		names = append(names, c.(map[string]any)["name"].(string))
	}
	return names
}

func TestWorkloadWithoutCloudSQLConnectsDirectly(t *testing.T) {
	res := declare(t, func(ctx *pulumi.Context) error {
		_, err := components.NewWorkload(ctx, "w", workloadArgs())
		return err
	})
	counts := res.CountByType()
	for typ, n := range map[string]int{
		"kubernetes:core/v1:Namespace": 1, "kubernetes:core/v1:ServiceAccount": 1, "kubernetes:core/v1:ConfigMap": 2,
		"kubernetes:core/v1:Secret": 1, "kubernetes:batch/v1:Job": 1, "kubernetes:apps/v1:Deployment": 1,
		"kubernetes:autoscaling/v2:HorizontalPodAutoscaler": 1, "kubernetes:policy/v1:PodDisruptionBudget": 1,
		"random:index/randomPassword:RandomPassword": 1,
	} {
		assert.Equal(t, n, counts[typ], typ)
	}
	deployment := one(t, res, "kubernetes:apps/v1:Deployment")
	assert.Equal(t, []string{"static"}, containerNames(t, deployment, "spec.template.spec.initContainers"), "no proxy without Cloud SQL")
	ksa := one(t, res, "kubernetes:core/v1:ServiceAccount")
	_, annotated := ksa.Input("metadata.annotations")
	assert.False(t, annotated, "no Workload Identity without a Google service account")
	cm := settings(t, res)
	assert.Equal(t, "10.0.0.5", input(t, cm, "data.DB_HOST"))
	assert.Equal(t, "5433", input(t, cm, "data.DB_PORT"))
	assert.Equal(t, "localhost", input(t, cm, "data.DJANGO_ALLOWED_HOSTS"))
	assert.Equal(t, "false", input(t, cm, "data.DJANGO_SECURE_SSL_REDIRECT"))
}

func TestWorkloadWithCloudSQLRunsTheProxy(t *testing.T) {
	res := declare(t, func(ctx *pulumi.Context) error {
		args := workloadArgs()
		args.Database.CloudSQLInstance = pulumi.String("acme:us-central1:db")
		args.GoogleServiceAccount = pulumi.String("app@acme.iam.gserviceaccount.com")
		args.Host, args.TLS = pulumi.String("www.example.com"), true
		_, err := components.NewWorkload(ctx, "w", args)
		return err
	})
	for _, typ := range []string{"kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job"} {
		r := one(t, res, typ)
		names := containerNames(t, r, "spec.template.spec.initContainers")
		require.Contains(t, names, "cloud-sql-proxy", typ)
		proxy := input(t, r, "spec.template.spec.initContainers["+strconv.Itoa(len(names)-1)+"]").(map[string]any)
		assert.Equal(t, "Always", proxy["restartPolicy"], "%s: a native sidecar", typ)
		assert.Contains(t, proxy["args"], "--port=5432")
		assert.Contains(t, proxy["args"], "acme:us-central1:db")
	}
	ksa := one(t, res, "kubernetes:core/v1:ServiceAccount")
	assert.Equal(t, "app@acme.iam.gserviceaccount.com", input(t, ksa, `metadata.annotations["iam.gke.io/gcp-service-account"]`))
	cm := settings(t, res)
	assert.Equal(t, "127.0.0.1", input(t, cm, "data.DB_HOST"), "the app talks to the proxy")
	assert.Equal(t, "5432", input(t, cm, "data.DB_PORT"))
	assert.Equal(t, "https://www.example.com", input(t, cm, "data.DJANGO_CSRF_TRUSTED_ORIGINS"))
	assert.Equal(t, "true", input(t, cm, "data.DJANGO_SECURE_COOKIES"))
}

func TestWorkloadBlueGreenHasATrackPerColor(t *testing.T) {
	res := declare(t, func(ctx *pulumi.Context) error {
		args := workloadArgs()
		args.Release = components.Release{BlueGreen: true, Active: "green", InactiveAtMinimum: true,
			Images: map[string]pulumi.StringInput{"blue": pulumi.String("r.example/app@sha256:" + strings.Repeat("cd", 32))}}
		_, err := components.NewWorkload(ctx, "w", args)
		return err
	})
	hpas := map[string]any{}
	for _, h := range res.ByType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler") {
		hpas[input(t, h, "metadata.name").(string)] = input(t, h, "spec.maxReplicas")
	}
	assert.Equal(t, map[string]any{"web-blue": int64(2), "web-green": int64(6)}, hpas, "the inactive color is capped at its minimum")
	jobs := map[string]bool{}
	for _, j := range res.ByType("kubernetes:batch/v1:Job") {
		out, _ := j.Output("metadata.name")
		jobs[out.(string)] = true
	}
	assert.Equal(t, map[string]bool{"migrate-blue-cdcdcdcdcdcd": true, "migrate-green-abababababab": true}, jobs,
		"each color migrates its own image")
}

func TestEdgeWithoutAnAddressDoesNotWaitForAController(t *testing.T) {
	res := declare(t, func(ctx *pulumi.Context) error {
		_, err := components.NewEdge(ctx, "e", &components.EdgeArgs{Namespace: pulumi.String("django"), LogSampleRate: 1})
		return err
	})
	ingress := one(t, res, "kubernetes:networking.k8s.io/v1:Ingress")
	annotations := input(t, ingress, "metadata.annotations").(map[string]any)
	assert.Equal(t, "true", annotations["pulumi.com/skipAwait"])
	assert.NotContains(t, annotations, "kubernetes.io/ingress.global-static-ip-name")
	assert.Len(t, res.ByType("kubernetes:core/v1:Service"), 1)
	assert.Empty(t, res.ByType("gcp:compute/globalAddress:GlobalAddress"), "the Edge declares nothing on GCP")
}

func TestEdgeWithAnAddressAndAHostname(t *testing.T) {
	res := declare(t, func(ctx *pulumi.Context) error {
		address, err := components.NewEdgeAddress(ctx, "e", &components.EdgeAddressArgs{TLS: true})
		if err != nil {
			return err
		}
		_, err = components.NewEdge(ctx, "e", &components.EdgeArgs{
			Namespace: pulumi.String("django"), Hostname: "www.example.com", LogSampleRate: 0.05, Address: address,
			Release: components.Release{BlueGreen: true, Active: "blue", PreviewHostname: "preview.example.com"},
		})
		return err
	})
	address := one(t, res, "gcp:compute/globalAddress:GlobalAddress")
	policy := one(t, res, "gcp:compute/sSLPolicy:SSLPolicy")
	assert.Equal(t, "TLS_1_2", input(t, policy, "minTlsVersion"))
	ingress := one(t, res, "kubernetes:networking.k8s.io/v1:Ingress")
	name, _ := address.Output("name")
	assert.Equal(t, name, input(t, ingress, `metadata.annotations["kubernetes.io/ingress.global-static-ip-name"]`))
	rules := input(t, ingress, "spec.rules").([]any)
	require.Len(t, rules, 2)
	assert.Equal(t, "preview.example.com", rules[1].(map[string]any)["host"])
	var frontend, cert *offline.Resource
	for _, r := range res.Resources {
		switch r.Type {
		case "kubernetes:networking.gke.io/v1beta1:FrontendConfig":
			frontend = r
		case "kubernetes:networking.gke.io/v1:ManagedCertificate":
			cert = r
		}
	}
	require.NotNil(t, frontend)
	require.NotNil(t, cert)
	policyName, _ := policy.Output("name")
	assert.Equal(t, policyName, input(t, frontend, "spec.sslPolicy"))
	assert.Equal(t, []any{"www.example.com", "preview.example.com"}, input(t, cert, "spec.domains"))
	selectors := map[string]any{}
	for _, s := range res.ByType("kubernetes:core/v1:Service") {
		selectors[input(t, s, "metadata.name").(string)] = input(t, s, `spec.selector["django-gke/color"]`)
	}
	assert.Equal(t, map[string]any{"web": "blue", "web-preview": "green"}, selectors)
}

func TestNetworkPoliciesPinTheDatabase(t *testing.T) {
	for _, c := range []struct {
		name string
		peer components.DatabasePeer
		cidr string
		port int64
	}{
		{"cloud sql", components.DatabasePeer{CloudSQLPrivateIP: pulumi.String("10.24.0.3")}, "10.24.0.3/32", 3307},
		{"an ip", components.DatabasePeer{Host: "192.168.1.20", Port: 5432}, "192.168.1.20/32", 5432},
		{"a host name", components.DatabasePeer{Host: "db.internal", Port: 6432}, "0.0.0.0/0", 6432},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := declare(t, func(ctx *pulumi.Context) error {
				_, err := components.NewNetworkPolicies(ctx, "n", &components.NetworkPoliciesArgs{Namespace: pulumi.String("django"), Database: c.peer})
				return err
			})
			egress := policyNamed(t, res, "app-egress")
			rule := input(t, egress, "spec.egress[2]").(map[string]any)
			assert.Equal(t, c.cidr, rule["to"].([]any)[0].(map[string]any)["ipBlock"].(map[string]any)["cidr"])
			assert.Equal(t, c.port, rule["ports"].([]any)[0].(map[string]any)["port"])
		})
	}
}

func TestWorkloadWithACacheServer(t *testing.T) {
	res := declare(t, func(ctx *pulumi.Context) error {
		args := workloadArgs()
		args.Cache = &components.CacheConnection{
			Host: pulumi.String("10.24.0.12"), Port: pulumi.Int(6378), Password: pulumi.ToSecret(pulumi.String("auth-string")).(pulumi.StringOutput),
			CACertificate: pulumi.String("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), TTLSeconds: 45,
		}
		_, err := components.NewWorkload(ctx, "w", args)
		return err
	})
	assert.Equal(t, 3, res.CountByType()["kubernetes:core/v1:ConfigMap"], "settings, nginx and the cache's CA")
	cm := settings(t, res)
	assert.Equal(t, "10.24.0.12", input(t, cm, "data.CACHE_REDIS_HOST"))
	assert.Equal(t, "6378", input(t, cm, "data.CACHE_REDIS_PORT"))
	assert.Equal(t, "/etc/redis-tls/ca.pem", input(t, cm, "data.CACHE_REDIS_CA_FILE"))
	assert.Equal(t, "45", input(t, cm, "data.CACHE_TTL_SECONDS"))
	_, leaked := cm.Input("data.CACHE_REDIS_PASSWORD")
	assert.False(t, leaked, "the AUTH string is never in a ConfigMap")
	secret := one(t, res, "kubernetes:core/v1:Secret")
	assert.True(t, secret.Inputs["stringData"].IsSecret())
	assert.Equal(t, "auth-string", secret.Inputs["stringData"].SecretValue().Element.ObjectValue()["CACHE_REDIS_PASSWORD"].StringValue())
	for _, typ := range []string{"kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job"} {
		r := one(t, res, typ)
		assert.Contains(t, fmt.Sprint(input(t, r, "spec.template.spec.volumes")), "name:redis-ca", typ)
	}
}

func TestWorkloadWithoutACacheServerHasNoCacheSettings(t *testing.T) {
	res := declare(t, func(ctx *pulumi.Context) error {
		_, err := components.NewWorkload(ctx, "w", workloadArgs())
		return err
	})
	for key := range input(t, settings(t, res), "data").(map[string]any) {
		assert.False(t, strings.HasPrefix(key, "CACHE_"), key)
	}
	assert.NotContains(t, fmt.Sprint(input(t, one(t, res, "kubernetes:apps/v1:Deployment"), "spec.template.spec.volumes")), "redis-ca")
}

func TestCacheIsPrivateWithAuthAndTLS(t *testing.T) {
	res := declare(t, func(ctx *pulumi.Context) error {
		c, err := components.NewCache(ctx, "c", &components.CacheArgs{
			Region: "us-central1", Tier: "STANDARD_HA", MemorySizeGB: 5, RedisVersion: "REDIS_7_2", EvictionPolicy: "volatile-lru",
			Network: pulumi.String("projects/acme/global/networks/vpc"), PrivateServicesRange: pulumi.String("vpc-psa"),
			MaintenanceDay: "SUNDAY", MaintenanceHour: 4,
		})
		if err == nil {
			ctx.Export("ca", c.CACertificate)
			ctx.Export("auth", c.AuthString)
		}
		return err
	})
	redis := one(t, res, "gcp:redis/instance:Instance")
	for path, want := range map[string]any{
		"connectMode": "PRIVATE_SERVICE_ACCESS", "authorizedNetwork": "projects/acme/global/networks/vpc", "reservedIpRange": "vpc-psa",
		"authEnabled": true, "transitEncryptionMode": "SERVER_AUTHENTICATION", "tier": "STANDARD_HA", "memorySizeGb": int64(5),
		`redisConfigs["maxmemory-policy"]`: "volatile-lru", "maintenancePolicy.weeklyMaintenanceWindows[0].day": "SUNDAY",
	} {
		assert.Equal(t, want, input(t, redis, path), path)
	}
	assert.True(t, res.Outputs["auth"].Secret, "the AUTH string is a secret output of the component")
	assert.Contains(t, res.Outputs["ca"].Value, "BEGIN CERTIFICATE")
}

func TestNetworkPoliciesOpenExactlyTheCacheServer(t *testing.T) {
	res := declare(t, func(ctx *pulumi.Context) error {
		_, err := components.NewNetworkPolicies(ctx, "n", &components.NetworkPoliciesArgs{
			Namespace: pulumi.String("django"), Database: components.DatabasePeer{Host: "10.0.0.5", Port: 5432},
			Cache: &components.CachePeer{Host: pulumi.String("10.24.0.12"), Port: pulumi.Int(6378)},
		})
		return err
	})
	cache := policyNamed(t, res, "app-egress-cache")
	assert.Equal(t, "10.24.0.12/32", input(t, cache, "spec.egress[0].to[0].ipBlock.cidr"))
	assert.Equal(t, int64(6378), input(t, cache, "spec.egress[0].ports[0].port"))
	assert.Equal(t, []any{"Egress"}, input(t, cache, "spec.policyTypes"))
}
