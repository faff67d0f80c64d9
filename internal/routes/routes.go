// Package routes is the one table of jiaoyi's HTTP routes. The local runner
// (`make run`) serves it and the CDK app deploys it: each route is its own
// Lambda, built from functions/<Function>/, with the handler constructor
// that the function's main.go calls.
package routes

import (
	"context"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

// Auth says who may call a route.
type Auth int

const (
	// Public routes need no token (webhooks authenticate by signature).
	Public Auth = iota
	// JWT routes need a valid token; the handler reads its `sub` claim.
	JWT
)

// Access is a function's use of a table or queue, for least-privilege IAM.
type Access int

// Kinds of access.
const (
	Read Access = iota
	ReadWrite
	Send
)

// TableAccess grants a function access to a table.
type TableAccess struct {
	Table  resource.Table
	Access Access
}

// Route is one HTTP API route and the Lambda behind it.
type Route struct {
	Method string
	// Path uses API Gateway's syntax, which net/http's ServeMux shares:
	// /products/{id}.
	Path string
	// Function is the function's folder under functions/, e.g. "search/get-product".
	Function string
	Auth     Auth
	MemoryMB int
	Timeout  time.Duration
	Tables   []TableAccess
	// New builds the handler from the environment, as main.go does.
	New func(ctx context.Context) (apigw.Handler, error)
}

// Key is the API Gateway route key, "GET /products/{id}".
func (r Route) Key() string { return r.Method + " " + r.Path }

// All returns every route.
func All() []Route {
	return []Route{
		{
			Method: "GET", Path: "/products/{id}", Function: "search/get-product",
			Auth: Public, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, Read}},
			New:    searchapi.NewGetProduct,
		},
	}
}

// Consumer is a Lambda fed by a queue or a schedule rather than a route.
type Consumer struct {
	// Function is the function's folder under functions/.
	Function string
}

// Consumers returns every queue and schedule consumer.
func Consumers() []Consumer { return nil }
