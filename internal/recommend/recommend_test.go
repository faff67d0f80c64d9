package recommend

import (
	"fmt"
	"testing"
)

func TestScoreFavoursSpecificPairsOverBestSellers(t *testing.T) {
	// a is bought with b 8 times (b is in 10 orders) and with the
	// best-seller x 8 times (x is in 1,000 orders).
	if s, x := Score(8, 20, 10), Score(8, 20, 1000); s <= x {
		t.Errorf("specific pair %v <= best-seller %v", s, x)
	}
	if Score(1, 1, 1) >= Score(5, 5, 5) {
		t.Error("one coincidence outranks a pattern")
	}
	for _, tt := range [][3]int64{{0, 1, 1}, {1, 0, 1}, {1, 1, 0}} {
		if Score(tt[0], tt[1], tt[2]) != 0 {
			t.Errorf("Score%v != 0", tt)
		}
	}
}

func TestCountsAndTops(t *testing.T) {
	c := NewCounts()
	c.Add([]string{"tea", "cup", "tea"}) // the repeat counts once
	c.Add([]string{"tea", "cup"})
	c.Add([]string{"tea", "kettle"})
	c.Add([]string{"cup"})
	if c.Orders["tea"] != 3 || c.Orders["cup"] != 3 || c.Pairs["tea"]["cup"] != 2 || c.Pairs["cup"]["tea"] != 2 {
		t.Fatalf("counts %+v", c)
	}
	tops := c.Tops(K)
	if got := tops["tea"]; len(got) != 2 || got[0].ProductID != "cup" {
		t.Errorf("tea's list %+v, want cup first", got)
	}
	if got := c.Popular(2); len(got) != 2 || got[0] != "cup" || got[1] != "tea" {
		t.Errorf("popular %v, want cup, tea (ties by id)", got)
	}
}

func TestBasketCap(t *testing.T) {
	var ps []string
	for i := range 12 {
		ps = append(ps, fmt.Sprint("p", i))
	}
	if b := Basket(append(ps, "p0")); len(b) != MaxBasket || b[0] != "p0" {
		t.Errorf("basket %v", b)
	}
}

func TestForUserExcludesBoughtAndFallsBack(t *testing.T) {
	tops := map[string][]Scored{"tea": {{"cup", 0.9}, {"kettle", 0.5}}}
	got := ForUser(map[string]int64{"tea": 2, "kettle": 1}, tops, []string{"tea", "book", "pen"}, 3)
	want := []string{"cup", "book", "pen"}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i, w := range want {
		if got[i].ProductID != w {
			t.Errorf("got[%d] = %s, want %s", i, got[i].ProductID, w)
		}
	}
	if fresh := ForUser(nil, tops, []string{"book"}, 3); len(fresh) != 1 || fresh[0].ProductID != "book" {
		t.Errorf("a new shopper gets %+v, want the popular list", fresh)
	}
}

// On a seeded history, item-to-item beats popularity at 10.
func TestSimulatedHistoryBeatsPopularity(t *testing.T) {
	var ps []Product
	for c := range 6 {
		for i := range 30 {
			ps = append(ps, Product{ID: fmt.Sprintf("c%dp%02d", c, i), Category: fmt.Sprint("cat", c), Brand: fmt.Sprint("b", i%5)})
		}
	}
	orders := Simulate(ps, 600, 42)
	if again := Simulate(ps, 600, 42); len(again) != len(orders) || again[10].Products[0] != orders[10].Products[0] {
		t.Fatal("the simulation is not deterministic")
	}
	ev := Evaluate(orders, 10)
	if ev.Customers < 300 || ev.HitRate <= ev.Popularity {
		t.Errorf("evaluation %+v: want item-to-item above popularity", ev)
	}
}
