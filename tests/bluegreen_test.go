package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/offline"
	"django-gke/infra/plandiff"
)

func blueGreen(t *testing.T, stack, release string) *offline.Result {
	t.Helper()
	res, err := planWith(t, stack, map[string]string{"django-gke:release": release})
	require.NoError(t, err)
	return res
}

// TestRollingIsTheDefaultAndUnchanged: strategy rolling spelled out declares
// exactly what the default declares: no resource renamed, nothing else changed.
func TestRollingIsTheDefaultAndUnchanged(t *testing.T) {
	for _, stack := range Stacks {
		explicit := blueGreen(t, stack, `{"strategy": "rolling", "activeColor": "blue"}`)
		d := plandiff.Compare(plan(t, stack).Snapshot(), explicit.Snapshot())
		assert.Empty(t, d.Added, stack)
		assert.Empty(t, d.Removed, stack)
		assert.Empty(t, d.Changed, stack)
		assert.Len(t, explicit.ByType(deploymentType), 1)
		obj(t, explicit, deploymentType, "web")
	}
}

func TestBlueGreenDeclaresATrackPerColor(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := blueGreen(t, stack, `{"strategy": "blueGreen", "activeColor": "blue"}`)
			capPlan := stackPlan(t, stack)
			require.Len(t, res.ByType(deploymentType), 2)
			for _, color := range []string{"blue", "green"} {
				name := "web-" + color
				selector := map[string]any{"app.kubernetes.io/name": "django", "app.kubernetes.io/component": "web", "django-gke/color": color}
				d := obj(t, res, deploymentType, name)
				assert.Equal(t, selector, in(t, d, "spec.selector.matchLabels"))
				labels := asMap(in(t, d, "spec.template.metadata.labels"))
				assert.Equal(t, color, labels["django-gke/color"], "pods are labelled with their color")
				_, hasReplicas := d.Input("spec.replicas")
				assert.False(t, hasReplicas)
				hpa := obj(t, res, hpaType, name)
				assert.Equal(t, name, in(t, hpa, "spec.scaleTargetRef.name"))
				assert.Equal(t, capPlan.HPAMaxReplicas, in(t, hpa, "spec.maxReplicas"))
				pdb := obj(t, res, pdbType, name)
				assert.Equal(t, selector, in(t, pdb, "spec.selector.matchLabels"))
				// Each color migrates before its own Deployment rolls.
				var job *offline.Resource
				for _, j := range res.ByType(jobType) {
					if n, _ := j.Input("metadata.name"); strings.HasPrefix(n.(string), "migrate-"+color+"-") {
						job = j
					}
				}
				require.NotNil(t, job, "a migrations Job for %s", color)
				assert.True(t, d.DependsOn(job.URN))
			}
			assert.Empty(t, findObj(res, deploymentType, "web"), "no uncolored Deployment")

			svc := obj(t, res, serviceType, "web")
			assert.Equal(t, "blue", asMap(in(t, svc, "spec.selector"))["django-gke/color"], "the public Service selects the active color")
			preview := obj(t, res, serviceType, "web-preview")
			assert.Equal(t, "green", asMap(in(t, preview, "spec.selector"))["django-gke/color"], "the preview Service selects the inactive one")
			assert.Equal(t, "blueGreen", res.Outputs["releaseStrategy"].Value)
			assert.Equal(t, "blue", res.Outputs["activeColor"].Value)
		})
	}
}

// TestFlipChangesOnlyServiceSelectors compares the recorded inputs of two
// runs that differ only in activeColor.
func TestFlipChangesOnlyServiceSelectors(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			blue := blueGreen(t, stack, `{"strategy": "blueGreen", "activeColor": "blue"}`)
			green := blueGreen(t, stack, `{"strategy": "blueGreen", "activeColor": "green"}`)
			d := plandiff.Compare(blue.Snapshot(), green.Snapshot())
			assert.Empty(t, d.Added)
			assert.Empty(t, d.Removed)
			var changed []string
			for _, c := range d.Changed {
				for _, ch := range c.Changes {
					changed = append(changed, c.Resource.Display+": "+ch.Path+" "+short(ch.Old)+" → "+short(ch.New))
				}
			}
			assert.ElementsMatch(t, []string{
				`Service web: spec.selector["django-gke/color"] blue → green`,
				`Service web-preview: spec.selector["django-gke/color"] green → blue`,
			}, changed)
		})
	}
}

func short(v any) string { s, _ := v.(string); return s }

func TestPerColorImagesAndPreviewHost(t *testing.T) {
	pinned := "us-central1-docker.pkg.dev/acme-django-dev/django-gke/django@sha256:" + strings.Repeat("c", 64)
	res := blueGreen(t, "prd", `{"strategy": "blueGreen", "activeColor": "blue", "green": {"image": "`+pinned+`"},
		"previewHostname": "preview.django-gke.example.com", "inactiveAtMinimum": true}`)
	stackImage := res.Outputs["imageRef"].Value
	green := obj(t, res, deploymentType, "web-green")
	blue := obj(t, res, deploymentType, "web-blue")
	containerImage := func(d *offline.Resource) any {
		return byName(asSlice(in(t, d, "spec.template.spec.containers")))["gunicorn"]["image"]
	}
	assert.Equal(t, pinned, containerImage(green), "green runs its own release")
	assert.Equal(t, stackImage, containerImage(blue), "a color without an image runs the stack's")
	// The inactive color is capped at its minimum.
	assert.Equal(t, in(t, obj(t, res, hpaType, "web-green"), "spec.minReplicas"), in(t, obj(t, res, hpaType, "web-green"), "spec.maxReplicas"))
	assert.Equal(t, stackPlan(t, "prd").HPAMaxReplicas, in(t, obj(t, res, hpaType, "web-blue"), "spec.maxReplicas"))
	// The preview host reaches the inactive color and is on the certificate.
	ing := obj(t, res, "kubernetes:networking.k8s.io/v1:Ingress", "web")
	assert.Equal(t, "preview.django-gke.example.com", in(t, ing, "spec.rules[1].host"))
	assert.Equal(t, "web-preview", in(t, ing, "spec.rules[1].http.paths[0].backend.service.name"))
	cert := one(t, res, "kubernetes:networking.gke.io/v1:ManagedCertificate")
	assert.Equal(t, []any{"django-gke.example.com", "preview.django-gke.example.com"}, in(t, cert, "spec.domains"))

	_, err := planWith(t, "prd", map[string]string{"django-gke:release": `{"strategy": "blueGreen", "activeColor": "red"}`})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `django-gke:release.activeColor: "red" is not allowed: must be one of blue, green`)
}
