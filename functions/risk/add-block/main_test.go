package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk/riskdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/riskapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	resp := checkouttest.APIEventWith(t, riskapi.NewAddBlock, "testdata/add-block.json", nil, 201)
	if !strings.Contains(resp.Body, `"scope":"GLOBAL"`) || strings.Contains(resp.Body, "南京西路") {
		t.Errorf("answer %s, want a global entry holding the address's key, not the address", resp.Body)
	}
	// The same address, written differently, is now blocked.
	store := riskdb.New(dynamodb.NewFromConfig(awstest.Config(t)), env[resource.Analytics.EnvVar])
	snap, err := store.Load(context.Background(), risk.Input{CustomerID: "x", Currency: "CNY", At: time.Now(),
		AddressKey: risk.AddressKey("南京西路 1266 号", "", "上海", "", "CN")})
	if err != nil || len(snap.Blocked) != 1 || snap.Blocked[0] != risk.BlockAddress {
		t.Errorf("blocked %v %v, want the address", snap.Blocked, err)
	}
}

func TestBadBlocks(t *testing.T) {
	awstest.FunctionEnv(t)
	tests := []struct {
		name string
		with map[string]string
	}{
		{"unknown kind", map[string]string{`\"kind\":\"address\"`: `\"kind\":\"email\"`}},
		{"address without address", map[string]string{`\"address\":{`: `\"addr\":{`}},
		{"shopper without value", map[string]string{`\"kind\":\"address\"`: `\"kind\":\"shopper\"`}},
		{"bad merchant", map[string]string{`\"reason\"`: `\"merchantId\":\"acme\",\"reason\"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkouttest.APIEventWith(t, riskapi.NewAddBlock, "testdata/add-block.json", tt.with, 400)
		})
	}
}
