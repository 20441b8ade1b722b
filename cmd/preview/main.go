// Command preview runs the real Pulumi engine with the real gcp, random and
// kubernetes providers over a stack, offline and without credentials (see
// infra/preview): every GCP resource through its provider's Check and
// preview. Stacks it references are seeded with their offline plan's outputs.
//
//	preview -stack S                        a first `up` of S (make preview)
//	preview -stack S -baseline-out F        S's synthetic state and its baseline preview, saved to F
//	preview -stack S -against F [-allow N]  the replacement guard: this tree's S against F
//
// Exit status: 1 on an error or a failed preview; 3 when the guard finds a
// stateful replacement or deletion that -allow (comma-separated resource names) does not name.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"django-gke/infra/preview"
)

// errBlocked is the guard's refusal (exit status 3).
var errBlocked = errors.New("stateful replacement or deletion")

func main() {
	stack := flag.String("stack", "", "stack name (Pulumi.<stack>.yaml)")
	dir := flag.String("dir", ".", "directory holding Pulumi.yaml")
	verbose := flag.Bool("engine-output", false, "print the engine's own output too")
	baselineOut := flag.String("baseline-out", "", "save the stack's baseline (synthetic state + unchanged preview) to this file")
	against := flag.String("against", "", "judge this tree against a saved baseline")
	allow := flag.String("allow", "", "comma-separated names of stateful resources whose replacement is deliberate")
	flag.Parse()
	var progress io.Writer
	if *verbose {
		progress = os.Stdout
	}
	err := run(os.Stdout, progress, *dir, *stack, *baselineOut, *against, splitList(*allow))
	switch {
	case errors.Is(err, errBlocked):
		fmt.Fprintf(os.Stderr, "preview: %v\n", err)
		os.Exit(3)
	case err != nil:
		fmt.Fprintf(os.Stderr, "preview: %v\n", err)
		os.Exit(1)
	}
}

func run(w, progress io.Writer, dir, stack, baselineOut, against string, allow []string) error {
	if stack == "" {
		return fmt.Errorf("no stack given: use -stack <name>")
	}
	ctx := context.Background()
	switch {
	case baselineOut != "" && against != "":
		return fmt.Errorf("-baseline-out and -against are two steps: give one")
	case baselineOut != "":
		b, err := preview.NewBaseline(ctx, dir, stack, progress)
		if err != nil {
			return err
		}
		return b.Save(baselineOut)
	case against != "":
		b, err := preview.LoadBaseline(against)
		if err != nil {
			return err
		}
		if b.Stack != stack {
			return fmt.Errorf("the baseline %s is of stack %s, not %s", against, b.Stack, stack)
		}
		v, err := preview.Judge(ctx, dir, b, preview.Change{Name: "stack " + stack + ": this revision against the base"}, progress)
		if err != nil {
			return err
		}
		v.Allowed = allow
		v.Write(w)
		if blocking := v.Blocking(); len(blocking) > 0 {
			names := make([]string, len(blocking))
			for i, s := range blocking {
				names[i] = s.Name
			}
			return fmt.Errorf("%w of %s: if deliberate, allow it by name (make plan-diff ALLOW_REPLACE=%s)",
				errBlocked, strings.Join(names, ", "), strings.Join(names, ","))
		}
		return nil
	}
	o, notes, err := preview.FirstUp(dir, stack)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(w, "note: "+n)
	}
	o.Progress = progress
	r, err := preview.Run(ctx, o)
	if err != nil {
		return err
	}
	r.Write(w)
	if r.Failed != nil || len(r.Errors()) > 0 {
		return fmt.Errorf("stack %s does not preview cleanly", stack)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
