package dialer

import "github.com/prometheus/client_golang/prometheus"

// metrics of the engine. Labels carry campaign ids and outcomes, never a
// lead or a phone number.
type metrics struct {
	originated      *prometheus.CounterVec
	outcomes        *prometheus.CounterVec
	inFlight        *prometheus.GaugeVec
	abandonRatio    *prometheus.GaugeVec
	decisionSeconds *prometheus.HistogramVec
	connectSeconds  *prometheus.HistogramVec
	launchDecided   *prometheus.CounterVec
	amdVerdicts     *prometheus.CounterVec
	amdSeconds      *prometheus.HistogramVec
	owned           *prometheus.GaugeVec
	missedTicks     *prometheus.CounterVec
	errors          *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		originated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dialer_calls_originated_total",
			Help: "Calls the engine originated.",
		}, []string{"campaign"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dialer_call_outcomes_total",
			Help: "Attempts ended, by outcome.",
		}, []string{"campaign", "outcome"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dialer_calls_in_flight",
			Help: "Calls originated and not yet connected to an agent or ended, by stage.",
		}, []string{"campaign", "stage"}),
		abandonRatio: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dialer_abandon_ratio",
			Help: "Abandoned / live answers over the campaign's abandon window.",
		}, []string{"campaign"}),
		decisionSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dialer_pacing_decision_seconds",
			Help:    "Time to build the pacing snapshot and decide, per tick.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14),
		}, []string{"campaign"}),
		connectSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dialer_answer_to_connect_seconds",
			Help:    "From a live answer to the customer bridged to an agent.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3},
		}, []string{"campaign"}),
		launchDecided: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dialer_pacing_launches_total",
			Help: "Calls the pacing policy asked to launch, by reason.",
		}, []string{"campaign", "reason"}),
		amdVerdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dialer_amd_verdicts_total",
			Help: "AMD verdicts on answered calls.",
		}, []string{"campaign", "result"}),
		amdSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dialer_amd_decision_seconds",
			Help:    "From answer to the AMD verdict.",
			Buckets: []float64{0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5},
		}, []string{"campaign"}),
		owned: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dialer_campaign_owned",
			Help: "1 when this instance holds the campaign's lease.",
		}, []string{"campaign"}),
		missedTicks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dialer_loop_missed_ticks_total",
			Help: "Ticks the campaign loop skipped because the previous one ran late.",
		}, []string{"campaign"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dialer_errors_total",
			Help: "Errors in the engine, by where they happened.",
		}, []string{"campaign", "op"}),
	}
	if reg != nil {
		reg.MustRegister(m.originated, m.outcomes, m.inFlight, m.abandonRatio, m.decisionSeconds,
			m.connectSeconds, m.launchDecided, m.amdVerdicts, m.amdSeconds, m.owned, m.missedTicks, m.errors)
	}
	return m
}
