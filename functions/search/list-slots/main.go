// Command list-slots is the Lambda behind GET /stores/{id}/slots.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

func main() { lambdafn.HTTP("search/list-slots", searchapi.NewListSlots) }
