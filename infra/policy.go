package infra

import (
	"django-gke/components"
	"django-gke/infra/config"
)

// AppNamespace is the Kubernetes namespace of the Django workload, and
// AppServiceAccount its Kubernetes service account (bound to the app's Google
// service account through Workload Identity).
const (
	AppNamespace      = "django"
	AppServiceAccount = "django"
	DatabaseName      = "django"
	DatabaseUser      = "django"
)

// ClusterMaintenance is when GKE may upgrade the control plane and nodes.
// GKE needs 48 h of availability per 32 days: 3 × 4 h or 2 × 6 h a week does.
// dev and stg take weekdays, so a bad upgrade shows there before prd's weekend.
func ClusterMaintenance(env config.Env) components.MaintenanceWindow {
	if env == config.Prd {
		return components.MaintenanceWindow{
			Start: "2025-01-04T01:00:00Z", End: "2025-01-04T07:00:00Z", Recurrence: "FREQ=WEEKLY;BYDAY=SA,SU",
		}
	}
	return components.MaintenanceWindow{
		Start: "2025-01-07T03:00:00Z", End: "2025-01-07T07:00:00Z", Recurrence: "FREQ=WEEKLY;BYDAY=TU,WE,TH",
	}
}

// DatabaseMaintenance is Cloud SQL's weekly window: day (1 = Monday), hour
// (UTC) and update track ("canary" gets updates a week before "stable").
func DatabaseMaintenance(env config.Env) (day, hour int, track string) {
	if env == config.Prd {
		return 7, 3, "stable"
	}
	return 2, 3, "canary"
}

// RetainedBackups is how many daily backups Cloud SQL keeps.
func RetainedBackups(env config.Env) int {
	if env == config.Prd {
		return 30
	}
	return 7
}

// ManagedPrometheus is on where someone watches dashboards (stg, prd).
func ManagedPrometheus(env config.Env) bool { return env != config.Dev }

// AppRoles are the project roles of the app's Google service account.
var AppRoles = []string{"roles/cloudsql.client"}

// LoadBalancerLogSampleRate is the share of requests the load balancer logs.
// Logging is billed per GiB and at 10,000 req/s every request would cost more
// than the nodes; prd samples, dev and stg log everything they see.
func LoadBalancerLogSampleRate(env config.Env) float64 {
	switch env {
	case config.Prd:
		return 0.05
	case config.Stg:
		return 0.5
	}
	return 1
}

// Pages: stg and prd declare a notification channel, an uptime check, the SLO
// and alert policies; dev declares none of the paging alerts.
func Pages(env config.Env) bool { return env != config.Dev }
