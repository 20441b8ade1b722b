package preview

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"django-gke/infra/offline"
)

// Change is a configuration change (and, optionally, state that GCP moved
// behind the configuration's back) to judge against a stack's state.
type Change struct {
	Name string
	// Set are config values the change sets (fully qualified keys, objects as
	// JSON). An object's fields are set in the stack's object, the others kept.
	Set map[string]string
	// Drift edits the state first (the offline plan it came from is given).
	Drift func(state *apitype.DeploymentV3, plan *offline.Result) error
}

// Verdict is what a change would do to the stack.
type Verdict struct {
	Change string
	// Replacements and Updates are the change's own: steps of the preview
	// whose keys the unchanged configuration does not show too. Replacements
	// include deletions of stateful resources.
	Replacements, Updates []Step
	Report                *Report
	// Allowed names the stateful resources whose replacement is deliberate.
	Allowed []string
}

// Stateful are the replacements of StatefulTypes.
func (v Verdict) Stateful() []Step {
	var out []Step
	for _, s := range v.Replacements {
		if slices.Contains(StatefulTypes, s.Type) {
			out = append(out, s)
		}
	}
	return out
}

// Baseline is a stack's synthetic state and what the unchanged
// configuration previews against it. The state is Checkpoint of the offline
// plan, with what the providers planned for a first up; it lacks values only
// GCP computes, and the providers' Diff of the unchanged configuration (the
// baseline report) shows what that costs. A change is then judged by what it
// adds to the baseline: new replace keys, new changed properties.
type Baseline struct {
	Stack string
	// Set are the config overrides the previews need here (FirstUp's notes say why).
	Set    map[string]string
	Notes  []string
	State  *apitype.DeploymentV3
	Report *Report
	// Values is the stack's configuration, for Change.Set's field merge.
	Values map[string]string
}

// NewBaseline computes a stack's Baseline (two previews).
func NewBaseline(ctx context.Context, dir, stack string, progress io.Writer) (*Baseline, error) {
	o, notes, err := FirstUp(dir, stack)
	if err != nil {
		return nil, err
	}
	first, err := Run(ctx, o)
	if err != nil {
		return nil, err
	}
	if first.Failed != nil {
		return nil, fmt.Errorf("the first-up preview of %s, whose plan becomes the state: %w", stack, first.Failed)
	}
	base, err := offline.Run(offline.Options{Dir: dir, Stack: stack, Set: o.Set})
	if err != nil {
		return nil, fmt.Errorf("the offline plan of %s: %w", stack, err)
	}
	state, err := Checkpoint(base, first.Planned)
	if err != nil {
		return nil, err
	}
	b := &Baseline{Stack: stack, Set: o.Set, Notes: notes, State: state, Values: base.Config.Values}
	o.State, o.Progress = state, progress
	if b.Report, err = Run(ctx, o); err != nil {
		return nil, err
	}
	if b.Report.Failed != nil {
		return nil, fmt.Errorf("the baseline (unchanged configuration) of %s: %w", stack, b.Report.Failed)
	}
	b.Report.Planned = nil // only the steps matter from here
	return b, nil
}

// Judge previews the stack in dir, with the change, against a baseline's
// state (computed here, or from another revision of the program).
func Judge(ctx context.Context, dir string, b *Baseline, c Change, progress io.Writer) (Verdict, error) {
	o, _, err := FirstUp(dir, b.Stack)
	if err != nil {
		return Verdict{}, err
	}
	o.Progress = progress
	if o.State, err = clone(b.State); err != nil {
		return Verdict{}, err
	}
	if c.Drift != nil {
		plan, err := offline.Run(offline.Options{Dir: dir, Stack: b.Stack, Set: o.Set})
		if err != nil {
			return Verdict{}, err
		}
		if err := c.Drift(o.State, plan); err != nil {
			return Verdict{}, err
		}
	}
	for k, v := range c.Set {
		merged, err := mergeObject(b.Values[k], v)
		if err != nil {
			return Verdict{}, fmt.Errorf("%s: %w", k, err)
		}
		o.Set[k] = merged
	}
	r, err := Run(ctx, o)
	if err != nil {
		return Verdict{}, err
	}
	if r.Failed != nil {
		return Verdict{Change: c.Name, Report: r}, fmt.Errorf("change %q of %s: %w", c.Name, b.Stack, r.Failed)
	}
	return judge(c.Name, r, b.Report), nil
}

// judge keeps what a change's preview adds to the baseline. Kubernetes
// objects are left out: without a cluster their provider diffs only on the
// client, and the synthetic state makes that noisy (the kwok end-to-end test
// judges them for real).
func judge(name string, r, baseline *Report) Verdict {
	v := Verdict{Change: name, Report: r}
	for _, s := range r.Steps {
		if strings.HasPrefix(s.Type, "kubernetes:") {
			continue
		}
		b, _ := baseline.Step(s.Type, s.Name)
		switch {
		case s.Replaces():
			keys := s.ReplaceKeys
			if b.Replaces() {
				keys = minus(s.ReplaceKeys, b.ReplaceKeys)
			}
			if len(keys) > 0 || !b.Replaces() {
				s.ReplaceKeys = keys
				v.Replacements = append(v.Replacements, s)
			}
		case s.Op == "delete" && slices.Contains(StatefulTypes, s.Type) && b.Op != "delete":
			// Deleting a stateful resource loses its data or address even when
			// one of the same name is created: a URN that changed without an
			// alias looks exactly like this.
			v.Replacements = append(v.Replacements, s)
		case s.Op == "update" || s.Op == "create" || s.Op == "delete":
			diffs := minus(s.Diffs, b.Diffs)
			if s.Op != b.Op || len(diffs) > 0 {
				s.Diffs = diffs
				v.Updates = append(v.Updates, s)
			}
		}
	}
	return v
}

// Write prints a verdict: stateful replacements first and loudly.
func (v Verdict) Write(w io.Writer) {
	stateful := v.Stateful()
	fmt.Fprintf(w, "%s:\n", v.Change)
	for _, s := range stateful {
		why := ""
		if slices.Contains(v.Allowed, s.Name) {
			why = "; allowed as deliberate"
		}
		if s.Op == "delete" {
			fmt.Fprintf(w, "  !!! DELETES %s %s (it left the program, or its URN changed without an alias%s)\n", s.Type, s.Name, why)
			continue
		}
		fmt.Fprintf(w, "  !!! REPLACES %s %s (forced by %s%s)\n", s.Type, s.Name, strings.Join(s.ReplaceKeys, ", "), why)
	}
	for _, s := range v.Replacements {
		if !slices.Contains(StatefulTypes, s.Type) {
			fmt.Fprintf(w, "  replaces %s %s (forced by %s)\n", s.Type, s.Name, strings.Join(s.ReplaceKeys, ", "))
		}
	}
	for _, s := range v.Updates {
		fmt.Fprintf(w, "  %s %s %s %s\n", s.Op, s.Type, s.Name, strings.Join(s.Diffs, ", "))
	}
	if len(v.Replacements)+len(v.Updates) == 0 {
		fmt.Fprintln(w, "  no changes")
	}
}

// mergeObject sets change's fields in the current object (both JSON); a
// value that is not an object replaces the current one.
func mergeObject(current, change string) (string, error) {
	var cur, ch map[string]any
	if json.Unmarshal([]byte(change), &ch) != nil || json.Unmarshal([]byte(current), &cur) != nil || cur == nil {
		return change, nil
	}
	for k, v := range ch {
		cur[k] = v
	}
	b, err := json.Marshal(cur)
	return string(b), err
}

func clone(d *apitype.DeploymentV3) (*apitype.DeploymentV3, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var out apitype.DeploymentV3
	return &out, json.Unmarshal(b, &out)
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Blocking are the stateful replacements that Allowed does not name: a
// deliberate replacement is allowed by the resource's name (its logical
// name, e.g. django-gke-prd-registry), never by type or wildcard.
func (v Verdict) Blocking() []Step {
	var out []Step
	for _, s := range v.Stateful() {
		if !slices.Contains(v.Allowed, s.Name) {
			out = append(out, s)
		}
	}
	return out
}

// Save writes a baseline as JSON (plan-diff computes it at the base revision,
// with that revision's program, and judges the working tree against it).
func (b *Baseline) Save(path string) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// LoadBaseline reads what Save wrote.
func LoadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("reading the baseline %s: %w", path, err)
	}
	if b.State == nil || b.Report == nil || b.Stack == "" {
		return nil, fmt.Errorf("reading the baseline %s: no stack, state or report in it", path)
	}
	return &b, nil
}
