// Package sim is a simulated phone network: a telephony.Driver whose calls
// are busy, invalid, congested, unanswered, or answered by a person, an
// answering machine or a fax, with probabilities and time distributions
// from a Config. The demo, the pacing simulator, load tests and the engine's
// tests dial it instead of a real switch.
//
// Use:
//
//	n, err := sim.New(sim.DefaultConfig(), clock.Real)
//	defer n.Close()
//	call, err := n.Originate(ctx, telephony.OriginateRequest{AttemptID: id, Number: num, Timeout: 25 * time.Second})
//	for ev := range call.Events() { ... }
//
// # What a call does
//
// Every call's plan is drawn when it is originated (Network.Truth tells it):
//
//   - busy, congestion: EventHangup with CauseBusy or CauseCongestion after
//     PostDial, with no ringing;
//   - invalid: EventHangup with CauseInvalid after PostDial. When the request
//     asks for audio, a share (Config.InvalidIntercept) is instead answered
//     by an intercept without ringing: special information tones and an
//     announcement on Audio, then EventHangup with CauseInvalid, so an AMD
//     can learn to recognise SIT;
//   - no answer: EventRinging after PostDial, then EventHangup with
//     CauseNoAnswer at the request's Timeout (from originate);
//   - human, machine, fax: EventRinging after PostDial, EventAnswered at
//     RingTime (from originate; a RingTime at or past the Timeout makes the
//     call a no answer). A person who is not connected hangs up after
//     Patience; connected, after TalkTime. A machine plays its greeting and
//     beep, then records MachineSilence (30 s) and hangs up; a fax hangs up
//     after FaxHold (40 s). These remote hang-ups are CauseNormal by
//     PartyNetwork.
//
// Hangup ends a call at any stage with EventHangup{Cause: the given cause,
// By: PartyUs}. Closing an agent leg ends the call bridged to it
// (CauseNormal, PartyUs). Close ends every call (PartyUs; CauseCanceled
// before answer, CauseNormal after) and leg.
//
// # Audio
//
// When the request asks for audio, Call.Audio delivers 20 ms frames
// (telephony.FrameSamples samples) paced by the clock from answer until
// hang-up: the AudioSource's clip for the call's kind, then low line noise.
// The default source is Synthetic (speech-like synthetic audio, see
// Synthesize); ClipSource serves recordings.
//
// # Guarantees
//
// The network is in memory and uses only its clock.Clock, so it runs inside a
// testing/synctest bubble. Each call has one goroutine, which ends when the
// call ends; Close waits for all of them. A call's goroutine never blocks on
// a reader: the Events channel holds all three events a call can produce,
// and the Audio channel holds AudioBuffer frames (2 s), beyond which new
// frames are dropped and counted in Stats.AudioDropped. The Network, its
// calls and legs are safe for concurrent use. Logs mask phone numbers.
package sim
