# The Data API v2 curl examples of the API documentation, verbatim; the test
# substitutes the base URL.
curl https://collectorstashmarket.com/api/v2/stats
curl https://collectorstashmarket.com/api/v2/games
curl "https://collectorstashmarket.com/api/v2/games/pokemon?page=1&size=50"
curl "https://collectorstashmarket.com/api/v2/sets/1043?page=1&size=60"
curl "https://collectorstashmarket.com/api/v2/cards?game=pokemon&name=Charizard&number=4/102"
curl https://collectorstashmarket.com/api/v2/cards/441076
curl "https://collectorstashmarket.com/api/v2/cards/441076/history?region=eu&days=90"
