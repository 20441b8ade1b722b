package components

import (
	"fmt"
	"regexp"
)

// Kubeconfig renders a kubeconfig for a GKE cluster that authenticates with
// the gke-gcloud-auth-plugin exec credential: no static token lands in state,
// and the text depends only on the cluster's name, endpoint and CA, so the
// Kubernetes provider built from it is not replaced on unrelated changes.
func Kubeconfig(clusterName, endpoint, caCertificate string) string {
	return execKubeconfig(clusterName, "https://"+endpoint, caCertificate)
}

// ConnectGatewayKubeconfig renders the kubeconfig of a GKE cluster's fleet
// membership through the Connect Gateway: Google's front end with a
// publicly trusted certificate (no cluster CA), the same exec credential.
// The URL is what `gcloud container fleet memberships get-credentials`
// writes for a GKE membership.
func ConnectGatewayKubeconfig(projectNumber, location, membership string) string {
	return execKubeconfig(membership,
		fmt.Sprintf("https://connectgateway.googleapis.com/v1/projects/%s/locations/%s/gkeMemberships/%s", projectNumber, location, membership), "")
}

// execKubeconfig is one cluster, context and user: the server, its CA when
// it has its own (empty: the system's trust store), gke-gcloud-auth-plugin.
func execKubeconfig(name, server, caCertificate string) string {
	ca := ""
	if caCertificate != "" {
		ca = "\n    certificate-authority-data: " + caCertificate
	}
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: %[2]s%[3]s
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
`, name, server, ca)
}

var serviceAgentEmail = regexp.MustCompile(`^service-(\d+)@[a-z0-9-]+\.iam\.gserviceaccount\.com$`)

// ProjectNumberOf reads the project number from a Google service agent's
// email, service-<number>@<agent>.iam.gserviceaccount.com.
func ProjectNumberOf(agentEmail string) (string, error) {
	m := serviceAgentEmail.FindStringSubmatch(agentEmail)
	if m == nil {
		return "", fmt.Errorf("%q is not a service agent's email (service-<project number>@…)", agentEmail)
	}
	return m[1], nil
}
