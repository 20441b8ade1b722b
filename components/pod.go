package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/infra/capacity"
)

// ProxyImage is the Cloud SQL Auth Proxy the pod runs beside the app, from
// Google's registry. Pinned: an upgrade is a reviewed change. (The nginx
// image is WorkloadArgs.NginxImage: django-gke:image.nginx, pinned by digest.)
const ProxyImage = "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.3"

// Ports of the pod's containers. NginxPort is where the load balancer's NEGs
// send traffic; the proxy listens for the app on proxyListenPort and speaks to
// Cloud SQL's private IP on cloudSQLServerPort.
const (
	NginxPort          = 8080
	GunicornPort       = 8000
	proxyHealthPort    = 9090
	proxyListenPort    = 5432
	proxyReplicaPort   = 5433
	cloudSQLServerPort = 3307
)

// Users (and groups, the same numbers) of the pod's containers: all above
// 10000, so none is a user of the node. AppUID is the app image's own user
// (app/Dockerfile); ProxyUID the proxy image's "nonroot". nginx-unprivileged
// runs as any user: it reads its config and the static files (world-readable)
// and writes only under /tmp (an emptyDir), as app/nginx/nginx.conf says.
const (
	NginxUID = 10101
	AppUID   = 10001
	ProxyUID = 65532
)

// Shutdown timing. The load balancer keeps sending for a few seconds after a
// pod starts terminating (Google KB 000006416: without a preStop sleep, NEG
// backends answer 502 during rollouts), so nginx sleeps, then quits
// gracefully; gunicorn outlives nginx, then drains within its graceful timeout.
const (
	NginxPreStopSleep       = 10
	GunicornPreStopSleep    = 12
	GunicornGracefulTimeout = 25
)

// iamPropagationSeconds is how long a new IAM grant may take to work (Google:
// "typically within 2 minutes, in some cases 7 minutes or more"). The proxy's
// startup probe and the migrations Job give a first start that long, so a pod
// scheduled right after its grants neither gives up nor crash-loops.
const iamPropagationSeconds = 420

// terminationGracePeriod covers gunicorn's preStop sleep plus its graceful
// timeout with a margin, and is never under 30 s.
func terminationGracePeriod() int {
	return max(30, GunicornPreStopSleep+GunicornGracefulTimeout+8)
}

// podParams is what the app's pods are made of.
type podParams struct {
	image pulumi.StringInput
	// nginxImage is the nginx container's image.
	nginxImage string
	// cloudSQLInstance, when set, runs the Cloud SQL Auth Proxy beside the app.
	cloudSQLInstance pulumi.StringInput
	// replicaInstance, when set, is a second instance the proxy serves on proxyReplicaPort.
	replicaInstance pulumi.StringInput
	serviceAccount  string
	configMapName   pulumi.StringInput
	secretName      pulumi.StringInput
	nginxConfigMap  pulumi.StringInput
	// cacheCAConfigMap, when set, holds the cache server's CA, mounted for the app.
	cacheCAConfigMap pulumi.StringInput
	gunicornCPU      string
	gunicornMemory   string
	labels           map[string]string
	// selector is the subset of labels that identifies these pods.
	selector    map[string]string
	annotations pulumi.StringMapInput
}

// restrictedContext is the container security context the restricted Pod
// Security Standard asks for, as the given image user.
func restrictedContext(uid int) *corev1.SecurityContextArgs {
	return &corev1.SecurityContextArgs{
		RunAsNonRoot:             pulumi.Bool(true),
		RunAsUser:                pulumi.Int(uid),
		RunAsGroup:               pulumi.Int(uid),
		AllowPrivilegeEscalation: pulumi.Bool(false),
		ReadOnlyRootFilesystem:   pulumi.Bool(true),
		Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.StringArray{pulumi.String("ALL")}},
		SeccompProfile:           &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
	}
}

func podSecurityContext() *corev1.PodSecurityContextArgs {
	return &corev1.PodSecurityContextArgs{
		RunAsNonRoot:   pulumi.Bool(true),
		SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
	}
}

func resources(cpu, memory, memoryLimit string, ephemeralMiB int) *corev1.ResourceRequirementsArgs {
	// No CPU limit: throttling a WSGI worker mid-request only adds latency;
	// the memory limit protects the node. Ephemeral storage is requested in
	// full (see capacity.ContainerLogMiB): a node's disk is never overcommitted.
	storage := pulumi.String(mebibytes(ephemeralMiB))
	return &corev1.ResourceRequirementsArgs{
		Requests: pulumi.StringMap{"cpu": pulumi.String(cpu), "memory": pulumi.String(memory), "ephemeral-storage": storage},
		Limits:   pulumi.StringMap{"memory": pulumi.String(memoryLimit), "ephemeral-storage": storage},
	}
}

// sidecarResources are the requests the capacity model counts for a sidecar,
// with room to twice the memory before the limit.
func sidecarResources(cpuMilli, memoryMiB, ephemeralMiB int) *corev1.ResourceRequirementsArgs {
	return resources(fmt.Sprintf("%dm", cpuMilli), mebibytes(memoryMiB), mebibytes(2*memoryMiB), ephemeralMiB)
}

func mebibytes(n int) string { return fmt.Sprintf("%dMi", n) }

// emptyDir is a scratch volume bounded to what its writer was given (the
// kubelet evicts the pod beyond it).
func emptyDir(name string, sizeMiB int) corev1.VolumeArgs {
	return corev1.VolumeArgs{Name: pulumi.String(name), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.String(mebibytes(sizeMiB))}}
}

func httpGet(path string, port any) *corev1.HTTPGetActionArgs {
	return &corev1.HTTPGetActionArgs{Path: pulumi.String(path), Port: portInput(port)}
}

func portInput(port any) pulumi.Input {
	if s, ok := port.(string); ok {
		return pulumi.String(s)
	}
	return pulumi.Int(port.(int))
}

// proxyContainer is the Cloud SQL Auth Proxy as a native sidecar: an init
// container with restartPolicy Always starts before the app, stays up beside
// it, and stops after it, so a Job's pod can complete.
func proxyContainer(connectionName, replica pulumi.StringInput) corev1.ContainerArgs {
	instances := pulumi.StringArray{connectionName}
	if replica != nil {
		// The region's read replica on its own port (the proxy's per-instance query parameter).
		instances = append(instances, pulumi.Sprintf("%s?port=%d", replica, proxyReplicaPort))
	}
	return corev1.ContainerArgs{
		Name:          pulumi.String("cloud-sql-proxy"),
		Image:         pulumi.String(ProxyImage),
		RestartPolicy: pulumi.String("Always"),
		Args: append(pulumi.StringArray{
			pulumi.String("--private-ip"),
			pulumi.String(fmt.Sprintf("--port=%d", proxyListenPort)),
			pulumi.String("--structured-logs"),
			pulumi.String("--health-check"),
			pulumi.String("--http-address=0.0.0.0"),
			pulumi.Sprintf("--http-port=%d", proxyHealthPort),
			pulumi.String("--exit-zero-on-sigterm"),
		}, instances...),
		Ports: corev1.ContainerPortArray{corev1.ContainerPortArgs{Name: pulumi.String("proxy-health"), ContainerPort: pulumi.Int(proxyHealthPort)}},
		// The app starts only once the proxy has its certificates, which needs
		// the Workload Identity and cloudsql.client grants to have propagated.
		StartupProbe: &corev1.ProbeArgs{
			HttpGet: httpGet("/startup", proxyHealthPort), PeriodSeconds: pulumi.Int(2), FailureThreshold: pulumi.Int(iamPropagationSeconds / 2),
		},
		LivenessProbe: &corev1.ProbeArgs{
			HttpGet: httpGet("/liveness", proxyHealthPort), PeriodSeconds: pulumi.Int(10), TimeoutSeconds: pulumi.Int(5), FailureThreshold: pulumi.Int(3),
		},
		Resources:       sidecarResources(capacity.ProxyCPUMilli, capacity.ProxyMemoryMiB, capacity.ProxyEphemeralMiB),
		SecurityContext: restrictedContext(ProxyUID),
	}
}

// appEnv is how the gunicorn and migrate containers get their settings: the
// ConfigMap and the Secret as environment, plus the container's CPU request.
func appEnv(p podParams, container string) (corev1.EnvFromSourceArray, corev1.EnvVarArray) {
	from := corev1.EnvFromSourceArray{
		corev1.EnvFromSourceArgs{ConfigMapRef: &corev1.ConfigMapEnvSourceArgs{Name: p.configMapName}},
		corev1.EnvFromSourceArgs{SecretRef: &corev1.SecretEnvSourceArgs{Name: p.secretName}},
	}
	env := corev1.EnvVarArray{corev1.EnvVarArgs{
		Name: pulumi.String("GUNICORN_CPU_MILLICORES"),
		ValueFrom: &corev1.EnvVarSourceArgs{ResourceFieldRef: &corev1.ResourceFieldSelectorArgs{
			ContainerName: pulumi.String(container), Resource: pulumi.String("requests.cpu"), Divisor: pulumi.String("1m"),
		}},
	}}
	return from, env
}

// webPodTemplate is the app pod: nginx in front of gunicorn, the Cloud SQL
// proxy as a native sidecar, and an init container that copies the image's
// collected static files to the volume nginx serves.
func webPodTemplate(p podParams) *corev1.PodTemplateSpecArgs {
	envFrom, env := appEnv(p, "gunicorn")
	mount := func(name, path string, readOnly bool) corev1.VolumeMountArgs {
		return corev1.VolumeMountArgs{Name: pulumi.String(name), MountPath: pulumi.String(path), ReadOnly: pulumi.Bool(readOnly)}
	}
	nginx := corev1.ContainerArgs{
		Name:  pulumi.String("nginx"),
		Image: pulumi.String(p.nginxImage),
		Ports: corev1.ContainerPortArray{corev1.ContainerPortArgs{Name: pulumi.String("http"), ContainerPort: pulumi.Int(NginxPort)}},
		// Readiness goes through nginx to Django and the database: can this pod serve?
		ReadinessProbe: &corev1.ProbeArgs{
			HttpGet: httpGet("/readyz", "http"), PeriodSeconds: pulumi.Int(5), TimeoutSeconds: pulumi.Int(4),
			FailureThreshold: pulumi.Int(2), SuccessThreshold: pulumi.Int(1),
		},
		// Liveness is nginx's own: accepting connections. A database outage restarts nothing.
		LivenessProbe: &corev1.ProbeArgs{
			TcpSocket: &corev1.TCPSocketActionArgs{Port: pulumi.String("http")}, PeriodSeconds: pulumi.Int(10),
			TimeoutSeconds: pulumi.Int(2), FailureThreshold: pulumi.Int(3),
		},
		Lifecycle: &corev1.LifecycleArgs{PreStop: &corev1.LifecycleHandlerArgs{Exec: &corev1.ExecActionArgs{Command: pulumi.StringArray{
			pulumi.String("/bin/sh"), pulumi.String("-c"),
			pulumi.Sprintf("sleep %d; nginx -s quit; while [ -e /tmp/nginx.pid ]; do sleep 1; done", NginxPreStopSleep),
		}}}},
		Resources:       sidecarResources(capacity.NginxCPUMilli, capacity.NginxMemoryMiB, capacity.NginxEphemeralMiB),
		SecurityContext: restrictedContext(NginxUID),
		VolumeMounts: corev1.VolumeMountArray{
			corev1.VolumeMountArgs{Name: pulumi.String("nginx-conf"), MountPath: pulumi.String("/etc/nginx/nginx.conf"), SubPath: pulumi.String("nginx.conf"), ReadOnly: pulumi.Bool(true)},
			mount("static", "/static", true),
			mount("nginx-tmp", "/tmp", false),
		},
	}
	gunicorn := corev1.ContainerArgs{
		Name:    pulumi.String("gunicorn"),
		Image:   p.image,
		EnvFrom: envFrom,
		Env:     env,
		Ports:   corev1.ContainerPortArray{corev1.ContainerPortArgs{Name: pulumi.String("gunicorn"), ContainerPort: pulumi.Int(GunicornPort)}},
		// Slow starts (imports, first connection) get up to a minute before liveness counts.
		StartupProbe: &corev1.ProbeArgs{
			HttpGet: httpGet("/healthz", "gunicorn"), PeriodSeconds: pulumi.Int(2), TimeoutSeconds: pulumi.Int(2), FailureThreshold: pulumi.Int(30),
		},
		// Process-only: /healthz never touches the database.
		LivenessProbe: &corev1.ProbeArgs{
			HttpGet: httpGet("/healthz", "gunicorn"), PeriodSeconds: pulumi.Int(10), TimeoutSeconds: pulumi.Int(3), FailureThreshold: pulumi.Int(3),
		},
		Lifecycle: &corev1.LifecycleArgs{PreStop: &corev1.LifecycleHandlerArgs{Exec: &corev1.ExecActionArgs{Command: pulumi.StringArray{
			pulumi.String("sleep"), pulumi.Sprintf("%d", GunicornPreStopSleep),
		}}}},
		Resources:       resources(p.gunicornCPU, p.gunicornMemory, p.gunicornMemory, capacity.GunicornEphemeralMiB),
		SecurityContext: restrictedContext(AppUID),
		VolumeMounts:    p.appMounts(mount("gunicorn-tmp", "/tmp", false)),
	}
	static := corev1.ContainerArgs{
		Name:            pulumi.String("static"),
		Image:           p.image,
		Command:         pulumi.StringArray{pulumi.String("cp"), pulumi.String("-R"), pulumi.String("/app/staticfiles/."), pulumi.String("/static/")},
		Resources:       resources("50m", "64Mi", "128Mi", capacity.StaticEphemeralMiB),
		SecurityContext: restrictedContext(AppUID),
		VolumeMounts:    corev1.VolumeMountArray{mount("static", "/static", false)},
	}
	spread := func(key string) corev1.TopologySpreadConstraintArgs {
		return corev1.TopologySpreadConstraintArgs{
			MaxSkew:     pulumi.Int(1),
			TopologyKey: pulumi.String(key),
			// ScheduleAnyway: when a zone is down, pods must still land in the others.
			WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
			LabelSelector:     &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(p.selector)},
			MatchLabelKeys:    pulumi.StringArray{pulumi.String("pod-template-hash")},
		}
	}
	return &corev1.PodTemplateSpecArgs{
		Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(p.labels), Annotations: p.annotations},
		Spec: &corev1.PodSpecArgs{
			ServiceAccountName: pulumi.String(p.serviceAccount),
			// Workload Identity needs no Kubernetes token; the app never calls the API server.
			AutomountServiceAccountToken:  pulumi.Bool(false),
			EnableServiceLinks:            pulumi.Bool(false),
			TerminationGracePeriodSeconds: pulumi.Int(terminationGracePeriod()),
			SecurityContext:               podSecurityContext(),
			InitContainers:                p.initContainers(static),
			Containers:                    corev1.ContainerArray{nginx, gunicorn},
			TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{
				spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname"),
			},
			Volumes: p.appVolumes(
				corev1.VolumeArgs{Name: pulumi.String("nginx-conf"), ConfigMap: &corev1.ConfigMapVolumeSourceArgs{Name: p.nginxConfigMap}},
				emptyDir("static", capacity.StaticFilesMiB), emptyDir("nginx-tmp", capacity.NginxTmpMiB),
				emptyDir("gunicorn-tmp", capacity.GunicornTmpMiB),
			),
		},
	}
}

// migratePodTemplate runs `manage.py migrate` once, with the proxy beside it.
func migratePodTemplate(p podParams) *corev1.PodTemplateSpecArgs {
	envFrom, env := appEnv(p, "migrate")
	return &corev1.PodTemplateSpecArgs{
		Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(p.labels)},
		Spec: &corev1.PodSpecArgs{
			ServiceAccountName:           pulumi.String(p.serviceAccount),
			AutomountServiceAccountToken: pulumi.Bool(false),
			EnableServiceLinks:           pulumi.Bool(false),
			RestartPolicy:                pulumi.String("Never"),
			SecurityContext:              podSecurityContext(),
			InitContainers:               p.initContainers(),
			Containers: corev1.ContainerArray{corev1.ContainerArgs{
				Name:            pulumi.String("migrate"),
				Image:           p.image,
				Command:         pulumi.StringArray{pulumi.String("python"), pulumi.String("manage.py"), pulumi.String("migrate"), pulumi.String("--noinput")},
				EnvFrom:         envFrom,
				Env:             env,
				Resources:       resources(p.gunicornCPU, p.gunicornMemory, p.gunicornMemory, capacity.MigrateEphemeralMiB),
				SecurityContext: restrictedContext(AppUID),
				VolumeMounts:    p.appMounts(corev1.VolumeMountArgs{Name: pulumi.String("tmp"), MountPath: pulumi.String("/tmp")}),
			}},
			Volumes: p.appVolumes(emptyDir("tmp", capacity.MigrateTmpMiB)),
		},
	}
}

// cacheCAVolume names the volume of the cache server's CA.
const cacheCAVolume = "redis-ca"

// appVolumes are the given volumes plus the cache server's CA, when there is one.
func (p podParams) appVolumes(vs ...corev1.VolumeInput) corev1.VolumeArray {
	if p.cacheCAConfigMap != nil {
		vs = append(vs, corev1.VolumeArgs{Name: pulumi.String(cacheCAVolume), ConfigMap: &corev1.ConfigMapVolumeSourceArgs{Name: p.cacheCAConfigMap}})
	}
	return vs
}

// appMounts are an app container's mounts plus the cache server's CA (read-only).
func (p podParams) appMounts(ms ...corev1.VolumeMountInput) corev1.VolumeMountArray {
	if p.cacheCAConfigMap != nil {
		ms = append(ms, corev1.VolumeMountArgs{Name: pulumi.String(cacheCAVolume), MountPath: pulumi.String(cacheCADir), ReadOnly: pulumi.Bool(true)})
	}
	return ms
}

// initContainers are the given ones followed by the proxy sidecar, when there is one.
func (p podParams) initContainers(first ...corev1.ContainerInput) corev1.ContainerArray {
	if p.cloudSQLInstance != nil {
		first = append(first, proxyContainer(p.cloudSQLInstance, p.replicaInstance))
	}
	return first
}
