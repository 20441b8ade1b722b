package capacity

import (
	"fmt"
	"regexp"
	"strconv"
)

// Container requests of the app pod besides gunicorn (whose requests come from
// django-gke:app). The workload component declares exactly these, so the plan
// and the pod cannot drift apart.
const (
	NginxCPUMilli     = 100
	NginxMemoryMiB    = 64
	ProxyCPUMilli     = 100
	ProxyMemoryMiB    = 128
	MaxPodsPerNode    = 110 // GKE Standard default
	RollingSurgeRatio = 25  // percent: the Deployment's maxSurge, extra pods during a rollout
)

// Local ephemeral storage (MiB), sized from what each container writes. Every
// root filesystem is read-only, so a container writes only its log and the
// emptyDirs below; their sizeLimits are these same constants.
const (
	// ContainerLogMiB: the kubelet keeps 5 log files of 10 MiB per container
	// (GKE's containerLogMaxSize/containerLogMaxFiles defaults), plus what a
	// busy nginx writes between two rotation checks (10 s).
	ContainerLogMiB = 64
	// NginxTmpMiB: request bodies over client_body_buffer_size (each at most
	// client_max_body_size, 10m) and responses beyond proxy_buffers (each at
	// most proxy_max_temp_file_size, 16m), for the requests in flight.
	NginxTmpMiB = 256
	// GunicornTmpMiB: uploads Django spools to disk (over 2.5 MB, at most 10 MB
	// each behind nginx), for every worker thread at once, with room.
	GunicornTmpMiB = 256
	// StaticFilesMiB: the image's collected static files (hashed copies and
	// originals; about 3 MiB today: scripts/local/up.sh prints the size and
	// fails beyond this), copied by the init container into the volume nginx serves.
	StaticFilesMiB = 64
	// MigrateTmpMiB: `manage.py migrate` writes almost nothing.
	MigrateTmpMiB = 64
)

// Each container's ephemeral-storage request, which is also its limit: the
// scheduler then never overcommits a node's disk, so a full disk cannot evict
// pods at random, and a runaway container is evicted alone. A pod's limit is
// the sum of its long-running containers' (init containers are not added), so
// each volume is charged to a container that lives as long as the pod: the
// static files to nginx, which serves them.
const (
	NginxEphemeralMiB    = ContainerLogMiB + NginxTmpMiB + StaticFilesMiB
	GunicornEphemeralMiB = ContainerLogMiB + GunicornTmpMiB
	ProxyEphemeralMiB    = ContainerLogMiB
	StaticEphemeralMiB   = ContainerLogMiB + StaticFilesMiB
	MigrateEphemeralMiB  = ContainerLogMiB + MigrateTmpMiB
)

// DaemonSet overhead per node on GKE Standard with Dataplane V2 and system
// logging/monitoring (anetd, fluentbit-gke, gke-metrics-agent, pdcsi-node,
// netd, kube-proxy-free): an estimate from `kubectl describe node` on recent
// GKE versions, rounded up. Override with capacity.podsPerNode when measured.
const (
	DaemonSetCPUMilli  = 300
	DaemonSetMemoryMiB = 400
	DaemonSetPods      = 8
)

// EphemeralSharePermille is the share of a node's boot disk pods may request.
const EphemeralSharePermille = 438

// Allocatable is what the kubelet offers pods on a node.
type Allocatable struct {
	CPUMilli     int64
	MemoryMiB    int64
	EphemeralMiB int64
}

// GKEAllocatable applies GKE's documented reservations
// (https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes):
// CPU: 6 % of the first core, 1 % of the second, 0.5 % of cores 3–4, 0.25 % above 4.
// Memory: 255 MiB below 1 GiB; else 25 % of the first 4 GiB, 20 % of the next 4,
// 10 % of the next 8, 6 % of the next 112, 2 % above 128 GiB; plus a 100 MiB
// eviction threshold.
// Local ephemeral storage: the share of the boot disk in the same page's
// example node (a 100 GB disk offers 47,060,071,478 bytes, 43.8 %, after the
// filesystem, the images, the system reservation and the eviction threshold).
func GKEAllocatable(vcpu, memoryGiB, bootDiskGiB int) Allocatable {
	cpu := int64(vcpu) * 1000
	reservedCPU := tiered(cpu, []tier{{1000, 600}, {1000, 100}, {2000, 50}, {-1, 25}})

	mem := int64(memoryGiB) * 1024
	var reservedMem int64
	if memoryGiB < 1 {
		reservedMem = 255
	} else {
		reservedMem = tiered(mem, []tier{{4096, 2500}, {4096, 2000}, {8192, 1000}, {114688, 600}, {-1, 200}})
	}
	const evictionMiB = 100

	return Allocatable{
		CPUMilli: cpu - reservedCPU, MemoryMiB: mem - reservedMem - evictionMiB,
		EphemeralMiB: int64(bootDiskGiB) * 1024 * EphemeralSharePermille / 1000,
	}
}

// tier reserves basisPoints/10000 of the next size units (size -1: everything left).
type tier struct {
	size        int64
	basisPoints int64
}

// tiered sums the reservations in integers and rounds up: never promise pods
// a millicore or MiB the kubelet withholds.
func tiered(total int64, tiers []tier) int64 {
	var scaled int64 // reserved × 10000
	left := total
	for _, t := range tiers {
		if left <= 0 {
			break
		}
		chunk := left
		if t.size >= 0 && chunk > t.size {
			chunk = t.size
		}
		scaled += chunk * t.basisPoints
		left -= chunk
	}
	return (scaled + 9999) / 10000
}

// PodRequests is the sum of the pod's container requests.
type PodRequests struct {
	CPUMilli     int64
	MemoryMiB    int64
	EphemeralMiB int64
}

// AppPodRequests adds nginx and the Cloud SQL proxy to gunicorn's requests.
// The static-files init container asks for less than these together, so the
// scheduler counts only them.
func AppPodRequests(gunicornCPUMilli, gunicornMemoryMiB int64) PodRequests {
	return PodRequests{
		CPUMilli:     gunicornCPUMilli + NginxCPUMilli + ProxyCPUMilli,
		MemoryMiB:    gunicornMemoryMiB + NginxMemoryMiB + ProxyMemoryMiB,
		EphemeralMiB: GunicornEphemeralMiB + NginxEphemeralMiB + ProxyEphemeralMiB,
	}
}

// PodsPerNode is how many app pods fit on a node after the DaemonSets, limited
// by CPU, memory, ephemeral storage and the pods-per-node cap; it names the
// limiting resource.
func PodsPerNode(a Allocatable, pod PodRequests) (int, string) {
	byCPU := (a.CPUMilli - DaemonSetCPUMilli) / pod.CPUMilli
	byMem := (a.MemoryMiB - DaemonSetMemoryMiB) / pod.MemoryMiB
	byCount := int64(MaxPodsPerNode - DaemonSetPods)
	n, limit := byCPU, "cpu"
	if byMem < n {
		n, limit = byMem, "memory"
	}
	if pod.EphemeralMiB > 0 {
		if byDisk := a.EphemeralMiB / pod.EphemeralMiB; byDisk < n {
			n, limit = byDisk, "ephemeral storage"
		}
	}
	if byCount < n {
		n, limit = byCount, "pods per node"
	}
	if n < 0 {
		n = 0
	}
	return int(n), limit
}

// GunicornWorkers is 2 × cores + 1 (integer cores in millicores), at least 2: the
// same formula as app/gunicorn.conf.py, which the pod also gets explicitly.
func GunicornWorkers(cpuMilli int64) int {
	w := int(2*cpuMilli/1000 + 1)
	if w < 2 {
		return 2
	}
	return w
}

// SQLTier is a Cloud SQL machine: its size, price and default connection limit.
type SQLTier struct {
	VCPU      int
	MemoryMiB int
	Shared    bool
}

var customTier = regexp.MustCompile(`^db-custom-([0-9]+)-([0-9]+)$`)

// ParseSQLTier understands db-custom-<vcpus>-<MiB> and the two shared-core tiers.
func ParseSQLTier(tier string) (SQLTier, error) {
	switch tier {
	case "db-f1-micro":
		return SQLTier{VCPU: 1, MemoryMiB: 614, Shared: true}, nil
	case "db-g1-small":
		return SQLTier{VCPU: 1, MemoryMiB: 1741, Shared: true}, nil
	}
	m := customTier.FindStringSubmatch(tier)
	if m == nil {
		return SQLTier{}, fmt.Errorf("the cost model knows db-custom-<vCPUs>-<MiB>, db-f1-micro and db-g1-small")
	}
	cpus, _ := strconv.Atoi(m[1])
	mib, _ := strconv.Atoi(m[2])
	return SQLTier{VCPU: cpus, MemoryMiB: mib}, nil
}

// DefaultMaxConnections is Cloud SQL for PostgreSQL's default max_connections
// for the instance's memory (https://cloud.google.com/sql/docs/postgres/flags).
func (t SQLTier) DefaultMaxConnections() int {
	gib := float64(t.MemoryMiB) / 1024
	switch {
	case gib < 1:
		return 25
	case gib < 3.75:
		return 50
	case gib < 6:
		return 100
	case gib < 7.5:
		return 150
	case gib < 15:
		return 200
	case gib < 30:
		return 250
	case gib < 60:
		return 300
	case gib < 120:
		return 400
	}
	return 500
}

// Memory budget behind CeilingConnections.
const (
	// ConnectionMiB budgets one backend (~10 MiB) plus the default 4 MiB work_mem and temp buffers.
	ConnectionMiB = 20
	// SharedBuffersPercent is Cloud SQL's default shared_buffers share of memory.
	SharedBuffersPercent = 33
)

// CeilingConnections is the most connections the instance's memory holds
// beside shared_buffers: the highest max_connections the plan will set.
func (t SQLTier) CeilingConnections() int {
	free := int64(t.MemoryMiB) * (100 - SharedBuffersPercent) / 100
	c := int(free / ConnectionMiB)
	if d := t.DefaultMaxConnections(); c < d {
		return d
	}
	return c
}
