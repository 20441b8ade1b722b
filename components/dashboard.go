package components

import (
	"encoding/json"
	"fmt"
)

// Cloud Monitoring dashboard JSON, as typed structs (the subset this project
// uses of https://cloud.google.com/monitoring/api/ref_v3/rest/v1/projects.dashboards).

// Dashboard is a Cloud Monitoring dashboard.
type Dashboard struct {
	DisplayName  string       `json:"displayName"`
	MosaicLayout MosaicLayout `json:"mosaicLayout"`
}

// MosaicLayout places tiles on a 48-column grid.
type MosaicLayout struct {
	Columns int    `json:"columns"`
	Tiles   []Tile `json:"tiles"`
}

// Tile is one widget's place on the grid.
type Tile struct {
	XPos   int    `json:"xPos"`
	YPos   int    `json:"yPos"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Widget Widget `json:"widget"`
}

// Widget is a titled chart.
type Widget struct {
	Title   string  `json:"title"`
	XyChart XyChart `json:"xyChart"`
}

// XyChart plots data sets, optionally against threshold lines.
type XyChart struct {
	DataSets   []DataSet   `json:"dataSets"`
	Thresholds []Threshold `json:"thresholds,omitempty"`
	YAxis      *Axis       `json:"yAxis,omitempty"`
}

// Axis labels the y axis.
type Axis struct {
	Label string `json:"label"`
	Scale string `json:"scale"`
}

// Threshold is a horizontal line (HPA max, node pool max, max_connections).
type Threshold struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

// DataSet is one query and how to plot it.
type DataSet struct {
	PlotType        string          `json:"plotType"`
	LegendTemplate  string          `json:"legendTemplate,omitempty"`
	TimeSeriesQuery TimeSeriesQuery `json:"timeSeriesQuery"`
}

// TimeSeriesQuery is either a filter (with an optional ratio) or PromQL.
type TimeSeriesQuery struct {
	TimeSeriesFilter      *TimeSeriesFilter      `json:"timeSeriesFilter,omitempty"`
	TimeSeriesFilterRatio *TimeSeriesFilterRatio `json:"timeSeriesFilterRatio,omitempty"`
	PrometheusQuery       string                 `json:"prometheusQuery,omitempty"`
}

// TimeSeriesFilter selects and aggregates time series.
type TimeSeriesFilter struct {
	Filter      string      `json:"filter"`
	Aggregation Aggregation `json:"aggregation"`
}

// TimeSeriesFilterRatio divides two filtered series (e.g. 5xx over all requests).
type TimeSeriesFilterRatio struct {
	Numerator   TimeSeriesFilter `json:"numerator"`
	Denominator TimeSeriesFilter `json:"denominator"`
}

// Aggregation aligns each series, then reduces across series.
type Aggregation struct {
	AlignmentPeriod    string   `json:"alignmentPeriod"`
	PerSeriesAligner   string   `json:"perSeriesAligner"`
	CrossSeriesReducer string   `json:"crossSeriesReducer,omitempty"`
	GroupByFields      []string `json:"groupByFields,omitempty"`
}

// Queries returns every query of the dashboard, for checks: one per data set.
func (d Dashboard) Queries() []string {
	var out []string
	for _, t := range d.MosaicLayout.Tiles {
		for _, ds := range t.Widget.XyChart.DataSets {
			q := ds.TimeSeriesQuery
			switch {
			case q.PrometheusQuery != "":
				out = append(out, q.PrometheusQuery)
			case q.TimeSeriesFilter != nil:
				out = append(out, q.TimeSeriesFilter.Filter)
			case q.TimeSeriesFilterRatio != nil:
				out = append(out, q.TimeSeriesFilterRatio.Numerator.Filter+" / "+q.TimeSeriesFilterRatio.Denominator.Filter)
			}
		}
	}
	return out
}

// JSON renders the dashboard for monitoring.Dashboard's dashboardJson.
func (d Dashboard) JSON() (string, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("rendering dashboard: %w", err)
	}
	return string(b), nil
}

// dashboardParams are the facts the dashboard shows.
type dashboardParams struct {
	Title         string
	LBFilter      string // load balancer requests of this app
	LatencyFilter string
	// ClusterFilter matches the cluster(s) in a Monitoring filter (="name" or a regex); ClusterLabel in PromQL.
	ClusterFilter, ClusterLabel string
	Namespace                   string
	SQLDatabaseID               string // "<project>:<instance>"
	CacheInstanceID             string // "projects/<p>/locations/<region>/instances/<name>"; "" without a cache
	HPAMaxReplicas              int
	NodesAtPeak                 int
	NodePoolMaxNodes            int
	DBMaxConnections            int
	ManagedPrometheus           bool
	HPAName                     string // the HPA's name
}

// appDashboard lays out requests, errors, latency, pods against the HPA's
// ceiling, nodes against the plan, Cloud SQL and log volume, two charts a row.
func appDashboard(p dashboardParams) Dashboard {
	agg := func(period, aligner, reducer string, groupBy ...string) Aggregation {
		return Aggregation{AlignmentPeriod: period, PerSeriesAligner: aligner, CrossSeriesReducer: reducer, GroupByFields: groupBy}
	}
	line := func(filter string, a Aggregation, legend string) DataSet {
		return DataSet{PlotType: "LINE", LegendTemplate: legend, TimeSeriesQuery: TimeSeriesQuery{TimeSeriesFilter: &TimeSeriesFilter{Filter: filter, Aggregation: a}}}
	}
	nodes := fmt.Sprintf(`metric.type="kubernetes.io/node/cpu/allocatable_cores" resource.type="k8s_node" resource.label."cluster_name"%s`, p.ClusterFilter)
	sql := fmt.Sprintf(`resource.type="cloudsql_database" resource.label."database_id"="%s"`, p.SQLDatabaseID)
	widgets := []Widget{
		{Title: "Requests per second by response class", XyChart: XyChart{DataSets: []DataSet{
			line(p.LBFilter, agg("60s", "ALIGN_RATE", "REDUCE_SUM", `metric.label."response_code_class"`), "${metric.labels.response_code_class}"),
		}}},
		{Title: "5xx ratio", XyChart: XyChart{DataSets: []DataSet{{PlotType: "LINE", TimeSeriesQuery: TimeSeriesQuery{TimeSeriesFilterRatio: &TimeSeriesFilterRatio{
			Numerator:   TimeSeriesFilter{Filter: serverErrors(p.LBFilter), Aggregation: agg("60s", "ALIGN_RATE", "REDUCE_SUM")},
			Denominator: TimeSeriesFilter{Filter: p.LBFilter, Aggregation: agg("60s", "ALIGN_RATE", "REDUCE_SUM")},
		}}}}}},
		{Title: "Latency at the load balancer (p50, p95, p99)", XyChart: XyChart{DataSets: []DataSet{
			line(p.LatencyFilter, agg("60s", "ALIGN_PERCENTILE_50", "REDUCE_MAX"), "p50"),
			line(p.LatencyFilter, agg("60s", "ALIGN_PERCENTILE_95", "REDUCE_MAX"), "p95"),
			line(p.LatencyFilter, agg("60s", "ALIGN_PERCENTILE_99", "REDUCE_MAX"), "p99"),
		}, YAxis: &Axis{Label: "ms", Scale: "LINEAR"}}},
		{Title: "Nodes against the capacity plan", XyChart: XyChart{
			DataSets: []DataSet{line(nodes, agg("60s", "ALIGN_MEAN", "REDUCE_COUNT"), "nodes")},
			Thresholds: []Threshold{{Label: "plan: nodes at peak", Value: float64(p.NodesAtPeak)},
				{Label: "node pool max", Value: float64(p.NodePoolMaxNodes)}},
		}},
		{Title: "Cloud SQL CPU utilization", XyChart: XyChart{DataSets: []DataSet{
			line(`metric.type="cloudsql.googleapis.com/database/cpu/utilization" `+sql, agg("60s", "ALIGN_MEAN", ""), "cpu"),
		}}},
		{Title: "Cloud SQL connections against max_connections", XyChart: XyChart{
			DataSets:   []DataSet{line(`metric.type="cloudsql.googleapis.com/database/postgresql/num_backends" `+sql, agg("60s", "ALIGN_MEAN", "REDUCE_SUM"), "connections")},
			Thresholds: []Threshold{{Label: "max_connections", Value: float64(p.DBMaxConnections)}},
		}},
		{Title: "Log volume ingested", XyChart: XyChart{DataSets: []DataSet{
			line(`metric.type="logging.googleapis.com/billing/bytes_ingested" resource.type="global"`, agg("300s", "ALIGN_RATE", "REDUCE_SUM"), "bytes/s"),
		}}},
		{Title: "App pod restarts", XyChart: XyChart{DataSets: []DataSet{
			line(fmt.Sprintf(`metric.type="kubernetes.io/container/restart_count" resource.type="k8s_container" resource.label."cluster_name"%s resource.label."namespace_name"="%s"`,
				p.ClusterFilter, p.Namespace), agg("300s", "ALIGN_DELTA", "REDUCE_SUM", `resource.label."container_name"`), "${resource.labels.container_name}"),
		}}},
	}
	if p.CacheInstanceID != "" {
		redis := fmt.Sprintf(`resource.type="redis_instance" resource.label."instance_id"="%s"`, p.CacheInstanceID)
		widgets = append(widgets,
			Widget{Title: "Cache hit ratio", XyChart: XyChart{DataSets: []DataSet{
				line(`metric.type="redis.googleapis.com/stats/cache_hit_ratio" `+redis, agg("60s", "ALIGN_MEAN", "REDUCE_MEAN"), "hit ratio"),
			}}},
			Widget{Title: "Cache memory usage and evictions", XyChart: XyChart{DataSets: []DataSet{
				line(`metric.type="redis.googleapis.com/stats/memory/usage_ratio" `+redis, agg("60s", "ALIGN_MEAN", "REDUCE_MAX"), "memory usage ratio"),
				line(`metric.type="redis.googleapis.com/stats/evicted_keys" `+redis, agg("60s", "ALIGN_RATE", "REDUCE_SUM"), "evictions/s"),
			}}},
		)
	}
	if p.ManagedPrometheus {
		widgets = append(widgets, Widget{Title: "Pods against the HPA's maxReplicas", XyChart: XyChart{
			DataSets: []DataSet{{PlotType: "LINE", LegendTemplate: "replicas", TimeSeriesQuery: TimeSeriesQuery{PrometheusQuery: fmt.Sprintf(
				`max(kube_horizontalpodautoscaler_status_current_replicas{%s,namespace="%s",horizontalpodautoscaler="%s"})`,
				p.ClusterLabel, p.Namespace, p.HPAName)}}},
			Thresholds: []Threshold{{Label: "HPA max (capacity plan)", Value: float64(p.HPAMaxReplicas)}},
		}})
	}
	d := Dashboard{DisplayName: p.Title, MosaicLayout: MosaicLayout{Columns: 48}}
	for i, w := range widgets {
		d.MosaicLayout.Tiles = append(d.MosaicLayout.Tiles, Tile{XPos: (i % 2) * 24, YPos: (i / 2) * 16, Width: 24, Height: 16, Widget: w})
	}
	return d
}
