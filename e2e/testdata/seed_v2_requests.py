# The Data API v2 Python (requests) examples of the API documentation,
# verbatim but for the indentation the page lost; the test substitutes the
# base URL.
import requests
stats = requests.get("https://collectorstashmarket.com/api/v2/stats").json()
print("stats", stats["cards"], stats["price_points"])

import requests
games = requests.get("https://collectorstashmarket.com/api/v2/games").json()["items"]
print("games", len(games))

import requests
card = requests.get("https://collectorstashmarket.com/api/v2/cards/441076").json()
for pr in card["printings"]:
    for v in pr["variants"]:
        eu = v["prices"]["eu"][0]["amount"] if v["prices"]["eu"] else None
        print(pr["language"], v["finish"], "EU€", eu)
