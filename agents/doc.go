// Package agents is the live state of every agent, kept in Redis and shared
// by every dialer instance: sessions (login with a station, logout), the
// state machine and the atomic reservation of the longest-idle ready agent
// of a campaign.
//
// # States
//
//	offline --Login--> paused("login") --Ready--> ready --Pause--> paused(reason)
//	ready --Reserve--> reserved --Connect--> talking --EndCall--> wrapup
//	reserved --Release / lease expiry--> ready (keeps its idle-since: its place)
//	wrapup --Disposition--> ready (idle-since = now)
//	ready, paused, wrapup --Logout--> offline
//
// Pause while reserved, talking or in wrap-up does not interrupt the call: it
// is recorded as a pending pause (Agent.PendingPause) and applied when the
// agent would otherwise become ready again (Release, lease expiry,
// Disposition); Ready in those states cancels a pending pause. Ready on a
// ready agent changes nothing. Logout while reserved or talking is refused.
//
// # Storage and atomicity
//
// The agents of one campaign form a pool whose keys share the hash tag
// {p:<campaign>}: one hash per agent, a ready queue (sorted set by
// idle-since), the reservation leases (sorted set by lease end) and the
// attempt → agent index of reservations. Every operation on a pool, reads
// included, is one call of one Lua script (pool.lua), and every transition
// check happens inside it: nothing is read in Go and written back. A
// reservation is therefore atomic even with several dialer instances on
// one Redis, and stays so under Redis Cluster: the script reaches the
// records of the pool's agents by a key prefix it is given, all in the
// pool's hash slot.
//
// An agent's current pool is found through its home key (one per agent,
// {a:<id>}), holding a fencing token and the campaign. Moving an offline
// agent to another campaign fences its old record with the next token before
// the home key moves, so two concurrent logins of one agent into two
// campaigns cannot both succeed. The registry caches each agent's campaign;
// a script that finds the agent offline or absent in the cached pool makes
// it look the home key up again, so the common case is one round trip.
//
// Times are unix milliseconds in Redis; every method takes now as an
// argument (no clock is read here).
//
// # Concurrency
//
// A Registry is safe for concurrent use; any number of registries (one per
// dialer instance) may share one Redis.
package agents
