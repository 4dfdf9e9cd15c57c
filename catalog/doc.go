// Package catalog holds the domain of the Collector Stash Market platform: games,
// sets, cards, printings, variants, images, cross-references, sealed products and
// price points, accounts, sessions, API keys and the tier table, the access
// rule, the application error type, and the small interfaces that the
// adapters (Postgres store, Gin API, importers, workers) implement or consume.
//
// It imports no technology: no database driver, no HTTP framework, no queue.
package catalog
