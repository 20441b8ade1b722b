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
}

func (r *Report) add(e events.EngineEvent) {
	switch {
	case e.ResourcePreEvent != nil:
		m := e.ResourcePreEvent.Metadata
		r.record(m)
	case e.DiagnosticEvent != nil:
		d := e.DiagnosticEvent
		if d.Severity == "error" || d.Severity == "warning" {
			r.Diagnostics = append(r.Diagnostics, Diagnostic{URN: d.URN, Severity: d.Severity, Message: strings.TrimSpace(d.Message)})
		}
	}
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

// ByOp counts the steps per operation.
func (r *Report) ByOp() map[string]int {
	counts := map[string]int{}
	for _, s := range r.Steps {
		counts[s.Op]++
	}
	return counts
}

// Write prints the report: errors and warnings, every step that is not a
// create (a first up creates everything), then the counts.
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
	for _, s := range r.Steps {
		if s.Op != "create" && s.Op != "same" {
			fmt.Fprintf(w, "%s %s %s (%s)\n", s.Op, s.Type, s.Name, strings.Join(union(s.ReplaceKeys, s.Diffs), ", "))
		}
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
