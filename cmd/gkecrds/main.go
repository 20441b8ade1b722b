// Command gkecrds prints the CustomResourceDefinitions of the GKE resources
// the workload declares (infra/gkeapi: BackendConfig, FrontendConfig,
// ManagedCertificate, and for the multi-cluster Gateway: Gateway, HTTPRoute,
// HealthCheckPolicy, GCPBackendPolicy, ServiceExport) as a JSON list, for
// clusters where GKE does not install them (make cluster-up).
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"django-gke/infra/gkeapi"
)

func main() {
	if err := json.NewEncoder(os.Stdout).Encode(gkeapi.CRDs()); err != nil {
		fmt.Fprintf(os.Stderr, "gkecrds: %v\n", err)
		os.Exit(1)
	}
}
