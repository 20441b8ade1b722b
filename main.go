// Command django-gke is the Pulumi program; everything it declares is in infra.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/infra"
)

func main() {
	pulumi.Run(infra.Program)
}
