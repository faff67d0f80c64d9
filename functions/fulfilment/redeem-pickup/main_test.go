package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilment"
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	o := checkouttest.PickupOrder(t, env)
	checkouttest.Pay(t, env, o)
	f := fulfilment.New(awstest.DynamoDB(t), env[resource.Orders.EnvVar], sns.NewFromConfig(awstest.Config(t)), env[resource.Events.EnvVar])
	p, err := f.Ready(context.Background(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp := checkouttest.APIEventWith(t, fulfilmentapi.NewRedeem, "testdata/redeem.json", map[string]string{"CODE_PLACEHOLDER": p.Code}, 200)
	if !strings.Contains(resp.Body, `"status":"PICKED_UP"`) {
		t.Errorf("answer %s", resp.Body)
	}
	checkouttest.APIEventWith(t, fulfilmentapi.NewRedeem, "testdata/redeem.json", map[string]string{"CODE_PLACEHOLDER": p.Code}, 409)
}
