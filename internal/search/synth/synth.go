// Package synth generates large bilingual catalogs for search benchmarks:
// products combine the demo catalog's item and line names with qualifiers,
// so names, brands and prices vary the way a real catalog's do. Output is
// deterministic for a given size.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
)

var qualifiers = []catalog.Text{
	{ZH: "新款", EN: "New"}, {ZH: "经典款", EN: "Classic"}, {ZH: "限量", EN: "Limited"}, {ZH: "礼盒装", EN: "Gift Set"},
	{ZH: "加大", EN: "Large"}, {ZH: "迷你", EN: "Mini"}, {ZH: "有机", EN: "Organic"}, {ZH: "手工", EN: "Handmade"},
	{ZH: "进口", EN: "Imported"}, {ZH: "家用", EN: "Home"}, {ZH: "便携", EN: "Portable"}, {ZH: "升级版", EN: "Upgraded"},
	{ZH: "春季", EN: "Spring"}, {ZH: "夏季", EN: "Summer"}, {ZH: "秋冬", EN: "Autumn-Winter"}, {ZH: "高端", EN: "Premium"},
}

// Products returns n active products (a few inactive) with one to three
// SKUs each.
func Products(n int) []catalog.ProductDetail {
	base := demo.Catalog()
	seeds := templates(base)
	r := rand.New(rand.NewPCG(uint64(n), 42))
	out := make([]catalog.ProductDetail, 0, n)
	epoch := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		s := seeds[r.IntN(len(seeds))]
		q1 := qualifiers[r.IntN(len(qualifiers))]
		model := fmt.Sprintf("%c%d", 'A'+rune(r.IntN(26)), r.IntN(1000))
		p := s.Product
		p.ID = id.Derive(id.Product, fmt.Sprintf("synth/%d/%d", n, i))
		p.Name = catalog.Text{ZH: q1.ZH + s.Name.ZH + " " + model, EN: q1.EN + " " + s.Name.EN + " " + model}
		p.Description = catalog.Text{
			ZH: fmt.Sprintf("%s，型号%s。%s", p.Name.ZH, model, s.Description.ZH),
			EN: fmt.Sprintf("%s, model %s. %s", p.Name.EN, model, s.Description.EN)}
		p.Status = catalog.Active
		if i%50 == 49 {
			p.Status = catalog.Inactive
		}
		p.CreatedAt = epoch.Add(time.Duration(i) * time.Minute)
		p.UpdatedAt = p.CreatedAt
		p.SKUIDs = nil
		d := catalog.ProductDetail{Product: p}
		price := int64(500+r.IntN(300000)) / 100 * 100
		for v := 0; v < 1+r.IntN(3); v++ {
			sku := catalog.SKU{ID: id.Derive(id.SKU, fmt.Sprintf("%s/%d", p.ID, v)), ProductID: p.ID,
				Price: money.Money{Amount: price + int64(v)*price/4, Currency: "CNY"}, Available: int64(r.IntN(50))}
			d.SKUIDs = append(d.SKUIDs, sku.ID)
			d.SKUs = append(d.SKUs, sku)
		}
		d.Product.SKUIDs = d.SKUIDs
		out = append(out, d)
	}
	return out
}

func templates(b catalog.Batch) []catalog.ProductDetail {
	var out []catalog.ProductDetail
	for _, p := range b.Products {
		if strings.TrimSpace(p.Name.ZH) != "" {
			out = append(out, catalog.ProductDetail{Product: p})
		}
	}
	return out
}

// Queries is a realistic query mix for benchmarks: Chinese words and
// phrases, English words, pinyin, typos and browse.
var Queries = []string{"茶", "耳机", "蓝牙音箱", "龙井", "红楼梦", "咖啡豆", "礼盒", "真丝", "wireless earbuds", "tea", "smart watch",
	"longjing", "hongloumeng", "bluetoth speaker", "cashmere scarf", "Pro 无线耳机", "月饼", "面霜", "keyboard", "organic coffee", ""}

// Prefixes is a suggest query mix.
var Prefixes = []string{"龙", "蓝牙", "blue", "long", "耳", "wire", "hong", "茶", "s", "真丝", "coff", "月"}
