// Package offline runs the Pulumi program with no cloud, no credentials and no
// Pulumi CLI: it loads a stack's configuration as the CLI would, runs
// infra.Program under the project's one recording mock, and returns every
// resource with its inputs, parent, dependencies and computed outputs, plus
// the stack outputs. Tests and the plan/capacity tools all go through it.
package offline

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"django-gke/infra"
	"django-gke/infra/config"
	"django-gke/infra/stackfile"
)

// Options says which stack to run and how.
type Options struct {
	// Dir holds Pulumi.yaml and the Pulumi.<stack>.yaml files (the repository root).
	Dir   string
	Stack string
	// Set replaces config values after the CLI-style merge, as `pulumi config
	// set` would (fully qualified keys, objects as JSON). For tests.
	Set map[string]string
	// Program defaults to infra.Program.
	Program pulumi.RunFunc
	// Update runs the program as `pulumi up` would (not a preview): what the
	// program refuses to deploy, it refuses here too.
	Update bool
}

// Output is one stack output.
type Output struct {
	Value  any
	Secret bool
	Known  bool
}

// Result is everything the program declared.
type Result struct {
	Project   string
	Stack     string
	Config    *stackfile.StackConfig
	Resources []*Resource
	Outputs   map[string]Output
	Invokes   []Invoke
}

// Run runs the program for one stack.
func Run(opts Options) (*Result, error) {
	r := &runner{dir: opts.Dir, cache: map[string]*Result{}, running: map[string]bool{}}
	return r.run(opts)
}

// runner runs a stack and, for StackReferences, the stacks it references, once each.
type runner struct {
	dir     string
	mu      sync.Mutex
	cache   map[string]*Result
	running map[string]bool
}

func (r *runner) run(opts Options) (*Result, error) {
	sc, err := stackfile.Load(opts.Dir, opts.Stack)
	if err != nil {
		return nil, err
	}
	for k, v := range opts.Set {
		sc.Values[k] = v
	}
	// Env local's generated secrets are stack config that cmd/engine creates
	// (infra.LocalSecretKeys); a plan stands in for them, and prints [secret].
	if strings.TrimSpace(sc.Values[config.Key("env")]) == string(config.Local) {
		for _, k := range slices.Sorted(maps.Keys(infra.LocalSecretKeys)) {
			if _, ok := sc.Values[k]; !ok {
				sc.Values[k] = "offline-plan-stand-in-" + k[strings.Index(k, ":")+1:]
				sc.SecretKeys = append(sc.SecretKeys, k)
			}
		}
		slices.Sort(sc.SecretKeys)
	}
	program := opts.Program
	if program == nil {
		program = infra.Program
	}
	m := &mock{
		project:    sc.Project,
		stack:      sc.Stack,
		gcpProject: sc.Values[config.KeyProject],
		gcpRegion:  sc.Values[config.KeyRegion],
	}
	m.resolveStack = func(name string) (resource.PropertyMap, error) { return r.stackOutputs(sc.Project, name) }

	res := &Result{Project: sc.Project, Stack: sc.Stack, Config: sc, Outputs: map[string]Output{}}
	var outputsMu sync.Mutex
	body := func(ctx *pulumi.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("the program panicked: %v", p)
			}
		}()
		if err := program(ctx); err != nil {
			return err
		}
		// Await every export here, inside the run, so their values are final
		// when Run returns (the SDK only hands them to the engine otherwise).
		for name, value := range ctx.GetCurrentExportMap() {
			resolved, err := internals.UnsafeAwaitOutput(ctx.Context(), pulumi.ToOutput(value))
			if err != nil {
				return fmt.Errorf("stack output %q: %w", name, err)
			}
			outputsMu.Lock()
			res.Outputs[name] = Output{Value: resolved.Value, Secret: resolved.Secret, Known: resolved.Known}
			outputsMu.Unlock()
		}
		return nil
	}
	absDir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	withConfig := func(info *pulumi.RunInfo) {
		info.Config = sc.Values
		info.ConfigSecretKeys = sc.SecretKeys
		info.Organization = "organization"
		info.RootDirectory = absDir
		// A plan, like a preview: nothing is deployed.
		info.DryRun = !opts.Update
	}
	err = pulumi.RunErr(body, pulumi.WithMocks(sc.Project, sc.Stack, m), withConfig)
	res.Resources = m.resources
	res.Invokes = m.invokes
	if err != nil {
		return res, unwrapProgramError(err)
	}
	return res, nil
}

// stackOutputs answers a StackReference "<org>/<project>/<stack>" by running
// that stack offline when its stack file is in the repository.
func (r *runner) stackOutputs(project, ref string) (resource.PropertyMap, error) {
	parts := strings.Split(ref, "/")
	if len(parts) != 3 || parts[1] != project {
		return nil, fmt.Errorf("the offline engine resolves only stacks of project %s (<org>/%s/<stack>)", project, project)
	}
	stack := parts[2]
	r.mu.Lock()
	if cached, ok := r.cache[stack]; ok {
		r.mu.Unlock()
		return outputsAsProperties(cached.Outputs), nil
	}
	if r.running[stack] {
		r.mu.Unlock()
		return nil, fmt.Errorf("stack references form a cycle through %q", stack)
	}
	r.running[stack] = true
	r.mu.Unlock()

	res, err := r.run(Options{Dir: r.dir, Stack: stack})
	if err != nil {
		return nil, fmt.Errorf("running referenced stack %q offline: %w", stack, err)
	}
	r.mu.Lock()
	r.cache[stack] = res
	r.mu.Unlock()
	return outputsAsProperties(res.Outputs), nil
}

func outputsAsProperties(outputs map[string]Output) resource.PropertyMap {
	pm := resource.PropertyMap{}
	for name, o := range outputs {
		v := resource.NewPropertyValue(o.Value)
		if o.Secret {
			v = resource.MakeSecret(v)
		}
		pm[resource.PropertyKey(name)] = v
	}
	return pm
}

// unwrapProgramError strips the SDK's multierror wrapping so callers see the
// program's own error (config.Problems prints every problem, one per line).
func unwrapProgramError(err error) error {
	var problems config.Problems
	if errors.As(err, &problems) {
		return problems
	}
	msg := strings.TrimSpace(err.Error())
	msg = strings.TrimPrefix(msg, "1 error occurred:")
	msg = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(msg), "*"))
	return fmt.Errorf("%s", msg)
}

// ByType returns the resources of one type token, in registration order.
func (res *Result) ByType(typ string) []*Resource {
	var out []*Resource
	for _, r := range res.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Named returns the resource with this type and logical name, or nil.
func (res *Result) Named(typ, name string) *Resource {
	for _, r := range res.Resources {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	return nil
}

// ByURN returns the resource with this URN, or nil.
func (res *Result) ByURN(urn string) *Resource {
	for _, r := range res.Resources {
		if r.URN == urn {
			return r
		}
	}
	return nil
}

// Children returns the resources whose parent is urn.
func (res *Result) Children(urn string) []*Resource {
	var out []*Resource
	for _, r := range res.Resources {
		if r.Parent == urn {
			out = append(out, r)
		}
	}
	return out
}

// CountByType counts resources per type token.
func (res *Result) CountByType() map[string]int {
	counts := map[string]int{}
	for _, r := range res.Resources {
		counts[r.Type]++
	}
	return counts
}

// Sorted returns resources ordered by URN, for stable output.
func (res *Result) Sorted() []*Resource {
	out := slices.Clone(res.Resources)
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// Input returns the plain value at a property path of the inputs ("metadata.labels.app",
// "spec.template.spec.containers[0].name"); secrets come back as "[secret]".
func (r *Resource) Input(path string) (any, bool) { return lookup(r.Inputs, path) }

// Output is Input for the outputs.
func (r *Resource) Output(path string) (any, bool) { return lookup(r.Outputs, path) }

// DependsOn reports whether r depends on the resource with this URN.
func (r *Resource) DependsOn(urn string) bool { return slices.Contains(r.Dependencies, urn) }

// ProviderURN is the URN part of the provider reference.
func (r *Resource) ProviderURN() string {
	urn, _, _ := strings.Cut(r.Provider, "::"+lastSegment(r.Provider))
	return urn
}

func lastSegment(ref string) string {
	i := strings.LastIndex(ref, "::")
	if i < 0 {
		return ""
	}
	return ref[i+2:]
}

func lookup(pm resource.PropertyMap, path string) (any, bool) {
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		return nil, false
	}
	v, ok := p.Get(resource.NewProperty(pm))
	if !ok {
		return nil, false
	}
	return Plain(v), true
}
