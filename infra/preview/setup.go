package preview

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"django-gke/infra/offline"
)

// FirstUp prepares the preview of a stack's first `up`: no state; the stacks
// it promotes from seeded with their offline plan's outputs. Without the
// pulumi-docker plugin (it cannot be built here), a stack that builds its
// image previews with that image's digest as image.ref instead; the notes say
// so.
func FirstUp(dir, stack string) (Options, []string, error) {
	o := Options{Dir: dir, Stack: stack, Set: map[string]string{}}
	var notes []string
	res, err := offline.Run(offline.Options{Dir: dir, Stack: stack})
	if err != nil {
		return o, nil, fmt.Errorf("the offline plan of %s: %w", stack, err)
	}
	if len(res.ByType("docker:index/image:Image")) > 0 && !HasPlugin(DefaultEngineCache(), "docker") {
		ref, _ := res.Outputs["imageRef"].Value.(string)
		o.Set["django-gke:image"] = fmt.Sprintf(`{"build": false, "ref": %q}`, ref)
		notes = append(notes, fmt.Sprintf("%s builds its image with pulumi-docker, whose plugin cannot be built offline: "+
			"previewing with image.ref=%s (the build step, docker:index/image:Image, is not previewed)", stack, ref))
	}
	refs, err := References(dir, res)
	if err != nil {
		return o, nil, err
	}
	o.References = refs
	for name := range refs {
		notes = append(notes, fmt.Sprintf("stack reference %s: seeded with its offline plan's outputs", name))
	}
	return o, notes, nil
}

// References are the states of the stacks a plan references
// ("<org>/<project>/<stack>"), each with its offline plan's outputs.
func References(dir string, res *offline.Result) (map[string]*apitype.DeploymentV3, error) {
	refs := map[string]*apitype.DeploymentV3{}
	for _, r := range res.ByType("pulumi:pulumi:StackReference") {
		name := r.ID
		parts := strings.Split(name, "/")
		other, err := offline.Run(offline.Options{Dir: dir, Stack: parts[len(parts)-1]})
		if err != nil {
			return nil, fmt.Errorf("the offline plan of referenced stack %s: %w", name, err)
		}
		refs[name] = StackOutputs(other)
	}
	return refs, nil
}
