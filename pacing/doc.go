// Package pacing decides how many calls to launch now. It is pure: no I/O,
// no clock of its own ("now" comes in the Snapshot), and it imports nothing
// of this module, so the engine (dialer serve) and the simulator (dialer
// sim, package pacing/simulator) run the same code.
//
// # Policies
//
// Every dial mode is a Policy: Decide(Snapshot) Decision.
//
//   - Preview: one call per agent who asked for the next lead
//     (Snapshot.PreviewRequests).
//   - Progressive: calls in flight ≤ ready agents (ratio 1: no abandons,
//     because a live answer always finds the ready agent it was dialled for).
//   - Power: calls in flight ≤ ready agents × a fixed ratio.
//   - Predictive: dials ahead of agents freeing up (see NewPredictive): a
//     variance-aware short-horizon forecast of free agents against pending
//     live answers, a feedback controller on the realised abandon rate,
//     and a fall-back to progressive at the ceiling. Erlang-C (ErlangC,
//     SteadyTraffic) gives the steady-state rate it reports.
//   - VICIdial: the adaptive dial level of VICIdial, as a baseline for the
//     simulator.
//
// # How the engine uses a policy
//
// Build one policy per running campaign with New(mode, limits) and keep it
// for the campaign's life (Predictive and VICIdial learn; rebuilding them
// forgets what they learnt). Then:
//
//  1. About every 250 ms–1 s, build a Snapshot and call Decide:
//     Now; every logged-in agent with its status and the time it entered it
//     (Reserved for an agent held for a live answer, Paused agents may be
//     left out); every call in flight — originated and not yet connected to
//     an agent or ended — with its Stage, the time it entered the stage and
//     when it was launched; LiveAnswers and Abandoned counted over the
//     campaign's abandon window; and the campaign's Limits (AbandonTarget,
//     AbandonGrace, PowerRatio, MaxRatio). Launch Decision.Launch calls;
//     Decision.Reason and Decision.Forecast are for metrics and logs.
//  2. If the policy implements Observer, send it an Observation at each of
//     the moments below, with Now = the moment.
//
// Decision.Reason is one of: "forecast" (predictive dials ahead),
// "ready_agents" (progressive, or predictive's progressive floor),
// "power_ratio", "preview_request", "dial_level" (vicidial), "max_ratio"
// (predictive held by Limits.MaxRatio), "ceiling" (predictive fell back to
// progressive at the abandon ceiling), and, with Launch 0, "full" or
// "no_request".
//
// The moments to observe:
//
//   - ObserveResult when an attempt's outcome is known: after the AMD
//     verdict for an answered call (Outcome human, machine or fax; Ring =
//     launch→answer, AMD = answer→verdict), or at the hang-up of a call
//     never answered (busy, no answer, invalid, failed; Ring =
//     launch→hang-up). Send it at the verdict, not when the conversation
//     ends: the estimators and the controller learn only from what they
//     have been told. If it must be sent later, set Launched.
//   - ObserveConnect when a live answer is connected to an agent (Wait =
//     verdict→connect) or abandoned (Abandoned = true), at that moment.
//   - ObserveHandled when an agent finishes wrap-up (Talk, Wrap).
//
// A call whose result is lost (an engine restart) is simply not observed;
// estimators start from priors (Priors) and adapt.
//
// The simulator sends the same observations at the same moments; what it
// measures is what ships.
//
// # Concurrency
//
// Progressive, Power and Preview are values without state. Predictive and
// VICIdial guard their state with a mutex: Observe may be called from call
// goroutines while the campaign loop calls Decide. Decide does not allocate
// in the steady state (see BenchmarkPredictiveDecide500).
package pacing
