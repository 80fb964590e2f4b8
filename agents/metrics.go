package agents

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// scrapeTimeout bounds the Redis reads of one scrape.
const scrapeTimeout = 5 * time.Second

type collector struct {
	r         *Registry
	campaigns func() []string
	desc      *prometheus.Desc
}

// NewCollector returns a Prometheus collector of dialer_agents{campaign,
// state}: the number of agents per state of each campaign campaigns returns,
// read from Redis at scrape time (one round trip per campaign). A campaign
// whose counts cannot be read is left out of that scrape and logged.
func NewCollector(r *Registry, campaigns func() []string) prometheus.Collector {
	return &collector{
		r:         r,
		campaigns: campaigns,
		desc: prometheus.NewDesc("dialer_agents", "Agents by state, per campaign.",
			[]string{"campaign", "state"}, nil),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	seen := map[string]bool{}
	for _, id := range c.campaigns() {
		if seen[id] {
			continue
		}
		seen[id] = true
		counts, err := c.r.Counts(ctx, id)
		if err != nil {
			c.r.log.Warn("agents collector: counts", "campaign", id, "err", err)
			continue
		}
		for _, s := range States {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[s]), id, string(s))
		}
	}
}
