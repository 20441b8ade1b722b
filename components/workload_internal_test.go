package components

import (
	"maps"
	"slices"
	"strings"
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"django-gke/components/podenv"
)

func TestAppSettingsFollowTLSAndTheDatabaseEndpoint(t *testing.T) {
	args := &WorkloadArgs{TLS: true, Project: "p", GunicornWorkers: 3, GunicornThreads: 2,
		Database: DatabaseConnection{Name: "django", User: "django", CloudSQLInstance: pulumi.String("p:r:i")},
		Settings: map[string]string{"FEATURE_X": "on"}}
	s := appSettings(args, "www.example.com", nil)
	assert.Equal(t, "https://www.example.com", s["DJANGO_CSRF_TRUSTED_ORIGINS"])
	assert.Equal(t, "31536000", s["DJANGO_SECURE_HSTS_SECONDS"])
	assert.Equal(t, "127.0.0.1", s["DB_HOST"])
	assert.Equal(t, "5432", s["DB_PORT"])
	assert.Equal(t, "on", s["FEATURE_X"])
	assert.Equal(t, "0", s["GUNICORN_ACCESS_LOG"])

	args.TLS = false
	args.Database = DatabaseConnection{Host: "db.local", Port: 6432}
	s = appSettings(args, "34.1.2.3", nil)
	assert.Equal(t, "http://34.1.2.3", s["DJANGO_CSRF_TRUSTED_ORIGINS"])
	assert.Equal(t, "false", s["DJANGO_SECURE_SSL_REDIRECT"])
	assert.Equal(t, "0", s["DJANGO_SECURE_HSTS_SECONDS"])
	assert.Equal(t, "db.local", s["DB_HOST"])
	assert.Equal(t, "6432", s["DB_PORT"])
	for k := range s {
		assert.NotRegexp(t, `PASSWORD|SECRET_KEY`, k, "secrets stay in the Secret")
	}
}

func TestMigrationJobNamePerDigestAndColor(t *testing.T) {
	ref := "r.example/app@sha256:" + strings.Repeat("AB", 32)
	assert.Equal(t, "migrate-abababababab", migrationJobName("", ref))
	assert.Equal(t, "migrate-green-abababababab", migrationJobName("green", ref))
	assert.Equal(t, "migrate-app-v1", migrationJobName("", "app-v1"), "a tag (env local) is used as it is")
}

func TestReleaseSelectsByColor(t *testing.T) {
	rolling := Release{}
	assert.Equal(t, webLabels(), rolling.selector(false))
	assert.Empty(t, rolling.previewHost())
	assert.Len(t, rolling.tracks(pulumi.String("img"), 2, 5), 1)

	bg := Release{BlueGreen: true, Active: "blue", PreviewHostname: "preview.example.com", InactiveAtMinimum: true}
	assert.Equal(t, "blue", bg.selector(false)[colorLabel])
	assert.Equal(t, "green", bg.selector(true)[colorLabel])
	assert.Equal(t, "preview.example.com", bg.previewHost())
	tracks := bg.tracks(pulumi.String("img"), 2, 5)
	assert.Equal(t, []string{"web-blue", "web-green"}, []string{tracks[0].objectName(), tracks[1].objectName()})
	assert.Equal(t, 5, tracks[0].maxReplicas, "the active color scales to the plan")
	assert.Equal(t, 2, tracks[1].maxReplicas, "the inactive one stays at its minimum")
}

// TestPodenvNamesEveryVariableTheProgramSets: podenv.Set is exactly what
// the app's containers get from the program, with every option on (TLS, a
// replica, a cache server): the config refuses each of them in app.settings,
// and a setting that slipped through validation still overrides nothing.
func TestPodenvNamesEveryVariableTheProgramSets(t *testing.T) {
	args := &WorkloadArgs{TLS: true, Project: "p", GunicornWorkers: 3, GunicornThreads: 2,
		Database: DatabaseConnection{Name: "django", User: "django", CloudSQLInstance: pulumi.String("p:r:i"),
			ReplicaInstance: pulumi.String("p:r2:j"), ReadYourWritesSeconds: 10},
		Cache: &CacheConnection{TTLSeconds: 60}}
	set := map[string]bool{}
	for k := range appSettings(args, "www.example.com", &cacheEndpoint{host: "10.0.0.3", port: 6378}) {
		set[k] = true
	}
	for k := range secretData(args, pulumi.String("key")) {
		set[k] = true
	}
	_, env := appEnv(podParams{}, "gunicorn")
	for _, e := range env {
		set[string(e.(corev1.EnvVarArgs).Name.(pulumi.String))] = true
	}
	assert.Equal(t, podenv.Set, slices.Sorted(maps.Keys(set)))

	args.Settings = map[string]string{"GUNICORN_THREADS": "64", "FEATURE_X": "on"}
	s := appSettings(args, "www.example.com", nil)
	assert.Equal(t, "2", s["GUNICORN_THREADS"], "the planned threads stay")
	assert.Equal(t, "on", s["FEATURE_X"])
}
