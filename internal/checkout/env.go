package checkout

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/psp"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk/riskdb"
)

// FromEnv builds the service as a function does at cold start: its Config
// from the environment (validated), SDK clients, and the configured payment
// provider. It also returns the DynamoDB client, for stores that share the
// Orders table, and the function's logger.
func FromEnv(ctx context.Context) (*Service, Config, *dynamodb.Client, *slog.Logger, error) {
	cfg, err := config.Load[Config]()
	if err != nil {
		return nil, cfg, nil, nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, cfg, nil, nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, cfg, nil, nil, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	provider, err := psp.FromEnv(ctx, awsCfg, cfg.PSP, db, cfg.PaymentsTable)
	if err != nil {
		return nil, cfg, nil, nil, err
	}
	svc := New(db, cfg, provider, sqs.NewFromConfig(awsCfg), sns.NewFromConfig(awsCfg))
	if cfg.AnalyticsTable != "" {
		model, err := riskdb.LoadModel(ctx, s3.NewFromConfig(awsCfg, func(o *s3.Options) {
			o.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL") != "" // the emulator serves buckets by path
		}), cfg.RiskModel)
		if err != nil {
			return nil, cfg, nil, nil, err
		}
		a, err := riskdb.NewAssessor(db, cfg.AnalyticsTable, model)
		if err != nil {
			return nil, cfg, nil, nil, err
		}
		svc.Risk = a
	}
	svc.Metrics = metrics.New(os.Stdout, "checkout")
	return svc, cfg, db, logging.New(os.Stdout, cfg.LogLevel), nil
}
