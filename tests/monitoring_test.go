package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/components"
	"django-gke/infra/offline"
)

const alertType = "gcp:monitoring/alertPolicy:AlertPolicy"

func alertsByKey(t *testing.T, res *offline.Result) map[string]*offline.Resource {
	t.Helper()
	out := map[string]*offline.Resource{}
	prefix := "django-gke-" + res.Stack + "-alert-"
	for _, a := range res.ByType(alertType) {
		require.True(t, strings.HasPrefix(a.Name, prefix), a.Name)
		out[strings.TrimPrefix(a.Name, prefix)] = a
	}
	return out
}

// condition returns the idx-th condition's threshold (or PromQL) block.
func condition(t *testing.T, a *offline.Resource, idx int) map[string]any {
	t.Helper()
	conds := asSlice(in(t, a, "conditions"))
	require.Greater(t, len(conds), idx, a.Name)
	return asMap(conds[idx])
}

func TestDevPagesNobody(t *testing.T) {
	res := plan(t, "dev")
	for _, typ := range []string{alertType, "gcp:monitoring/notificationChannel:NotificationChannel",
		"gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig", "gcp:monitoring/slo:Slo"} {
		assert.Empty(t, res.ByType(typ), typ)
	}
	// Logs and the dashboard exist everywhere.
	assert.Equal(t, int64(7), in(t, one(t, res, "gcp:logging/projectBucketConfig:ProjectBucketConfig"), "retentionDays"))
	one(t, res, "gcp:logging/projectExclusion:ProjectExclusion")
	one(t, res, "gcp:monitoring/dashboard:Dashboard")
}

func TestAlertPolicies(t *testing.T) {
	errorRatio := map[string]float64{"stg": 0.05, "prd": 0.02}
	for _, stack := range []string{"stg", "prd"} {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			capPlan := stackPlan(t, stack)
			channel := one(t, res, "gcp:monitoring/notificationChannel:NotificationChannel")
			assert.Equal(t, "email", in(t, channel, "type"))
			assert.Equal(t, "oncall@example.com", in(t, channel, "labels.email_address"))

			alerts := alertsByKey(t, res)
			var keys []string
			for _, a := range components.Alerts {
				if a.Key != "region-out" && a.Key != "replica-lag" { // regions.list only (tests/regions_test.go)
					keys = append(keys, a.Key)
				}
			}
			assert.ElementsMatch(t, keys, mapKeys(alerts), "every documented alert, and only those")
			for key, a := range alerts {
				assert.Equal(t, []any{channel.Outputs["name"].StringValue()}, in(t, a, "notificationChannels"), key)
				doc := in(t, a, "documentation.content").(string)
				assert.Contains(t, doc, "**What it means**", key)
				assert.Contains(t, doc, "**First steps**", key)
				assert.Equal(t, "text/markdown", in(t, a, "documentation.mimeType"), key)
				assert.Contains(t, []any{"CRITICAL", "WARNING"}, in(t, a, "severity"), key)
			}

			uptime := one(t, res, "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig")
			up := condition(t, alerts["uptime"], 0)["conditionThreshold"].(map[string]any)
			assert.Contains(t, up["filter"], `metric.type="monitoring.googleapis.com/uptime_check/check_passed"`)
			assert.Contains(t, up["filter"], `metric.label."check_id"="`+uptime.Outputs["uptimeCheckId"].StringValue()+`"`)

			lb := condition(t, alerts["lb-5xx"], 0)["conditionThreshold"].(map[string]any)
			assert.Contains(t, lb["filter"], `metric.type="loadbalancing.googleapis.com/https/request_count" resource.type="https_lb_rule"`)
			assert.Contains(t, lb["filter"], `monitoring.regex.full_match("k8s2-um-.*-django-web-.*")`)
			assert.Contains(t, lb["filter"], `metric.label."response_code_class"=500`)
			assert.NotContains(t, lb["denominatorFilter"], "response_code_class")
			assert.InDelta(t, errorRatio[stack], lb["thresholdValue"], 1e-9)

			for i, pct := range []string{"ALIGN_PERCENTILE_95", "ALIGN_PERCENTILE_99"} {
				c := condition(t, alerts["latency"], i)["conditionThreshold"].(map[string]any)
				assert.Contains(t, c["filter"], "loadbalancing.googleapis.com/https/total_latencies")
				assert.Equal(t, pct, asMap(asSlice(c["aggregations"])[0])["perSeriesAligner"])
			}

			instance := one(t, res, "gcp:sql/databaseInstance:DatabaseInstance").Outputs["name"].StringValue()
			for _, key := range []string{"sql-cpu", "sql-disk", "sql-connections"} {
				c := condition(t, alerts[key], 0)["conditionThreshold"].(map[string]any)
				assert.Contains(t, c["filter"], `resource.type="cloudsql_database"`, key)
				assert.Contains(t, c["filter"], `resource.label."database_id"="`+expect[stack].project+":"+instance+`"`, key)
			}
			conns := condition(t, alerts["sql-connections"], 0)["conditionThreshold"].(map[string]any)
			assert.Contains(t, conns["filter"], "cloudsql.googleapis.com/database/postgresql/num_backends")
			ratio := map[string]float64{"stg": 0.9, "prd": 0.8}[stack]
			assert.InDelta(t, ratio*float64(capPlan.DBMaxConnections), conns["thresholdValue"], 1e-6, "near the plan's max_connections")

			restarts := condition(t, alerts["restarts"], 0)["conditionThreshold"].(map[string]any)
			assert.Contains(t, restarts["filter"], `metric.type="kubernetes.io/container/restart_count"`)
			assert.Contains(t, restarts["filter"], `resource.label."namespace_name"="django"`)
			assert.Contains(t, restarts["filter"], `resource.label."cluster_name"="django-gke-`+stack+`"`)

			nodes := condition(t, alerts["nodes-at-max"], 0)["conditionThreshold"].(map[string]any)
			assert.Contains(t, nodes["filter"], `resource.type="k8s_node"`)
			assert.InDelta(t, float64(capPlan.NodePoolMaxNodes)-0.5, nodes["thresholdValue"], 1e-9, "fires at the plan's node maximum")

			hpa := condition(t, alerts["hpa-at-max"], 0)["conditionPrometheusQueryLanguage"].(map[string]any)
			assert.Contains(t, hpa["query"], `kube_horizontalpodautoscaler_status_current_replicas{cluster="django-gke-`+stack+`",namespace="django",horizontalpodautoscaler="web"}`)
			assert.True(t, strings.HasSuffix(hpa["query"].(string), ">= "+itoa(int(capPlan.HPAMaxReplicas))), hpa["query"])

			appErrors := condition(t, alerts["app-errors"], 0)["conditionThreshold"].(map[string]any)
			assert.Contains(t, appErrors["filter"], `metric.type="logging.googleapis.com/user/django_app_errors"`)
		})
	}
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSLOAndBurnRates(t *testing.T) {
	goal := map[string]float64{"stg": 0.995, "prd": 0.999}
	for _, stack := range []string{"stg", "prd"} {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			svc := one(t, res, "gcp:monitoring/customService:CustomService")
			slo := one(t, res, "gcp:monitoring/slo:Slo")
			assert.Equal(t, svc.Outputs["serviceId"].StringValue(), in(t, slo, "service"))
			assert.InDelta(t, goal[stack], in(t, slo, "goal"), 1e-12)
			assert.Equal(t, int64(28), in(t, slo, "rollingPeriodDays"))
			ratio := asMap(in(t, slo, "requestBasedSli.goodTotalRatio"))
			assert.Contains(t, ratio["badServiceFilter"], `metric.label."response_code_class"=500`)
			assert.Contains(t, ratio["totalServiceFilter"], "loadbalancing.googleapis.com/https/request_count")

			alerts := alertsByKey(t, res)
			sloName := slo.Outputs["name"].StringValue()
			for key, want := range map[string]struct {
				windows []string
				rate    float64
			}{"slo-fast-burn": {[]string{"3600s", "300s"}, 14.4}, "slo-slow-burn": {[]string{"21600s", "1800s"}, 6}} {
				a := alerts[key]
				assert.Equal(t, "AND", in(t, a, "combiner"), "multi-window: both windows must burn")
				for i, w := range want.windows {
					c := condition(t, a, i)["conditionThreshold"].(map[string]any)
					assert.Equal(t, `select_slo_burn_rate("`+sloName+`", "`+w+`")`, c["filter"], key)
					assert.InDelta(t, want.rate, c["thresholdValue"], 1e-9, key)
				}
			}
		})
	}
}

func TestUptimeCheck(t *testing.T) {
	for _, stack := range []string{"stg", "prd"} {
		t.Run(stack, func(t *testing.T) {
			u := one(t, plan(t, stack), "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig")
			assert.Equal(t, expect[stack].hostname, in(t, u, "monitoredResource.labels.host"))
			assert.Equal(t, "uptime_url", in(t, u, "monitoredResource.type"))
			assert.Equal(t, "/healthz", in(t, u, "httpCheck.path"))
			assert.Equal(t, true, in(t, u, "httpCheck.useSsl"))
			assert.Equal(t, int64(443), in(t, u, "httpCheck.port"))
			assert.GreaterOrEqual(t, len(asSlice(in(t, u, "selectedRegions"))), 3, "several regions")
		})
	}
}

func TestLogsExclusionRetentionAndErrorMetric(t *testing.T) {
	retention := map[string]int64{"dev": 7, "stg": 30, "prd": 90}
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			bucket := one(t, res, "gcp:logging/projectBucketConfig:ProjectBucketConfig")
			assert.Equal(t, "_Default", in(t, bucket, "bucketId"))
			assert.Equal(t, retention[stack], in(t, bucket, "retentionDays"))
			ex := in(t, one(t, res, "gcp:logging/projectExclusion:ProjectExclusion"), "filter").(string)
			assert.Contains(t, ex, "severity<ERROR", "failing health checks stay visible")
			assert.Contains(t, ex, `resource.labels.namespace_name="django"`)
			assert.Contains(t, ex, `httpRequest.requestUrl=~"`+components.HealthAndStaticURL+`"`)
			metric := one(t, res, "gcp:logging/metric:Metric")
			assert.Equal(t, "django_app_errors", in(t, metric, "name"))
			assert.Contains(t, in(t, metric, "filter"), "severity>=ERROR")
			assert.Contains(t, in(t, metric, "filter"), `resource.labels.container_name="gunicorn"`)
		})
	}
	re := regexp.MustCompile(components.HealthAndStaticURL)
	for _, url := range []string{"/healthz", "http://10.4.2.17:8000/healthz", "https://django-gke.example.com/readyz", "/readyz?probe=1",
		"https://django-gke.example.com/static/admin/css/base.4f2d1c3e5a6b.css"} {
		assert.True(t, re.MatchString(url), url)
	}
	for _, url := range []string{"/api/questions/", "/healthzz", "/admin/login/", "/questions/1/", "/api/static-report/"} {
		assert.False(t, re.MatchString(url), url)
	}
}

func TestDashboardFromTypedStructs(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			capPlan := stackPlan(t, stack)
			text := in(t, one(t, res, "gcp:monitoring/dashboard:Dashboard"), "dashboardJson").(string)
			var d components.Dashboard
			dec := json.NewDecoder(bytes.NewReader([]byte(text)))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&d))
			require.NotEmpty(t, d.MosaicLayout.Tiles)
			for _, tile := range d.MosaicLayout.Tiles {
				assert.NotEmpty(t, tile.Widget.Title)
				require.NotEmpty(t, tile.Widget.XyChart.DataSets, tile.Widget.Title)
				for _, ds := range tile.Widget.XyChart.DataSets {
					q := ds.TimeSeriesQuery
					has := q.PrometheusQuery != "" || (q.TimeSeriesFilter != nil && q.TimeSeriesFilter.Filter != "") ||
						(q.TimeSeriesFilterRatio != nil && q.TimeSeriesFilterRatio.Numerator.Filter != "")
					assert.True(t, has, "%s: a data set without a query", tile.Widget.Title)
				}
				assert.LessOrEqual(t, tile.XPos+tile.Width, d.MosaicLayout.Columns)
			}
			assert.Equal(t, len(d.Queries()), countDataSets(d))
			thresholds := map[string]float64{}
			for _, tile := range d.MosaicLayout.Tiles {
				for _, th := range tile.Widget.XyChart.Thresholds {
					thresholds[th.Label] = th.Value
				}
			}
			assert.Equal(t, float64(capPlan.NodePoolMaxNodes), thresholds["node pool max"])
			assert.Equal(t, float64(capPlan.NodesAtPeak), thresholds["plan: nodes at peak"])
			assert.Equal(t, float64(capPlan.DBMaxConnections), thresholds["max_connections"])
			if stack == "dev" {
				assert.NotContains(t, thresholds, "HPA max (capacity plan)", "no managed Prometheus in dev")
			} else {
				assert.Equal(t, float64(capPlan.HPAMaxReplicas), thresholds["HPA max (capacity plan)"])
			}
			assert.Contains(t, text, "logging.googleapis.com/billing/bytes_ingested", "log volume")
		})
	}
}

func countDataSets(d components.Dashboard) int {
	n := 0
	for _, tile := range d.MosaicLayout.Tiles {
		n += len(tile.Widget.XyChart.DataSets)
	}
	return n
}

// TestReadmeOperatingItListsEveryAlert keeps the runbook and the policies in step.
func TestReadmeOperatingItListsEveryAlert(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	require.NoError(t, err)
	section := string(text)
	i := strings.Index(section, "## Operating it")
	require.GreaterOrEqual(t, i, 0, "README has an Operating it section")
	section = section[i:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	for _, a := range components.Alerts {
		assert.Contains(t, section, a.Title)
	}
}
