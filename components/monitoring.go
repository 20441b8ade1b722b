package components

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/logging"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// HealthAndStaticURL matches the request URLs whose log lines are not worth
// their price: health checks and static files (RE2, as Cloud Logging's =~).
const HealthAndStaticURL = `/(healthz|readyz)([?]|$)|/static/`

// appErrorsMetric is the log-based metric counting Django's ERROR lines.
const appErrorsMetric = "django_app_errors"

// Thresholds are when stg and prd page.
type Thresholds struct {
	SLOTarget                                      float64
	ErrorRatio                                     float64
	LatencyP95Ms, LatencyP99Ms                     int
	RestartsPerHour, HPAAtMaxMinutes               int
	SQLCPURatio, SQLDiskRatio, SQLConnectionsRatio float64
	AppErrorsPerMinute                             int
	CacheMemoryRatio, CacheEvictionsPerSecond      float64
	ReplicaLagSeconds                              int
}

// MonitoringArgs is what the observability of one stack needs to know.
type MonitoringArgs struct {
	Project, Namespace string
	// Clusters are the stack's GKE clusters (one per region), each with its
	// own plan's limits: the node and HPA alerts judge each cluster against
	// its own, never a fleet total against one region's.
	Clusters []MonitoredCluster
	// SQLInstanceName is the Cloud SQL instance's name (database_id is project:name).
	SQLInstanceName pulumi.StringInput
	// CacheInstanceID, when set, is the Memorystore instance's
	// projects/<p>/locations/<region>/instances/<name>: its hit ratio goes on
	// the dashboard, its memory and evictions page.
	CacheInstanceID pulumi.StringInput
	// PublicHost is app.hostname, or the load balancer's IP.
	PublicHost pulumi.StringInput
	UseSSL     bool
	UptimePath string
	// Paging declares the notification channel, uptime check, SLO and alert policies.
	Paging            bool
	AlertEmail        string
	ManagedPrometheus bool
	Thresholds        Thresholds
	// Facts from the capacity plan the alerts and the dashboard compare against.
	HPAName                       string
	NodesAtPeak, DBMaxConnections int
	LogRetentionDays              int
	Labels                        map[string]string
	// MultiClusterGateway: the load balancer is the multi-cluster Gateway's
	// (URL map gkemcg1-<namespace>-<gateway>-…), not the Ingress's.
	MultiClusterGateway bool
	// ReplicaInstanceNames are the Cloud SQL read replicas (regions.list): their replication lag alerts.
	ReplicaInstanceNames []pulumi.StringInput
	// RegionProbes, when set, adds an uptime check per region (the Gateway
	// routes requests carrying RegionProbeHeader to that region's pods only)
	// and an alert when one fails: that region is out of the load balancer.
	RegionProbes []RegionProbe
	// Settle are resources that take minutes to create (the Cloud SQL
	// instance). The alert on the log-based error metric waits for them too:
	// Monitoring answers 404 "Cannot find metric(s)" for a few minutes after a
	// log-based metric is created, and the metric itself is created first.
	Settle []pulumi.Resource
}

// RegionProbe is one serving region, named by its code in the probe header.
type RegionProbe struct {
	Region, Code string
}

// RegionProbeHeader routes an uptime check to one region's pods (HTTPRoute header match).
const RegionProbeHeader = "X-Django-GKE-Region"

// MonitoredCluster is a cluster and its capacity plan's limits.
type MonitoredCluster struct {
	Name                             string
	HPAMaxReplicas, NodePoolMaxNodes int
}

func (a *MonitoringArgs) clusterNames() []string {
	names := make([]string, len(a.Clusters))
	for i, c := range a.Clusters {
		names[i] = c.Name
	}
	return names
}

// clusterFilter matches the stack's cluster(s) in a Monitoring filter.
func (a *MonitoringArgs) clusterFilter() string {
	if len(a.Clusters) == 1 {
		return fmt.Sprintf(`="%s"`, a.Clusters[0].Name)
	}
	return fmt.Sprintf(`=monitoring.regex.full_match("%s")`, strings.Join(a.clusterNames(), "|"))
}

// clusterLabel matches them in PromQL.
func (a *MonitoringArgs) clusterLabel() string {
	if len(a.Clusters) == 1 {
		return fmt.Sprintf(`cluster="%s"`, a.Clusters[0].Name)
	}
	return fmt.Sprintf(`cluster=~"%s"`, strings.Join(a.clusterNames(), "|"))
}

// fleetLimits are the clusters' limits added up: the dashboard charts the
// stack's nodes and replicas as one line.
func (a *MonitoringArgs) fleetLimits() (hpaMax, nodePoolMax int) {
	for _, c := range a.Clusters {
		hpaMax += c.HPAMaxReplicas
		nodePoolMax += c.NodePoolMaxNodes
	}
	return hpaMax, nodePoolMax
}

// Monitoring is the stack's logs, dashboard, uptime check, SLO and alerts.
type Monitoring struct {
	pulumi.ResourceState

	DashboardID pulumi.StringOutput `pulumi:"dashboardId"`
}

// alert is one alert policy's documentation: what it means, what to do first.
type alert struct {
	Key, Title, Meaning, FirstSteps string
	Severity                        string
}

// Alerts lists the alert policies of a paging stack, in order. The README's
// "Operating it" section repeats them (a test keeps the two in step).
var Alerts = []alert{
	{"uptime", "Uptime check failing", "The public endpoint's health path fails from more than one region: users cannot reach the site.",
		"Open the load balancer's backend service health in the console; `kubectl -n django get pods,ingress`; check the managed certificate's status and DNS.", "CRITICAL"},
	{"slo-fast-burn", "SLO fast burn (2 % of the monthly error budget in an hour)", "5xx responses are consuming the availability SLO's error budget 14.4 times faster than sustainable.",
		"Check the 5xx ratio chart and the latest rollout (`kubectl -n django rollout history deployment/web`); roll back with the previous image ref if it started with a release.", "CRITICAL"},
	{"slo-slow-burn", "SLO slow burn (5 % of the monthly error budget in six hours)", "A steady trickle of 5xx responses will exhaust the error budget before the 28 days are over.",
		"Find the failing requests in Logs Explorer (severity>=ERROR, namespace django); open an incident if the source is not obvious.", "WARNING"},
	{"lb-5xx", "Load balancer 5xx ratio high", "A share of all responses above the threshold are server errors.",
		"Split by backend: 502s during a rollout mean draining/preStop problems; 503s mean no ready pods (`/readyz` failing: database?); 500s are application errors (see the app errors alert).", "CRITICAL"},
	{"latency", "Latency high (p95/p99)", "The load balancer's total latency percentiles are above the threshold for five minutes.",
		"Compare with CPU and the HPA: at maxReplicas the plan is too small; otherwise check Cloud SQL CPU and Query Insights for slow queries.", "WARNING"},
	{"restarts", "Pods restarting (crash loop)", "Containers of the app's pods restart more often than the threshold per hour.",
		"`kubectl -n django get pods`; `kubectl -n django logs <pod> -c <container> --previous`; an OOMKilled gunicorn needs more app.memory or fewer workers.", "WARNING"},
	{"hpa-at-max", "HPA at maxReplicas", "The HPA has wanted more pods than the capacity plan allows for a sustained period: capacity is exhausted.",
		"Raise capacity.targetRps or lower capacity.podTps in the stack file (make capacity shows the new plan), then `pulumi up`; check nodes are not also at max.", "CRITICAL"},
	{"nodes-at-max", "Node pool at its maximum", "The cluster autoscaler cannot add nodes: new pods will stay Pending.",
		"`kubectl get nodes`; `kubectl -n django get pods --field-selector status.phase=Pending`; the plan's node maximum comes from make capacity: raise targetRps or cluster.maxNodes.", "CRITICAL"},
	{"sql-down", "Primary database down", "Cloud SQL reports the primary instance down: writes fail everywhere (503 + Retry-After). Readiness does not depend on it, so static files, cached pages and the other regions' reads keep being served.",
		"Cloud SQL console: the instance's state and operations (an HA failover or a maintenance restart takes about a minute); if the primary's region is lost, README \"Regional failover\".", "CRITICAL"},
	{"sql-cpu", "Cloud SQL CPU high", "The database's CPU utilization stays above the threshold.",
		"Query Insights for the top queries; a missing index or an N+1 query; consider a bigger database.tier (make capacity shows its cost).", "WARNING"},
	{"sql-disk", "Cloud SQL disk nearly full", "Disk utilization is above the threshold (auto-resize is on, but has a cost and limits).",
		"Check what grows (tables, WAL during PITR); raise database.diskGb deliberately.", "WARNING"},
	{"sql-connections", "Cloud SQL connections near max_connections", "Open connections approach the max_connections the capacity plan set: new connections will be refused.",
		"Compare pods × workers × threads with the plan (make capacity); look for leaked connections (CONN_MAX_AGE) or a runaway HPA; consider a pooler.", "CRITICAL"},
	{"cache-memory", "Cache memory nearly full", "Memorystore's memory usage ratio is above the threshold: new entries push out others (see evictions).",
		"Compare the hit ratio on the dashboard with the plan's cache.hitRatio; raise cache.memorySizeGb (make capacity shows its cost), or lower cache.ttlSeconds.", "WARNING"},
	{"cache-evictions", "Cache evicting keys", "Redis evicts keys before their TTL for 15 minutes: the cache is too small for the working set and the hit ratio falls.",
		"Dashboard: cache hit ratio and Cloud SQL CPU (misses go to the database); raise cache.memorySizeGb; check for a key explosion (e.g. unbounded query strings).", "WARNING"},
	{"region-out", "A region is out of the load balancer", "A region's uptime check (the probe header routes it to that region's pods alone) fails: its pods are not ready or its cluster is down, and the Gateway sends its users to the other regions, which must carry them (N+1 sizing).",
		"Console: the region's cluster, pods and events; Cloud SQL replica lag in that region. If the primary's region is lost, README \"Regional failover\".", "CRITICAL"},
	{"replica-lag", "Read replica lagging", "A cross-region read replica's replication lag stays above the threshold: its region's readers see data that much older (writers read the primary for DB_READ_YOUR_WRITES_SECONDS only).",
		"Cloud SQL: the replica's CPU, disk and network, and the primary's write rate; a lag that keeps growing means the replica cannot keep up (raise database.tier). Lag is the data a failover to that replica would lose.", "WARNING"},
	{"app-errors", "Application errors", "Django logs ERROR lines faster than the threshold.",
		"Logs Explorer: resource.labels.namespace_name=\"django\" severity>=ERROR, grouped by message; correlate with the latest release.", "WARNING"},
}

func policyDocumentation(a alert) *monitoring.AlertPolicyDocumentationArgs {
	return &monitoring.AlertPolicyDocumentationArgs{
		Subject:  pulumi.String(a.Title),
		MimeType: pulumi.String("text/markdown"),
		Content:  pulumi.String("**What it means**: " + a.Meaning + "\n\n**First steps**: " + a.FirstSteps + "\n\nRunbook: README.md, \"Operating it\"."),
	}
}

// loadBalancerFilter selects this app's Ingress at the load balancer: GKE names
// its URL map k8s2-um-<id>-<namespace>-<ingress>-<hash>.
func loadBalancerFilter(metric, namespace, ingress string) string {
	return fmt.Sprintf(`metric.type="loadbalancing.googleapis.com/https/%s" resource.type="https_lb_rule" resource.label."url_map_name"=monitoring.regex.full_match("k8s2-um-.*-%s-%s-.*")`,
		metric, namespace, ingress)
}

// gatewayFilter selects the multi-cluster Gateway's URL map, which GKE names
// gkemcg1-<namespace>-<gateway>-<hash>.
func gatewayFilter(metric, namespace, gateway string) string {
	return fmt.Sprintf(`metric.type="loadbalancing.googleapis.com/https/%s" resource.type="https_lb_rule" resource.label."url_map_name"=monitoring.regex.full_match("gkemcg1-%s-%s-.*")`,
		metric, namespace, gateway)
}

// serverErrors narrows a load balancer request filter to 5xx responses.
func serverErrors(requests string) string {
	return requests + ` metric.label."response_code_class"=500`
}

// logExclusionFilter drops health-check and static-file request lines (not
// errors) from the app's containers and the load balancer's request logs.
func logExclusionFilter(namespace string) string {
	return fmt.Sprintf(`severity<ERROR AND httpRequest.requestUrl=~"%s" AND ((resource.type="k8s_container" AND resource.labels.namespace_name="%s") OR resource.type="http_load_balancer")`,
		HealthAndStaticURL, namespace)
}

// NewMonitoring declares logging, the dashboard, and (Paging) the uptime check, SLO and alerts.
func NewMonitoring(ctx *pulumi.Context, name string, args *MonitoringArgs, opts ...pulumi.ResourceOption) (*Monitoring, error) {
	m := &Monitoring{}
	if err := ctx.RegisterComponentResource("django-gke:components:Monitoring", name, m, opts...); err != nil {
		return nil, err
	}
	child := childrenOf(m, opts)

	// Logs: retention per environment, an exclusion where logging cost dominates, an error metric.
	if _, err := logging.NewProjectBucketConfig(ctx, name+"-log-retention", &logging.ProjectBucketConfigArgs{
		Project: pulumi.String(args.Project), Location: pulumi.String("global"), BucketId: pulumi.String("_Default"),
		RetentionDays: pulumi.Int(args.LogRetentionDays),
	}, child.opts()...); err != nil {
		return nil, fmt.Errorf("setting log retention: %w", err)
	}
	if _, err := logging.NewProjectExclusion(ctx, name+"-exclude-health-static", &logging.ProjectExclusionArgs{
		Description: pulumi.String("Health checks and static files: high volume, no information (errors are kept)"),
		Filter:      pulumi.String(logExclusionFilter(args.Namespace)),
	}, child.opts()...); err != nil {
		return nil, fmt.Errorf("creating log exclusion: %w", err)
	}
	appErrors, err := logging.NewMetric(ctx, name+"-app-errors", &logging.MetricArgs{
		Name:        pulumi.String(appErrorsMetric),
		Description: pulumi.String("ERROR lines logged by Django (gunicorn container)"),
		Filter: pulumi.String(fmt.Sprintf(`resource.type="k8s_container" AND resource.labels.namespace_name="%s" AND resource.labels.container_name="gunicorn" AND severity>=ERROR`,
			args.Namespace)),
		MetricDescriptor: &logging.MetricMetricDescriptorArgs{MetricKind: pulumi.String("DELTA"), ValueType: pulumi.String("INT64"), Unit: pulumi.String("1")},
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating app errors metric: %w", err)
	}

	requests := loadBalancerFilter("request_count", args.Namespace, WebName)
	latency := loadBalancerFilter("total_latencies", args.Namespace, WebName)
	if args.MultiClusterGateway {
		requests = gatewayFilter("request_count", args.Namespace, WebName)
		latency = gatewayFilter("total_latencies", args.Namespace, WebName)
	}
	sqlID := pulumi.Sprintf("%s:%s", args.Project, args.SQLInstanceName)
	var cacheID pulumi.StringInput = pulumi.String("")
	if args.CacheInstanceID != nil {
		cacheID = args.CacheInstanceID
	}
	hpaMax, nodePoolMax := args.fleetLimits()
	dashboardJSON := pulumi.All(sqlID, cacheID).ApplyT(func(ids []any) (string, error) {
		return appDashboard(dashboardParams{
			Title: "django-gke " + name, LBFilter: requests, LatencyFilter: latency, ClusterFilter: args.clusterFilter(), ClusterLabel: args.clusterLabel(),
			Namespace: args.Namespace, SQLDatabaseID: ids[0].(string), CacheInstanceID: ids[1].(string),
			HPAMaxReplicas: hpaMax, NodesAtPeak: args.NodesAtPeak,
			NodePoolMaxNodes: nodePoolMax, DBMaxConnections: args.DBMaxConnections,
			ManagedPrometheus: args.ManagedPrometheus, HPAName: args.HPAName,
		}).JSON()
	}).(pulumi.StringOutput)
	dashboard, err := monitoring.NewDashboard(ctx, name+"-dashboard", &monitoring.DashboardArgs{DashboardJson: dashboardJSON}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating dashboard: %w", err)
	}
	m.DashboardID = dashboard.ID().ToStringOutput()
	if args.Paging {
		if err := declarePaging(ctx, name, args, child, requests, latency, sqlID, appErrors); err != nil {
			return nil, err
		}
	}
	return m, ctx.RegisterResourceOutputs(m, pulumi.Map{"dashboardId": m.DashboardID})
}

func declarePaging(ctx *pulumi.Context, name string, args *MonitoringArgs, child children, requests, latency string, sqlID pulumi.StringOutput,
	appErrors *logging.Metric) error {
	t := args.Thresholds
	channel, err := monitoring.NewNotificationChannel(ctx, name+"-email", &monitoring.NotificationChannelArgs{
		DisplayName: pulumi.String("django-gke " + name + " on-call"),
		Type:        pulumi.String("email"),
		Labels:      pulumi.StringMap{"email_address": pulumi.String(args.AlertEmail)},
	}, child.opts()...)
	if err != nil {
		return fmt.Errorf("creating notification channel: %w", err)
	}
	port := 80
	if args.UseSSL {
		port = 443
	}
	uptimeCheck := func(logical, display string, headers map[string]string) (*monitoring.UptimeCheckConfig, error) {
		return monitoring.NewUptimeCheckConfig(ctx, logical, &monitoring.UptimeCheckConfigArgs{
			DisplayName: pulumi.String(display),
			Timeout:     pulumi.String("10s"),
			Period:      pulumi.String("60s"),
			HttpCheck: &monitoring.UptimeCheckConfigHttpCheckArgs{
				Path: pulumi.String(args.UptimePath), Port: pulumi.Int(port), UseSsl: pulumi.Bool(args.UseSSL), ValidateSsl: pulumi.Bool(args.UseSSL),
				AcceptedResponseStatusCodes: monitoring.UptimeCheckConfigHttpCheckAcceptedResponseStatusCodeArray{
					monitoring.UptimeCheckConfigHttpCheckAcceptedResponseStatusCodeArgs{StatusClass: pulumi.String("STATUS_CLASS_2XX")},
				},
				Headers: pulumi.ToStringMap(headers),
			},
			MonitoredResource: &monitoring.UptimeCheckConfigMonitoredResourceArgs{
				Type:   pulumi.String("uptime_url"),
				Labels: pulumi.StringMap{"project_id": pulumi.String(args.Project), "host": args.PublicHost},
			},
			SelectedRegions: pulumi.ToStringArray([]string{"USA", "EUROPE", "ASIA_PACIFIC"}),
		}, child.opts()...)
	}
	uptime, err := uptimeCheck(name+"-uptime", "django-gke "+name+" "+args.UptimePath, nil)
	if err != nil {
		return fmt.Errorf("creating uptime check: %w", err)
	}
	// One check per region: the Gateway sends a request with the probe header
	// to that region's pods alone, so a failing check is a region the load
	// balancer cannot use (its pods unready, its cluster gone).
	var regionChecks []*monitoring.UptimeCheckConfig
	for _, r := range args.RegionProbes {
		check, err := uptimeCheck(name+"-uptime-"+r.Code, fmt.Sprintf("django-gke %s %s in %s", name, args.UptimePath, r.Region),
			map[string]string{RegionProbeHeader: r.Code})
		if err != nil {
			return fmt.Errorf("creating the uptime check of %s: %w", r.Region, err)
		}
		regionChecks = append(regionChecks, check)
	}

	// The availability SLO: requests the load balancer answered without a 5xx.
	service, err := monitoring.NewCustomService(ctx, name+"-service", &monitoring.CustomServiceArgs{
		ServiceId: pulumi.String(name + "-web"), DisplayName: pulumi.String("django-gke " + name),
	}, child.opts()...)
	if err != nil {
		return fmt.Errorf("creating SLO service: %w", err)
	}
	slo, err := monitoring.NewSlo(ctx, name+"-availability", &monitoring.SloArgs{
		Service:           service.ServiceId,
		SloId:             pulumi.String("availability"),
		DisplayName:       pulumi.String(fmt.Sprintf("%.3g%% of requests without a 5xx, 28 days", 100*t.SLOTarget)),
		Goal:              pulumi.Float64(t.SLOTarget),
		RollingPeriodDays: pulumi.Int(28),
		RequestBasedSli: &monitoring.SloRequestBasedSliArgs{GoodTotalRatio: &monitoring.SloRequestBasedSliGoodTotalRatioArgs{
			BadServiceFilter:   pulumi.String(serverErrors(requests)),
			TotalServiceFilter: pulumi.String(requests),
		}},
	}, child.opts()...)
	if err != nil {
		return fmt.Errorf("creating SLO: %w", err)
	}

	threshold := func(display string, filter pulumi.StringInput, aligner, reducer, period string, value float64, duration string, groupBy ...string) monitoring.AlertPolicyConditionArgs {
		return monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.String(display),
			ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
				Filter:     filter,
				Comparison: pulumi.String("COMPARISON_GT"), ThresholdValue: pulumi.Float64(value), Duration: pulumi.String(duration),
				Aggregations: monitoring.AlertPolicyConditionConditionThresholdAggregationArray{monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
					AlignmentPeriod: pulumi.String(period), PerSeriesAligner: pulumi.String(aligner),
					CrossSeriesReducer: optional(reducer), GroupByFields: pulumi.ToStringArray(groupBy),
				}},
				Trigger: &monitoring.AlertPolicyConditionConditionThresholdTriggerArgs{Count: pulumi.Int(1)},
			},
		}
	}
	// below turns a threshold condition around: it fires under the value.
	below := func(c monitoring.AlertPolicyConditionArgs) monitoring.AlertPolicyConditionArgs {
		c.ConditionThreshold.(*monitoring.AlertPolicyConditionConditionThresholdArgs).Comparison = pulumi.String("COMPARISON_LT")
		return c
	}
	burn := func(window string, rate float64) monitoring.AlertPolicyConditionArgs {
		return monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.Sprintf("burn rate over %s > %g", window, rate),
			ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
				Filter:     pulumi.Sprintf(`select_slo_burn_rate("%s", "%s")`, slo.Name, window),
				Comparison: pulumi.String("COMPARISON_GT"), ThresholdValue: pulumi.Float64(rate), Duration: pulumi.String("0s"),
			},
		}
	}
	sql := func(metric string) pulumi.StringOutput {
		return pulumi.Sprintf(`metric.type="cloudsql.googleapis.com/database/%s" AND resource.type="cloudsql_database" AND resource.label."database_id"="%s"`, metric, sqlID)
	}
	containers := fmt.Sprintf(`metric.type="kubernetes.io/container/restart_count" AND resource.type="k8s_container" AND resource.label."cluster_name"%s AND resource.label."namespace_name"="%s"`,
		args.clusterFilter(), args.Namespace)
	// One condition per cluster, against that cluster's pool maximum.
	var nodesAtMax monitoring.AlertPolicyConditionArray
	for _, c := range args.Clusters {
		nodes := fmt.Sprintf(`metric.type="kubernetes.io/node/cpu/allocatable_cores" AND resource.type="k8s_node" AND resource.label."cluster_name"="%s"`, c.Name)
		nodesAtMax = append(nodesAtMax, threshold(fmt.Sprintf("%s: %d nodes (its pool's maximum) for 15 minutes", c.Name, c.NodePoolMaxNodes),
			pulumi.String(nodes), "ALIGN_MEAN", "REDUCE_COUNT", "300s", float64(c.NodePoolMaxNodes)-0.5, "900s"))
	}

	checkFails := func(display string, check *monitoring.UptimeCheckConfig) monitoring.AlertPolicyConditionArgs {
		return threshold(display,
			pulumi.Sprintf(`metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.label."check_id"="%s"`, check.UptimeCheckId),
			"ALIGN_NEXT_OLDER", "REDUCE_COUNT_FALSE", "1200s", 1, "60s", "resource.label.*")
	}
	var regionOut monitoring.AlertPolicyConditionArray
	for i, r := range args.RegionProbes {
		regionOut = append(regionOut, checkFails(fmt.Sprintf("%s fails its uptime check", r.Region), regionChecks[i]))
	}

	// An alert's conditions and how they combine (AND: all of them, OR: any).
	type alertConditions struct {
		combiner string
		list     monitoring.AlertPolicyConditionArray
	}
	conditions := map[string]alertConditions{
		"uptime": {"OR", monitoring.AlertPolicyConditionArray{checkFails("check fails in more than one region", uptime)}},
		// Multi-window, multi-burn-rate (Google SRE workbook): a long window to be sure, a short one to reset fast.
		"slo-fast-burn": {"AND", monitoring.AlertPolicyConditionArray{burn("3600s", 14.4), burn("300s", 14.4)}},
		"slo-slow-burn": {"AND", monitoring.AlertPolicyConditionArray{burn("21600s", 6), burn("1800s", 6)}},
		"lb-5xx": {"OR", monitoring.AlertPolicyConditionArray{monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.Sprintf("5xx ratio > %g", t.ErrorRatio),
			ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
				Filter:            pulumi.String(serverErrors(requests)),
				DenominatorFilter: pulumi.String(requests),
				Aggregations: monitoring.AlertPolicyConditionConditionThresholdAggregationArray{monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
					AlignmentPeriod: pulumi.String("300s"), PerSeriesAligner: pulumi.String("ALIGN_RATE"), CrossSeriesReducer: pulumi.String("REDUCE_SUM"),
				}},
				DenominatorAggregations: monitoring.AlertPolicyConditionConditionThresholdDenominatorAggregationArray{monitoring.AlertPolicyConditionConditionThresholdDenominatorAggregationArgs{
					AlignmentPeriod: pulumi.String("300s"), PerSeriesAligner: pulumi.String("ALIGN_RATE"), CrossSeriesReducer: pulumi.String("REDUCE_SUM"),
				}},
				Comparison: pulumi.String("COMPARISON_GT"), ThresholdValue: pulumi.Float64(t.ErrorRatio), Duration: pulumi.String("300s"),
			},
		}}},
		"latency": {"OR", monitoring.AlertPolicyConditionArray{
			threshold(fmt.Sprintf("p95 > %d ms", t.LatencyP95Ms), pulumi.String(latency), "ALIGN_PERCENTILE_95", "REDUCE_MAX", "300s", float64(t.LatencyP95Ms), "300s"),
			threshold(fmt.Sprintf("p99 > %d ms", t.LatencyP99Ms), pulumi.String(latency), "ALIGN_PERCENTILE_99", "REDUCE_MAX", "300s", float64(t.LatencyP99Ms), "300s"),
		}},
		"restarts": {"OR", monitoring.AlertPolicyConditionArray{threshold(fmt.Sprintf("> %d restarts an hour in a pod", t.RestartsPerHour),
			pulumi.String(containers), "ALIGN_DELTA", "REDUCE_SUM", "3600s", float64(t.RestartsPerHour), "0s", `resource.label."pod_name"`)}},
		"nodes-at-max": {"OR", nodesAtMax},
		// The primary's health is an alert, never a readiness condition (app/djangogke/health.py).
		"sql-down": {"OR", monitoring.AlertPolicyConditionArray{below(threshold("database/up < 1 for 2 minutes",
			sql("up"), "ALIGN_MIN", "", "60s", 1, "120s"))}},
		"sql-cpu": {"OR", monitoring.AlertPolicyConditionArray{threshold(fmt.Sprintf("CPU > %g", t.SQLCPURatio),
			sql("cpu/utilization"), "ALIGN_MEAN", "", "300s", t.SQLCPURatio, "900s")}},
		"sql-disk": {"OR", monitoring.AlertPolicyConditionArray{threshold(fmt.Sprintf("disk > %g", t.SQLDiskRatio),
			sql("disk/utilization"), "ALIGN_MEAN", "", "300s", t.SQLDiskRatio, "300s")}},
		"sql-connections": {"OR", monitoring.AlertPolicyConditionArray{threshold(
			fmt.Sprintf("connections > %g × max_connections (%d)", t.SQLConnectionsRatio, args.DBMaxConnections),
			sql("postgresql/num_backends"), "ALIGN_MEAN", "REDUCE_SUM", "60s", t.SQLConnectionsRatio*float64(args.DBMaxConnections), "300s")}},
		"app-errors": {"OR", monitoring.AlertPolicyConditionArray{threshold(fmt.Sprintf("> %d errors a minute", t.AppErrorsPerMinute),
			// The metric's own name output: the alert is created after the metric.
			pulumi.Sprintf(`metric.type="logging.googleapis.com/user/%s" AND resource.type="k8s_container"`, appErrors.Name),
			"ALIGN_RATE", "REDUCE_SUM", "60s", float64(t.AppErrorsPerMinute)/60, "300s")}},
	}
	if args.CacheInstanceID != nil {
		redisMetric := func(metric string) pulumi.StringOutput {
			return pulumi.Sprintf(`metric.type="redis.googleapis.com/%s" AND resource.type="redis_instance" AND resource.label."instance_id"="%s"`,
				metric, args.CacheInstanceID)
		}
		conditions["cache-memory"] = alertConditions{"OR", monitoring.AlertPolicyConditionArray{threshold(fmt.Sprintf("memory usage > %g", t.CacheMemoryRatio),
			redisMetric("stats/memory/usage_ratio"), "ALIGN_MEAN", "REDUCE_MAX", "300s", t.CacheMemoryRatio, "600s")}}
		conditions["cache-evictions"] = alertConditions{"OR", monitoring.AlertPolicyConditionArray{threshold(fmt.Sprintf("> %g evictions a second", t.CacheEvictionsPerSecond),
			redisMetric("stats/evicted_keys"), "ALIGN_RATE", "REDUCE_SUM", "300s", t.CacheEvictionsPerSecond, "900s")}}
	}
	if len(regionOut) > 0 {
		conditions["region-out"] = alertConditions{"OR", regionOut}
	}
	var lag monitoring.AlertPolicyConditionArray
	for _, replica := range args.ReplicaInstanceNames {
		lag = append(lag, threshold(fmt.Sprintf("replication lag > %d s", t.ReplicaLagSeconds),
			pulumi.Sprintf(`metric.type="cloudsql.googleapis.com/database/replication/replica_lag" AND resource.type="cloudsql_database" AND resource.label."database_id"="%s:%s"`, args.Project, replica),
			"ALIGN_MAX", "REDUCE_MAX", "60s", float64(t.ReplicaLagSeconds), "300s"))
	}
	if len(lag) > 0 {
		conditions["replica-lag"] = alertConditions{"OR", lag}
	}
	if args.ManagedPrometheus {
		var hpaAtMax monitoring.AlertPolicyConditionArray
		for _, c := range args.Clusters {
			hpaAtMax = append(hpaAtMax, monitoring.AlertPolicyConditionArgs{
				DisplayName: pulumi.Sprintf("%s: replicas at maxReplicas (%d) for %d minutes", c.Name, c.HPAMaxReplicas, t.HPAAtMaxMinutes),
				ConditionPrometheusQueryLanguage: &monitoring.AlertPolicyConditionConditionPrometheusQueryLanguageArgs{
					Query: pulumi.String(fmt.Sprintf(`max(kube_horizontalpodautoscaler_status_current_replicas{cluster="%s",namespace="%s",horizontalpodautoscaler="%s"}) >= %d`,
						c.Name, args.Namespace, args.HPAName, c.HPAMaxReplicas)),
					Duration: pulumi.String(strconv.Itoa(60*t.HPAAtMaxMinutes) + "s"),
				},
			})
		}
		conditions["hpa-at-max"] = alertConditions{"OR", hpaAtMax}
	}
	for _, a := range Alerts {
		c, ok := conditions[a.Key]
		if !ok {
			continue
		}
		var settle []pulumi.ResourceOption
		if a.Key == "app-errors" {
			settle = append(settle, pulumi.DependsOn(append([]pulumi.Resource{appErrors}, args.Settle...)))
		}
		if _, err := monitoring.NewAlertPolicy(ctx, name+"-alert-"+a.Key, &monitoring.AlertPolicyArgs{
			DisplayName:          pulumi.Sprintf("%s (%s)", a.Title, name),
			Combiner:             pulumi.String(c.combiner),
			Conditions:           c.list,
			Documentation:        policyDocumentation(a),
			NotificationChannels: pulumi.StringArray{channel.Name},
			Severity:             pulumi.String(a.Severity),
			AlertStrategy:        &monitoring.AlertPolicyAlertStrategyArgs{AutoClose: pulumi.String("1800s")},
			UserLabels:           pulumi.ToStringMap(args.Labels),
		}, child.opts(settle...)...); err != nil {
			return fmt.Errorf("creating alert policy %s: %w", a.Key, err)
		}
	}
	return nil
}

func optional(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.String(s)
}
