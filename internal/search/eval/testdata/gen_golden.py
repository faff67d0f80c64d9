#!/usr/bin/env python3
"""Writes golden.json: graded queries over the demo catalog (internal/dev/demo).

Grades are judged from the catalog's content, never from an engine's
output: a rule names products by what they are (their item, i.e. the name
without the brand/line prefix; their brand; their category), and a
product's grade is the highest grade of the rules it meets.
  3 = exactly what was asked for, 2 = closely related (same kind of thing),
  1 = loosely related (same category), 0 = everything else.
Queries with no rules are out of catalog: the right answer is nothing.
Run: python3 gen_golden.py > golden.json
"""
import json

# category key -> (zh items, en items), in demo.go's order.
ITEMS = {
    "tea": (["龙井", "普洱", "铁观音", "大红袍", "碧螺春", "白毫银针", "祁门红茶", "茉莉花茶", "滇红", "黄山毛峰"],
            ["Longjing Green Tea", "Pu'er", "Tieguanyin Oolong", "Da Hong Pao", "Biluochun", "Silver Needle White Tea", "Keemun Black Tea", "Jasmine Tea", "Dianhong Black Tea", "Huangshan Maofeng"]),
    "coffee": (["阿拉比卡咖啡豆", "冷萃咖啡", "挂耳咖啡", "意式浓缩豆", "速溶咖啡", "燕麦拿铁", "单品手冲豆", "咖啡胶囊"],
               ["Arabica Beans", "Cold Brew", "Drip Bag Coffee", "Espresso Roast", "Instant Coffee", "Oat Latte", "Single-Origin Pour-Over Beans", "Coffee Capsules"]),
    "apparel": (["真丝衬衫", "羊绒围巾", "亚麻长裤", "羽绒服", "旗袍", "卫衣", "牛仔外套", "针织开衫"],
                ["Silk Shirt", "Cashmere Scarf", "Linen Trousers", "Down Jacket", "Qipao Dress", "Hoodie", "Denim Jacket", "Knit Cardigan"]),
    "electronics": (["无线耳机", "移动电源", "智能手表", "蓝牙音箱", "机械键盘", "快充充电器", "平板保护套"],
                    ["Wireless Earbuds", "Power Bank", "Smartwatch", "Bluetooth Speaker", "Mechanical Keyboard", "Fast Charger", "Tablet Case"]),
    "beauty": (["保湿面霜", "精华液", "防晒霜", "口红", "洁面乳", "面膜", "眼霜"],
               ["Moisturising Cream", "Serum", "Sunscreen", "Lipstick", "Facial Cleanser", "Sheet Mask", "Eye Cream"]),
    "home": (["青瓷茶具", "竹制砧板", "香薰蜡烛", "真丝枕套", "铸铁锅", "紫砂壶", "棉麻桌布"],
             ["Celadon Tea Set", "Bamboo Cutting Board", "Scented Candle", "Silk Pillowcase", "Cast Iron Pot", "Yixing Clay Teapot", "Cotton-Linen Tablecloth"]),
    "snacks": (["牛肉干", "月饼", "坚果礼盒", "凤梨酥", "辣条", "芝麻糖", "桂花糕", "肉松饼"],
               ["Beef Jerky", "Mooncake", "Mixed Nuts", "Pineapple Cake", "Spicy Gluten Strips", "Sesame Brittle", "Osmanthus Cake", "Pork Floss Pastry"]),
    "books": (["红楼梦", "三体", "西游记", "活着", "围城", "边城", "骆驼祥子", "呐喊"],
              ["Dream of the Red Chamber", "The Three-Body Problem", "Journey to the West", "To Live", "Fortress Besieged", "Border Town", "Rickshaw Boy", "Call to Arms"]),
}

def item(zh, g=3): return {"item": zh, "grade": g}
def cat(c, g=1): return {"category": c, "grade": g}
def brand(b, g=3): return {"brand": b, "grade": g}

queries = []
def add(kind, q, *rules):
    queries.append({"q": q, "kind": kind, "rules": list(rules)})

# Every item by its Chinese and its English name: the item is a 3, its
# category a 1.
for c, (zhs, ens) in ITEMS.items():
    for zh, en in zip(zhs, ens):
        add("zh-word", zh, item(zh), cat(c))
        add("en-name", en.lower(), item(zh), cat(c))

# Single characters.
add("zh-char", "茶", cat("tea", 3), item("青瓷茶具", 2), item("紫砂壶", 1))
add("zh-char", "书", cat("books", 2))
add("zh-char", "壶", item("紫砂壶"), item("铸铁锅", 1))
add("zh-char", "酥", item("凤梨酥"), cat("snacks", 1))
add("zh-char", "糕", item("桂花糕"), item("凤梨酥", 1), cat("snacks", 1))
# Words inside longer names.
add("zh-inner", "耳机", item("无线耳机"), cat("electronics", 1))
add("zh-inner", "音箱", item("蓝牙音箱"), cat("electronics", 1))
add("zh-inner", "红茶", item("祁门红茶"), item("滇红", 3), cat("tea", 1))
add("zh-inner", "咖啡豆", item("阿拉比卡咖啡豆"), item("单品手冲豆", 2), item("意式浓缩豆", 2), cat("coffee", 1))
add("zh-inner", "键盘", item("机械键盘"), cat("electronics", 1))
add("zh-inner", "围巾", item("羊绒围巾"), cat("apparel", 1))
add("zh-inner", "面霜", item("保湿面霜"), item("眼霜", 1), cat("beauty", 1))
add("zh-inner", "拿铁", item("燕麦拿铁"), cat("coffee", 1))
add("zh-inner", "枕套", item("真丝枕套"), cat("home", 1))
add("zh-inner", "充电器", item("快充充电器"), item("移动电源", 1), cat("electronics", 1))
# Phrases.
add("zh-phrase", "西湖龙井", {"item": "龙井", "brand": "West Lake", "grade": 3}, item("龙井", 2), cat("tea", 1))
add("zh-phrase", "云南普洱", {"item": "普洱", "brand": "Yunnan", "grade": 3}, item("普洱", 2), cat("tea", 1))
add("zh-phrase", "专业版无线耳机", {"item": "无线耳机", "brand": "Pro", "grade": 3}, item("无线耳机", 2), cat("electronics", 1))
add("zh-phrase", "精装版红楼梦", {"item": "红楼梦", "brand": "Hardcover", "grade": 3}, item("红楼梦", 2), cat("books", 1))
# Traditional script.
for trad, simp, c in [("龍井", "龙井", "tea"), ("紅樓夢", "红楼梦", "books"), ("藍牙音箱", "蓝牙音箱", "electronics"),
                      ("機械鍵盤", "机械键盘", "electronics"), ("羽絨服", "羽绒服", "apparel"), ("鐵觀音", "铁观音", "tea"),
                      ("紫砂壺", "紫砂壶", "home"), ("鳳梨酥", "凤梨酥", "snacks"), ("駱駝祥子", "骆驼祥子", "books"),
                      ("無線耳機", "无线耳机", "electronics"), ("蠟燭", "香薰蜡烛", "home"), ("牛肉乾", "牛肉干", "snacks")]:
    add("traditional", trad, item(simp), cat(c))
# Full pinyin.
for py, zh, c in [("longjing", "龙井", "tea"), ("hongloumeng", "红楼梦", "books"), ("tieguanyin", "铁观音", "tea"),
                  ("xiyouji", "西游记", "books"), ("qipao", "旗袍", "apparel"), ("yuebing", "月饼", "snacks"),
                  ("zishahu", "紫砂壶", "home"), ("biluochun", "碧螺春", "tea"), ("luotuoxiangzi", "骆驼祥子", "books"),
                  ("lanyayinxiang", "蓝牙音箱", "electronics"), ("yurongfu", "羽绒服", "apparel"), ("fenglisu", "凤梨酥", "snacks")]:
    add("pinyin", py, item(zh), cat(c))
# Stemming.
for q, zh, c in [("earbud", "无线耳机", "electronics"), ("speakers", "蓝牙音箱", "electronics"), ("keyboards", "机械键盘", "electronics"),
                 ("candles", "香薰蜡烛", "home"), ("mooncakes", "月饼", "snacks"), ("capsule", "咖啡胶囊", "coffee"),
                 ("chargers", "快充充电器", "electronics"), ("masks", "面膜", "beauty")]:
    add("stemming", q, item(zh), cat(c))
# Typos on Latin words.
for q, zh, c in [("bluetoth speaker", "蓝牙音箱", "electronics"), ("mechanicl keyboard", "机械键盘", "electronics"),
                 ("cashmer scarf", "羊绒围巾", "apparel"), ("moisturizing cream", "保湿面霜", "beauty"),
                 ("sunscren", "防晒霜", "beauty"), ("espreso roast", "意式浓缩豆", "coffee"), ("jasmin tea", "茉莉花茶", "tea"),
                 ("lipstik", "口红", "beauty"), ("pineaple cake", "凤梨酥", "snacks"), ("cardigen", "针织开衫", "apparel")]:
    add("typo", q, item(zh), cat(c))
# Compounds.
for q, zh, c in [("smart watch", "智能手表", "electronics"), ("sun screen", "防晒霜", "beauty"),
                 ("pillow case", "真丝枕套", "home"), ("table cloth", "棉麻桌布", "home"), ("moon cake", "月饼", "snacks")]:
    add("compound", q, item(zh), cat(c))
# Mixed script.
add("mixed", "Pro 无线耳机", {"item": "无线耳机", "brand": "Pro", "grade": 3}, item("无线耳机", 2), cat("electronics", 1))
add("mixed", "West Lake 龙井", {"item": "龙井", "brand": "West Lake", "grade": 3}, item("龙井", 2), cat("tea", 1))
add("mixed", "Max 智能手表", {"item": "智能手表", "brand": "Max", "grade": 3}, item("智能手表", 2), cat("electronics", 1))
add("mixed", "蓝牙 speaker", item("蓝牙音箱"), cat("electronics", 1))
# Pu'er and Baoshan are Yunnan's coffee regions.
add("mixed", "Yunnan 咖啡", {"category": "coffee", "brand": "Pu'er Estate", "grade": 3},
    {"category": "coffee", "brand": "Baoshan", "grade": 3}, cat("coffee", 2), brand("Yunnan", 1))
# Brands and lines.
add("brand", "Jingdezhen", brand("Jingdezhen"))
add("brand", "景德镇", brand("Jingdezhen"))
add("brand", "Niacinamide", brand("Niacinamide"))
add("brand", "Guochao", brand("Guochao"))
# Out of catalog: nothing is relevant, the right answer is empty.
for q in ["xyzzy", "iPhone 手机壳", "laptop", "汽车轮胎", "qwertyuiop", "冰箱", "refrigerator", "+title:tea -coffee", "*", "/.*/"]:
    add("none", q)

print(json.dumps(queries, ensure_ascii=False, indent=1))
