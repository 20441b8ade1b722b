// Package guard is the replacement guard of make plan-diff: it reads the
// offline plans of a stack at a base revision and in the working tree (their
// inputs as the provider would see them) and says which resources the change
// would replace or delete, with ForceNew, a sourced table of the inputs that
// make GCP replace a resource. A stateful replacement or deletion blocks
// unless it is allowed by the resource's name. Pure Go over plain values.
package guard

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"

	"django-gke/infra/plandiff"
)

// StatefulTypes are the resources whose replacement or deletion loses data,
// an address or an identity other things hold on to.
var StatefulTypes = []string{
	"gcp:artifactregistry/repository:Repository", // the images every release deploys
	"gcp:compute/globalAddress:GlobalAddress",    // the DNS records point at it
	"gcp:compute/network:Network",
	"gcp:compute/subnetwork:Subnetwork",
	"gcp:container/cluster:Cluster",
	"gcp:container/nodePool:NodePool",
	"gcp:redis/instance:Instance", // a new endpoint and AUTH string; every session in it
	"gcp:sql/database:Database",
	"gcp:sql/databaseInstance:DatabaseInstance",
	"gcp:sql/user:User",
	"gcp:storage/bucket:Bucket",
}

// Replacement is a resource the change replaces (or deletes).
type Replacement struct {
	Type, Name, URN string
	// Deletes: the resource left the plan, or its URN changed without an alias.
	Deletes bool
	// Keys are the changed inputs that force it (ForceNew paths).
	Keys []string
	// Unseen: the base kept it as deployed (a lost region) and the change
	// declares it normally again; its live inputs are older than the base's,
	// so the guard cannot tell whether it is replaced (plandiff.Diff.Thawed).
	Unseen bool
}

// Stateful reports whether losing the resource loses data or an address.
func (r Replacement) Stateful() bool { return slices.Contains(StatefulTypes, r.Type) }

// Verdict is what a change does to a stack's resources.
type Verdict struct {
	Stack        string
	Replacements []Replacement
	// Allowed names the resources whose replacement is deliberate.
	Allowed []string
}

// Judge finds the replacements and stateful deletions in a plan diff. The
// diff already leaves out what the resource's ignoreChanges keeps.
func Judge(d plandiff.Diff) Verdict {
	v := Verdict{Stack: d.Stack}
	for _, c := range d.Changed {
		if keys := forcing(c); len(keys) > 0 {
			v.Replacements = append(v.Replacements, Replacement{Type: c.Resource.Type, Name: c.Resource.Name, URN: c.Resource.URN, Keys: keys})
		}
	}
	for _, r := range d.Thawed {
		if slices.Contains(StatefulTypes, r.Type) && !slices.ContainsFunc(v.Replacements, func(x Replacement) bool { return x.URN == r.URN }) {
			v.Replacements = append(v.Replacements, Replacement{Type: r.Type, Name: r.Name, URN: r.URN, Unseen: true})
		}
	}
	for _, r := range d.Removed {
		if slices.Contains(StatefulTypes, r.Type) {
			v.Replacements = append(v.Replacements, Replacement{Type: r.Type, Name: r.Name, URN: r.URN, Deletes: true})
		}
	}
	sort.SliceStable(v.Replacements, func(i, j int) bool {
		a, b := v.Replacements[i], v.Replacements[j]
		if a.Stateful() != b.Stateful() {
			return a.Stateful()
		}
		return a.URN < b.URN
	})
	return v
}

// forcing is the ForceNew fields a resource's changes touch.
func forcing(c plandiff.ResourceDiff) []string {
	var keys []string
	for _, ch := range c.Changes {
		path := fieldPath(ch.Path)
		for _, f := range ForceNew[c.Resource.Type] {
			if !touches(path, f.Path) || slices.Contains(keys, f.Path) {
				continue
			}
			if ch.Removed && f.RemovalKeepsValue {
				continue // Optional+Computed: an input that goes away keeps the live value
			}
			if f.OnlyWhenShrinking && !shrinks(ch.Old, ch.New) {
				continue
			}
			keys = append(keys, f.Path)
		}
	}
	sort.Strings(keys)
	return keys
}

var (
	listIndex = regexp.MustCompile(`\[\d+\]`)
	mapKey    = regexp.MustCompile(`\["([^"]*)"\]`)
)

// fieldPath drops list indices from a plandiff path: "a.b[0].c" → "a.b.c".
func fieldPath(p string) string {
	return mapKey.ReplaceAllString(listIndex.ReplaceAllString(p, ""), ".$1")
}

// touches: a change at path reaches field when it is the field, under it,
// or an object that holds it (the whole object added or removed).
func touches(path, field string) bool {
	return path == field || strings.HasPrefix(path, field+".") || strings.HasPrefix(field, path+".")
}

func shrinks(old, new any) bool {
	o, ok1 := old.(float64)
	n, ok2 := new.(float64)
	return ok1 && ok2 && n < o
}

// Stateful are the stateful replacements and deletions.
func (v Verdict) Stateful() []Replacement {
	var out []Replacement
	for _, r := range v.Replacements {
		if r.Stateful() {
			out = append(out, r)
		}
	}
	return out
}

// Blocking are the stateful replacements Allowed does not name: a deliberate
// one is allowed by the resource's name (e.g. django-gke-prd-registry), never
// by type or wildcard.
func (v Verdict) Blocking() []Replacement {
	var out []Replacement
	for _, r := range v.Stateful() {
		if !slices.Contains(v.Allowed, r.Name) {
			out = append(out, r)
		}
	}
	return out
}

// Write prints the verdict: stateful replacements first and loudly.
func (v Verdict) Write(w io.Writer) {
	for _, r := range v.Replacements {
		why := ""
		if slices.Contains(v.Allowed, r.Name) {
			why = "; allowed as deliberate"
		}
		switch {
		case r.Deletes:
			fmt.Fprintf(w, "  !!! DELETES %s %s (it left the program, or its URN changed without an alias%s)\n", r.Type, r.Name, why)
		case r.Unseen:
			fmt.Fprintf(w, "  !!! CANNOT JUDGE %s %s (kept as deployed at the base, a lost region: diff against the commit before it was marked lost%s)\n",
				r.Type, r.Name, why)
		case r.Stateful():
			fmt.Fprintf(w, "  !!! REPLACES %s %s (forced by %s%s)\n", r.Type, r.Name, strings.Join(r.Keys, ", "), why)
		default:
			fmt.Fprintf(w, "  replaces %s %s (forced by %s)\n", r.Type, r.Name, strings.Join(r.Keys, ", "))
		}
	}
	if len(v.Replacements) == 0 {
		fmt.Fprintln(w, "  no replacements, no stateful deletions")
	}
	if b := v.Blocking(); len(b) > 0 {
		names := make([]string, len(b))
		for i, r := range b {
			names[i] = r.Name
		}
		fmt.Fprintf(w, "  blocked: if deliberate, allow it by name (make plan-diff ALLOW_REPLACE=%s)\n", strings.Join(names, ","))
	}
}
