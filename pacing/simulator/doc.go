// Package simulator is a discrete-event simulation of an outbound campaign
// in virtual time: it drives the pacing policies exactly as the engine
// does (a Snapshot every Tick, the same Observations at the same moments)
// against a statistical phone network described by a Scenario, and reports
// abandons, utilization and agent waits per policy. It is pure (no clock,
// no I/O beyond what the caller passes in) and imports only pacing, yaml,
// gonum and the standard library.
//
// Model: a policy launches calls; each call takes the next lead. Lead i's
// outcome and durations are drawn from its own stream (a hash of the seed,
// i and the draw), so every policy sees the same list (common random
// numbers). Answered calls (human, machine, fax) ring for ring_time
// (capped at no_answer_timeout), then AMD listens for amd_time; a human
// verdict is a live answer, connected at once to the longest-idle ready
// agent or, failing one, to the first agent freed within abandon_grace,
// else abandoned. Busy, invalid and failed attempts end after reject_time;
// no-answers at no_answer_timeout. A ready agent stays ready while calls
// ring (it is taken at the live answer), then talks for talk_time and wraps
// up for wrap_time. When the team shrinks, ready agents log out first and
// busy ones after their wrap-up.
//
// Reported per policy (Result): abandon_rate = abandoned / live answers over
// the run; max_window_abandon_rate over 1-hour windows; utilization = (talk
// + wrap-up) / logged-in time; idle seconds per agent hour; wait = an
// agent's idle time before each call. The policy's Snapshot counts live
// answers and abandons over the whole run (the regulator's window, 24 h or
// 30 days, is longer than a simulated day).
//
// Run, Compare and the Tune functions are safe to call concurrently: every
// run has its own state. `dialer sim` is the command-line front end.
package simulator
