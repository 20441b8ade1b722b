package offline

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// PrintPlan writes the resource tree grouped by component, the counts by type
// and the stack outputs. Secrets print as [secret].
func PrintPlan(w io.Writer, res *Result) {
	env, _ := res.Outputs["env"].Value.(string)
	fmt.Fprintf(w, "Stack %s (project %s, env %s): %d resources\n\n", res.Stack, res.Project, env, len(res.Resources))

	children := map[string][]*Resource{}
	var roots []*Resource
	known := map[string]bool{}
	for _, r := range res.Resources {
		known[r.URN] = true
	}
	for _, r := range res.Resources {
		if r.Parent == "" || !known[r.Parent] {
			roots = append(roots, r)
		} else {
			children[r.Parent] = append(children[r.Parent], r)
		}
	}
	// Registration order varies between runs (the SDK registers concurrently): sort for stable output.
	byName := func(rs []*Resource) {
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].Custom != rs[j].Custom {
				return rs[i].Custom // resources before nested components
			}
			return rs[i].Name < rs[j].Name
		})
	}
	byName(roots)
	for _, kids := range children {
		byName(kids)
	}
	fmt.Fprintf(w, "pulumi:pulumi:Stack %s-%s\n", res.Project, res.Stack)
	printTree(w, roots, children, "")

	fmt.Fprintln(w, "\nResources by type:")
	counts := res.CountByType()
	types := make([]string, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		fmt.Fprintf(w, "  %4d  %s\n", counts[t], t)
	}

	fmt.Fprintln(w, "\nOutputs:")
	names := make([]string, 0, len(res.Outputs))
	for n := range res.Outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %s: %s\n", n, oneLine(PlainOutput(res.Outputs[n])))
	}
}

func printTree(w io.Writer, nodes []*Resource, children map[string][]*Resource, indent string) {
	for i, r := range nodes {
		branch, next := "├─ ", "│  "
		if i == len(nodes)-1 {
			branch, next = "└─ ", "   "
		}
		line := fmt.Sprintf("%s %s", r.Type, r.Name)
		if kids := children[r.URN]; !r.Custom && len(kids) > 0 {
			line += "  " + summary(kids, children)
		}
		if r.Read {
			line += "  (read)"
		}
		fmt.Fprintf(w, "%s%s%s\n", indent, branch, line)
		printTree(w, children[r.URN], children, indent+next)
	}
}

// summary counts a component's descendants by type: "(3: 2 Network, 1 Subnetwork)".
func summary(kids []*Resource, children map[string][]*Resource) string {
	counts := map[string]int{}
	total := 0
	var walk func([]*Resource)
	walk = func(rs []*Resource) {
		for _, r := range rs {
			if r.Custom {
				counts[shortType(r.Type)]++
				total++
			}
			walk(children[r.URN])
		}
	}
	walk(kids)
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", counts[k], k)
	}
	noun := "resources"
	if total == 1 {
		noun = "resource"
	}
	return fmt.Sprintf("(%d %s: %s)", total, noun, strings.Join(parts, ", "))
}

func shortType(t string) string {
	if i := strings.LastIndex(t, ":"); i >= 0 {
		return t[i+1:]
	}
	return t
}

func oneLine(v any) string {
	if s, ok := v.(string); ok {
		if strings.Contains(s, "\n") {
			return fmt.Sprintf("(%d lines)", strings.Count(s, "\n"))
		}
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
