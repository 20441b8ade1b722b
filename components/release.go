package components

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Release is how a new image reaches users: rolling (the zero value, one
// Deployment) or blue/green (a Deployment per color, the public Service on the
// active one). Everything blue/green knows is in this file.
type Release struct {
	BlueGreen bool
	// Active is the color the public Service selects (blue | green).
	Active string
	// Images are per-color image refs; a color without one runs the workload's image.
	Images map[string]pulumi.StringInput
	// PreviewHostname, when set, routes that host on the Ingress to the inactive color.
	PreviewHostname string
	// InactiveAtMinimum caps the inactive color's HPA at its minimum (cheaper; a flip
	// then also resizes both HPAs, and the newly active color starts small).
	InactiveAtMinimum bool
}

// colors are the blue/green tracks; colorLabel is the pod label that tells them apart.
var colors = []string{"blue", "green"}

const colorLabel = "django-gke/color"

// track is one release track: the whole app for rolling, one color for blue/green.
type track struct {
	// color is "" for rolling.
	color                    string
	image                    pulumi.StringInput
	minReplicas, maxReplicas int
}

func (t track) suffix() string {
	if t.color == "" {
		return ""
	}
	return "-" + t.color
}

// objectName is the Deployment's, HPA's and PDB's name: "web", "web-blue", "web-green".
func (t track) objectName() string { return WebName + t.suffix() }

func (t track) colorLabels() map[string]string {
	if t.color == "" {
		return nil
	}
	return map[string]string{colorLabel: t.color}
}

// tracks lists the release tracks of a workload running image with these HPA bounds.
func (r Release) tracks(image pulumi.StringInput, minReplicas, maxReplicas int) []track {
	if !r.BlueGreen {
		return []track{{image: image, minReplicas: minReplicas, maxReplicas: maxReplicas}}
	}
	var out []track
	for _, color := range colors {
		t := track{color: color, image: image, minReplicas: minReplicas, maxReplicas: maxReplicas}
		if img, ok := r.Images[color]; ok && img != nil {
			t.image = img
		}
		if r.InactiveAtMinimum && color != r.Active {
			t.maxReplicas = t.minReplicas
		}
		out = append(out, t)
	}
	return out
}

// inactive is the color the preview Service selects.
func (r Release) inactive() string {
	if r.Active == "green" {
		return "blue"
	}
	return "green"
}

// selector is what the public (preview false) or preview Service selects.
func (r Release) selector(preview bool) map[string]string {
	if !r.BlueGreen {
		return webLabels()
	}
	color := r.Active
	if preview {
		color = r.inactive()
	}
	return merge(webLabels(), map[string]string{colorLabel: color})
}

// previewHost is the host routed to the inactive color, or "".
func (r Release) previewHost() string {
	if !r.BlueGreen {
		return ""
	}
	return r.PreviewHostname
}
