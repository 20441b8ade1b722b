package infra

// appNamespace is the Kubernetes namespace of the Django workload, and
// appServiceAccount its Kubernetes service account (bound to the app's Google
// service account through Workload Identity).
const (
	appNamespace      = "django"
	appServiceAccount = "django"
	databaseName      = "django"
	databaseUser      = "django"
)

// appRoles are the project roles of the app's Google service account.
var appRoles = []string{"roles/cloudsql.client"}
