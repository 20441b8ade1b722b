package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	sigsyaml "sigs.k8s.io/yaml"

	"django-gke/components"
	"django-gke/infra/capacity"
)

// renderedPods are the pod templates of every Deployment and Job that `make
// plan` writes for a stack, by "Kind/name".
func renderedPods(t *testing.T, stack string) map[string]corev1.PodSpec {
	t.Helper()
	out := t.TempDir()
	r := runPlan(t, repoRoot(), "-stack", stack, "-out", out)
	require.Equal(t, 0, r.code, r.stderr)
	files, err := filepath.Glob(filepath.Join(out, stack, "*.yaml"))
	require.NoError(t, err)
	pods := map[string]corev1.PodSpec{}
	for _, f := range files {
		text, err := os.ReadFile(f)
		require.NoError(t, err)
		var head struct{ Kind string }
		require.NoError(t, sigsyaml.Unmarshal(text, &head), f)
		switch head.Kind {
		case "Deployment":
			var d appsv1.Deployment
			require.NoError(t, sigsyaml.UnmarshalStrict(text, &d), f)
			pods["Deployment/"+d.Name] = d.Spec.Template.Spec
		case "Job":
			var j batchv1.Job
			require.NoError(t, sigsyaml.UnmarshalStrict(text, &j), f)
			pods["Job/"+j.Name] = j.Spec.Template.Spec
		}
	}
	return pods
}

// longRunning are the containers whose limits make up the pod's: the app
// containers and the native sidecars (init containers that keep running).
func longRunning(spec corev1.PodSpec) []corev1.Container {
	out := append([]corev1.Container{}, spec.Containers...)
	for _, c := range spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			out = append(out, c)
		}
	}
	return out
}

// TestEveryContainerHasStorageLimitsAndAHighUser: in the rendered manifests of
// every stack, every container (init containers, the proxy sidecar, the
// migrations Job's) requests and is limited in ephemeral storage, and runs as
// a user and group above 10000; every scratch volume is bounded, and the pod's
// storage limit covers its volumes and its containers' logs.
func TestEveryContainerHasStorageLimitsAndAHighUser(t *testing.T) {
	for _, stack := range append(append([]string{}, Stacks...), "local") {
		t.Run(stack, func(t *testing.T) {
			pods := renderedPods(t, stack)
			require.Contains(t, pods, "Deployment/web")
			require.Len(t, pods, 2, "the web Deployment and the migrations Job")
			for name, spec := range pods {
				all := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
				require.NotEmpty(t, all)
				for _, c := range all {
					where := name + " container " + c.Name
					req, hasReq := c.Resources.Requests[corev1.ResourceEphemeralStorage]
					limit, hasLimit := c.Resources.Limits[corev1.ResourceEphemeralStorage]
					if assert.True(t, hasReq, "%s requests ephemeral-storage", where) &&
						assert.True(t, hasLimit, "%s has an ephemeral-storage limit", where) {
						assert.Equal(t, 1, req.Sign(), where)
						assert.GreaterOrEqual(t, limit.Cmp(req), 0, "%s: limit %s ≥ request %s", where, limit.String(), req.String())
						logs := resource.MustParse(strconv.Itoa(capacity.ContainerLogMiB) + "Mi")
						assert.GreaterOrEqual(t, req.Cmp(logs), 0, "%s: room for its own log (%s)", where, logs.String())
					}
					user, group := effectiveIDs(spec, c)
					assert.Greater(t, user, int64(10000), "%s runs as uid %d", where, user)
					assert.Greater(t, group, int64(10000), "%s runs as gid %d", where, group)
				}

				var podLimit, volumes resource.Quantity
				for _, c := range longRunning(spec) {
					podLimit.Add(c.Resources.Limits[corev1.ResourceEphemeralStorage])
					volumes.Add(resource.MustParse(strconv.Itoa(capacity.ContainerLogMiB) + "Mi"))
				}
				for _, v := range spec.Volumes {
					if v.EmptyDir == nil {
						continue
					}
					if assert.NotNil(t, v.EmptyDir.SizeLimit, "%s: emptyDir %s has a sizeLimit", name, v.Name) {
						volumes.Add(*v.EmptyDir.SizeLimit)
					}
				}
				assert.GreaterOrEqual(t, podLimit.Cmp(volumes), 0,
					"%s: the pod's limit (%s, its long-running containers') covers its emptyDirs and logs (%s)", name, podLimit.String(), volumes.String())
			}

			if stack == "local" {
				return
			}
			// The capacity model's pod is what the scheduler reserves for a web pod.
			var scheduled resource.Quantity
			for _, c := range longRunning(pods["Deployment/web"]) {
				scheduled.Add(c.Resources.Requests[corev1.ResourceEphemeralStorage])
			}
			want := resource.MustParse(strconv.FormatInt(stackPlan(t, stack).PodRequests.EphemeralMiB, 10) + "Mi")
			assert.Zero(t, scheduled.Cmp(want), "web pod requests %s, the capacity model counts %s", scheduled.String(), want.String())
		})
	}
}

// effectiveIDs is the user and group a container runs as: its own security
// context, else the pod's (0 when neither says: the image's, unknown here).
func effectiveIDs(spec corev1.PodSpec, c corev1.Container) (user, group int64) {
	if spec.SecurityContext != nil {
		if spec.SecurityContext.RunAsUser != nil {
			user = *spec.SecurityContext.RunAsUser
		}
		if spec.SecurityContext.RunAsGroup != nil {
			group = *spec.SecurityContext.RunAsGroup
		}
	}
	if c.SecurityContext != nil {
		if c.SecurityContext.RunAsUser != nil {
			user = *c.SecurityContext.RunAsUser
		}
		if c.SecurityContext.RunAsGroup != nil {
			group = *c.SecurityContext.RunAsGroup
		}
	}
	return user, group
}

// TestLocalPodRunsAsThePodsUsers: scripts/local/up.sh runs nginx and gunicorn
// (when it can switch users) as the users the pod's containers run as, and
// holds the static files to the pod's volume.
func TestLocalPodRunsAsThePodsUsers(t *testing.T) {
	lib, err := os.ReadFile(filepath.Join(repoRoot(), "scripts", "local", "lib.sh"))
	require.NoError(t, err)
	for name, want := range map[string]int{
		"POD_NGINX_UID": components.NginxUID, "POD_APP_UID": components.AppUID, "POD_STATIC_MIB": capacity.StaticFilesMiB,
	} {
		m := regexp.MustCompile(`(?m)^` + name + `=([0-9]+)$`).FindSubmatch(lib)
		require.NotNil(t, m, "scripts/local/lib.sh sets %s", name)
		assert.Equal(t, strconv.Itoa(want), string(m[1]), name)
	}
}
