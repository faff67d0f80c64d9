package sandbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func TestIntentLifecycle(t *testing.T) {
	ctx := context.Background()
	env := awstest.Tables(t, resource.Payments)
	p := sandbox.New(awstest.DynamoDB(t), env[resource.Payments.EnvVar])
	amount := money.Money{Amount: 12800, Currency: "CNY"}

	a, err := p.CreateIntent(ctx, payment.CreateRequest{OrderID: "ord_1", Amount: amount, IdempotencyKey: "k1"})
	if err != nil || a.Status != payment.RequiresPayment || a.ClientSecret == "" || a.Provider != "sandbox" {
		t.Fatalf("create = %+v, %v", a, err)
	}
	again, err := p.CreateIntent(ctx, payment.CreateRequest{OrderID: "ord_1", Amount: amount, IdempotencyKey: "k1"})
	if err != nil || again.ID != a.ID || again.ClientSecret != a.ClientSecret {
		t.Errorf("retried create = %+v, %v; want the first intent", again, err)
	}
	if _, err := p.CreateIntent(ctx, payment.CreateRequest{OrderID: "ord_2", Amount: amount, IdempotencyKey: "k1"}); err == nil {
		t.Error("a reused key for another payment must fail")
	}
	if _, err := p.CreateIntent(ctx, payment.CreateRequest{OrderID: "ord_3", Amount: money.Money{Amount: 0, Currency: "CNY"}, IdempotencyKey: "k3"}); err == nil {
		t.Error("a zero amount must fail")
	}

	tests := []struct {
		name    string
		first   func(context.Context, string) (payment.Intent, error)
		then    func(context.Context, string) (payment.Intent, error)
		wantErr error
		want    payment.IntentStatus
	}{
		{"cancel twice", p.CancelIntent, p.CancelIntent, nil, payment.Canceled},
		{"succeed twice", p.Succeed, p.Succeed, nil, payment.Succeeded},
		{"cancel after success", p.Succeed, p.CancelIntent, payment.ErrIntentSucceeded, payment.Succeeded},
		{"succeed after cancel", p.CancelIntent, p.Succeed, sandbox.ErrCanceled, payment.Canceled},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := p.CreateIntent(ctx, payment.CreateRequest{OrderID: "ord_x", Amount: amount, IdempotencyKey: tt.name + string(rune('a'+i))})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tt.first(ctx, in.ID); err != nil {
				t.Fatal(err)
			}
			got, err := tt.then(ctx, in.ID)
			if !errors.Is(err, tt.wantErr) || got.Status != tt.want {
				t.Errorf("got %s, %v; want %s, %v", got.Status, err, tt.want, tt.wantErr)
			}
		})
	}
	if _, err := p.GetIntent(ctx, "pi_sbx_missing"); !errors.Is(err, payment.ErrIntentNotFound) {
		t.Errorf("unknown intent err = %v", err)
	}
	if _, err := p.CancelIntent(ctx, "pi_sbx_missing"); !errors.Is(err, payment.ErrIntentNotFound) {
		t.Errorf("cancel unknown intent err = %v", err)
	}
}
