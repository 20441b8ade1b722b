package components

import (
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/infra/capacity"
)

// declareTrack declares one release track: its migrations Job (returned;
// none when migratedBy names another workload's), then its Deployment, HPA
// and PDB. Rolling has one unnamed track ("web"); blue/green has a track per
// color ("web-blue", "web-green").
func declareTrack(ctx *pulumi.Context, name string, k kubeObjects, t track, pod podParams, targetCPUPercent int, migratedBy []pulumi.Resource) (pulumi.Resource, error) {
	pod.image = t.image
	var job pulumi.Resource
	migrated := migratedBy
	if len(migratedBy) == 0 {
		j, err := declareMigrations(ctx, name, k, t, pod)
		if err != nil {
			return nil, err
		}
		job, migrated = j, []pulumi.Resource{j}
	}
	return job, declareServing(ctx, name, k, t, pod, targetCPUPercent, migrated)
}

// declareMigrations is the track's migrations Job: one per image digest,
// before the Deployment rolls. A failed migration fails the update and the
// old pods keep serving.
func declareMigrations(ctx *pulumi.Context, name string, k kubeObjects, t track, pod podParams) (pulumi.Resource, error) {
	migratePod := pod
	migratePod.labels = merge(k.labels, migrateLabels(), t.colorLabels())
	job, err := batchv1.NewJob(ctx, name+"-migrate"+t.suffix(), &batchv1.JobArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name: t.image.ToStringOutput().ApplyT(func(ref string) string {
				return migrationJobName(t.color, ref)
			}).(pulumi.StringOutput),
			Namespace: k.namespace,
			Labels:    pulumi.ToStringMap(migratePod.labels),
			// A Job that failed is replaced on the next `pulumi up` instead of being kept as failed.
			Annotations: pulumi.StringMap{"pulumi.com/replaceUnready": pulumi.String("true")},
		},
		Spec: &batchv1.JobSpecArgs{
			BackoffLimit: pulumi.Int(2),
			// IAM propagation (the proxy's first start) plus the migration itself.
			ActiveDeadlineSeconds:   pulumi.Int(iamPropagationSeconds + 600),
			TtlSecondsAfterFinished: pulumi.Int(7 * 24 * 3600),
			Template:                migratePodTemplate(migratePod),
		},
	}, k.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating migrations Job: %w", err)
	}
	return job, nil
}

// declareServing is the track's Deployment, HPA and PDB; the Deployment
// waits for the migrations.
func declareServing(ctx *pulumi.Context, name string, k kubeObjects, t track, pod podParams, targetCPUPercent int, migrations []pulumi.Resource) error {
	selector := merge(webLabels(), t.colorLabels())
	webPod := pod
	webPod.labels = merge(k.labels, selector)
	webPod.selector = selector
	deployment, err := appsv1.NewDeployment(ctx, name+"-web"+t.suffix(), &appsv1.DeploymentArgs{
		Metadata: k.meta(t.objectName(), selector, nil),
		Spec: &appsv1.DeploymentSpecArgs{
			// No replicas: the HPA owns the count (server-side apply would fight it).
			Selector:                &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
			RevisionHistoryLimit:    pulumi.Int(5),
			ProgressDeadlineSeconds: pulumi.Int(600),
			MinReadySeconds:         pulumi.Int(5),
			Strategy: &appsv1.DeploymentStrategyArgs{
				Type: pulumi.String("RollingUpdate"),
				RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{
					MaxUnavailable: pulumi.Int(0),
					MaxSurge:       pulumi.String(fmt.Sprintf("%d%%", capacity.RollingSurgeRatio)),
				},
			},
			Template: webPodTemplate(webPod),
		},
	}, k.opts(pulumi.DependsOn(migrations))...)
	if err != nil {
		return fmt.Errorf("creating Deployment: %w", err)
	}

	if _, err := autoscalingv2.NewHorizontalPodAutoscaler(ctx, name+"-hpa"+t.suffix(), &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: k.meta(t.objectName(), selector, nil),
		Spec: &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
			ScaleTargetRef: &autoscalingv2.CrossVersionObjectReferenceArgs{
				ApiVersion: pulumi.String("apps/v1"), Kind: pulumi.String("Deployment"), Name: deployment.Metadata.Name().Elem(),
			},
			MinReplicas: pulumi.Int(t.minReplicas),
			MaxReplicas: pulumi.Int(t.maxReplicas),
			// gunicorn's CPU only: the capacity model's TPS is per gunicorn CPU.
			Metrics: autoscalingv2.MetricSpecArray{autoscalingv2.MetricSpecArgs{
				Type: pulumi.String("ContainerResource"),
				ContainerResource: &autoscalingv2.ContainerResourceMetricSourceArgs{
					Container: pulumi.String("gunicorn"), Name: pulumi.String("cpu"),
					Target: &autoscalingv2.MetricTargetArgs{Type: pulumi.String("Utilization"), AverageUtilization: pulumi.Int(targetCPUPercent)},
				},
			}},
			Behavior: hpaBehavior(),
		},
	}, k.opts()...); err != nil {
		return fmt.Errorf("creating HorizontalPodAutoscaler: %w", err)
	}

	// maxUnavailable 1 never blocks a node drain, even at one replica.
	if _, err := policyv1.NewPodDisruptionBudget(ctx, name+"-pdb"+t.suffix(), &policyv1.PodDisruptionBudgetArgs{
		Metadata: k.meta(t.objectName(), selector, nil),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable:             pulumi.Int(1),
			Selector:                   &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
			UnhealthyPodEvictionPolicy: pulumi.String("AlwaysAllow"),
		},
	}, k.opts()...); err != nil {
		return fmt.Errorf("creating PodDisruptionBudget: %w", err)
	}
	return nil
}

// hpaBehavior scales up at once (doubling, or 4 pods, every 15 s) and down
// slowly: five quiet minutes, then at most half the pods a minute.
func hpaBehavior() *autoscalingv2.HorizontalPodAutoscalerBehaviorArgs {
	return &autoscalingv2.HorizontalPodAutoscalerBehaviorArgs{
		ScaleUp: &autoscalingv2.HPAScalingRulesArgs{
			StabilizationWindowSeconds: pulumi.Int(0),
			SelectPolicy:               pulumi.String("Max"),
			Policies: autoscalingv2.HPAScalingPolicyArray{
				autoscalingv2.HPAScalingPolicyArgs{Type: pulumi.String("Percent"), Value: pulumi.Int(100), PeriodSeconds: pulumi.Int(15)},
				autoscalingv2.HPAScalingPolicyArgs{Type: pulumi.String("Pods"), Value: pulumi.Int(4), PeriodSeconds: pulumi.Int(15)},
			},
		},
		ScaleDown: &autoscalingv2.HPAScalingRulesArgs{
			StabilizationWindowSeconds: pulumi.Int(300),
			SelectPolicy:               pulumi.String("Max"),
			Policies: autoscalingv2.HPAScalingPolicyArray{
				autoscalingv2.HPAScalingPolicyArgs{Type: pulumi.String("Percent"), Value: pulumi.Int(50), PeriodSeconds: pulumi.Int(60)},
			},
		},
	}
}
