package config

// Where environment knowledge lives:
//
//   - Defaults (defaults.go): everything an operator may override in a stack
//     file, per environment; each field's meaning is its doc comment in config.go.
//   - Policy (this file): what an environment fixes. Changing it is a
//     reviewed change to this table, not a stack setting.
//   - Validate (validate.go): what no stack may do (some rules per environment).
//
// The README's configuration reference and Pulumi.yaml's descriptions are
// generated from the three (make readme; a test fails when they are stale).

// Policy is what an environment fixes.
type Policy struct {
	// ClusterMaintenance is when GKE may upgrade the control plane and nodes.
	// GKE needs 48 h of availability per 32 days: 3 × 4 h or 2 × 6 h a week does.
	// dev and stg take weekdays, so a bad upgrade shows there before prd's weekend.
	ClusterMaintenance MaintenanceWindow
	// DatabaseMaintenance is Cloud SQL's weekly window.
	DatabaseMaintenance DatabaseWindow
	// CacheMaintenance is Memorystore's weekly hour, an hour after the
	// database's: a failover (STANDARD_HA) or a flush (BASIC) never lands
	// while the database, which then takes the cache's reads, is restarting.
	CacheMaintenance CacheWindow
	// RetainedBackups is how many daily backups Cloud SQL keeps.
	RetainedBackups int
	// ManagedPrometheus is on where someone watches dashboards (stg, prd).
	ManagedPrometheus bool
	// LoadBalancerLogSampleRate is the share of requests the load balancer
	// logs. Logging is billed per GiB and at 10,000 req/s every request would
	// cost more than the nodes; prd samples, dev and stg log everything they see.
	LoadBalancerLogSampleRate float64
	// Pages: stg and prd declare a notification channel, an uptime check, the
	// SLO and alert policies; dev declares none of the paging alerts.
	Pages bool
}

// MaintenanceWindow is a recurring window (RFC 5545 recurrence, RFC 3339 times).
type MaintenanceWindow struct {
	Start, End, Recurrence string
}

// DatabaseWindow is a weekly hour: Day 1 = Monday, Hour in UTC; Track
// "canary" gets updates a week before "stable".
type DatabaseWindow struct {
	Day, Hour int
	Track     string
}

// CacheWindow is a weekly hour: Day is MONDAY … SUNDAY, Hour in UTC.
type CacheWindow struct {
	Day  string
	Hour int
}

// PolicyFor is env's policy; env local takes dev's (of it, only the load
// balancer's log sample rate reaches its BackendConfig).
func PolicyFor(env Env) Policy {
	p := Policy{
		ClusterMaintenance: MaintenanceWindow{
			Start: "2025-01-07T03:00:00Z", End: "2025-01-07T07:00:00Z", Recurrence: "FREQ=WEEKLY;BYDAY=TU,WE,TH",
		},
		DatabaseMaintenance:       DatabaseWindow{Day: 2, Hour: 3, Track: "canary"},
		CacheMaintenance:          CacheWindow{Day: "TUESDAY", Hour: 4},
		RetainedBackups:           7,
		ManagedPrometheus:         false,
		LoadBalancerLogSampleRate: 1,
		Pages:                     false,
	}
	switch env {
	case Stg:
		p.ManagedPrometheus = true
		p.LoadBalancerLogSampleRate = 0.5
		p.Pages = true
	case Prd:
		p.ClusterMaintenance = MaintenanceWindow{
			Start: "2025-01-04T01:00:00Z", End: "2025-01-04T07:00:00Z", Recurrence: "FREQ=WEEKLY;BYDAY=SA,SU",
		}
		p.DatabaseMaintenance = DatabaseWindow{Day: 7, Hour: 3, Track: "stable"}
		p.CacheMaintenance = CacheWindow{Day: "SUNDAY", Hour: 4}
		p.RetainedBackups = 30
		p.ManagedPrometheus = true
		p.LoadBalancerLogSampleRate = 0.05
		p.Pages = true
	}
	return p
}
