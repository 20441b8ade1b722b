// Package preview runs the program with the real Pulumi engine and the real
// providers without a cloud and without credentials (a throwaway file
// backend, a fake access token): every GCP resource through its provider's
// own Check (the Terraform validators) and preview. Nothing here builds a
// provider: the gcp and random plugins must be the published ones, installed
// by `pulumi plugin install` on a machine with internet (scripts/engine/
// published-plugins.sh finds them); without them the preview says it was
// skipped. The replacement guard does not need them (infra/guard).
package preview

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"django-gke/infra/offline"
)

// EngineVersion is the Pulumi CLI make engine builds (the state's manifest).
const EngineVersion = "v3.274.1"

// PluginVersions are the provider plugins the program's SDKs ask for.
var PluginVersions = map[string]string{
	"gcp": "7.38.0", "random": "4.18.0", "kubernetes": "4.32.0", "docker": "4.10.0",
}

// StackOutputs is the state of a stack that only exports the offline plan's
// outputs: what a stack reference to it reads. Secrets stay secret (as
// plaintext envelopes: the engine encrypts them on import).
func StackOutputs(res *offline.Result) *apitype.DeploymentV3 {
	now := time.Now().UTC()
	outputs := resource.PropertyMap{}
	for name, o := range res.Outputs {
		v := resource.NewPropertyValue(o.Value)
		if o.Secret {
			v = resource.MakeSecret(v)
		}
		outputs[resource.PropertyKey(name)] = v
	}
	urn := resource.URN(fmt.Sprintf("urn:pulumi:%s::%s::pulumi:pulumi:Stack::%s-%s", res.Stack, res.Project, res.Project, res.Stack))
	d := &apitype.DeploymentV3{
		Manifest: apitype.ManifestV1{Time: now, Version: EngineVersion},
		Resources: []apitype.ResourceV3{{
			URN: urn, Type: "pulumi:pulumi:Stack", Outputs: serialize(outputs), Created: &now, Modified: &now,
		}},
	}
	d.Manifest.Magic = d.Manifest.NewMagic()
	return d
}

// Untyped is the deployment as `pulumi stack import` takes it.
func Untyped(d *apitype.DeploymentV3) (apitype.UntypedDeployment, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return apitype.UntypedDeployment{}, err
	}
	return apitype.UntypedDeployment{Version: 3, Deployment: b}, nil
}

// serialize writes property values as a state holds them; secrets as
// plaintext secret envelopes, which the engine encrypts when it imports them.
func serialize(pm resource.PropertyMap) map[string]any {
	if len(pm) == 0 {
		return nil
	}
	return resource.NewPropertyValue(pm).MapRepl(nil, func(v resource.PropertyValue) (any, bool) {
		if !v.IsSecret() {
			return nil, false
		}
		plain, _ := json.Marshal(v.SecretValue().Element.MapRepl(nil, nil))
		return map[string]any{resource.SigKey: resource.SecretSig, "plaintext": string(plain)}, true
	}).(map[string]any)
}
