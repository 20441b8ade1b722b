// Command preview runs the real Pulumi engine with the real gcp, random and
// kubernetes providers over a stack's first `up`, offline and without
// credentials (see infra/preview): every GCP resource through its provider's
// Check and preview. Stacks it references are seeded with their offline
// plan's outputs. The gcp and random plugins must be the published ones
// (nothing here builds them): without them it prints SKIPPED and what was
// not checked, and exits 0; -require-plugins makes that exit 4.
//
//	preview -stack S
//
// Exit status: 1 on an error or a failed preview.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"django-gke/infra/preview"
)

func main() {
	stack := flag.String("stack", "", "stack name (Pulumi.<stack>.yaml)")
	dir := flag.String("dir", ".", "directory holding Pulumi.yaml")
	verbose := flag.Bool("engine-output", false, "print the engine's own output too")
	require := flag.Bool("require-plugins", false, "exit 4 instead of 0 when a plugin is missing")
	flag.Parse()
	var progress io.Writer
	if *verbose {
		progress = os.Stdout
	}
	if *stack == "" {
		fmt.Fprintln(os.Stderr, "preview: no stack given: use -stack <name>")
		os.Exit(1)
	}
	if missing := preview.Missing(preview.DefaultEngineCache()); len(missing) > 0 {
		fmt.Printf("SKIPPED: the real-provider preview of %s (nothing was checked by the providers' Check). Missing plugins: %s.\n",
			*stack, strings.Join(missing, "; "))
		fmt.Println("The offline plan (make plan) and the replacement guard (make plan-diff) do not need them.")
		if *require {
			os.Exit(4)
		}
		return
	}
	if err := run(os.Stdout, progress, *dir, *stack); err != nil {
		fmt.Fprintf(os.Stderr, "preview: %v\n", err)
		os.Exit(1)
	}
}

func run(w, progress io.Writer, dir, stack string) error {
	o, notes, err := preview.FirstUp(dir, stack)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(w, "note: "+n)
	}
	o.Progress = progress
	r, err := preview.Run(context.Background(), o)
	if err != nil {
		return err
	}
	r.Write(w)
	if r.Failed != nil || len(r.Errors()) > 0 {
		return fmt.Errorf("stack %s does not preview cleanly", stack)
	}
	return nil
}
