package components

import (
	"fmt"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/artifactregistry"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/organizations"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/infra/imageref"
	"django-gke/infra/outputs"
)

// imageName is the repository path of the app's image inside its registry.
const imageName = imageref.ImageName

// ImageArgs says where the app's image comes from: built here (dev), or the
// exact digest of another stack (promotion) or of config, copied into this
// stack's own registry.
type ImageArgs struct {
	Build bool
	// The stack's own registry (every GCP stack has one) and the build inputs.
	Project, Region, Repository string
	Context, Dockerfile, Tag    string
	// Promotion inputs: Ref wins over PromoteFrom (a stack "<org>/<project>/<stack>").
	Ref, PromoteFrom string
	// Readers are IAM members (the nodes' service account) that pull the image.
	Readers []pulumi.StringInput
	Labels  map[string]string
}

// Image is the app image the stack deploys, always as repo@sha256:<digest>
// in the stack's own registry: destroying or cleaning up another stack's
// registry never removes what this one runs, and no stack needs rights on
// another's registry.
type Image struct {
	pulumi.ResourceState

	// ImageRef is the digest reference: a new push changes it and rolls the pods.
	ImageRef pulumi.StringOutput `pulumi:"imageRef"`
	// SourceRef is where a promoted image is copied from (`make promote`
	// copies it, digest unchanged, before `up`); the built image itself in dev.
	SourceRef pulumi.StringOutput `pulumi:"sourceRef"`
	// Grants are the registry read grants: pods pulling before them fail.
	Grants []pulumi.Resource
}

// The reference helpers live in infra/imageref (pure, shared with cmd/promote).

// NewImage declares the registry and the build (Build), or resolves the promoted digest.
func NewImage(ctx *pulumi.Context, name string, args *ImageArgs, opts ...pulumi.ResourceOption) (*Image, error) {
	img := &Image{}
	if err := ctx.RegisterComponentResource("django-gke:components:Image", name, img, opts...); err != nil {
		return nil, err
	}
	child := childrenOf(img, opts)
	repo, err := registry(ctx, name, img, args, child)
	if err != nil {
		return nil, err
	}
	if args.Build {
		img.ImageRef, err = buildImage(ctx, name, img, repo, args, child)
		img.SourceRef = img.ImageRef
	} else {
		img.SourceRef, err = promotionSource(ctx, name, img, args)
		if err == nil {
			region, project, repository := args.Region, args.Project, args.Repository
			// ApplyT to change shape: the source's digest, this registry's path.
			img.ImageRef = pulumi.All(img.SourceRef, repo.RepositoryId).ApplyT(func(v []any) (string, error) {
				return imageref.PromotedRef(region, project, repository, v[0].(string))
			}).(pulumi.StringOutput)
		}
	}
	if err != nil {
		return nil, err
	}
	return img, ctx.RegisterResourceOutputs(img, pulumi.Map{"imageRef": img.ImageRef, "sourceRef": img.SourceRef})
}

// registry is the stack's own Artifact Registry repository, readable by its nodes.
func registry(ctx *pulumi.Context, name string, img *Image, args *ImageArgs, child children) (*artifactregistry.Repository, error) {
	// dev's builds: keep the last 50 whatever their age, delete the rest after
	// 90 days. Promoted copies: keep the last 20 promotions (what runs is the
	// newest), delete the rest after a year. Keep rules win over delete rules.
	keep, deleteAfter, description := 50, "7776000s", "django-gke app images built by this stack"
	if !args.Build {
		keep, deleteAfter, description = 20, "31536000s", "django-gke app images promoted to this stack, by digest"
	}
	repo, err := artifactregistry.NewRepository(ctx, name+"-registry", &artifactregistry.RepositoryArgs{
		RepositoryId: pulumi.String(args.Repository),
		Location:     pulumi.String(args.Region),
		Format:       pulumi.String("DOCKER"),
		Description:  pulumi.String(description),
		CleanupPolicies: artifactregistry.RepositoryCleanupPolicyArray{
			artifactregistry.RepositoryCleanupPolicyArgs{
				Id:                 pulumi.String("keep-recent"),
				Action:             pulumi.String("KEEP"),
				MostRecentVersions: &artifactregistry.RepositoryCleanupPolicyMostRecentVersionsArgs{KeepCount: pulumi.Int(keep)},
			},
			artifactregistry.RepositoryCleanupPolicyArgs{
				Id:        pulumi.String("delete-old"),
				Action:    pulumi.String("DELETE"),
				Condition: &artifactregistry.RepositoryCleanupPolicyConditionArgs{TagState: pulumi.String("ANY"), OlderThan: pulumi.String(deleteAfter)},
			},
		},
		CleanupPolicyDryRun: pulumi.Bool(false),
		Labels:              pulumi.ToStringMap(args.Labels),
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating Artifact Registry repository: %w", err)
	}
	for i, member := range args.Readers {
		grant, err := artifactregistry.NewRepositoryIamMember(ctx, fmt.Sprintf("%s-registry-reader-%d", name, i), &artifactregistry.RepositoryIamMemberArgs{
			Project:    pulumi.String(args.Project),
			Location:   repo.Location,
			Repository: repo.Name,
			Role:       pulumi.String("roles/artifactregistry.reader"),
			Member:     member,
		}, child.opts()...)
		if err != nil {
			return nil, fmt.Errorf("granting registry read: %w", err)
		}
		img.Grants = append(img.Grants, grant)
	}
	return repo, nil
}

func buildImage(ctx *pulumi.Context, name string, img *Image, repo *artifactregistry.Repository, args *ImageArgs, child children) (pulumi.StringOutput, error) {
	registry := args.Region + "-docker.pkg.dev"
	// A short-lived token of the deployer's own credentials: no JSON key anywhere.
	token := organizations.GetClientConfigOutput(ctx, pulumi.Parent(img)).AccessToken()
	image, err := docker.NewImage(ctx, name+"-image", &docker.ImageArgs{
		ImageName: pulumi.Sprintf("%s/%s/%s/%s:%s", registry, args.Project, repo.RepositoryId, imageName, args.Tag),
		Build: &docker.DockerBuildArgs{
			Context:        pulumi.String(args.Context),
			Dockerfile:     pulumi.String(args.Dockerfile),
			Platform:       pulumi.String("linux/amd64"),
			BuilderVersion: docker.BuilderVersionBuilderBuildKit,
		},
		Registry: &docker.RegistryArgs{
			Server:   pulumi.String(registry),
			Username: pulumi.String("oauth2accesstoken"),
			Password: pulumi.ToSecret(token).(pulumi.StringOutput),
		},
		BuildOnPreview: pulumi.Bool(false),
	}, child.opts(pulumi.DependsOn([]pulumi.Resource{repo}))...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("building the app image: %w", err)
	}
	// The digest, never the tag: a new push changes it and rolls the pods.
	return image.RepoDigest, nil
}

// promotionSource is the digest to promote: image.ref, or the imageRef output
// of the stack promoted from.
func promotionSource(ctx *pulumi.Context, name string, img *Image, args *ImageArgs) (pulumi.StringOutput, error) {
	if args.Ref != "" {
		return pulumi.String(args.Ref).ToStringOutput(), nil
	}
	// Parented only: it reads another stack, nothing on GCP. Waiting for the
	// APIs (the component's DependsOn) would leave it unknown in a first
	// preview, and GetOutput fails on an unknown stack ("failed to convert
	// stack output … to object"), which the real engine showed and mocks did not.
	source, err := pulumi.NewStackReference(ctx, name+"-promote-from", &pulumi.StackReferenceArgs{
		Name: pulumi.String(args.PromoteFrom),
	}, pulumi.Parent(img))
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("referencing stack %s: %w", args.PromoteFrom, err)
	}
	from := args.PromoteFrom
	// ApplyT to check the shape: only a digest from Artifact Registry is deployable.
	return source.GetOutput(pulumi.String(outputs.ImageRef)).ApplyT(func(v interface{}) (string, error) {
		s, _ := v.(string)
		if _, _, _, ok := imageref.ParseArtifactRegistryRef(s); !ok {
			return "", fmt.Errorf("stack %s exports imageRef %q, not an Artifact Registry digest (…-docker.pkg.dev/<project>/<repo>/<image>@sha256:…): run `pulumi up` on %s first", from, s, from)
		}
		return s, nil
	}).(pulumi.StringOutput), nil
}
