package stack_test

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/jiaoyi-dev/jiaoyi/infra/stack"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
)

// template is a synthesized CloudFormation template.
type template struct {
	Resources map[string]resourceDef `json:"Resources"`
}

type resourceDef struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DeletionPolicy string         `json:"DeletionPolicy"`
}

// stackSizes counts each synthesized stack's resources, per stage and
// stack path (the root and every area's nested stack).
var stackSizes = map[string]map[string]int{}

func (t template) ofType(typ string) []map[string]any {
	var out []map[string]any
	for _, r := range t.Resources {
		if r.Type == typ {
			out = append(out, r.Properties)
		}
	}
	return out
}

var (
	synthOnce sync.Once
	templates map[string]template
	synthErr  error
)

// synth builds both stages once (jsii makes each synthesis cost seconds).
func synth(t *testing.T) map[string]template {
	t.Helper()
	synthOnce.Do(func() {
		os.Setenv("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
		os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
		assets, err := os.MkdirTemp("", "jiaoyi-assets")
		if err != nil {
			synthErr = err
			return
		}
		for _, fn := range stack.Functions() {
			if err := placeholderZip(filepath.Join(assets, strings.ReplaceAll(fn, "/", "-")+".zip")); err != nil {
				synthErr = err
				return
			}
		}
		templates = map[string]template{}
		for _, stage := range stack.Stages {
			app := awscdk.NewApp(nil)
			provider := map[string]string{"dev": "sandbox", "prod": "stripe"}[stage]
			st, err := stack.New(app, "jiaoyi-"+stage, stack.Props{Stage: stage, AssetDir: assets, CORSOrigins: []string{"https://shop.example.com"}, PaymentProvider: provider})
			if err != nil {
				synthErr = err
				return
			}
			// The stage's resources, its areas' nested stacks included, as
			// one template; each stack's own count kept for the limit.
			tpl := template{Resources: map[string]resourceDef{}}
			stacks := []awscdk.Stack{st}
			for _, c := range *st.Node().Children() {
				if *awscdk.NestedStack_IsNestedStack(c) {
					stacks = append(stacks, awscdk.Stack_Of(c))
				}
			}
			for _, s := range stacks {
				raw, err := json.Marshal(assertions.Template_FromStack(s, nil).ToJSON())
				if err != nil {
					synthErr = err
					return
				}
				var one template
				if synthErr = json.Unmarshal(raw, &one); synthErr != nil {
					return
				}
				for k, r := range one.Resources {
					tpl.Resources[*s.StackName()+"/"+k] = r
				}
				if stackSizes[stage] == nil {
					stackSizes[stage] = map[string]int{}
				}
				stackSizes[stage][*s.Node().Path()] = len(one.Resources)
			}
			templates[stage] = tpl
		}
	})
	if synthErr != nil {
		t.Fatalf("synth: %v", synthErr)
	}
	return templates
}

func placeholderZip(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	w, err := zw.Create("bootstrap")
	if err != nil {
		return err
	}
	_, _ = w.Write([]byte("placeholder"))
	return zw.Close()
}

func TestEveryFunctionIsArm64OnAL2023WithTracingAndLogRetention(t *testing.T) {
	tpl := synth(t)["dev"]
	fns := tpl.ofType("AWS::Lambda::Function")
	if got, want := len(fns), len(stack.Functions()); got != want {
		t.Fatalf("%d functions, want %d", got, want)
	}
	for _, f := range fns {
		name := f["FunctionName"]
		if f["Runtime"] != "provided.al2023" || f["Handler"] != "bootstrap" {
			t.Errorf("%v: runtime %v handler %v", name, f["Runtime"], f["Handler"])
		}
		if archs, _ := f["Architectures"].([]any); len(archs) != 1 || archs[0] != "arm64" {
			t.Errorf("%v: architectures %v, want [arm64]", name, f["Architectures"])
		}
		if tc, _ := f["TracingConfig"].(map[string]any); tc["Mode"] != "Active" {
			t.Errorf("%v: tracing %v", name, f["TracingConfig"])
		}
		if f["LoggingConfig"] == nil {
			t.Errorf("%v: no log group of its area", name)
		}
	}
	for _, lg := range tpl.ofType("AWS::Logs::LogGroup") {
		if lg["RetentionInDays"] == nil {
			t.Errorf("log group %v keeps logs forever", lg["LogGroupName"])
		}
	}
}

func TestEveryQueueHasADeadLetterQueue(t *testing.T) {
	tpl := synth(t)["dev"]
	queues := tpl.ofType("AWS::SQS::Queue")
	if got, want := len(queues), 2*len(resource.Queues()); got != want {
		t.Fatalf("%d queues, want %d (each with a DLQ)", got, want)
	}
	redriven := 0
	for _, q := range queues {
		name, _ := q["QueueName"].(string)
		if strings.Contains(name, "-dlq") {
			continue
		}
		rp, _ := q["RedrivePolicy"].(map[string]any)
		if rp == nil || rp["maxReceiveCount"] == nil || rp["deadLetterTargetArn"] == nil {
			t.Errorf("queue %s has no redrive policy", name)
		}
		redriven++
	}
	if redriven != len(resource.Queues()) {
		t.Errorf("%d queues with redrive, want %d", redriven, len(resource.Queues()))
	}
	// Queue and stream consumers report partial batch failures.
	maps := tpl.ofType("AWS::Lambda::EventSourceMapping")
	want := 0
	for _, c := range routes.Consumers() {
		if c.Queue != nil || c.Stream != nil {
			want++
		}
	}
	if len(maps) != want {
		t.Errorf("%d event source mappings, want %d", len(maps), want)
	}
	for _, m := range maps {
		if types, _ := m["FunctionResponseTypes"].([]any); len(types) != 1 || types[0] != "ReportBatchItemFailures" {
			t.Errorf("event source mapping without ReportBatchItemFailures: %v", m)
		}
	}
}

func TestIAMHasNoWildcards(t *testing.T) {
	tpl := synth(t)["dev"]
	for _, pol := range tpl.ofType("AWS::IAM::Policy") {
		doc, _ := pol["PolicyDocument"].(map[string]any)
		stmts, _ := doc["Statement"].([]any)
		for _, s := range stmts {
			st, _ := s.(map[string]any)
			actions := strs(st["Action"])
			for _, a := range actions {
				if a == "*" || strings.HasSuffix(a, ":*") {
					t.Errorf("wildcard action %s in %v", a, pol["PolicyName"])
				}
			}
			for _, r := range strs(st["Resource"]) {
				if r == "*" && !allXRay(actions) {
					t.Errorf("wildcard resource for %v in %v", actions, pol["PolicyName"])
				}
			}
		}
	}
}

func allXRay(actions []string) bool {
	for _, a := range actions {
		if !strings.HasPrefix(a, "xray:") {
			return false
		}
	}
	return len(actions) > 0
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func TestTablesAreOnDemandWithPITRAndProtectionInProd(t *testing.T) {
	for stage, tpl := range synth(t) {
		tables := tpl.ofType("AWS::DynamoDB::GlobalTable")
		if len(tables) != len(resource.Tables()) {
			t.Fatalf("%s: %d tables, want %d", stage, len(tables), len(resource.Tables()))
		}
		for _, def := range resource.Tables() {
			var tbl map[string]any
			for _, x := range tables {
				if x["TableName"] == def.PhysicalName("jiaoyi-"+stage+"-") {
					tbl = x
				}
			}
			if tbl == nil {
				t.Fatalf("%s: table %s missing", stage, def.Name)
			}
			if tbl["BillingMode"] != "PAY_PER_REQUEST" {
				t.Errorf("%s %s: billing %v", stage, def.Name, tbl["BillingMode"])
			}
			rep, _ := tbl["Replicas"].([]any)
			r0, _ := rep[0].(map[string]any)
			pitr, _ := r0["PointInTimeRecoverySpecification"].(map[string]any)
			if got := pitr["PointInTimeRecoveryEnabled"] == true; got != def.PointInTimeRecovery {
				t.Errorf("%s %s: PITR %v, want %v", stage, def.Name, got, def.PointInTimeRecovery)
			}
			if got := r0["DeletionProtectionEnabled"] == true; got != (stage == "prod") {
				t.Errorf("%s %s: deletion protection %v", stage, def.Name, got)
			}
			if got := tbl["StreamSpecification"] != nil; got != def.Stream {
				t.Errorf("%s %s: stream %v, want %v", stage, def.Name, got, def.Stream)
			}
			if got := tbl["TimeToLiveSpecification"] != nil; got != (def.TTLAttribute != "") {
				t.Errorf("%s %s: ttl %v", stage, def.Name, got)
			}
		}
		for id, r := range tpl.Resources {
			if r.Type == "AWS::DynamoDB::GlobalTable" || r.Type == "AWS::SQS::Queue" {
				if want := map[string]string{"prod": "Retain", "dev": "Delete"}[stage]; r.DeletionPolicy != want {
					t.Errorf("%s %s: deletion policy %q, want %q", stage, id, r.DeletionPolicy, want)
				}
			}
		}
	}
}

func TestEveryRouteIsPresentAndAuthorizedAsDeclared(t *testing.T) {
	tpl := synth(t)["dev"]
	got := map[string]string{}
	for _, r := range tpl.ofType("AWS::ApiGatewayV2::Route") {
		key, _ := r["RouteKey"].(string)
		auth, _ := r["AuthorizationType"].(string)
		got[key] = auth
	}
	for _, r := range routes.All() {
		auth, ok := got[r.Key()]
		if !ok {
			t.Errorf("route %s missing", r.Key())
			continue
		}
		want := "JWT"
		if r.Public() {
			want = "NONE"
		}
		if auth != want {
			t.Errorf("route %s: authorization %q, want %q", r.Key(), auth, want)
		}
	}
	if len(got) != len(routes.All()) {
		t.Errorf("%d routes, want %d: %v", len(got), len(routes.All()), got)
	}
	stages := tpl.ofType("AWS::ApiGatewayV2::Stage")
	if len(stages) != 1 || stages[0]["AccessLogSettings"] == nil || stages[0]["DefaultRouteSettings"] == nil {
		t.Errorf("stage: %v, want access logs and throttling", stages)
	}
	prodRoutes := map[string]bool{}
	for _, r := range synth(t)["prod"].ofType("AWS::ApiGatewayV2::Route") {
		key, _ := r["RouteKey"].(string)
		prodRoutes[key] = true
	}
	if !prodRoutes["POST /webhooks/stripe"] || prodRoutes["POST /webhooks/{provider}"] || prodRoutes["POST /webhooks/sandbox"] {
		t.Errorf("prod webhook routes: want only the chosen provider's, got stripe %v, {provider} %v",
			prodRoutes["POST /webhooks/stripe"], prodRoutes["POST /webhooks/{provider}"])
	}
	api := tpl.ofType("AWS::ApiGatewayV2::Api")
	if len(api) != 1 || api[0]["CorsConfiguration"] == nil {
		t.Errorf("api: %v, want CORS from context", api)
	}
}

func TestSchedulesAndAlarms(t *testing.T) {
	tpl := synth(t)["dev"]
	var want []string
	for _, c := range routes.Consumers() {
		if c.Every > 0 {
			want = append(want, "jiaoyi-dev-"+strings.ReplaceAll(c.Function, "/", "-"))
		}
	}
	var got []string
	for _, s := range tpl.ofType("AWS::Scheduler::Schedule") {
		got = append(got, s["Name"].(string))
		if !strings.HasPrefix(s["ScheduleExpression"].(string), "rate(") {
			t.Errorf("schedule %v: %v", s["Name"], s["ScheduleExpression"])
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("schedules %v, want %v", got, want)
	}
	alarms := tpl.ofType("AWS::CloudWatch::Alarm")
	// A DLQ and an oldest-message alarm per queue, one for errors and
	// throttles per function, API 5xx, and the outbox backlog, refunds pending over an
	// hour, mismatched payments and unmatched reconciliation lines.
	if wantN := 2*len(resource.Queues()) + len(stack.Functions()) + 1 + 4; len(alarms) != wantN {
		t.Errorf("%d alarms, want %d", len(alarms), wantN)
	}
}

// Secrets are read from Secrets Manager at cold start, by the functions
// that use them only: no secret value or plain secret variable in any
// function's configuration.
func TestSecretsOnlyWhereUsed(t *testing.T) {
	for stage, tpl := range synth(t) {
		for _, f := range tpl.ofType("AWS::Lambda::Function") {
			name, _ := f["FunctionName"].(string)
			env, _ := f["Environment"].(map[string]any)
			vars, _ := env["Variables"].(map[string]any)
			_, webhook := vars["JIAOYI_SECRET_WEBHOOKS"]
			_, apiKey := vars["JIAOYI_SECRET_PAYMENT_API"]
			verifies := strings.HasSuffix(name, "receive-webhook") || strings.HasSuffix(name, "carrier-webhook")
			if webhook != verifies {
				t.Errorf("%s %s: webhook secret %v", stage, name, webhook)
			}
			if apiKey && (verifies || strings.Contains(name, "-search-") || strings.Contains(name, "-catalog-")) {
				t.Errorf("%s %s: has the payment API key but never calls the provider", stage, name)
			}
			if stage == "prod" && strings.HasSuffix(name, "place-order") && !apiKey {
				t.Errorf("%s %s: places orders at Stripe without its key", stage, name)
			}
			for _, plain := range []string{"STRIPE_API_KEY", "JIAOYI_WEBHOOK_SECRETS_SANDBOX", "JIAOYI_WEBHOOK_SECRETS_STRIPE", "JIAOYI_WEBHOOK_SECRETS_CARRIERS"} {
				if _, ok := vars[plain]; ok {
					t.Errorf("%s %s: %s in plain configuration", stage, name, plain)
				}
			}
		}
	}
}

func TestProdRefusesTheSandbox(t *testing.T) {
	synth(t)
	for _, provider := range []string{"", "sandbox", "paypal"} {
		if _, err := stack.New(awscdk.NewApp(nil), "x", stack.Props{Stage: "prod", PaymentProvider: provider}); err == nil {
			t.Errorf("prod with provider %q synthesized", provider)
		}
	}
}

func TestUnknownStageIsRefused(t *testing.T) {
	synth(t)
	if _, err := stack.New(awscdk.NewApp(nil), "x", stack.Props{Stage: "qa"}); err == nil {
		t.Error("want an error for an unknown stage")
	}
}

// The search snapshot bucket is private, encrypted and TLS-only; the
// catalog table streams its changes to the index rebuild.
func TestSearchBucketAndCatalogStream(t *testing.T) {
	tpl := synth(t)["prod"]
	buckets := tpl.ofType("AWS::S3::Bucket")
	if len(buckets) != len(resource.Buckets()) {
		t.Fatalf("%d buckets, want %d", len(buckets), len(resource.Buckets()))
	}
	for _, b := range buckets {
		pab, _ := b["PublicAccessBlockConfiguration"].(map[string]any)
		if pab["BlockPublicAcls"] != true || pab["RestrictPublicBuckets"] != true {
			t.Errorf("bucket not private: %v", b)
		}
		if b["BucketEncryption"] == nil {
			t.Errorf("bucket not encrypted: %v", b)
		}
	}
	if len(tpl.ofType("AWS::S3::BucketPolicy")) != len(resource.Buckets()) {
		t.Error("want a TLS-only bucket policy per bucket")
	}
	streams := 0
	for _, tbl := range tpl.ofType("AWS::DynamoDB::GlobalTable") {
		if tbl["StreamSpecification"] != nil {
			streams++
		}
	}
	if streams == 0 {
		t.Error("no table streams its changes")
	}
}

// CloudFormation refuses a stack of more than 500 resources; keep room so
// that a new function fails here, with advice, before it fails a deploy.
func TestStackStaysUnderTheResourceLimit(t *testing.T) {
	synth(t)
	for stage, sizes := range stackSizes {
		if len(sizes) < 2 {
			t.Errorf("%s: %d stacks, want the root and a nested stack per area", stage, len(sizes))
		}
		for path, n := range sizes {
			t.Logf("%s %s: %d resources", stage, path, n)
			if n > 400 {
				t.Errorf("%s %s: %d resources of CloudFormation's 500: split it further before adding more", stage, path, n)
			}
		}
	}
}
