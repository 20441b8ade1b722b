package preview

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// Step is what the engine would do to one resource.
type Step struct {
	URN, Type, Name string
	// Op is create, update, replace, delete, same, read…
	Op string
	// ReplaceKeys are the properties that force the replacement.
	ReplaceKeys []string
	// Diffs are the properties that change.
	Diffs []string
}

// Replaces reports whether the step replaces the resource.
func (s Step) Replaces() bool {
	return s.Op == "replace" || s.Op == "create-replacement" || s.Op == "delete-replaced" || s.Op == "replace-pending"
}

// Diagnostic is a message the engine or a provider printed.
type Diagnostic struct {
	URN, Severity, Message string
}

// Report is one preview's result.
type Report struct {
	Stack string
	// Steps, one per resource, in the engine's order.
	Steps       []Step
	Diagnostics []Diagnostic
	// Failed is the preview's error (a provider's Check refused an input…).
	Failed error `json:"-"`
	// Planned are the resources' inputs and outputs as the providers planned
	// them (checked inputs, defaults, schema versions; unknowns where the
	// value comes only from GCP), by URN.
	Planned map[string]Planned `json:",omitempty"`
}

// Planned is a resource's state as its provider's preview planned it.
type Planned struct {
	Inputs, Outputs map[string]any
}

func (r *Report) add(e events.EngineEvent) {
	switch {
	case e.ResourcePreEvent != nil:
		m := e.ResourcePreEvent.Metadata
		r.record(m)
		r.plan(m)
	case e.ResOutputsEvent != nil:
		r.plan(e.ResOutputsEvent.Metadata)
	case e.DiagnosticEvent != nil:
		d := e.DiagnosticEvent
		if d.Severity == "error" || d.Severity == "warning" {
			r.Diagnostics = append(r.Diagnostics, Diagnostic{URN: d.URN, Severity: d.Severity, Message: strings.TrimSpace(d.Message)})
		}
	}
}

func (r *Report) plan(m apitype.StepEventMetadata) {
	if m.New == nil {
		return
	}
	if r.Planned == nil {
		r.Planned = map[string]Planned{}
	}
	p := r.Planned[m.URN]
	if m.New.Inputs != nil {
		p.Inputs = m.New.Inputs
	}
	if m.New.Outputs != nil {
		p.Outputs = m.New.Outputs
	}
	r.Planned[m.URN] = p
}

func (r *Report) record(m apitype.StepEventMetadata) {
	step := Step{URN: m.URN, Type: m.Type, Name: nameOf(m.URN), Op: string(m.Op), ReplaceKeys: m.Keys, Diffs: m.Diffs}
	for k := range m.DetailedDiff {
		if !slices.Contains(step.Diffs, k) {
			step.Diffs = append(step.Diffs, k)
		}
	}
	sort.Strings(step.Diffs)
	for i := range r.Steps {
		if r.Steps[i].URN == step.URN {
			// A replacement shows as several steps; keep the one that says so.
			if step.Replaces() && !r.Steps[i].Replaces() {
				r.Steps[i].Op = step.Op
			}
			r.Steps[i].ReplaceKeys = union(r.Steps[i].ReplaceKeys, step.ReplaceKeys)
			r.Steps[i].Diffs = union(r.Steps[i].Diffs, step.Diffs)
			return
		}
	}
	r.Steps = append(r.Steps, step)
}

func (r *Report) finish() {
	for i := range r.Steps {
		if r.Steps[i].Replaces() {
			r.Steps[i].Op = "replace"
		}
	}
}

// Errors are the error diagnostics.
func (r *Report) Errors() []Diagnostic {
	var out []Diagnostic
	for _, d := range r.Diagnostics {
		if d.Severity == "error" {
			out = append(out, d)
		}
	}
	return out
}

// Replacements are the steps that replace a resource.
func (r *Report) Replacements() []Step { return r.with(func(s Step) bool { return s.Replaces() }) }

// Updates are the steps that update a resource in place.
func (r *Report) Updates() []Step { return r.with(func(s Step) bool { return s.Op == "update" }) }

// ByOp counts the steps per operation.
func (r *Report) ByOp() map[string]int {
	counts := map[string]int{}
	for _, s := range r.Steps {
		counts[s.Op]++
	}
	return counts
}

// Step returns the step of the resource with this type and logical name.
func (r *Report) Step(typ, name string) (Step, bool) {
	for _, s := range r.Steps {
		if s.Type == typ && s.Name == name {
			return s, true
		}
	}
	return Step{}, false
}

func (r *Report) with(keep func(Step) bool) []Step {
	var out []Step
	for _, s := range r.Steps {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// StatefulTypes are the resources whose replacement loses data or an address:
// the cluster and its nodes, the database, the network, the registry, the
// static IP. A replacement of one is never innocent.
var StatefulTypes = []string{
	"gcp:container/cluster:Cluster",
	"gcp:container/nodePool:NodePool",
	"gcp:sql/databaseInstance:DatabaseInstance",
	"gcp:sql/database:Database",
	"gcp:compute/network:Network",
	"gcp:compute/subnetwork:Subnetwork",
	"gcp:artifactregistry/repository:Repository",
	"gcp:compute/globalAddress:GlobalAddress",
}

// StatefulReplacements are the replacements of StatefulTypes.
func (r *Report) StatefulReplacements() []Step {
	return r.with(func(s Step) bool { return s.Replaces() && slices.Contains(StatefulTypes, s.Type) })
}

// Write prints the report: errors, then replacements (stateful ones first
// and loudly), then updates and the counts.
func (r *Report) Write(w io.Writer) {
	if r.Failed != nil {
		fmt.Fprintf(w, "PREVIEW FAILED for stack %s: %v\n", r.Stack, r.Failed)
	}
	for _, d := range r.Diagnostics {
		where := ""
		if d.URN != "" {
			where = nameOf(d.URN) + " "
		}
		fmt.Fprintf(w, "%s: %s%s\n", d.Severity, where, d.Message)
	}
	stateful := r.StatefulReplacements()
	if len(stateful) > 0 {
		fmt.Fprintf(w, "!!! %d STATEFUL RESOURCE(S) WOULD BE REPLACED (data, nodes or addresses lost):\n", len(stateful))
		for _, s := range stateful {
			fmt.Fprintf(w, "!!!   %s %s (forced by %s)\n", s.Type, s.Name, strings.Join(s.ReplaceKeys, ", "))
		}
	}
	for _, s := range r.Replacements() {
		if !slices.Contains(StatefulTypes, s.Type) {
			fmt.Fprintf(w, "replace %s %s (forced by %s)\n", s.Type, s.Name, strings.Join(s.ReplaceKeys, ", "))
		}
	}
	for _, s := range r.Updates() {
		fmt.Fprintf(w, "update  %s %s (%s)\n", s.Type, s.Name, strings.Join(s.Diffs, ", "))
	}
	ops := r.ByOp()
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(ops)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, ops[k]))
	}
	fmt.Fprintf(w, "stack %s: %s; %d errors\n", r.Stack, strings.Join(parts, ", "), len(r.Errors()))
}

func nameOf(urn string) string {
	i := strings.LastIndex(urn, "::")
	if i < 0 {
		return urn
	}
	return urn[i+2:]
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
