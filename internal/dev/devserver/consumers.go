package devserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
)

// runConsumers starts every consumer of the route table the way AWS runs
// them: queue consumers through an event source mapping stand-in (receive,
// call, delete what succeeded, leave batch item failures for redelivery),
// scheduled ones on a ticker. They stop with ctx.
func runConsumers(ctx context.Context, awsCfg aws.Config, log *slog.Logger) error {
	client := sqs.NewFromConfig(awsCfg)
	for _, c := range routes.Consumers() {
		if newStream, ok := streamHandlers[c.Function]; ok {
			h, err := newStream(ctx)
			if err != nil {
				return err
			}
			go pollStream(ctx, dynamodb.NewFromConfig(awsCfg), dynamodbstreams.NewFromConfig(awsCfg), c, h, log.With("consumer", c.Function))
			continue
		}
		if newQueue, ok := queueHandlers[c.Function]; ok {
			h, err := newQueue(ctx)
			if err != nil {
				return err
			}
			url := os.Getenv(c.Queue.EnvVar)
			go pollQueue(ctx, client, url, c, h, log.With("consumer", c.Function))
			continue
		}
		newScheduled, ok := scheduledHandlers[c.Function]
		if !ok {
			return fmt.Errorf("consumer %s has no constructor in the dev server's registry", c.Function)
		}
		h, err := newScheduled(ctx)
		if err != nil {
			return err
		}
		go runSchedule(ctx, c.Every, h, log.With("consumer", c.Function))
	}
	return nil
}

func pollQueue(ctx context.Context, client *sqs.Client, url string, c routes.Consumer, h routes.QueueHandler, log *slog.Logger) {
	arn := "arn:aws:sqs:local:000000000000:" + c.Queue.PhysicalName("")
	for ctx.Err() == nil {
		// Short polls: the emulator serves one request at a time, so a long
		// poll would stall every other request for its whole wait.
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &url, MaxNumberOfMessages: max(1, min(c.BatchSize, 10)), WaitTimeSeconds: 0,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			if ctx.Err() == nil {
				log.Error("receive", "error", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		if len(out.Messages) == 0 {
			sleep(ctx, pollInterval)
			continue
		}
		ev := events.SQSEvent{}
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{
				MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
				Body: aws.ToString(m.Body), Attributes: m.Attributes, EventSource: "aws:sqs",
				EventSourceARN: arn, AWSRegion: "local",
			})
		}
		resp, err := h(ctx, ev)
		if err != nil {
			log.Error("consumer failed; the batch will be redelivered", "error", err)
			continue
		}
		failed := map[string]bool{}
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		var del []sqstypes.DeleteMessageBatchRequestEntry
		for i, m := range out.Messages {
			if !failed[aws.ToString(m.MessageId)] {
				del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
			}
		}
		if len(del) > 0 {
			if _, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: del}); err != nil && ctx.Err() == nil {
				log.Error("delete handled messages", "error", err)
			}
		}
		log.Debug("batch", "messages", len(out.Messages), "failed", len(failed))
	}
}

// pollInterval is the pause after an empty receive.
const pollInterval = 500 * time.Millisecond

func runSchedule(ctx context.Context, every time.Duration, h routes.ScheduledHandler, log *slog.Logger) {
	if every <= 0 {
		log.Error("scheduled consumer without a schedule")
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := h(ctx, json.RawMessage(`{}`)); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("scheduled run failed", "error", err)
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
