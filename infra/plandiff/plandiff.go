// Package plandiff compares two offline plans of a stack: resources added,
// removed and changed (with the changed properties by path), and the
// capacity/cost delta. Pure Go over plain values, so it is cheap to test.
package plandiff

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// Snapshot is a plan in plain values: what `plan -json` prints.
type Snapshot struct {
	Stack     string         `json:"stack"`
	Resources []Resource     `json:"resources"`
	Outputs   map[string]any `json:"outputs"`
}

// Resource is one resource of a plan; secrets are already "[secret]".
type Resource struct {
	URN     string         `json:"urn"`
	Type    string         `json:"type"`
	Name    string         `json:"name"`
	Display string         `json:"display"`
	Inputs  map[string]any `json:"inputs"`
	// Component marks a component resource: a grouping, nothing in the cloud.
	Component bool `json:"component,omitempty"`
	// Aliases are URNs the resource had before (it keeps that resource's state).
	Aliases []string `json:"aliases,omitempty"`
	// IgnoreChanges are input paths the engine does not update (the
	// resource's ignoreChanges option): a change there is not shown.
	IgnoreChanges []string `json:"ignoreChanges,omitempty"`
}

// Change is one changed property of a resource.
type Change struct {
	Path     string
	Old, New any
	// Added/Removed: the property exists on one side only.
	Added, Removed bool
}

// ResourceDiff is a changed resource.
type ResourceDiff struct {
	Resource Resource
	Changes  []Change
}

// Diff is the difference between a base plan and the current one.
type Diff struct {
	Stack   string
	Added   []Resource
	Removed []Resource
	Changed []ResourceDiff
	// Moved are resources found under an alias: the same resource at a new URN.
	Moved []Move
	// Regrouped are components added or removed: groupings, nothing in the cloud.
	Regrouped []Resource
	// Capacity compares the capacityPlan outputs: key → [old, new].
	Capacity map[string][2]any
	// Thawed are resources base kept as deployed (ignoreChanges "*": a lost
	// region) that head declares normally. What is deployed is older than
	// base's inputs, so their diff here understates what `up` will change:
	// compare with the commit before they were kept.
	Thawed []Resource
}

// Move is a resource whose URN changed, kept through an alias.
type Move struct {
	From, To string
}

// String says what moved: "<type> <name>: under Webapp → under Edge" when
// only the parent changed, else both URNs.
func (m Move) String() string {
	fromParents, fromType, fromName := splitURN(m.From)
	toParents, toType, toName := splitURN(m.To)
	if fromType == toType && fromName == toName {
		return fmt.Sprintf("%s %s: under %s → under %s", toType, toName, lastPart(fromParents), lastPart(toParents))
	}
	return m.To + " ← " + m.From
}

// splitURN is a URN's parent type chain, own type and name.
func splitURN(urn string) (parents, typ, name string) {
	i := strings.LastIndex(urn, "::")
	j := strings.LastIndex(urn[:max(i, 0)], "::")
	if i < 0 || j < 0 {
		return "", "", urn
	}
	qualified, name := urn[j+2:i], urn[i+2:]
	if k := strings.LastIndex(qualified, "$"); k >= 0 {
		return qualified[:k], qualified[k+1:], name
	}
	return "", qualified, name
}

// lastPart is the innermost parent's short type ("the stack" for none).
func lastPart(parents string) string {
	if parents == "" {
		return "the stack"
	}
	if k := strings.LastIndex(parents, "$"); k >= 0 {
		parents = parents[k+1:]
	}
	return parents[strings.LastIndex(parents, ":")+1:]
}

// Empty reports whether nothing in the cloud differs (moves under aliases
// and regrouped components change no resource).
func (d Diff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0 && len(d.Capacity) == 0 && len(d.Thawed) == 0
}

// Compare diffs base against head. Both are compared as JSON values, so a
// plan read from `plan -json` and one built in memory agree on number types.
func Compare(base, head Snapshot) Diff {
	base, head = normalized(base), normalized(head)
	d := Diff{Stack: head.Stack, Capacity: map[string][2]any{}}
	old := map[string]Resource{}
	for _, r := range base.Resources {
		old[r.URN] = r
	}
	seen := map[string]bool{}
	for _, r := range head.Resources {
		o, ok := old[r.URN]
		seen[r.URN] = ok
		for _, alias := range r.Aliases {
			if a, found := old[alias]; found && !ok {
				o, ok = a, true
				seen[alias] = true
				d.Moved = append(d.Moved, Move{From: alias, To: r.URN})
			}
		}
		switch {
		case !ok && (r.Component || isComponentURN(r.URN)):
			d.Regrouped = append(d.Regrouped, r)
			continue
		case !ok:
			d.Added = append(d.Added, r)
			continue
		}
		if keptAll(o.IgnoreChanges) && !keptAll(r.IgnoreChanges) && !(r.Component || isComponentURN(r.URN)) {
			d.Thawed = append(d.Thawed, r)
		}
		if changes := applied(compareValues("", o.Inputs, r.Inputs), r.IgnoreChanges); len(changes) > 0 {
			d.Changed = append(d.Changed, ResourceDiff{Resource: r, Changes: changes})
		}
	}
	for _, r := range base.Resources {
		switch {
		case seen[r.URN]:
		case r.Component || isComponentURN(r.URN):
			d.Regrouped = append(d.Regrouped, r)
		default:
			d.Removed = append(d.Removed, r)
		}
	}
	byDisplay := func(rs []Resource) {
		sort.Slice(rs, func(i, j int) bool { return rs[i].Display+rs[i].URN < rs[j].Display+rs[j].URN })
	}
	byDisplay(d.Added)
	byDisplay(d.Removed)
	byDisplay(d.Regrouped)
	byDisplay(d.Thawed)
	sort.Slice(d.Moved, func(i, j int) bool { return d.Moved[i].To < d.Moved[j].To })
	sort.Slice(d.Changed, func(i, j int) bool { return d.Changed[i].Resource.Display < d.Changed[j].Resource.Display })

	oc, _ := base.Outputs["capacityPlan"].(map[string]any)
	nc, _ := head.Outputs["capacityPlan"].(map[string]any)
	for k, nv := range nc {
		if ov := oc[k]; !reflect.DeepEqual(ov, nv) {
			d.Capacity[k] = [2]any{ov, nv}
		}
	}
	for k, ov := range oc {
		if _, ok := nc[k]; !ok {
			d.Capacity[k] = [2]any{ov, nil}
		}
	}
	return d
}

// keptAll: ignoreChanges "*" keeps every input as deployed.
func keptAll(ignored []string) bool { return slices.Contains(ignored, "*") }

// isComponentURN tells a component in a plan written before Resource.Component
// existed: this project's components are of type django-gke:components:*.
// applied drops the changes under an ignored path: `pulumi up` keeps the old value there.
func applied(changes []Change, ignored []string) []Change {
	var out []Change
	for _, c := range changes {
		skip := false
		for _, p := range ignored {
			// "*" keeps every input (a lost region's resources).
			if p == "*" || c.Path == p || strings.HasPrefix(c.Path, p+".") || strings.HasPrefix(c.Path, p+"[") {
				skip = true
			}
		}
		if !skip {
			out = append(out, c)
		}
	}
	return out
}

func isComponentURN(urn string) bool {
	_, typ, _ := splitURN(urn)
	return strings.HasPrefix(typ, "django-gke:components:")
}

func normalized(s Snapshot) Snapshot {
	b, err := json.Marshal(s)
	if err != nil {
		return s
	}
	var out Snapshot
	if err := json.Unmarshal(b, &out); err != nil {
		return s
	}
	return out
}

func compareValues(path string, a, b any) []Change {
	am, aIsMap := a.(map[string]any)
	bm, bIsMap := b.(map[string]any)
	if aIsMap && bIsMap {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []Change
		for _, k := range sorted {
			p := join(path, k)
			av, inA := am[k]
			bv, inB := bm[k]
			switch {
			case !inA:
				out = append(out, Change{Path: p, New: bv, Added: true})
			case !inB:
				out = append(out, Change{Path: p, Old: av, Removed: true})
			default:
				out = append(out, compareValues(p, av, bv)...)
			}
		}
		return out
	}
	as, aIsSlice := a.([]any)
	bs, bIsSlice := b.([]any)
	if aIsSlice && bIsSlice && len(as) == len(bs) {
		var out []Change
		for i := range as {
			out = append(out, compareValues(fmt.Sprintf("%s[%d]", path, i), as[i], bs[i])...)
		}
		return out
	}
	if reflect.DeepEqual(a, b) {
		return nil
	}
	return []Change{{Path: path, Old: a, New: b}}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	if strings.ContainsAny(key, ".[]/") {
		return fmt.Sprintf("%s[%q]", path, key)
	}
	return path + "." + key
}

// Write prints the diff as text or Markdown (for a pull request comment).
func Write(w io.Writer, d Diff, markdown bool) {
	bullet, code := "  ", func(s string) string { return s }
	if markdown {
		bullet, code = "- ", func(s string) string { return "`" + s + "`" }
	}
	if d.Empty() {
		fmt.Fprintf(w, "No changes to stack %s.\n", d.Stack)
		writeMoves(w, d, bullet, code)
		return
	}
	fmt.Fprintf(w, "Stack %s: %d to add, %d to change, %d to remove.\n", d.Stack, len(d.Added), len(d.Changed), len(d.Removed))
	section := func(title string) {
		if markdown {
			fmt.Fprintf(w, "\n**%s**\n\n", title)
		} else {
			fmt.Fprintf(w, "\n%s:\n", title)
		}
	}
	if len(d.Added) > 0 {
		section("Added")
		for _, r := range d.Added {
			fmt.Fprintf(w, "%s+ %s\n", bullet, code(r.Display))
		}
	}
	if len(d.Removed) > 0 {
		section("Removed")
		for _, r := range d.Removed {
			fmt.Fprintf(w, "%s- %s\n", bullet, code(r.Display))
		}
	}
	if len(d.Changed) > 0 {
		section("Changed")
		for _, c := range d.Changed {
			for _, ch := range c.Changes {
				var what string
				switch {
				case ch.Added:
					what = fmt.Sprintf("%s added: %s", ch.Path, short(ch.New))
				case ch.Removed:
					what = fmt.Sprintf("%s removed (was %s)", ch.Path, short(ch.Old))
				default:
					what = fmt.Sprintf("%s %s → %s", ch.Path, short(ch.Old), short(ch.New))
				}
				fmt.Fprintf(w, "%s~ %s: %s\n", bullet, c.Resource.Display, code(what))
			}
		}
	}
	if len(d.Thawed) > 0 {
		section(fmt.Sprintf("Kept as deployed at the base (a lost region), declared normally here: %d resources", len(d.Thawed)))
		fmt.Fprintf(w, "%sWhat is deployed is older than the base's inputs, so the changes above understate what up does to them:\n"+
			"%scompare with the commit before the region was marked lost (make plan-diff BASE=<that commit>).\n", bullet, bullet)
		for _, r := range d.Thawed {
			fmt.Fprintf(w, "%s* %s\n", bullet, code(r.Display))
		}
	}
	writeMoves(w, d, bullet, code)
	if len(d.Capacity) > 0 {
		section("Capacity and cost")
		keys := make([]string, 0, len(d.Capacity))
		for k := range d.Capacity {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := d.Capacity[k]
			line := fmt.Sprintf("%s: %s → %s", k, short(v[0]), short(v[1]))
			if delta := usdDelta(v[0], v[1]); delta != "" && strings.HasSuffix(strings.ToLower(k), "yearlycostusd") {
				line += " (" + delta + " a year)"
			}
			fmt.Fprintf(w, "%s%s\n", bullet, line)
		}
	}
}

// writeMoves says which resources moved under an alias (same resource, new
// URN: no change in the cloud) and which components came or went.
func writeMoves(w io.Writer, d Diff, bullet string, code func(string) string) {
	if len(d.Moved) > 0 {
		fmt.Fprintf(w, "\n%d resources moved under aliases (same resources, new URNs: nothing changes in the cloud):\n", len(d.Moved))
		for _, m := range d.Moved {
			fmt.Fprintf(w, "%s%s\n", bullet, code(m.String()))
		}
	}
	if len(d.Regrouped) > 0 {
		fmt.Fprintf(w, "\nComponents regrouped (groupings only, nothing in the cloud):\n")
		for _, r := range d.Regrouped {
			fmt.Fprintf(w, "%s%s\n", bullet, code(r.URN))
		}
	}
}

// usdDelta prints new − old for the yearly cost figures ("+12,345.67 USD").
func usdDelta(a, b any) string {
	as, aok := a.(string)
	bs, bok := b.(string)
	if !aok || !bok {
		return ""
	}
	x, ok1 := new(big.Rat).SetString(as)
	y, ok2 := new(big.Rat).SetString(bs)
	if !ok1 || !ok2 {
		return ""
	}
	d := new(big.Rat).Sub(y, x)
	sign := "+"
	if d.Sign() < 0 {
		sign, d = "-", d.Neg(d)
	}
	return sign + d.FloatString(2) + " USD"
}

func short(v any) string {
	if v == nil {
		return "(none)"
	}
	var s string
	if str, ok := v.(string); ok {
		s = str
	} else {
		b, err := json.Marshal(v)
		if err != nil {
			s = fmt.Sprint(v)
		} else {
			s = string(b)
		}
	}
	s = strings.ReplaceAll(s, "\n", "⏎")
	if len(s) > 80 {
		s = s[:77] + "…"
	}
	return s
}

// Relocate rewrites the string values (inputs and outputs) that name a path
// under from to the same path under to: the base is planned in a temporary
// checkout, and a path the program makes absolute (env local's kubeconfig)
// must not read as a change.
func Relocate(s Snapshot, from, to string) Snapshot {
	from, to = strings.TrimSuffix(from, "/")+"/", strings.TrimSuffix(to, "/")+"/"
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case string:
			if strings.HasPrefix(x, from) {
				return to + strings.TrimPrefix(x, from)
			}
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		}
		return v
	}
	for i := range s.Resources {
		s.Resources[i].Inputs, _ = walk(s.Resources[i].Inputs).(map[string]any)
	}
	for k, v := range s.Outputs {
		s.Outputs[k] = walk(v)
	}
	return s
}
