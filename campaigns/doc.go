// Package campaigns holds what a supervisor configures and what the engine
// dials: campaign configs (YAML or JSON, strictly decoded and validated),
// leads and their import from CSV, and the campaign state in Redis: run
// state, ownership leases with fencing tokens, attempts in flight, the
// attempt log, retries and counters.
//
// # Using it
//
// Parse a config with ParseYAML or ParseJSON (or decode it yourself and call
// Config.Normalize), store it with Store.SaveCampaign and load leads with
// Store.ImportCSV or Store.AddLeads. An engine instance then:
//
//	token, ok, err := store.AcquireLease(ctx, id, owner, ttl) // ok=false: someone else owns it
//	store.RecoverInFlight(ctx, id, token, now)                // attempts its dead predecessor left
//	for {
//		atts, err := store.StartAttempts(ctx, id, token, now, n) // ErrFenced: stop, we lost it
//		// ... dial each, then:
//		store.FinishAttempt(ctx, id, record)
//		store.RenewLease(ctx, id, owner, token, ttl)
//	}
//
// # Guarantees
//
// Every change that touches more than one key is one Lua script, and all
// keys of a campaign share the hash tag {c:<id>}, so a campaign's state is
// consistent under concurrent engines, API calls and Redis Cluster. A lead
// is handed to at most one attempt at a time: StartAttempts marks it
// dialing and records the attempt in flight before returning it, and only
// FinishAttempt or RecoverInFlight (by the owner of the current fencing
// token) returns it to the queue. With Redis AOF (appendfsync always) no
// acknowledged change is lost across a Redis restart.
//
// Time comes from the caller (now arguments); lease TTLs use Redis' clock.
// Phone numbers are logged masked (Phone, MaskPhone). The Store is safe for
// concurrent use.
package campaigns

import _ "time/tzdata" // IANA zones on machines without /usr/share/zoneinfo
