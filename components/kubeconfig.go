package components

import (
	"fmt"
)

// Kubeconfig renders a kubeconfig for a GKE cluster that authenticates with
// the gke-gcloud-auth-plugin exec credential: no static token lands in state,
// and the text depends only on the cluster's name, endpoint and CA, so the
// Kubernetes provider built from it is not replaced on unrelated changes.
func Kubeconfig(clusterName, endpoint, caCertificate string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: https://%[2]s
    certificate-authority-data: %[3]s
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: %[1]s
current-context: %[1]s
users:
- name: %[1]s
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
      installHint: Install gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin).
      provideClusterInfo: true
      interactiveMode: Never
`, clusterName, endpoint, caCertificate)
}
