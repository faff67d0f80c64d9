// Package stack is jiaoyi's CDK stack: every AWS resource, built from the
// same Go definitions the functions and `make run` use (internal/resource
// for tables and queues, internal/routes for routes, consumers and
// schedules), so nothing is named twice.
package stack

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
)

// Props configure the stack.
type Props struct {
	awscdk.StackProps
	// Stage is "dev" or "prod"; prod keeps data (retain, deletion
	// protection) and logs longer.
	Stage string
	// AssetDir holds the function zips of `make build` (build/<area>-<fn>.zip).
	AssetDir string
	// JWTIssuer and JWTAudience name an external identity provider; empty
	// creates a Cognito user pool for shoppers.
	JWTIssuer   string
	JWTAudience []string
	// CORSOrigins allowed to call the API from browsers; empty: no CORS.
	CORSOrigins []string
	// ThrottleRate and ThrottleBurst bound the API's requests per second.
	ThrottleRate, ThrottleBurst float64
	// PaymentProvider is "sandbox" or "stripe".
	PaymentProvider string
	// AlarmEmail, if set, is subscribed to the alarms topic.
	AlarmEmail string
}

// Stages are the stages the app knows.
var Stages = []string{"dev", "prod"}

// Actions each kind of access grants: exactly the calls the code makes.
var (
	readActions  = []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
	writeActions = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"}
)

// New defines the stack.
func New(scope constructs.Construct, id string, p Props) (awscdk.Stack, error) {
	if p.Stage != "dev" && p.Stage != "prod" {
		return nil, fmt.Errorf("stack: stage %q is not dev or prod", p.Stage)
	}
	if p.ThrottleRate == 0 {
		p.ThrottleRate, p.ThrottleBurst = 1000, 2000
	}
	if p.PaymentProvider == "" {
		p.PaymentProvider = "sandbox"
	}
	if p.PaymentProvider != "sandbox" && p.PaymentProvider != "stripe" {
		return nil, fmt.Errorf("stack: payment provider %q is not sandbox or stripe", p.PaymentProvider)
	}
	if p.Stage == "prod" && p.PaymentProvider == "sandbox" {
		return nil, fmt.Errorf("stack: prod takes real payments: choose a provider (-c paymentProvider=stripe); the sandbox is for dev only")
	}
	st := awscdk.NewStack(scope, jsii.String(id), &p.StackProps)
	awscdk.Tags_Of(st).Add(jsii.String("app"), jsii.String("jiaoyi"), nil)
	awscdk.Tags_Of(st).Add(jsii.String("stage"), jsii.String(p.Stage), nil)
	prod := p.Stage == "prod"
	prefix := "jiaoyi-" + p.Stage + "-"
	removal := awscdk.RemovalPolicy_DESTROY
	retention := awslogs.RetentionDays_TWO_WEEKS
	if prod {
		removal, retention = awscdk.RemovalPolicy_RETAIN, awslogs.RetentionDays_SIX_MONTHS
	}

	// Tables.
	tables := map[string]awsdynamodb.TableV2{}
	env := map[string]*string{"LOG_LEVEL": jsii.String("info"), "JIAOYI_PAYMENT_PROVIDER": jsii.String(p.PaymentProvider)}
	for _, t := range resource.Tables() {
		props := &awsdynamodb.TablePropsV2{
			TableName:          jsii.String(t.PhysicalName(prefix)),
			PartitionKey:       &awsdynamodb.Attribute{Name: jsii.String(t.PartitionKey), Type: awsdynamodb.AttributeType_STRING},
			Billing:            awsdynamodb.Billing_OnDemand(nil),
			RemovalPolicy:      removal,
			DeletionProtection: jsii.Bool(prod),
			PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
				PointInTimeRecoveryEnabled: jsii.Bool(t.PointInTimeRecovery),
			},
		}
		if t.SortKey != "" {
			props.SortKey = &awsdynamodb.Attribute{Name: jsii.String(t.SortKey), Type: awsdynamodb.AttributeType_STRING}
		}
		if t.TTLAttribute != "" {
			props.TimeToLiveAttribute = jsii.String(t.TTLAttribute)
		}
		if t.Stream {
			props.DynamoStream = awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES
		}
		var gsis []*awsdynamodb.GlobalSecondaryIndexPropsV2
		for _, ix := range t.Indexes {
			g := &awsdynamodb.GlobalSecondaryIndexPropsV2{
				IndexName:    jsii.String(ix.Name),
				PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(ix.PartitionKey), Type: awsdynamodb.AttributeType_STRING},
			}
			if ix.SortKey != "" {
				g.SortKey = &awsdynamodb.Attribute{Name: jsii.String(ix.SortKey), Type: awsdynamodb.AttributeType_STRING}
			}
			gsis = append(gsis, g)
		}
		if len(gsis) > 0 {
			props.GlobalSecondaryIndexes = &gsis
		}
		tbl := awsdynamodb.NewTableV2(st, jsii.String("Table-"+t.Name), props)
		tables[t.Name] = tbl
		env[t.EnvVar] = tbl.TableName()
	}

	// Buckets: private, encrypted, TLS only; search snapshots are
	// rebuildable, so old versions expire.
	buckets := map[string]awss3.Bucket{}
	for _, b := range resource.Buckets() {
		bucket := awss3.NewBucket(st, jsii.String("Bucket-"+b.Name), &awss3.BucketProps{
			BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
			Encryption:        awss3.BucketEncryption_S3_MANAGED,
			EnforceSSL:        jsii.Bool(true),
			// Kept when the stack goes: a bucket with objects cannot be
			// deleted, and emptying it would take another Lambda.
			RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
			LifecycleRules: &[]*awss3.LifecycleRule{{
				Prefix: jsii.String("snapshots/"), Expiration: awscdk.Duration_Days(jsii.Number(7)),
			}},
		})
		buckets[b.Name] = bucket
		env[b.EnvVar] = bucket.BucketName()
	}

	// Queues, each behind a dead-letter queue.
	alarms := awssns.NewTopic(st, jsii.String("Alarms"), &awssns.TopicProps{TopicName: jsii.String(prefix + "alarms")})
	if p.AlarmEmail != "" {
		awssns.NewSubscription(st, jsii.String("AlarmEmail"), &awssns.SubscriptionProps{
			Topic: alarms, Protocol: awssns.SubscriptionProtocol_EMAIL, Endpoint: jsii.String(p.AlarmEmail),
		})
	}
	alarmIn := func(scope constructs.Construct, id string, metric awscloudwatch.IMetric, desc string) {
		a := awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
			Metric: metric, Threshold: jsii.Number(0), EvaluationPeriods: jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			AlarmDescription:   jsii.String(desc),
		})
		a.AddAlarmAction(awscloudwatchactions.NewSnsAction(alarms))
	}
	alarm := func(id string, metric awscloudwatch.IMetric, desc string) { alarmIn(st, id, metric, desc) }
	queues := map[string]awssqs.Queue{}
	for _, q := range resource.Queues() {
		dlq := awssqs.NewQueue(st, jsii.String("DLQ-"+q.Name), &awssqs.QueueProps{
			QueueName: jsii.String(q.DeadLetterName(prefix)), Fifo: fifo(q.FIFO),
			RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)), EnforceSSL: jsii.Bool(true),
			Encryption: awssqs.QueueEncryption_SQS_MANAGED, RemovalPolicy: removal,
		})
		queue := awssqs.NewQueue(st, jsii.String("Queue-"+q.Name), &awssqs.QueueProps{
			QueueName: jsii.String(q.PhysicalName(prefix)), Fifo: fifo(q.FIFO),
			VisibilityTimeout: seconds(q.VisibilityTimeout),
			RetentionPeriod:   seconds(q.Retention),
			DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: dlq, MaxReceiveCount: jsii.Number(float64(q.MaxReceives))},
			EnforceSSL:        jsii.Bool(true), Encryption: awssqs.QueueEncryption_SQS_MANAGED, RemovalPolicy: removal,
		})
		queues[q.Name] = queue
		env[q.EnvVar] = queue.QueueUrl()
		alarm("DLQDepth-"+q.Name, dlq.MetricApproximateNumberOfMessagesVisible(nil), "dead letters in "+q.DeadLetterName(prefix)+": inspect and redrive with cmd/dlq")
		// A consumer that stopped keeping up: messages waiting half an hour.
		age := awscloudwatch.NewAlarm(st, jsii.String("OldestMessage-"+q.Name), &awscloudwatch.AlarmProps{
			Metric:    queue.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum")}),
			Threshold: jsii.Number(30 * 60), EvaluationPeriods: jsii.Number(2),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			AlarmDescription:   jsii.String("messages in " + q.PhysicalName(prefix) + " have waited over 30 minutes"),
		})
		age.AddAlarmAction(awscloudwatchactions.NewSnsAction(alarms))
	}
	// Business alarms on the functions' EMF metrics (namespace jiaoyi,
	// dimension Service).
	business := func(id, service, name, desc string, periods float64) {
		m := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("jiaoyi"), MetricName: jsii.String(name),
			DimensionsMap: &map[string]*string{"Service": jsii.String(service)},
			Period:        awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum"),
		})
		a := awscloudwatch.NewAlarm(st, jsii.String(id), &awscloudwatch.AlarmProps{
			Metric: m, Threshold: jsii.Number(0), EvaluationPeriods: jsii.Number(periods),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			AlarmDescription:   jsii.String(desc),
		})
		a.AddAlarmAction(awscloudwatchactions.NewSnsAction(alarms))
	}
	business("OutboxBacklog", "checkout", "OutboxBacklog", "outbox events left unpublished through three relay runs: is the events topic reachable?", 3)
	business("RefundsPendingOverAnHour", "checkout", "RefundsPendingOverAnHour", "refunds the provider has held over an hour without confirming or refusing", 1)
	business("PaymentsMismatched", "checkout", "PaymentsMismatched", "a captured payment did not match its order: orders parked in PAYMENT_REVIEW", 1)
	business("ReconciliationUnmatched", "settlement", "ReconciliationUnmatched", "the payment provider's settlement report and the ledger disagree: see GET /ops/reconciliations/{date}", 1)
	// Topics fan domain events out: each subscribed queue gets raw
	// messages of the event types it reads.
	topics := map[string]awssns.Topic{}
	for _, t := range resource.Topics() {
		topic := awssns.NewTopic(st, jsii.String("Topic-"+t.Name), &awssns.TopicProps{
			TopicName: jsii.String(t.PhysicalName(prefix)), EnforceSSL: jsii.Bool(true),
		})
		topics[t.Name] = topic
		env[t.EnvVar] = topic.TopicArn()
		for _, q := range resource.Queues() {
			if q.Subscribes == nil || q.Subscribes.Name != t.Name {
				continue
			}
			topic.AddSubscription(awssnssubscriptions.NewSqsSubscription(queues[q.Name], &awssnssubscriptions.SqsSubscriptionProps{
				RawMessageDelivery: jsii.Bool(true),
				FilterPolicy: &map[string]awssns.SubscriptionFilter{
					"type": awssns.SubscriptionFilter_StringFilter(&awssns.StringConditions{Allowlist: jsii.Strings(q.EventTypes...)}),
				},
			}))
		}
	}

	// Secrets live in Secrets Manager and are read by the functions at
	// cold start (internal/secrets), each function granted only the secret
	// it uses: the webhook endpoints the signing secrets, the functions that
	// call the payment provider its API key. Set the Stripe values before
	// switching the provider.
	webhookTemplate := `{"stripeWebhookSecrets":"","carrierWebhookSecrets":""}`
	generated := "sandboxWebhookSecrets"
	if prod {
		generated = "unusedInProd"
	}
	webhookSecret := awssecretsmanager.NewSecret(st, jsii.String("WebhookSecrets"), &awssecretsmanager.SecretProps{
		SecretName: jsii.String("jiaoyi/" + p.Stage + "/webhooks"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			SecretStringTemplate: jsii.String(webhookTemplate), GenerateStringKey: jsii.String(generated),
			ExcludePunctuation: jsii.Bool(true), PasswordLength: jsii.Number(40),
		},
		RemovalPolicy: removal,
	})
	var apiSecret awssecretsmanager.Secret
	if p.PaymentProvider == "stripe" {
		apiSecret = awssecretsmanager.NewSecret(st, jsii.String("PaymentApiSecret"), &awssecretsmanager.SecretProps{
			SecretName:        jsii.String("jiaoyi/" + p.Stage + "/payment-api"),
			SecretObjectValue: &map[string]awscdk.SecretValue{"stripeApiKey": awscdk.SecretValue_UnsafePlainText(jsii.String(""))},
			RemovalPolicy:     removal,
		})
	}

	// Each area's functions (checkout, search, settle…) with their roles,
	// log group, alarms and schedules live in a nested stack of their own:
	// CloudFormation holds at most 500 resources per stack, and one stack
	// for everything had reached 460. Tables, queues, topics, buckets,
	// secrets and the API stay here; CDK passes references across.
	areas := map[string]awscdk.NestedStack{}
	areaOf := func(function string) awscdk.NestedStack {
		area, _, _ := strings.Cut(function, "/")
		ns, ok := areas[area]
		if !ok {
			ns = awscdk.NewNestedStack(st, jsii.String("Area-"+area), &awscdk.NestedStackProps{
				Description: jsii.String("jiaoyi " + p.Stage + ": the " + area + " functions"),
			})
			areas[area] = ns
		}
		return ns
	}
	fns := map[string]awslambda.Function{}
	logGroups := map[string]awslogs.LogGroup{}
	newFunction := func(name string, memoryMB int, timeout time.Duration, access []routes.TableAccess, sends []resource.Queue, publishes []resource.Topic, bucketAccess []routes.BucketAccess) (awslambda.Function, error) {
		cid := strings.ReplaceAll(name, "/", "-")
		// One log group per area (checkout, search, settle…), shared by its
		// functions: Lambda names each stream after its function, and a
		// stack holds at most 500 resources.
		area, _, _ := strings.Cut(name, "/")
		scope := areaOf(name)
		logs, ok := logGroups[area]
		if !ok {
			logs = awslogs.NewLogGroup(scope, jsii.String("Logs-"+area), &awslogs.LogGroupProps{
				LogGroupName: jsii.String("/aws/lambda/" + prefix + area), Retention: retention, RemovalPolicy: removal,
			})
			logGroups[area] = logs
		}
		fenv := map[string]*string{}
		for k, v := range env {
			fenv[k] = v
		}
		verifiesWebhooks, callsProvider := needsSecrets(name, access, sends)
		if verifiesWebhooks {
			fenv["JIAOYI_SECRET_WEBHOOKS"] = webhookSecret.SecretArn()
		}
		if callsProvider && apiSecret != nil {
			fenv["JIAOYI_SECRET_PAYMENT_API"] = apiSecret.SecretArn()
		}
		fn := awslambda.NewFunction(scope, jsii.String("Fn-"+cid), &awslambda.FunctionProps{
			FunctionName: jsii.String(prefix + cid),
			Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
			Architecture: awslambda.Architecture_ARM_64(),
			Handler:      jsii.String("bootstrap"),
			Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(p.AssetDir, cid+".zip")), nil),
			MemorySize:   jsii.Number(float64(memoryMB)),
			Timeout:      seconds(timeout),
			Tracing:      awslambda.Tracing_ACTIVE,
			LogGroup:     logs,
			Environment:  &fenv,
		})
		for _, a := range access {
			tbl, ok := tables[a.Table.Name]
			if !ok {
				return nil, fmt.Errorf("stack: %s uses unknown table %s", name, a.Table.Name)
			}
			actions := readActions
			if a.Access == routes.ReadWrite {
				actions = append(append([]string{}, readActions...), writeActions...)
			}
			fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings(actions...),
				Resources: &[]*string{tbl.TableArn(), jsii.String(*tbl.TableArn() + "/index/*")},
			}))
		}
		for _, q := range sends {
			queues[q.Name].GrantSendMessages(fn)
		}
		for _, t := range publishes {
			topics[t.Name].GrantPublish(fn)
		}
		for _, b := range bucketAccess {
			bucket, ok := buckets[b.Bucket.Name]
			if !ok {
				return nil, fmt.Errorf("stack: %s uses unknown bucket %s", name, b.Bucket.Name)
			}
			if b.Access == routes.ReadWrite {
				bucket.GrantReadWrite(fn, nil)
			} else {
				bucket.GrantRead(fn, nil)
			}
		}
		if verifiesWebhooks {
			webhookSecret.GrantRead(fn, nil)
		}
		if callsProvider && apiSecret != nil {
			apiSecret.GrantRead(fn, nil)
		}
		// One alarm per function for errors and throttles together: a stack
		// holds at most 500 resources, and two per function cost 50 of them.
		five := &awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5))}
		alarmIn(scope, "Failures-"+cid, awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String("errors + throttles"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{"errors": fn.MetricErrors(five), "throttles": fn.MetricThrottles(five)},
			Period:       awscdk.Duration_Minutes(jsii.Number(5)),
			Label:        jsii.String(name + " errors and throttles"),
		}), name+" failed or was throttled")
		fns[name] = fn
		return fn, nil
	}

	// The API: every route its own function; shopper routes behind a JWT
	// authorizer by default, public ones (webhooks, catalog) named as such.
	var authorizer awsapigatewayv2.IHttpRouteAuthorizer
	if p.JWTIssuer != "" {
		authorizer = awsapigatewayv2authorizers.NewHttpJwtAuthorizer(jsii.String("Jwt"), jsii.String(p.JWTIssuer),
			&awsapigatewayv2authorizers.HttpJwtAuthorizerProps{JwtAudience: jsii.Strings(p.JWTAudience...)})
	} else {
		pool := awscognito.NewUserPool(st, jsii.String("Shoppers"), &awscognito.UserPoolProps{
			UserPoolName: jsii.String(prefix + "shoppers"), SelfSignUpEnabled: jsii.Bool(true),
			SignInAliases: &awscognito.SignInAliases{Email: jsii.Bool(true), Phone: jsii.Bool(true)},
			RemovalPolicy: removal, DeletionProtection: jsii.Bool(prod),
		})
		client := pool.AddClient(jsii.String("App"), &awscognito.UserPoolClientOptions{GenerateSecret: jsii.Bool(false)})
		authorizer = awsapigatewayv2authorizers.NewHttpUserPoolAuthorizer(jsii.String("Cognito"), pool,
			&awsapigatewayv2authorizers.HttpUserPoolAuthorizerProps{UserPoolClients: &[]awscognito.IUserPoolClient{client}})
		awscdk.NewCfnOutput(st, jsii.String("UserPoolId"), &awscdk.CfnOutputProps{Value: pool.UserPoolId()})
		awscdk.NewCfnOutput(st, jsii.String("UserPoolClientId"), &awscdk.CfnOutputProps{Value: client.UserPoolClientId()})
	}
	apiProps := &awsapigatewayv2.HttpApiProps{ApiName: jsii.String(prefix + "api"), CreateDefaultStage: jsii.Bool(false), DefaultAuthorizer: authorizer}
	if len(p.CORSOrigins) > 0 {
		apiProps.CorsPreflight = &awsapigatewayv2.CorsPreflightOptions{
			AllowOrigins:  jsii.Strings(p.CORSOrigins...),
			AllowMethods:  &[]awsapigatewayv2.CorsHttpMethod{awsapigatewayv2.CorsHttpMethod_GET, awsapigatewayv2.CorsHttpMethod_POST, awsapigatewayv2.CorsHttpMethod_PUT, awsapigatewayv2.CorsHttpMethod_OPTIONS},
			AllowHeaders:  jsii.Strings("Authorization", "Content-Type", "Idempotency-Key", "If-None-Match"),
			ExposeHeaders: jsii.Strings("ETag", "Location", "Idempotent-Replayed"),
			MaxAge:        awscdk.Duration_Hours(jsii.Number(1)),
		}
	}
	api := awsapigatewayv2.NewHttpApi(st, jsii.String("Api"), apiProps)
	accessLogs := awslogs.NewLogGroup(st, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{Retention: retention, RemovalPolicy: removal})
	stage := awsapigatewayv2.NewHttpStage(st, jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi: api, StageName: jsii.String("$default"), AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{RateLimit: jsii.Number(p.ThrottleRate), BurstLimit: jsii.Number(p.ThrottleBurst)},
	})
	cfnStage := stage.Node().DefaultChild().(awsapigatewayv2.CfnStage)
	cfnStage.SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: accessLogs.LogGroupArn(),
		Format: jsii.String(`{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","routeKey":"$context.routeKey",` +
			`"status":"$context.status","latency":"$context.responseLatency","integrationError":"$context.integrationErrorMessage",` +
			`"sub":"$context.authorizer.claims.sub","time":"$context.requestTime"}`),
	})
	for _, r := range routes.All() {
		if r.Function == "pay-webhook/receive-webhook" && prod {
			// Only the chosen provider's webhooks exist in prod.
			r.Path = "/webhooks/" + p.PaymentProvider
		}
		fn, err := newFunction(r.Function, r.MemoryMB, r.Timeout, r.Tables, r.Sends, r.Publishes, r.Buckets)
		if err != nil {
			return nil, err
		}
		opts := &awsapigatewayv2.AddRoutesOptions{
			Path:    jsii.String(r.Path),
			Methods: &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod(r.Method)},
			Integration: awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("Int-"+strings.ReplaceAll(r.Function, "/", "-")), fn,
				&awsapigatewayv2integrations.HttpLambdaIntegrationProps{PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0()}),
		}
		if r.Public() {
			opts.Authorizer = awsapigatewayv2.NewHttpNoneAuthorizer()
		}
		api.AddRoutes(opts)
	}
	alarm("Api5xx", api.MetricServerError(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5))}), "the API answered 5xx")

	// Consumers: queue-fed with partial batch failures, or on a schedule.
	for _, c := range routes.Consumers() {
		fn, err := newFunction(c.Function, c.MemoryMB, c.Timeout, c.Tables, c.Sends, c.Publishes, c.Buckets)
		if err != nil {
			return nil, err
		}
		cid := strings.ReplaceAll(c.Function, "/", "-")
		switch {
		case c.Queue != nil:
			fn.AddEventSource(awslambdaeventsources.NewSqsEventSource(queues[c.Queue.Name], &awslambdaeventsources.SqsEventSourceProps{
				BatchSize: jsii.Number(float64(c.BatchSize)), ReportBatchItemFailures: jsii.Bool(true),
			}))
		case c.Stream != nil:
			fn.AddEventSource(awslambdaeventsources.NewDynamoEventSource(tables[c.Stream.Name], &awslambdaeventsources.DynamoEventSourceProps{
				StartingPosition: awslambda.StartingPosition_LATEST, BatchSize: jsii.Number(float64(c.BatchSize)),
				MaxBatchingWindow: seconds(c.Window), RetryAttempts: jsii.Number(5), ReportBatchItemFailures: jsii.Bool(true),
				ParallelizationFactor: jsii.Number(1),
			}))
		case c.Every > 0:
			role := awsiam.NewRole(areaOf(c.Function), jsii.String("ScheduleRole-"+cid), &awsiam.RoleProps{
				AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), nil),
			})
			fn.GrantInvoke(role)
			awsscheduler.NewCfnSchedule(areaOf(c.Function), jsii.String("Schedule-"+cid), &awsscheduler.CfnScheduleProps{
				Name:               jsii.String(prefix + cid),
				ScheduleExpression: jsii.String(rate(c.Every)),
				FlexibleTimeWindow: &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
				Target: &awsscheduler.CfnSchedule_TargetProperty{
					Arn: fn.FunctionArn(), RoleArn: role.RoleArn(), Input: jsii.String("{}"),
					RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{MaximumRetryAttempts: jsii.Number(2)},
				},
			})
		}
	}
	awscdk.NewCfnOutput(st, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{Value: api.ApiEndpoint()})
	return st, nil
}

// needsSecrets says which secrets a function reads: the webhook signing
// secrets for the endpoints that verify webhooks (payments, carriers), the
// provider's API key for functions that call the provider (they hold the
// Payments table, where the sandbox keeps its intents, read-write).
func needsSecrets(function string, access []routes.TableAccess, sends []resource.Queue) (webhooks, providerAPI bool) {
	for _, q := range sends {
		if q.Name == resource.PaymentEvents.Name {
			webhooks = true
		}
	}
	if function == "fulfilment/carrier-webhook" {
		webhooks = true
	}
	// Reconciliation reads the provider's balance transactions, and the
	// ledger's consumer the fee of each capture.
	if function == "settle/reconcile-daily" || function == "settle/run-reconciliation" || function == "settle/post-ledger" {
		providerAPI = true
	}
	for _, a := range access {
		if a.Table.Name == resource.Payments.Name && a.Access == routes.ReadWrite && !webhooks {
			providerAPI = true
		}
	}
	return webhooks, providerAPI
}

// Functions lists every function folder the stack deploys, sorted.
func Functions() []string {
	var out []string
	for _, r := range routes.All() {
		out = append(out, r.Function)
	}
	for _, c := range routes.Consumers() {
		out = append(out, c.Function)
	}
	sort.Strings(out)
	return out
}

func fifo(b bool) *bool {
	if !b {
		return nil
	}
	return jsii.Bool(true)
}

func seconds(d time.Duration) awscdk.Duration {
	return awscdk.Duration_Seconds(jsii.Number(d.Seconds()))
}

// rate renders an EventBridge Scheduler rate expression.
func rate(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute")
	}
	return fmt.Sprintf("rate(%d seconds)", int(d.Seconds()))
}

func plural(n int, unit string) string {
	if n == 1 {
		return fmt.Sprintf("rate(1 %s)", unit)
	}
	return fmt.Sprintf("rate(%d %ss)", n, unit)
}
