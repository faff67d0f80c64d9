// Command also-bought is the Lambda behind GET /products/{id}/also-bought: what people who bought it also bought.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommendapi"
)

func main() { lambdafn.HTTP("search/also-bought", recommendapi.NewAlsoBought) }
