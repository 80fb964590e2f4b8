package sim

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dialer/dialer/internal/clock"
	"github.com/dialer/dialer/telephony"
)

// BenchmarkCallLifecycle is the network's cost per call: originate, ringing,
// answer, connect to an agent leg, hang up, with zero wait times on the real
// clock.
func BenchmarkCallLifecycle(b *testing.B) {
	cfg := Config{Human: 1, Patience: Constant(time.Minute)}
	n, err := New(cfg, clock.Real)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	ctx := b.Context()
	leg, err := n.OpenAgentLeg(ctx, "SIP/bench")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		c, err := n.Originate(ctx, telephony.OriginateRequest{AttemptID: fmt.Sprint(i), Number: "+15550000", Timeout: time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		for ev := range c.Events() {
			if ev.Kind == telephony.EventAnswered {
				break
			}
		}
		if err := c.Connect(ctx, leg); err != nil {
			b.Fatal(err)
		}
		c.Hangup(ctx, telephony.CauseNormal)
		for range c.Events() {
		}
	}
}

// BenchmarkConcurrentCalls runs batches of 10,000 calls, 1000 in flight, on
// the real clock with a DefaultConfig outcome mix and millisecond timings,
// and reports the calls per second the network completes. One op is one
// batch.
func BenchmarkConcurrentCalls(b *testing.B) {
	cfg := DefaultConfig()
	cfg.PostDial = Uniform(time.Millisecond, 3*time.Millisecond)
	cfg.RingTime = Uniform(3*time.Millisecond, 10*time.Millisecond)
	cfg.Patience = Uniform(5*time.Millisecond, 10*time.Millisecond)
	cfg.Greeting = Constant(5 * time.Millisecond)
	cfg.MachineSilence = 5 * time.Millisecond
	cfg.FaxHold = 5 * time.Millisecond
	n, err := New(cfg, clock.Real)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	ctx := b.Context()
	const batch, inFlight = 10_000, 1000
	sem := make(chan struct{}, inFlight)
	var wg sync.WaitGroup
	b.ReportAllocs()
	start := time.Now()
	id := 0
	for b.Loop() {
		for range batch {
			id++
			sem <- struct{}{}
			c, err := n.Originate(ctx, telephony.OriginateRequest{AttemptID: fmt.Sprint(id), Number: "+15550000", Timeout: 8 * time.Millisecond})
			if err != nil {
				b.Fatal(err)
			}
			wg.Go(func() {
				for range c.Events() {
				}
				<-sem
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(id)/time.Since(start).Seconds(), "calls/s")
}
