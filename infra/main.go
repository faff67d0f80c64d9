// Command infra is jiaoyi's CDK app. `make synth` runs it to write cdk.out/;
// the CDK CLI runs it for `make deploy` (see cdk.json). Context values:
//
//	stage            dev (default) or prod
//	assetDir         where `make build` put the zips (default build)
//	jwtIssuer        an external JWT issuer; unset creates a Cognito user pool
//	jwtAudience      comma-separated audiences for jwtIssuer
//	corsOrigins      comma-separated origins allowed by CORS (default none)
//	throttleRate     requests per second (default 1000), throttleBurst (2000)
//	paymentProvider  sandbox (default; refused in prod) or stripe
//	alarmEmail       subscribed to the alarms topic
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/jiaoyi-dev/jiaoyi/infra/stack"
)

func main() {
	defer jsii.Close()
	var props awscdk.AppProps
	if os.Getenv("CDK_OUTDIR") == "" {
		props.Outdir = jsii.String("cdk.out")
	}
	app := awscdk.NewApp(&props)
	get := func(key, def string) string {
		if v, ok := app.Node().TryGetContext(jsii.String(key)).(string); ok && v != "" {
			return v
		}
		return def
	}
	num := func(key string) float64 {
		n, _ := strconv.ParseFloat(get(key, "0"), 64)
		return n
	}
	list := func(key string) []string {
		var out []string
		for _, s := range strings.Split(get(key, ""), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	stage := get("stage", "dev")
	_, err := stack.New(app, "jiaoyi-"+stage, stack.Props{
		StackProps: awscdk.StackProps{
			Env:         &awscdk.Environment{Account: env("CDK_DEFAULT_ACCOUNT"), Region: env("CDK_DEFAULT_REGION")},
			Description: jsii.String("jiaoyi (" + stage + "): e-commerce, O2O and payments on Lambda"),
		},
		Stage: stage, AssetDir: get("assetDir", "build"),
		JWTIssuer: get("jwtIssuer", ""), JWTAudience: list("jwtAudience"), CORSOrigins: list("corsOrigins"),
		ThrottleRate: num("throttleRate"), ThrottleBurst: num("throttleBurst"),
		PaymentProvider: get("paymentProvider", "sandbox"), AlarmEmail: get("alarmEmail", ""),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	app.Synth(nil)
}

func env(k string) *string {
	if v := os.Getenv(k); v != "" {
		return &v
	}
	return nil
}
