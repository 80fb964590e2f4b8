// Package dialer is the engine: it ties campaigns, agents, pacing, AMD and a
// telephony driver into one loop per running campaign.
//
// An Engine supervises every campaign in the store. For each running campaign
// it tries to take the campaign's lease (a Redis lease with a fencing token);
// the instance that holds it runs the campaign's loop, and any other instance
// on the same Redis stands by and takes over when the lease lapses. A new
// owner first recovers what the old one left in flight (attempts logged as
// interrupted, leads eligible again, orphaned agents released), so no lead is
// lost and no attempt is dialed twice.
//
// Each tick (default 250 ms) the loop builds a pacing.Snapshot from the live
// agent state in Redis and its own calls in flight, asks the campaign's policy
// how many calls to launch, takes that many lawful leads (StartAttempts records
// each attempt before it is originated) and originates them. Each call runs
// its own lifecycle: originate → ringing → answered (→ AMD) → reserve an agent
// and connect, or abandon when no agent could be reserved within the grace
// (play the abandon message, hang up, count it) → the attempt is recorded in
// the attempt log and the lead rescheduled by the campaign's retry rules.
//
// Shutdown (cancel Run's context) follows this order: stop pacing, stop
// originating, hang up calls that were not answered yet (their leads become
// eligible again), let live calls settle up to the drain timeout, release the
// leases. The caller then closes the telephony driver and Redis.
//
// The engine takes its time from an internal/clock.Clock and never sleeps on
// its own, so its tests run inside testing/synctest bubbles.
package dialer
