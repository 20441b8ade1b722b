// Command plan prints what a stack would declare, with no cloud, credentials or
// Pulumi CLI: the resource tree by component, counts by type and the stack
// outputs, and writes every Kubernetes object as YAML under build/plan/<stack>/.
// Secrets print as [secret].
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"django-gke/infra/offline"
	"django-gke/infra/stackfile"
)

func main() {
	stack := flag.String("stack", "", "stack name: any Pulumi.<stack>.yaml in -dir")
	dir := flag.String("dir", ".", "directory holding Pulumi.yaml")
	out := flag.String("out", "build/plan", "Kubernetes manifests go to <out>/<stack>/")
	asJSON := flag.Bool("json", false, "print the plan as JSON (resources with inputs, outputs) for plan-diff")
	flag.Parse()
	if err := run(os.Stdout, *dir, *stack, *out, *asJSON); err != nil {
		fmt.Fprintf(os.Stderr, "plan: %v\n", err)
		os.Exit(1)
	}
}

func run(w io.Writer, dir, stack, out string, asJSON bool) error {
	if stack == "" {
		return fmt.Errorf("no stack given: use -stack <name> (stacks here: %v)", stackfile.Stacks(dir))
	}
	start := time.Now()
	res, err := offline.Run(offline.Options{Dir: dir, Stack: stack})
	if err != nil {
		return fmt.Errorf("stack %s:\n%w", stack, err)
	}
	manifestDir := filepath.Join(out, stack)
	files, err := res.WriteManifests(manifestDir)
	if err != nil {
		return fmt.Errorf("writing manifests: %w", err)
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(res.Snapshot())
	}
	offline.PrintPlan(w, res)
	fmt.Fprintf(w, "\nKubernetes manifests: %d files in %s/\n", len(files), manifestDir)
	fmt.Fprintf(w, "Planned offline in %.2fs (no cloud calls; values a provider computes are mocked).\n",
		time.Since(start).Seconds())
	return nil
}
