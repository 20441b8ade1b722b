// Package preview runs the program with the real Pulumi engine and the real
// providers (gcp, random, kubernetes; built by make engine) without a cloud
// and without credentials: a throwaway file backend, a fake access token.
// Every GCP resource goes through its provider's own Check (the Terraform
// validators) and preview. Given a state, the providers' Diff says what a
// change would update and what it would replace. The state is synthetic: the
// offline plan (infra/offline) of the previous configuration, written as a
// checkpoint.
package preview

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"django-gke/infra/offline"
)

// EngineVersion is the Pulumi CLI make engine builds (the checkpoint's manifest).
const EngineVersion = "v3.274.1"

// PluginVersions are the provider plugins the program's SDKs ask for; a
// resource without an explicit provider uses the default one of its package.
var PluginVersions = map[string]string{
	"gcp": "7.38.0", "random": "4.18.0", "kubernetes": "4.32.0", "docker": "4.10.0",
}

// Checkpoint writes an offline plan as the state a `pulumi up` of it would
// have left: every resource with its inputs, outputs, ID, parent, provider
// and dependencies; default providers for resources without an explicit one;
// the stack's outputs. Where the real providers' preview planned a resource
// (planned, by URN: checked inputs with auto-names and defaults, outputs with
// the schema version), that is its state, and the offline plan fills in what
// only GCP would have said (IDs, self links, endpoints). Secrets stay secret
// (in plaintext form: the engine encrypts them on import). Resources read
// rather than managed (stack references) are left out: the engine reads them again.
func Checkpoint(res *offline.Result, planned map[string]Planned) (*apitype.DeploymentV3, error) {
	now := time.Now().UTC()
	stackURN := resource.URN(fmt.Sprintf("urn:pulumi:%s::%s::pulumi:pulumi:Stack::%s-%s", res.Stack, res.Project, res.Project, res.Stack))
	outputs := resource.PropertyMap{}
	for name, o := range res.Outputs {
		v := resource.NewPropertyValue(o.Value)
		if o.Secret {
			v = resource.MakeSecret(v)
		}
		outputs[resource.PropertyKey(name)] = v
	}
	d := &apitype.DeploymentV3{
		Manifest: apitype.ManifestV1{Time: now, Version: EngineVersion},
		Resources: []apitype.ResourceV3{{
			URN: stackURN, Type: "pulumi:pulumi:Stack", Outputs: serialize(outputs), Created: &now, Modified: &now,
		}},
	}
	d.Manifest.Magic = d.Manifest.NewMagic()

	present := map[string]bool{string(stackURN): true}
	defaults := map[string]string{} // package → provider reference
	defaultProvider := func(pkg string) (string, error) {
		if ref, ok := defaults[pkg]; ok {
			return ref, nil
		}
		version, ok := PluginVersions[pkg]
		if !ok {
			return "", fmt.Errorf("no plugin version known for package %q", pkg)
		}
		urn := fmt.Sprintf("urn:pulumi:%s::%s::pulumi:providers:%s::default_%s", res.Stack, res.Project, pkg, strings.ReplaceAll(version, ".", "_"))
		id := syntheticID(urn)
		inputs, outputs := map[string]any{"version": version}, map[string]any{"version": version}
		if p, ok := planned[urn]; ok {
			inputs, outputs = merge(p.Inputs, inputs).(map[string]any), merge(p.Outputs, outputs).(map[string]any)
		}
		d.Resources = append(d.Resources, apitype.ResourceV3{
			URN: resource.URN(urn), Custom: true, ID: resource.ID(id), Type: tokens.Type("pulumi:providers:" + pkg),
			Inputs: inputs, Outputs: outputs, Created: &now, Modified: &now,
		})
		present[urn] = true
		defaults[pkg] = urn + "::" + id
		return defaults[pkg], nil
	}
	keep := func(urns []string) []resource.URN {
		var out []resource.URN
		for _, u := range urns {
			if present[u] {
				out = append(out, resource.URN(u))
			}
		}
		return out
	}

	for _, r := range res.Resources {
		if r.Read || r.Type == "pulumi:pulumi:Stack" {
			continue
		}
		provider := r.Provider
		if r.Custom && provider == "" && !strings.HasPrefix(r.Type, "pulumi:providers:") {
			pkg, _, _ := strings.Cut(r.Type, ":")
			var err error
			if provider, err = defaultProvider(pkg); err != nil {
				return nil, fmt.Errorf("%s: %w", r.URN, err)
			}
		}
		propDeps := map[resource.PropertyKey][]resource.URN{}
		for k, urns := range r.PropertyDependencies {
			if kept := keep(urns); len(kept) > 0 {
				propDeps[resource.PropertyKey(k)] = kept
			}
		}
		state := apitype.ResourceV3{
			URN: resource.URN(r.URN), Custom: r.Custom, ID: resource.ID(r.ID), Type: tokens.Type(r.Type),
			Inputs: serialize(r.Inputs), Outputs: serialize(r.Outputs), Parent: resource.URN(r.Parent),
			Protect: r.Protect, Dependencies: keep(r.Dependencies), Provider: provider, PropertyDependencies: propDeps,
			RetainOnDelete: r.RetainOnDelete, IgnoreChanges: r.IgnoreChanges, ReplaceOnChanges: r.ReplaceOnChanges,
			Created: &now, Modified: &now,
		}
		if !present[r.Parent] {
			state.Parent = stackURN
		}
		if !r.Custom {
			state.ID, state.Inputs = "", nil // components have no ID; their "inputs" are not the engine's
		} else if p, ok := planned[r.URN]; ok {
			state.Inputs, _ = merge(p.Inputs, state.Inputs).(map[string]any)
			state.Outputs, _ = merge(p.Outputs, state.Outputs).(map[string]any)
			labelsAsGCPSets(state.Outputs, p.Outputs, defaultLabels(res))
			// A Terraform-bridged resource's state holds its ID as an output too.
			if _, ok := p.Outputs["id"]; ok {
				state.Outputs["id"] = r.ID
			}
			if meta, ok := state.Outputs["__meta"].(string); ok {
				var m map[string]any
				if json.Unmarshal([]byte(meta), &m) == nil {
					delete(m, "_new_extra_shim")
					b, _ := json.Marshal(m)
					state.Outputs["__meta"] = string(b)
				}
			}
		}
		d.Resources = append(d.Resources, state)
		present[r.URN] = true
	}
	return d, nil
}

// StackOutputs is the state of a stack that only exports outputs: what a
// stack reference to it reads.
func StackOutputs(res *offline.Result) *apitype.DeploymentV3 {
	d, _ := Checkpoint(&offline.Result{Project: res.Project, Stack: res.Stack, Outputs: res.Outputs}, nil)
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

// SetOutput changes one output of the resource with this URN in place (state
// that moved behind the configuration's back: a disk grown by auto-resize).
func SetOutput(d *apitype.DeploymentV3, urn, path string, value any) error {
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		return err
	}
	for i := range d.Resources {
		r := &d.Resources[i]
		if string(r.URN) != urn {
			continue
		}
		root := resource.NewPropertyValue(r.Outputs)
		if !p.Set(root, resource.NewPropertyValue(value)) {
			return fmt.Errorf("%s has no output %s", urn, path)
		}
		r.Outputs = root.ObjectValue().Mappable()
		return nil
	}
	return fmt.Errorf("no resource %s in the state", urn)
}

// serialize writes property values as a checkpoint holds them; secrets as
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

// unknownInEvents is how an engine event spells a value only the cloud will
// know; secretInEvents one it does not show.
const (
	unknownInEvents = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
	secretInEvents  = "[secret]"
)

// merge is the provider's planned value where it is known, else the offline
// plan's (nil: neither knows it, and the key is left out).
func merge(plannedValue, offlineValue any) any {
	switch p := plannedValue.(type) {
	case nil:
		return offlineValue
	case string:
		if p == unknownInEvents || p == secretInEvents {
			return offlineValue
		}
		return p
	case map[string]any:
		if isSecretEnvelope(offlineValue) || isSecretEnvelope(p) || len(p) == 0 {
			// The event hides a secret's value, or the provider planned nothing
			// (the kubernetes provider without a cluster): the offline plan's.
			return offlineValue
		}
		o, _ := offlineValue.(map[string]any)
		out := map[string]any{}
		for k, v := range p {
			if m := merge(v, o[k]); m != nil {
				out[k] = m
			}
		}
		return out
	case []any:
		if isSecretEnvelope(offlineValue) {
			return offlineValue
		}
		o, _ := offlineValue.([]any)
		out := make([]any, len(p))
		for i, v := range p {
			var ov any
			if i < len(o) {
				ov = o[i]
			}
			out[i] = merge(v, ov)
		}
		return out
	}
	if isSecretEnvelope(offlineValue) {
		return offlineValue
	}
	return plannedValue
}

// labelsAsGCPSets fills the labels the gcp provider computes and the events
// hide (secret): pulumiLabels and effectiveLabels are the resource's labels
// over the provider's default labels.
func labelsAsGCPSets(outputs, planned map[string]any, defaults map[string]any) {
	for _, key := range []string{"pulumiLabels", "effectiveLabels"} {
		if _, hidden := planned[key]; !hidden || outputs[key] != nil {
			continue
		}
		all := map[string]any{}
		for k, v := range defaults {
			all[k] = v
		}
		if own, ok := outputs["labels"].(map[string]any); ok {
			for k, v := range own {
				all[k] = v
			}
		}
		plain, _ := json.Marshal(all)
		outputs[key] = map[string]any{resource.SigKey: resource.SecretSig, "plaintext": string(plain)}
	}
}

// defaultLabels are the explicit gcp provider's defaultLabels.
func defaultLabels(res *offline.Result) map[string]any {
	for _, r := range res.ByType("pulumi:providers:gcp") {
		if v, ok := r.Input("defaultLabels"); ok {
			if m, ok := v.(map[string]any); ok {
				return m
			}
		}
	}
	return nil
}

func isSecretEnvelope(v any) bool {
	m, ok := v.(map[string]any)
	return ok && m[resource.SigKey] == resource.SecretSig
}

func syntheticID(urn string) string {
	sum := sha256.Sum256([]byte(urn))
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}
