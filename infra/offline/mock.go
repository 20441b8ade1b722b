package offline

import (
	"fmt"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Resource is one registration the program made, as the engine would see it.
type Resource struct {
	URN    string
	Type   string
	Name   string
	Custom bool
	// Read is true for resources read rather than managed (StackReference).
	Read bool
	// Parent is the parent's URN (the stack's for top-level resources).
	Parent string
	// Provider is the explicit provider reference ("<urn>::<id>"), if any.
	Provider string
	// Dependencies are the URNs the resource depends on (DependsOn and inputs).
	Dependencies         []string
	PropertyDependencies map[string][]string
	// Inputs are the properties exactly as the provider would receive them;
	// secret values are resource.Secret, so nothing renders them by accident.
	Inputs resource.PropertyMap
	// Outputs are what the mock provider returned: inputs plus computed values.
	Outputs resource.PropertyMap
	ID      string

	Protect                 bool
	DeleteBeforeReplace     bool
	RetainOnDelete          bool
	IgnoreChanges           []string
	ReplaceOnChanges        []string
	AdditionalSecretOutputs []string
	Aliases                 []string
	// DeleteTimeout is the customTimeouts delete ("" when not set).
	DeleteTimeout string
}

// Invoke is one provider function call the program made.
type Invoke struct {
	Token string
	Args  resource.PropertyMap
}

// stackResolver returns the outputs of another stack (for StackReference).
type stackResolver func(name string) (resource.PropertyMap, error)

// mock is the one Pulumi mock of this project: it records every registration
// and answers with the values a real provider would compute, deterministically
// (the same stack yields the same IPs, digests and passwords every run).
type mock struct {
	project, stack, gcpProject, gcpRegion string
	resolveStack                          stackResolver

	mu        sync.Mutex
	resources []*Resource
	invokes   []Invoke
}

var _ pulumi.MockResourceMonitor = (*mock)(nil)

func (m *mock) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r := &Resource{Type: args.TypeToken, Name: args.Name, Custom: args.Custom, Inputs: args.Inputs.Copy()}
	parent := ""
	switch {
	case args.RegisterRPC != nil:
		rpc := args.RegisterRPC
		parent = rpc.GetParent()
		r.Provider = rpc.GetProvider()
		r.Dependencies = rpc.GetDependencies()
		r.PropertyDependencies = map[string][]string{}
		for k, deps := range rpc.GetPropertyDependencies() {
			r.PropertyDependencies[k] = deps.GetUrns()
		}
		r.Protect = rpc.GetProtect()
		r.DeleteBeforeReplace = rpc.GetDeleteBeforeReplace()
		r.RetainOnDelete = rpc.GetRetainOnDelete()
		r.IgnoreChanges = rpc.GetIgnoreChanges()
		r.ReplaceOnChanges = rpc.GetReplaceOnChanges()
		r.AdditionalSecretOutputs = rpc.GetAdditionalSecretOutputs()
		r.DeleteTimeout = rpc.GetCustomTimeouts().GetDelete()
		r.Aliases = append(rpc.GetAliasURNs(), m.aliases(rpc, parent)...)
	case args.ReadRPC != nil:
		parent = args.ReadRPC.GetParent()
		r.Provider = args.ReadRPC.GetProvider()
		r.Dependencies = args.ReadRPC.GetDependencies()
		r.Read = true
	}
	r.Parent = parent
	r.URN = m.urn(parent, args.TypeToken, args.Name)

	id, outputs, err := m.compute(args)
	if err != nil {
		return "", nil, err
	}
	for _, key := range r.AdditionalSecretOutputs {
		if v, ok := outputs[resource.PropertyKey(key)]; ok && !v.IsSecret() {
			outputs[resource.PropertyKey(key)] = resource.MakeSecret(v)
		}
	}
	r.ID, r.Outputs = id, outputs

	m.mu.Lock()
	m.resources = append(m.resources, r)
	m.mu.Unlock()
	return id, outputs, nil
}

func (m *mock) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	m.invokes = append(m.invokes, Invoke{Token: args.Token, Args: args.Args.Copy()})
	m.mu.Unlock()
	switch args.Token {
	case "gcp:organizations/getClientConfig:getClientConfig":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": m.gcpProject, "project": m.gcpProject, "region": m.gcpRegion, "zone": m.gcpRegion + "-b",
			"accessToken": "ya29.offline-" + m.hex("token", 16),
		}), nil
	case "gcp:organizations/getProject:getProject":
		return resource.NewPropertyMapFromMap(map[string]any{
			"projectId": m.gcpProject, "name": m.gcpProject, "number": m.digits("project-number", 12),
		}), nil
	case "gcp:compute/getZones:getZones":
		return resource.NewPropertyMapFromMap(map[string]any{
			"names": []any{m.gcpRegion + "-a", m.gcpRegion + "-b", m.gcpRegion + "-c"},
		}), nil
	}
	return nil, fmt.Errorf("the offline engine has no mock for the function %s: add one to infra/offline/mock.go", args.Token)
}

// aliases resolves the alias specs of a registration to URNs, the way the
// engine does: a spec's unset name, type, stack and project are the
// resource's; its parent is the resource's unless it names one (or none).
// Aliases inherited from a parent's aliases are not resolved: the program
// gives each moved resource its own.
func (m *mock) aliases(rpc *pulumirpc.RegisterResourceRequest, parent string) []string {
	var out []string
	for _, a := range rpc.GetAliases() {
		if urn := a.GetUrn(); urn != "" {
			out = append(out, urn)
			continue
		}
		spec := a.GetSpec()
		if spec == nil {
			continue
		}
		or := func(v, dflt string) string {
			if v == "" {
				return dflt
			}
			return v
		}
		p := parent
		switch {
		case spec.GetNoParent():
			p = ""
		case spec.GetParentUrn() != "":
			p = spec.GetParentUrn()
		}
		out = append(out, urn(or(spec.GetStack(), m.stack), or(spec.GetProject(), m.project), p, or(spec.GetType(), rpc.GetType()), or(spec.GetName(), rpc.GetName())))
	}
	return out
}

// urn is computed the way the Pulumi mock monitor computes it.
func (m *mock) urn(parent, typ, name string) string {
	return urn(m.stack, m.project, parent, typ, name)
}

// urn is a resource's URN in a stack and project, under parent (a URN, or "").
func urn(stack, project, parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(stack), tokens.PackageName(project), parentType, tokens.Type(typ), name))
}
