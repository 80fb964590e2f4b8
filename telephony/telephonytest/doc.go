// Package telephonytest is the conformance suite every telephony.Driver
// passes, in the manner of testing/fstest.TestFS: a driver's tests describe
// the driver in a Harness and call Run, which exercises, as subtests, every
// outcome the driver claims numbers for (with its normalised cause), the
// order of events (at most one ringing, at most one answered, exactly one
// hangup, then the channel closed), hanging up at every stage, connecting to
// an agent leg and the far end hanging up after talking, Play, the error
// contract (ErrNotAnswered, ErrHungUp, ErrClosed), cancelled contexts, Close
// ending everything, audio frames after answer, and many concurrent calls.
//
// The suite only waits on channels with timeouts (Harness.Wait), never
// sleeps, so one suite serves drivers on a fake clock and on real time:
//
// The simulated network runs each subtest in a testing/synctest bubble
// (Harness.Wrap), where minutes of calls take milliseconds:
//
//	telephonytest.Run(t, telephonytest.Harness{
//		New:     func(t *testing.T) telephony.Driver { n, _ := sim.New(cfg, clock.Real); return n },
//		Numbers: map[telephonytest.Outcome]string{telephonytest.Human: "+15550100", ...},
//		Station: "SIP/agent1", Sound: "abandon", Audio: true,
//		Wrap:    func(t *testing.T, f func(*testing.T)) { synctest.Test(t, f) },
//	})
//
// A driver for a real switch runs it in real time against a test switch
// whose dial plan gives fixed outcomes to fixed numbers. The ARI driver's
// test is gated on the environment, so `go test ./...` passes without an
// Asterisk:
//
//	func TestConformance(t *testing.T) {
//		url := os.Getenv("DIALER_TEST_ARI_URL") // e.g. http://asterisk:asterisk@127.0.0.1:8088/ari?app=dialer-test
//		if url == "" {
//			t.Skip("DIALER_TEST_ARI_URL not set: no Asterisk to test against")
//		}
//		telephonytest.Run(t, telephonytest.Harness{
//			New: func(t *testing.T) telephony.Driver {
//				d, err := ari.Dial(t.Context(), url)
//				if err != nil {
//					t.Fatal(err)
//				}
//				return d
//			},
//			// deploy/asterisk's test context: 100 answers and hangs up 5 s
//			// after being bridged, 101 plays a greeting and a beep, 102 is
//			// Busy(), 103 Congestion(), 104 Hangup(1), 105 rings forever.
//			Numbers: map[telephonytest.Outcome]string{
//				telephonytest.Human: "100", telephonytest.Machine: "101", telephonytest.Busy: "102",
//				telephonytest.Congestion: "103", telephonytest.Invalid: "104", telephonytest.NoAnswer: "105",
//			},
//			Station:     "PJSIP/agent-test",
//			Sound:       "beep",
//			Audio:       true,
//			RingTimeout: 15 * time.Second,
//			Wait:        45 * time.Second,
//			Concurrency: 20, // a laptop Asterisk, not a trunk
//		})
//	}
//
// What the harness promises for its numbers is documented on each Outcome;
// in particular the Human number must stay up unconnected for at least a few
// seconds and, once connected, hang up by itself within Wait.
package telephonytest
