// Package demo builds jiaoyi's demo catalog: three merchants, a few hundred
// bilingual products across categories with SKUs, prices and stock, plus
// three stores with a week of bookable slots, and seeds it into the catalog table. Everything
// is derived from fixed seeds, so ids are the same on every machine and run.
package demo

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
	_ "time/tzdata" // store timezones resolve on hosts without zoneinfo

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
)

// Version names the demo catalog; changing the data means a new version.
const Version = "demo-catalog-v3"

// SlotDays is how many days of slots the seed keeps ahead of today.
const SlotDays = 7

type category struct {
	key      string
	name     catalog.Text
	items    []catalog.Text
	brands   []catalog.Text
	variants variantSet
	minPrice int64 // minor units
	maxPrice int64
}

type variantSet struct {
	attr   catalog.Text
	values []catalog.Text
}

func t(zh, en string) catalog.Text { return catalog.Text{ZH: zh, EN: en} }

var categories = []category{
	{"tea", t("茶叶", "Tea"),
		[]catalog.Text{t("龙井", "Longjing Green Tea"), t("普洱", "Pu'er"), t("铁观音", "Tieguanyin Oolong"), t("大红袍", "Da Hong Pao"), t("碧螺春", "Biluochun"), t("白毫银针", "Silver Needle White Tea"), t("祁门红茶", "Keemun Black Tea"), t("茉莉花茶", "Jasmine Tea"), t("滇红", "Dianhong Black Tea"), t("黄山毛峰", "Huangshan Maofeng")},
		[]catalog.Text{t("西湖", "West Lake"), t("云南", "Yunnan"), t("武夷山", "Wuyi Mountain"), t("安溪", "Anxi"), t("福鼎", "Fuding"), t("祁门", "Qimen")},
		variantSet{t("规格", "Size"), []catalog.Text{t("50克", "50 g"), t("100克", "100 g"), t("250克", "250 g")}}, 3800, 68800},
	{"coffee", t("咖啡", "Coffee"),
		[]catalog.Text{t("阿拉比卡咖啡豆", "Arabica Beans"), t("冷萃咖啡", "Cold Brew"), t("挂耳咖啡", "Drip Bag Coffee"), t("意式浓缩豆", "Espresso Roast"), t("速溶咖啡", "Instant Coffee"), t("燕麦拿铁", "Oat Latte"), t("单品手冲豆", "Single-Origin Pour-Over Beans"), t("咖啡胶囊", "Coffee Capsules")},
		[]catalog.Text{t("普洱产区", "Pu'er Estate"), t("保山", "Baoshan"), t("埃塞俄比亚", "Ethiopian"), t("哥伦比亚", "Colombian"), t("巴西", "Brazilian"), t("危地马拉", "Guatemalan"), t("肯尼亚", "Kenyan")},
		variantSet{t("烘焙度", "Roast"), []catalog.Text{t("浅烘", "Light"), t("中烘", "Medium"), t("深烘", "Dark")}}, 2900, 25900},
	{"apparel", t("服饰", "Apparel"),
		[]catalog.Text{t("真丝衬衫", "Silk Shirt"), t("羊绒围巾", "Cashmere Scarf"), t("亚麻长裤", "Linen Trousers"), t("羽绒服", "Down Jacket"), t("旗袍", "Qipao Dress"), t("卫衣", "Hoodie"), t("牛仔外套", "Denim Jacket"), t("针织开衫", "Knit Cardigan")},
		[]catalog.Text{t("经典", "Classic"), t("都市", "Urban"), t("复古", "Vintage"), t("轻奢", "Premium"), t("户外", "Outdoor"), t("国潮", "Guochao")},
		variantSet{t("尺码", "Size"), []catalog.Text{t("S", "S"), t("M", "M"), t("L", "L"), t("XL", "XL")}}, 9900, 299900},
	{"electronics", t("数码", "Electronics"),
		[]catalog.Text{t("无线耳机", "Wireless Earbuds"), t("移动电源", "Power Bank"), t("智能手表", "Smartwatch"), t("蓝牙音箱", "Bluetooth Speaker"), t("机械键盘", "Mechanical Keyboard"), t("快充充电器", "Fast Charger"), t("平板保护套", "Tablet Case")},
		[]catalog.Text{t("青春版", "Lite"), t("标准版", "Standard"), t("专业版", "Pro"), t("旗舰版", "Max"), t("运动版", "Sport"), t("商务版", "Business"), t("限定版", "Limited Edition")},
		variantSet{t("颜色", "Colour"), []catalog.Text{t("曜石黑", "Obsidian Black"), t("珍珠白", "Pearl White"), t("远峰蓝", "Sierra Blue")}}, 4900, 399900},
	{"beauty", t("美妆", "Beauty"),
		[]catalog.Text{t("保湿面霜", "Moisturising Cream"), t("精华液", "Serum"), t("防晒霜", "Sunscreen"), t("口红", "Lipstick"), t("洁面乳", "Facial Cleanser"), t("面膜", "Sheet Mask"), t("眼霜", "Eye Cream")},
		[]catalog.Text{t("玻尿酸", "Hyaluronic"), t("烟酰胺", "Niacinamide"), t("人参", "Ginseng"), t("积雪草", "Centella"), t("珍珠", "Pearl"), t("绿茶", "Green Tea"), t("雪莲", "Snow Lotus")},
		variantSet{t("容量", "Volume"), []catalog.Text{t("30毫升", "30 ml"), t("50毫升", "50 ml")}}, 5900, 89900},
	{"home", t("家居", "Home"),
		[]catalog.Text{t("青瓷茶具", "Celadon Tea Set"), t("竹制砧板", "Bamboo Cutting Board"), t("香薰蜡烛", "Scented Candle"), t("真丝枕套", "Silk Pillowcase"), t("铸铁锅", "Cast Iron Pot"), t("紫砂壶", "Yixing Clay Teapot"), t("棉麻桌布", "Cotton-Linen Tablecloth")},
		[]catalog.Text{t("景德镇", "Jingdezhen"), t("宜兴", "Yixing"), t("北欧", "Nordic"), t("日式", "Japanese-Style"), t("新中式", "New Chinese"), t("极简", "Minimalist"), t("田园", "Country")},
		variantSet{t("款式", "Style"), []catalog.Text{t("标准款", "Standard"), t("礼盒款", "Gift Box")}}, 3900, 159900},
	{"snacks", t("零食", "Snacks"),
		[]catalog.Text{t("牛肉干", "Beef Jerky"), t("月饼", "Mooncake"), t("坚果礼盒", "Mixed Nuts"), t("凤梨酥", "Pineapple Cake"), t("辣条", "Spicy Gluten Strips"), t("芝麻糖", "Sesame Brittle"), t("桂花糕", "Osmanthus Cake"), t("肉松饼", "Pork Floss Pastry")},
		[]catalog.Text{t("四川", "Sichuan"), t("广式", "Cantonese"), t("台湾", "Taiwanese"), t("内蒙古", "Inner Mongolian"), t("苏式", "Suzhou-Style"), t("云南", "Yunnan")},
		variantSet{t("包装", "Pack"), []catalog.Text{t("单袋", "Single"), t("家庭装", "Family Pack"), t("礼盒", "Gift Box")}}, 990, 29800},
	{"books", t("图书", "Books"),
		[]catalog.Text{t("红楼梦", "Dream of the Red Chamber"), t("三体", "The Three-Body Problem"), t("西游记", "Journey to the West"), t("活着", "To Live"), t("围城", "Fortress Besieged"), t("边城", "Border Town"), t("骆驼祥子", "Rickshaw Boy"), t("呐喊", "Call to Arms")},
		[]catalog.Text{t("精装版", "Hardcover"), t("平装版", "Paperback"), t("插图版", "Illustrated"), t("双语版", "Bilingual Edition"), t("典藏版", "Collector's Edition"), t("有声书", "Audiobook")},
		variantSet{t("版本", "Edition"), []catalog.Text{t("中文", "Chinese"), t("英文", "English")}}, 2900, 19900},
}

// hash returns a deterministic number for seed.
func hash(seed string) uint64 {
	s := sha256.Sum256([]byte(seed))
	return binary.BigEndian.Uint64(s[:8])
}

// epoch is when the demo products were "created".
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// The demo merchants: a tea house with two stores, an electronics brand
// that ships from its warehouse, and a department store.
var (
	TeaHouse    = id.Derive(catalog.MerchantPrefix, "tea-house")
	Electronics = id.Derive(catalog.MerchantPrefix, "electronics-brand")
	Department  = id.Derive(catalog.MerchantPrefix, "department-store")
)

// merchantOf is who sells each category.
var merchantOf = map[string]string{
	"tea": TeaHouse, "coffee": TeaHouse,
	"electronics": Electronics,
	"apparel":     Department, "beauty": Department, "home": Department, "snacks": Department, "books": Department,
}

// Merchants returns the three demo merchants.
func Merchants() []catalog.Merchant {
	cny := func(n int64) money.Money { return money.Money{Amount: n, Currency: "CNY"} }
	return []catalog.Merchant{
		{ID: TeaHouse, Name: t("西湖茶馆", "West Lake Tea House"), Currency: "CNY", TimeZone: "Asia/Shanghai", Cutoff: "00:00",
			Fees:          catalog.FeeSchedule{BasisPoints: 300, Fixed: cny(50), CategoryBasisPoints: map[string]int64{"coffee": 450}},
			PayoutAccount: "bank:demo-tea-house", CreatedAt: epoch},
		{ID: Electronics, Name: t("声科数码", "Sonic Electronics"), Currency: "CNY", TimeZone: "Asia/Shanghai", Cutoff: "04:00",
			Fees:          catalog.FeeSchedule{BasisPoints: 250, Fixed: cny(0)},
			PayoutAccount: "bank:demo-electronics", CreatedAt: epoch},
		{ID: Department, Name: t("百汇百货", "Baihui Department Store"), Currency: "CNY", TimeZone: "Asia/Shanghai", Cutoff: "00:00",
			Fees:          catalog.FeeSchedule{BasisPoints: 500, Fixed: cny(100), CategoryBasisPoints: map[string]int64{"books": 200, "beauty": 800}},
			PayoutAccount: "bank:demo-department-store", CreatedAt: epoch},
	}
}

// Locations returns where the demo merchants hold stock: their stores and
// a warehouse each.
func Locations() []catalog.Location {
	whs := func(seed, merchant, zh, en, region string) catalog.Location {
		return catalog.Location{ID: id.Derive(catalog.WarehousePrefix, seed), MerchantID: merchant, Kind: catalog.Warehouse, Name: t(zh, en), Region: region}
	}
	ls := []catalog.Location{
		whs("tea-hangzhou", TeaHouse, "西湖茶馆 杭州仓", "West Lake Tea House Hangzhou warehouse", "ZJ"),
		whs("electronics-shenzhen", Electronics, "声科数码 深圳仓", "Sonic Electronics Shenzhen warehouse", "GD"),
		whs("department-tianjin", Department, "百汇百货 天津仓", "Baihui Tianjin warehouse", "TJ"),
	}
	for _, st := range Stores() {
		ls = append(ls, catalog.Location{ID: st.ID, MerchantID: st.MerchantID, Kind: catalog.StoreKind, Name: st.Name, Region: st.Region})
	}
	return ls
}

// spread divides a SKU's stock over its merchant's locations: most in the
// warehouse, some in each store, none in some stores.
func spread(sid string, total int64, locs []catalog.Location) map[string]int64 {
	m := map[string]int64{}
	left := total
	for _, l := range locs {
		if l.Kind != catalog.StoreKind {
			continue
		}
		share := total * int64(hash(sid+l.ID)%35) / 100
		m[l.ID] = share
		left -= share
	}
	for _, l := range locs {
		if l.Kind == catalog.Warehouse {
			m[l.ID] += left
			left = 0
		}
	}
	return m
}

// Catalog returns the demo merchants, their locations, products and SKUs
// (no stores or slots).
func Catalog() catalog.Batch {
	b := catalog.Batch{Merchants: Merchants(), Locations: Locations()}
	byMerchant := map[string][]catalog.Location{}
	for _, l := range b.Locations {
		byMerchant[l.MerchantID] = append(byMerchant[l.MerchantID], l)
	}
	n := 0
	for _, c := range categories {
		for ii, item := range c.items {
			for bi, brand := range c.brands {
				seed := fmt.Sprintf("%s/%d/%d", c.key, ii, bi)
				pid := id.Derive(id.Product, seed)
				status := catalog.Active
				if n%37 == 36 {
					status = catalog.Inactive
				}
				created := epoch.Add(time.Duration(n) * time.Hour)
				p := catalog.Product{
					ID:          pid,
					MerchantID:  merchantOf[c.key],
					Name:        t(brand.ZH+item.ZH, brand.EN+" "+item.EN),
					Description: t(fmt.Sprintf("%s · %s，精选好物。", c.name.ZH, brand.ZH+item.ZH), fmt.Sprintf("%s from our %s range, carefully selected.", brand.EN+" "+item.EN, c.name.EN)),
					Category:    c.key,
					Brand:       brand.EN,
					Status:      status,
					Attributes: []catalog.Attribute{
						{Key: "category", Name: t("品类", "Category"), Value: c.name},
						{Key: "line", Name: t("系列", "Line"), Value: brand},
					},
					CreatedAt: created,
					UpdatedAt: created,
				}
				base := c.minPrice + int64(hash(seed+"/price")%uint64(c.maxPrice-c.minPrice))
				base = base / 100 * 100 // whole yuan
				for vi, v := range c.variants.values {
					sid := id.Derive(id.SKU, fmt.Sprintf("%s/%d", seed, vi))
					stock := int64(hash(sid) % 200)
					if hash(sid+"/out")%11 == 0 {
						stock = 0 // some SKUs are sold out
					}
					p.SKUIDs = append(p.SKUIDs, sid)
					b.SKUs = append(b.SKUs, catalog.SKU{
						ID:         sid,
						ProductID:  pid,
						Attributes: []catalog.Attribute{{Key: "variant", Name: c.variants.attr, Value: v}},
						Price:      money.Money{Amount: base + int64(vi)*base/2, Currency: "CNY"},
						Available:  stock,
						Stock:      spread(sid, stock, byMerchant[merchantOf[c.key]]),
					})
				}
				b.Products = append(b.Products, p)
				n++
			}
		}
	}
	return b
}

// Stores returns the three demo stores.
func Stores() []catalog.Store {
	svc := func(key string, name catalog.Text, minutes int) catalog.Service {
		return catalog.Service{ID: key, Name: name, DurationMinutes: minutes}
	}
	return []catalog.Store{
		{ID: id.Derive(id.Store, "shanghai-jingan"), MerchantID: TeaHouse, Region: "SH", Name: t("交易 上海静安店", "jiaoyi Shanghai Jing'an"), City: t("上海", "Shanghai"),
			Address: t("上海市静安区南京西路1266号", "1266 West Nanjing Road, Jing'an, Shanghai"), Timezone: "Asia/Shanghai",
			Services: []catalog.Service{svc("tea-tasting", t("品茶席", "Tea tasting table"), 60), svc("fitting", t("试衣间", "Fitting room"), 30)}},
		{ID: id.Derive(id.Store, "beijing-sanlitun"), MerchantID: Department, Region: "BJ", Name: t("交易 北京三里屯店", "jiaoyi Beijing Sanlitun"), City: t("北京", "Beijing"),
			Address: t("北京市朝阳区三里屯路19号", "19 Sanlitun Road, Chaoyang, Beijing"), Timezone: "Asia/Shanghai",
			Services: []catalog.Service{svc("repair", t("数码维修", "Device repair"), 60), svc("fitting", t("试衣间", "Fitting room"), 30)}},
		{ID: id.Derive(id.Store, "shenzhen-nanshan"), MerchantID: TeaHouse, Region: "GD", Name: t("交易 深圳南山店", "jiaoyi Shenzhen Nanshan"), City: t("深圳", "Shenzhen"),
			Address: t("深圳市南山区深南大道9668号", "9668 Shennan Avenue, Nanshan, Shenzhen"), Timezone: "Asia/Shanghai",
			Services: []catalog.Service{svc("coffee-class", t("咖啡课堂", "Coffee class"), 90), svc("beauty-consult", t("美妆咨询", "Beauty consultation"), 45)}},
	}
}

// Slots returns the slots of store on day (a date in the store's timezone):
// each service from 10:00 until 21:00, one slot per service duration.
func Slots(store catalog.Store, day time.Time) ([]catalog.Slot, error) {
	loc, err := time.LoadLocation(store.Timezone)
	if err != nil {
		return nil, fmt.Errorf("demo: store %s timezone: %w", store.ID, err)
	}
	y, m, d := day.In(loc).Date()
	var slots []catalog.Slot
	for _, s := range store.Services {
		dur := time.Duration(s.DurationMinutes) * time.Minute
		closing := time.Date(y, m, d, 21, 0, 0, 0, loc)
		for start := time.Date(y, m, d, 10, 0, 0, 0, loc); !start.Add(dur).After(closing); start = start.Add(dur) {
			sid := id.Derive(id.Slot, store.ID+"/"+s.ID+"/"+start.UTC().Format(time.RFC3339))
			slots = append(slots, catalog.Slot{
				ID: sid, StoreID: store.ID, ServiceID: s.ID,
				Start: start.UTC(), End: start.Add(dur).UTC(),
				Capacity: 2 + int(hash(sid)%5),
			})
		}
	}
	return slots, nil
}

// Summary says what Seed wrote.
type Summary struct {
	Products, SKUs, Stores, Slots int
	// Skipped counts the parts that existed already.
	Skipped int
}

// Seed writes the demo catalog into repo unless it is there already, and
// slots for today and the next SlotDays-1 days (in each store's timezone)
// unless those days are there already. Re-running it changes nothing that
// exists: stock and bookings taken since are kept.
func Seed(ctx context.Context, repo *catalog.Repository, now time.Time) (Summary, error) {
	var sum Summary
	done, err := repo.HasMarker(ctx, Version)
	if err != nil {
		return sum, err
	}
	if done {
		sum.Skipped++
	} else {
		b := Catalog()
		b.Stores = Stores()
		if err := repo.Write(ctx, b); err != nil {
			return sum, fmt.Errorf("demo: seed catalog: %w", err)
		}
		if err := repo.PutMarker(ctx, Version); err != nil {
			return sum, err
		}
		sum.Products, sum.SKUs, sum.Stores = len(b.Products), len(b.SKUs), len(b.Stores)
	}
	for _, st := range Stores() {
		for d := range SlotDays {
			day := now.AddDate(0, 0, d)
			slots, err := Slots(st, day)
			if err != nil {
				return sum, err
			}
			marker := fmt.Sprintf("%s/slots/%s/%s", Version, st.ID, slots[0].Start.Format("2006-01-02"))
			done, err := repo.HasMarker(ctx, marker)
			if err != nil {
				return sum, err
			}
			if done {
				sum.Skipped++
				continue
			}
			if err := repo.Write(ctx, catalog.Batch{Slots: slots}); err != nil {
				return sum, fmt.Errorf("demo: seed slots: %w", err)
			}
			if err := repo.PutMarker(ctx, marker); err != nil {
				return sum, err
			}
			sum.Slots += len(slots)
		}
	}
	return sum, nil
}
