package tests

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/components"
	"django-gke/infra/config"
	"django-gke/infra/offline"
)

// findObj returns the Kubernetes object of a type with this metadata.name, or nil.
func findObj(res *offline.Result, typ, name string) *offline.Resource {
	for _, r := range res.ByType(typ) {
		if n, _ := r.Output("metadata.name"); n == name {
			return r
		}
	}
	return nil
}

// obj is findObj that fails the test when the object is missing.
func obj(t *testing.T, res *offline.Result, typ, name string) *offline.Resource {
	t.Helper()
	r := findObj(res, typ, name)
	if r == nil {
		require.Failf(t, "missing object", "%s %q in stack %s", typ, name, res.Stack)
	}
	return r
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asSlice(v any) []any        { s, _ := v.([]any); return s }
func byName(items []any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, it := range items {
		m := asMap(it)
		out[m["name"].(string)] = m
	}
	return out
}

const (
	deploymentType = "kubernetes:apps/v1:Deployment"
	jobType        = "kubernetes:batch/v1:Job"
	hpaType        = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	pdbType        = "kubernetes:policy/v1:PodDisruptionBudget"
	serviceType    = "kubernetes:core/v1:Service"
	configMapType  = "kubernetes:core/v1:ConfigMap"
	netpolType     = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
)

var webSelector = map[string]any{"app.kubernetes.io/name": "django", "app.kubernetes.io/component": "web"}

// configMapWith returns the (auto-named) ConfigMap whose data holds key.
func configMapWith(t *testing.T, res *offline.Result, key string) *offline.Resource {
	t.Helper()
	for _, cm := range res.ByType(configMapType) {
		if d, _ := cm.Input("data"); asMap(d)[key] != nil {
			return cm
		}
	}
	require.Failf(t, "missing ConfigMap", "no ConfigMap with %s in stack %s", key, res.Stack)
	return nil
}

// settingsMap is the app's settings ConfigMap; nginxMap the one with nginx.conf.
func settingsMap(t *testing.T, res *offline.Result) *offline.Resource {
	return configMapWith(t, res, "DB_HOST")
}

func nginxMap(t *testing.T, res *offline.Result) *offline.Resource {
	return configMapWith(t, res, "nginx.conf")
}

func TestServiceAccountUsesWorkloadIdentity(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			ksa := obj(t, res, "kubernetes:core/v1:ServiceAccount", "django")
			assert.Equal(t, "django", in(t, ksa, "metadata.namespace"))
			assert.Equal(t, res.Outputs["appServiceAccount"].Value, in(t, ksa, "metadata.annotations[\"iam.gke.io/gcp-service-account\"]"))
			assert.Equal(t, false, in(t, ksa, "automountServiceAccountToken"))
		})
	}
}

func TestDeploymentPod(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			d := obj(t, res, deploymentType, "web")
			_, hasReplicas := d.Input("spec.replicas")
			assert.False(t, hasReplicas, "the HPA owns replicas")
			assert.Equal(t, map[string]any{"type": "RollingUpdate", "rollingUpdate": map[string]any{"maxUnavailable": int64(0), "maxSurge": "25%"}},
				in(t, d, "spec.strategy"))
			assert.Equal(t, webSelector, in(t, d, "spec.selector.matchLabels"))
			tmplLabels := asMap(in(t, d, "spec.template.metadata.labels"))
			for k, v := range webSelector {
				assert.Equal(t, v, tmplLabels[k], "template labels carry the selector")
			}

			spec := asMap(in(t, d, "spec.template.spec"))
			containers := byName(asSlice(spec["containers"]))
			inits := byName(asSlice(spec["initContainers"]))
			var names []string
			for _, c := range asSlice(spec["containers"]) {
				names = append(names, asMap(c)["name"].(string))
			}
			assert.Equal(t, []string{"nginx", "gunicorn"}, names)
			require.Contains(t, inits, "cloud-sql-proxy")
			require.Contains(t, inits, "static")

			// Native sidecar proxy with a pinned version, private IP, the stack's instance.
			proxy := inits["cloud-sql-proxy"]
			assert.Equal(t, "Always", proxy["restartPolicy"])
			assert.Regexp(t, `^gcr\.io/cloud-sql-connectors/cloud-sql-proxy:\d+\.\d+\.\d+$`, proxy["image"])
			args := asSlice(proxy["args"])
			assert.Contains(t, args, "--private-ip")
			assert.Contains(t, args, res.Outputs["sqlConnectionName"].Value)

			// The app image by digest, the same in every container that runs it.
			ref := res.Outputs["imageRef"].Value
			assert.Regexp(t, `@sha256:[0-9a-f]{64}$`, ref)
			assert.Equal(t, ref, containers["gunicorn"]["image"])
			assert.Equal(t, ref, inits["static"]["image"])
			// Pinned by digest: a moved Docker Hub tag cannot change what runs.
			assert.Regexp(t, `^nginxinc/nginx-unprivileged:\d+\.\d+\.\d+-alpine@sha256:[0-9a-f]{64}$`, containers["nginx"]["image"])

			// Requests on every container, memory limits, restricted security context.
			for name, c := range merged(containers, inits) {
				res := asMap(c["resources"])
				req := asMap(res["requests"])
				assert.NotEmpty(t, req["cpu"], "%s requests cpu", name)
				assert.NotEmpty(t, req["memory"], "%s requests memory", name)
				assert.NotEmpty(t, asMap(res["limits"])["memory"], "%s has a memory limit", name)
				sc := asMap(c["securityContext"])
				assert.Equal(t, true, sc["runAsNonRoot"], name)
				assert.Equal(t, false, sc["allowPrivilegeEscalation"], name)
				assert.Equal(t, true, sc["readOnlyRootFilesystem"], name)
				assert.Equal(t, map[string]any{"drop": []any{"ALL"}}, sc["capabilities"], name)
				assert.Equal(t, map[string]any{"type": "RuntimeDefault"}, sc["seccompProfile"], name)
				assert.NotZero(t, sc["runAsUser"], name)
			}
			assert.Equal(t, map[string]any{"runAsNonRoot": true, "seccompProfile": map[string]any{"type": "RuntimeDefault"}}, spec["securityContext"])
			assert.Equal(t, false, spec["automountServiceAccountToken"])
			assert.Equal(t, "django", spec["serviceAccountName"])

			// gunicorn's requests are app.cpu/memory; workers come from the plan through the ConfigMap.
			capPlan := stackPlan(t, stack)
			gres := asMap(asMap(containers["gunicorn"]["resources"])["requests"])
			assert.Equal(t, map[string]string{"dev": "250m", "stg": "500m", "prd": "1"}[stack], gres["cpu"])
			settings := settingsMap(t, res)
			assert.Equal(t, itoa(capPlan.GunicornWorkers), in(t, settings, "data.GUNICORN_WORKERS"))
			assert.Equal(t, itoa(capPlan.GunicornThreads), in(t, settings, "data.GUNICORN_THREADS"))
			assert.Equal(t, "0", in(t, settings, "data.GUNICORN_ACCESS_LOG"), "nginx logs the requests; one line each")

			// Probes: nginx's go through nginx; liveness is process-only and differs from readiness.
			nginx, gunicorn := containers["nginx"], containers["gunicorn"]
			assert.Equal(t, map[string]any{"path": "/readyz", "port": "http"}, asMap(nginx["readinessProbe"])["httpGet"])
			assert.Equal(t, map[string]any{"port": "http"}, asMap(nginx["livenessProbe"])["tcpSocket"])
			assert.Equal(t, map[string]any{"path": "/healthz", "port": "gunicorn"}, asMap(gunicorn["livenessProbe"])["httpGet"])
			assert.NotNil(t, gunicorn["startupProbe"], "slow starts")
			assert.NotEqual(t, nginx["readinessProbe"], gunicorn["livenessProbe"])
			assert.GreaterOrEqual(t, asMap(nginx["readinessProbe"])["timeoutSeconds"], int64(4), "the database check takes up to 3 s")

			// Graceful shutdown arithmetic.
			nginxStop := strings.Join(toStrings(asSlice(asMap(asMap(asMap(nginx["lifecycle"])["preStop"])["exec"])["command"])), " ")
			assert.Contains(t, nginxStop, "sleep 10; nginx -s quit")
			gunicornStop := toStrings(asSlice(asMap(asMap(asMap(gunicorn["lifecycle"])["preStop"])["exec"])["command"]))
			assert.Equal(t, []string{"sleep", "12"}, gunicornStop)
			grace := spec["terminationGracePeriodSeconds"].(int64)
			assert.Greater(t, grace, int64(12+components.GunicornGracefulTimeout), "grace > preStop sleep + graceful timeout")
			assert.GreaterOrEqual(t, grace, int64(30))
			assert.Equal(t, itoa(components.GunicornGracefulTimeout), in(t, settings, "data.GUNICORN_GRACEFUL_TIMEOUT"))

			// Spread over zones and nodes.
			var keys []string
			for _, c := range asSlice(spec["topologySpreadConstraints"]) {
				keys = append(keys, asMap(c)["topologyKey"].(string))
				assert.Equal(t, webSelector, asMap(asMap(c)["labelSelector"])["matchLabels"])
			}
			assert.ElementsMatch(t, []string{"topology.kubernetes.io/zone", "kubernetes.io/hostname"}, keys)

			// Volumes: writable /tmp emptyDirs, nginx.conf from the nginx ConfigMap, config from the ConfigMap and Secret.
			vols := byName(asSlice(spec["volumes"]))
			assert.Equal(t, nginxMap(t, res).Outputs["metadata"].ObjectValue()["name"].StringValue(), asMap(vols["nginx-conf"]["configMap"])["name"])
			for _, v := range []string{"static", "nginx-tmp", "gunicorn-tmp"} {
				assert.NotNil(t, vols[v]["emptyDir"], v)
			}
			envFrom := asSlice(gunicorn["envFrom"])
			assert.Equal(t, settings.Outputs["metadata"].ObjectValue()["name"].StringValue(), asMap(asMap(envFrom[0])["configMapRef"])["name"])
			secret := one(t, res, "kubernetes:core/v1:Secret")
			assert.Equal(t, secret.Outputs["metadata"].ObjectValue()["name"].StringValue(), asMap(asMap(envFrom[1])["secretRef"])["name"])

			// The Deployment waits for the migrations.
			job := one(t, res, jobType)
			assert.True(t, d.DependsOn(job.URN), "a failed migration stops the rollout")
		})
	}
}

func merged(ms ...map[string]map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func toStrings(xs []any) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i], _ = x.(string)
	}
	return out
}

func TestMigrationJob(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			job := one(t, res, jobType)
			ref := res.Outputs["imageRef"].Value.(string)
			digest := ref[strings.Index(ref, "@sha256:")+8:]
			assert.Equal(t, "migrate-"+digest[:12], in(t, job, "metadata.name"), "named per image: each release migrates once")
			assert.Equal(t, "true", in(t, job, `metadata.annotations["pulumi.com/replaceUnready"]`))
			assert.NotNil(t, in(t, job, "spec.ttlSecondsAfterFinished"))
			spec := asMap(in(t, job, "spec.template.spec"))
			assert.Equal(t, "Never", spec["restartPolicy"])
			inits := byName(asSlice(spec["initContainers"]))
			assert.Equal(t, "Always", inits["cloud-sql-proxy"]["restartPolicy"], "a native sidecar lets the Job complete")
			migrate := byName(asSlice(spec["containers"]))["migrate"]
			assert.Equal(t, []any{"python", "manage.py", "migrate", "--noinput"}, migrate["command"])
			assert.Equal(t, ref, migrate["image"])
		})
	}
}

func TestHPAAndPDB(t *testing.T) {
	minReplicas := map[string]int64{"dev": 1, "stg": 2, "prd": 3}
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			capPlan := stackPlan(t, stack)
			hpa := obj(t, res, hpaType, "web")
			assert.Equal(t, map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, in(t, hpa, "spec.scaleTargetRef"))
			assert.Equal(t, minReplicas[stack], in(t, hpa, "spec.minReplicas"))
			assert.Equal(t, capPlan.HPAMinReplicas, in(t, hpa, "spec.minReplicas"))
			// The capacity plan sets the ceiling.
			assert.Equal(t, capPlan.HPAMaxReplicas, in(t, hpa, "spec.maxReplicas"))
			assert.Equal(t, []any{map[string]any{"type": "ContainerResource", "containerResource": map[string]any{
				"container": "gunicorn", "name": "cpu", "target": map[string]any{"type": "Utilization", "averageUtilization": int64(70)},
			}}}, in(t, hpa, "spec.metrics"))
			assert.Equal(t, int64(300), in(t, hpa, "spec.behavior.scaleDown.stabilizationWindowSeconds"))

			pdb := obj(t, res, pdbType, "web")
			assert.Equal(t, int64(1), in(t, pdb, "spec.maxUnavailable"), "never blocks a node drain, even at one replica")
			_, hasMin := pdb.Input("spec.minAvailable")
			assert.False(t, hasMin)
			assert.Equal(t, webSelector, in(t, pdb, "spec.selector.matchLabels"))
			assert.Equal(t, "AlwaysAllow", in(t, pdb, "spec.unhealthyPodEvictionPolicy"))
		})
	}
	// prd: one replica per zone at least, and the ceiling the 10,000 req/s plan asks for:
	// ⌈10000 / (TPS × 0.7)⌉, TPS a 1-core pod's with the cache: hits and misses
	// at their measured req/s per core, 1 / (h/hit + (1−h)/miss).
	prd := obj(t, plan(t, "prd"), hpaType, "web")
	assert.GreaterOrEqual(t, in(t, prd, "spec.minReplicas"), int64(3))
	m, err := config.Measured()
	require.NoError(t, err)
	require.NotNil(t, m.Cache)
	number := func(n fmt.Stringer) float64 {
		f, err := strconv.ParseFloat(n.String(), 64)
		require.NoError(t, err)
		return f
	}
	// prd leaves cache.hitRatio to the benchmark's readers and voters.
	miss, hit, h := number(m.RPSPerCore), number(m.Cache.HitRPSPerCore), number(m.Cache.HitRatio)
	tps := 1 / (h/hit + (1-h)/miss)
	assert.Equal(t, int64(math.Ceil(10000/(tps*0.7)-1e-9)), in(t, prd, "spec.maxReplicas"))
}

func TestLoadBalancer(t *testing.T) {
	sample := map[string]float64{"dev": 1, "stg": 0.5, "prd": 0.05}
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			svc := obj(t, res, serviceType, "web")
			assert.Equal(t, "ClusterIP", in(t, svc, "spec.type"))
			assert.Equal(t, `{"ingress": true}`, in(t, svc, `metadata.annotations["cloud.google.com/neg"]`))
			assert.Equal(t, `{"default": "web"}`, in(t, svc, `metadata.annotations["cloud.google.com/backend-config"]`))
			assert.Equal(t, webSelector, in(t, svc, "spec.selector"))
			assert.Equal(t, []any{map[string]any{"name": "http", "port": int64(80), "targetPort": "http", "protocol": "TCP"}}, in(t, svc, "spec.ports"))

			bc := obj(t, res, "kubernetes:cloud.google.com/v1:BackendConfig", "web")
			assert.Equal(t, "/readyz", in(t, bc, "spec.healthCheck.requestPath"))
			assert.Equal(t, int64(8080), in(t, bc, "spec.healthCheck.port"))
			assert.Equal(t, "HTTP", in(t, bc, "spec.healthCheck.type"))
			assert.Greater(t, in(t, bc, "spec.connectionDraining.drainingTimeoutSec"), int64(components.NginxPreStopSleep))
			assert.Equal(t, true, in(t, bc, "spec.logging.enable"))
			got, _ := bc.Input("spec.logging.sampleRate")
			assert.InDelta(t, sample[stack], toFloat(got), 1e-9)
			_, cdn := bc.Input("spec.cdn")
			assert.False(t, cdn, "Cloud CDN is opt-in (app.cdn)")

			addresses := res.ByType("gcp:compute/globalAddress:GlobalAddress")
			lbIP := res.Named("gcp:compute/globalAddress:GlobalAddress", "django-gke-"+stack+"-ip")
			require.NotNil(t, lbIP, "%d addresses", len(addresses))
			_, internal := lbIP.Input("purpose")
			assert.False(t, internal, "a global external address")
			assert.Equal(t, lbIP.Outputs["address"].StringValue(), res.Outputs["loadBalancerIp"].Value)

			ing := obj(t, res, "kubernetes:networking.k8s.io/v1:Ingress", "web")
			ann := asMap(in(t, ing, "metadata.annotations"))
			assert.Equal(t, "gce", ann["kubernetes.io/ingress.class"])
			assert.Equal(t, lbIP.Outputs["name"].StringValue(), ann["kubernetes.io/ingress.global-static-ip-name"])
			assert.Equal(t, map[string]any{"service": map[string]any{"name": "web", "port": map[string]any{"number": int64(80)}}}, in(t, ing, "spec.defaultBackend"))

			host := expect[stack].hostname
			certs := res.ByType("kubernetes:networking.gke.io/v1:ManagedCertificate")
			fcs := res.ByType("kubernetes:networking.gke.io/v1beta1:FrontendConfig")
			if host == "" {
				assert.Empty(t, certs)
				assert.Empty(t, fcs)
				assert.NotContains(t, ann, "networking.gke.io/managed-certificates")
				assert.Equal(t, "http://"+lbIP.Outputs["address"].StringValue()+"/", res.Outputs["url"].Value)
				return
			}
			require.Len(t, certs, 1)
			assert.Equal(t, []any{host}, in(t, certs[0], "spec.domains"))
			assert.Equal(t, "web", ann["networking.gke.io/managed-certificates"])
			require.Len(t, fcs, 1)
			assert.Equal(t, "web", ann["networking.gke.io/v1beta1.FrontendConfig"])
			assert.Equal(t, map[string]any{"enabled": true, "responseCodeName": "MOVED_PERMANENTLY_DEFAULT"}, in(t, fcs[0], "spec.redirectToHttps"))
			ssl := one(t, res, "gcp:compute/sSLPolicy:SSLPolicy")
			assert.Equal(t, ssl.Outputs["name"].StringValue(), in(t, fcs[0], "spec.sslPolicy"))
			assert.Equal(t, "TLS_1_2", in(t, ssl, "minTlsVersion"))
			assert.Equal(t, host, in(t, ing, "spec.rules[0].host"))
			assert.Equal(t, "https://"+host+"/", res.Outputs["url"].Value)
		})
	}
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return -1
}

func TestNetworkPolicies(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			deny := obj(t, res, netpolType, "default-deny")
			assert.Equal(t, map[string]any{}, in(t, deny, "spec.podSelector"))
			assert.Equal(t, []any{"Ingress", "Egress"}, in(t, deny, "spec.policyTypes"))

			web := obj(t, res, netpolType, "web-ingress-from-lb")
			assert.Equal(t, webSelector, in(t, web, "spec.podSelector.matchLabels"), "selects exactly the Deployment's pods")
			assert.Equal(t, []any{map[string]any{
				"from":  []any{map[string]any{"ipBlock": map[string]any{"cidr": "130.211.0.0/22"}}, map[string]any{"ipBlock": map[string]any{"cidr": "35.191.0.0/16"}}},
				"ports": []any{map[string]any{"protocol": "TCP", "port": int64(8080)}},
			}}, in(t, web, "spec.ingress"))

			egress := obj(t, res, netpolType, "app-egress")
			sqlIP := one(t, res, "gcp:sql/databaseInstance:DatabaseInstance").Outputs["privateIpAddress"].StringValue()
			rules := asSlice(in(t, egress, "spec.egress"))
			var cidrs []string
			for _, r := range rules {
				for _, to := range asSlice(asMap(r)["to"]) {
					if b := asMap(asMap(to)["ipBlock"]); b != nil {
						cidrs = append(cidrs, b["cidr"].(string))
					}
				}
			}
			assert.Contains(t, cidrs, sqlIP+"/32", "the proxy reaches the database's private IP")
			assert.Contains(t, cidrs, "169.254.169.254/32", "Workload Identity tokens")
			// The Job's pods are covered too (they run the proxy).
			sel := asMap(in(t, egress, "spec.podSelector.matchLabels"))
			job := one(t, res, jobType)
			jobLabels := asMap(in(t, job, "spec.template.metadata.labels"))
			for k, v := range sel {
				assert.Equal(t, v, jobLabels[k])
			}
		})
	}
}

// TestConfigChangeRollsThePods: a changed setting changes the pod template
// (through the checksum), so the Deployment rolls.
func TestConfigChangeRollsThePods(t *testing.T) {
	base := plan(t, "dev")
	changed, err := planWith(t, "dev", map[string]string{"django-gke:app": `{"settings": {"FEATURE_FLAGS": "new-checkout"}}`})
	require.NoError(t, err)
	before := in(t, obj(t, base, deploymentType, "web"), "spec.template.metadata.annotations")
	after := in(t, obj(t, changed, deploymentType, "web"), "spec.template.metadata.annotations")
	assert.NotEqual(t, asMap(before)["checksum/config"], asMap(after)["checksum/config"])
	assert.Equal(t, asMap(before)["checksum/nginx"], asMap(after)["checksum/nginx"], "only what changed")
	assert.Equal(t, "new-checkout", in(t, settingsMap(t, changed), "data.FEATURE_FLAGS"))
	// Both ConfigMaps are immutable: a change is a new object, never an edit under running pods.
	for _, cm := range changed.ByType(configMapType) {
		assert.Equal(t, true, in(t, cm, "immutable"))
	}
}

func TestNginxConfIsTheAppsFileRendered(t *testing.T) {
	res := plan(t, "prd")
	text := in(t, nginxMap(t, res), `data["nginx.conf"]`).(string)
	assert.NotContains(t, text, "@@", "every placeholder substituted")
	assert.Contains(t, text, "listen 8080 default_server;")
	assert.Contains(t, text, "server 127.0.0.1:8000")
	assert.Contains(t, text, "set_real_ip_from "+res.Outputs["loadBalancerIp"].Value.(string)+"/32;")
	assert.Contains(t, text, "projects/acme-django-prd/traces/")

	_, err := components.RenderNginxConf("listen @@LISTEN@@; root @@ROOT@@;", map[string]string{"LISTEN": "80"})
	assert.EqualError(t, err, "nginx.conf: no value for @@ROOT@@")
	_, err = components.RenderNginxConf("listen @@LISTEN@@;", map[string]string{"LISTEN": "80", "EXTRA": "x"})
	assert.EqualError(t, err, "nginx.conf has no placeholder @@EXTRA@@")
}

// TestRenderedNginxConfPassesNginxT runs the real nginx on exactly what the
// prd pod gets (make lint runs it too). nginx comes from make deps.
func TestRenderedNginxConfPassesNginxT(t *testing.T) {
	text := in(t, nginxMap(t, plan(t, "prd")), `data["nginx.conf"]`).(string)
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(conf, []byte(text), 0o644))
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		nginx = "/usr/sbin/nginx"
	}
	out, err := exec.Command(nginx, "-t", "-q", "-c", conf, "-p", dir).CombinedOutput()
	require.NoError(t, err, "nginx -t:\n%s", out)
}
