// Command dlq lists or redrives a queue's dead letters, against AWS or the
// emulator named by AWS_ENDPOINT_URL:
//
//	go run ./cmd/dlq -queue payment-events list
//	go run ./cmd/dlq -queue payment-events -max 100 redrive
//
// -prefix is the stage's name prefix (JIAOYI_PREFIX, default jiaoyi-local-).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/dlq"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
)

func main() {
	prefix := flag.String("prefix", envOr("JIAOYI_PREFIX", "jiaoyi-local-"), "table and queue name prefix of the stage")
	name := flag.String("queue", "", "queue name without prefix: "+queueNames())
	max := flag.Int("max", 10, "at most this many messages")
	flag.Parse()
	if err := run(*prefix, *name, flag.Arg(0), *max); err != nil {
		fmt.Fprintln(os.Stderr, "dlq:", err)
		os.Exit(1)
	}
}

func run(prefix, name, action string, max int) error {
	var q *resource.Queue
	for _, def := range resource.Queues() {
		if def.Name == name {
			q = &def
		}
	}
	if q == nil {
		return fmt.Errorf("-queue must be one of %s", queueNames())
	}
	ctx := context.Background()
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return err
	}
	c := sqs.NewFromConfig(awsCfg)
	url := func(n string) (string, error) {
		out, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &n})
		if err != nil {
			return "", fmt.Errorf("find queue %s: %w", n, err)
		}
		return *out.QueueUrl, nil
	}
	dead, err := url(q.DeadLetterName(prefix))
	if err != nil {
		return err
	}
	switch action {
	case "list":
		msgs, err := dlq.List(ctx, c, dead, max)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			body := m.Body
			if len(body) > 300 {
				body = body[:300] + "…"
			}
			fmt.Printf("%s\tgroup=%s\treceives=%s\t%s\n", m.ID, m.Group, m.Receives, body)
		}
		fmt.Printf("%d message(s) in %s\n", len(msgs), q.DeadLetterName(prefix))
	case "redrive":
		src, err := url(q.PhysicalName(prefix))
		if err != nil {
			return err
		}
		n, err := dlq.Redrive(ctx, c, dead, src, q.FIFO, max)
		fmt.Printf("moved %d message(s) back to %s\n", n, q.PhysicalName(prefix))
		return err
	default:
		return fmt.Errorf("action must be list or redrive")
	}
	return nil
}

func queueNames() string {
	var ns []string
	for _, q := range resource.Queues() {
		ns = append(ns, q.Name)
	}
	return strings.Join(ns, ", ")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
