package tests

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/offline"
)

const redisType = "gcp:redis/instance:Instance"

// TestCacheIsOffInDevOnInStgAndPrd: dev declares no Memorystore and its app
// runs without a cache server; stg and prd declare one, prd highly available.
func TestCacheIsOffInDevOnInStgAndPrd(t *testing.T) {
	dev := plan(t, "dev")
	assert.Empty(t, dev.ByType(redisType))
	for key := range offline.PlainMap(settingsMap(t, dev).Inputs)["data"].(map[string]any) {
		assert.False(t, strings.HasPrefix(key, "CACHE_"), "dev's app has no cache setting %s", key)
	}
	assert.Nil(t, dev.Named("gcp:projects/service:Service", "django-gke-dev-redis"))

	for stack, want := range map[string]struct {
		tier      string
		sizeGB    int64
		day       string
		alternate bool
	}{"stg": {"BASIC", 1, "TUESDAY", false}, "prd": {"STANDARD_HA", 5, "SUNDAY", true}} {
		res := plan(t, stack)
		redis := one(t, res, redisType)
		assert.Equal(t, want.tier, in(t, redis, "tier"), stack)
		assert.Equal(t, want.sizeGB, in(t, redis, "memorySizeGb"), stack)
		assert.Equal(t, "REDIS_7_2", in(t, redis, "redisVersion"), stack)
		assert.Equal(t, res.Config.Values["gcp:region"], in(t, redis, "region"), stack)
		// Private: on the private services range, reachable only on the VPC.
		assert.Equal(t, "PRIVATE_SERVICE_ACCESS", in(t, redis, "connectMode"), stack)
		network := res.Named("gcp:compute/network:Network", "django-gke-"+stack+"-vpc")
		require.NotNil(t, network, stack)
		assert.Equal(t, network.ID, in(t, redis, "authorizedNetwork"), stack)
		psa := res.Named("gcp:compute/globalAddress:GlobalAddress", "django-gke-"+stack+"-psa")
		psaName, _ := psa.Output("name")
		assert.Equal(t, psaName, in(t, redis, "reservedIpRange"), stack)
		// Created after the peering (ordering the mock cannot see otherwise).
		connection := one(t, res, "gcp:servicenetworking/connection:Connection")
		assert.True(t, redis.DependsOn(connection.URN), "%s: Memorystore waits for the private services peering", stack)
		// AUTH and TLS, a cache's eviction policy, the env's maintenance hour.
		assert.Equal(t, true, in(t, redis, "authEnabled"), stack)
		assert.Equal(t, "SERVER_AUTHENTICATION", in(t, redis, "transitEncryptionMode"), stack)
		assert.Equal(t, "volatile-lru", in(t, redis, `redisConfigs["maxmemory-policy"]`), stack)
		assert.Equal(t, want.day, in(t, redis, "maintenancePolicy.weeklyMaintenanceWindows[0].day"), stack)
		assert.Equal(t, int64(4), in(t, redis, "maintenancePolicy.weeklyMaintenanceWindows[0].startTime.hours"), stack)
		assert.NotNil(t, res.Named("gcp:projects/service:Service", "django-gke-"+stack+"-redis"), stack)
	}
}

// TestAppReachesTheCacheOverTLSWithItsSecret: the pods get the instance's
// address and CA in plain config, its AUTH string only in the Secret, and a
// NetworkPolicy that opens exactly that address and port.
func TestAppReachesTheCacheOverTLSWithItsSecret(t *testing.T) {
	for _, stack := range []string{"stg", "prd"} {
		res := plan(t, stack)
		redis := one(t, res, redisType)
		host, _ := redis.Output("host")
		auth, ok := redis.Outputs["authString"]
		require.True(t, ok && auth.IsSecret(), "%s: the mock's AUTH string is a secret", stack)
		authString := auth.SecretValue().Element.StringValue()

		cm := settingsMap(t, res)
		assert.Equal(t, host, in(t, cm, "data.CACHE_REDIS_HOST"), stack)
		assert.Equal(t, "6378", in(t, cm, "data.CACHE_REDIS_PORT"), stack)
		assert.Equal(t, "/etc/redis-tls/ca.pem", in(t, cm, "data.CACHE_REDIS_CA_FILE"), stack)
		assert.Equal(t, "60", in(t, cm, "data.CACHE_TTL_SECONDS"), stack)

		// The AUTH string is in the Secret, as a secret, and nowhere in plain text.
		secret := one(t, res, "kubernetes:core/v1:Secret")
		for _, r := range res.Resources {
			if r.Type == "kubernetes:core/v1:Secret" || r.Type == redisType {
				continue
			}
			text, err := json.Marshal(offline.PlainMap(r.Inputs))
			require.NoError(t, err)
			assert.NotContains(t, string(text), authString, "%s: %s %s carries the AUTH string", stack, r.Type, r.Name)
		}
		for name, o := range res.Outputs {
			text, _ := json.Marshal(o)
			assert.NotContains(t, string(text), authString, "%s: output %s", stack, name)
		}
		assertSecretCarries(t, secret, "CACHE_REDIS_PASSWORD", authString)

		// The CA (public) is mounted for gunicorn and the migrations Job.
		caMap := configMapWith(t, res, "ca.pem")
		caName, _ := caMap.Output("metadata.name")
		for typ, container := range map[string]string{deploymentType: "gunicorn", jobType: "migrate"} {
			pod := one(t, res, typ)
			assert.Contains(t, fmt.Sprint(in(t, pod, "spec.template.spec.volumes")), fmt.Sprintf("map[configMap:map[name:%s] name:redis-ca]", caName), stack)
			containers := in(t, pod, "spec.template.spec.containers").([]any)
			found := false
			for _, c := range containers {
				c := c.(map[string]any)
				if c["name"] == container {
					found = true
					assert.Contains(t, fmt.Sprint(c["volumeMounts"]), "map[mountPath:/etc/redis-tls name:redis-ca readOnly:true]", "%s %s", stack, typ)
				}
			}
			assert.True(t, found, "%s: %s has a %s container", stack, typ, container)
		}

		// Egress to exactly the instance's IP and TLS port.
		policy := res.Named("kubernetes:networking.k8s.io/v1:NetworkPolicy", "django-gke-"+stack+"-netpol-app-egress-cache")
		require.NotNil(t, policy, stack)
		assert.Equal(t, fmt.Sprint(host)+"/32", in(t, policy, "spec.egress[0].to[0].ipBlock.cidr"), stack)
		assert.Equal(t, int64(6378), in(t, policy, "spec.egress[0].ports[0].port"), stack)
		assert.Equal(t, map[string]any{"app.kubernetes.io/name": "django"}, in(t, policy, "spec.podSelector.matchLabels"), stack)
	}
}

// assertSecretCarries: the Secret's stringData is a secret (as a whole) and
// carries want under key.
func assertSecretCarries(t *testing.T, secret *offline.Resource, key, want string) {
	t.Helper()
	data := secret.Inputs["stringData"]
	require.True(t, data.IsSecret(), "the Secret's stringData is a secret")
	v, ok := data.SecretValue().Element.ObjectValue()[resource.PropertyKey(key)]
	require.True(t, ok, "stringData.%s", key)
	assert.Equal(t, want, v.StringValue())
}

// TestCacheIsWatched: memory and eviction alerts on the instance, and its hit
// ratio on the dashboard.
func TestCacheIsWatched(t *testing.T) {
	for _, stack := range []string{"stg", "prd"} {
		res := plan(t, stack)
		redis := one(t, res, redisType)
		id := redis.ID
		alerts := alertsByKey(t, res)
		for key, metric := range map[string]string{"cache-memory": "stats/memory/usage_ratio", "cache-evictions": "stats/evicted_keys"} {
			a, ok := alerts[key]
			require.True(t, ok, "%s: alert %s", stack, key)
			filter := condition(t, a, 0)["conditionThreshold"].(map[string]any)["filter"].(string)
			assert.Equal(t, fmt.Sprintf(`metric.type="redis.googleapis.com/%s" AND resource.type="redis_instance" AND resource.label."instance_id"="%s"`, metric, id), filter, stack)
		}
		dashboard := one(t, res, "gcp:monitoring/dashboard:Dashboard")
		text := fmt.Sprint(in(t, dashboard, "dashboardJson"))
		assert.Contains(t, text, `redis.googleapis.com/stats/cache_hit_ratio\" resource.type=\"redis_instance\" resource.label.\"instance_id\"=\"`+id, stack)
		assert.Equal(t, id, res.Outputs["cacheInstance"].Value, stack)
	}
	assert.NotContains(t, fmt.Sprint(in(t, one(t, plan(t, "dev"), "gcp:monitoring/dashboard:Dashboard"), "dashboardJson")), "redis")
}
