package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/dialer"
	"github.com/dialer/dialer/internal/clock"
	"github.com/dialer/dialer/telephony/sim"
)

const demoCampaignID = "demo"

func demoLeads(n int) int {
	if n <= 0 {
		return 10000
	}
	return n
}

func demoAgents(n int) int {
	if n <= 0 {
		return 20
	}
	return n
}

// demoCampaign is the demo's campaign. Its calling hours span the whole day
// so that the demo runs whenever it is started; a real campaign keeps the
// law's hours (08:00–21:00 by default).
func demoCampaign() campaigns.Config {
	return campaigns.Config{
		ID:            demoCampaignID,
		Name:          "Demo collections list",
		Mode:          demoMode,
		CallerID:      "+12025550143",
		DefaultRegion: "US",
		TimeZone:      "UTC",
		CallingHours:  campaigns.Hours{Start: "00:00", End: "23:59"},
		AMD:           campaigns.AMDPolicy{Enabled: true, OnMachine: "hangup"},
	}
}

// demoSimConfig shortens talk and wrap-up times so the demo shows many
// calls a minute.
func demoSimConfig(c sim.Config) sim.Config {
	c.TalkTime = sim.Dist{Kind: "lognormal", Mean: 40 * time.Second, SD: 20 * time.Second}
	c.WrapTime = sim.Dist{Kind: "lognormal", Mean: 8 * time.Second, SD: 4 * time.Second}
	return c
}

// setupDemo creates the demo campaign with generated leads (first run only:
// leads already in Redis are kept), logs the simulated agents in and starts
// the campaign.
func setupDemo(ctx context.Context, store *campaigns.Store, sa *dialer.SimAgents, clk clock.Clock, nLeads, nAgents int, log *slog.Logger) (string, error) {
	cfg := demoCampaign()
	if err := cfg.Normalize(); err != nil {
		return "", err
	}
	_, err := store.GetCampaign(ctx, cfg.ID)
	fresh := errors.Is(err, campaigns.ErrNotFound)
	if err != nil && !fresh {
		return "", err
	}
	if err := store.SaveCampaign(ctx, cfg); err != nil {
		return "", err
	}
	if fresh {
		leads := generateLeads(demoLeads(nLeads), 42)
		res, err := store.AddLeads(ctx, cfg.ID, leads, clk.Now())
		if err != nil {
			return "", fmt.Errorf("leads: %w", err)
		}
		log.Info("demo leads generated", "imported", res.Imported, "rejected", res.Rejected)
	}
	if _, err := sa.Login(ctx, cfg.ID, demoAgents(nAgents)); err != nil {
		return "", err
	}
	if err := store.SetState(ctx, cfg.ID, campaigns.StateRunning); err != nil {
		return "", err
	}
	return cfg.ID, nil
}

// generateLeads makes n leads with valid-looking US numbers in the 555-01xx
// block that is reserved for fiction.
func generateLeads(n int, seed uint64) []campaigns.Lead {
	r := rand.New(rand.NewPCG(seed, seed+1))
	areas := []int{201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228,
		229, 231, 234, 239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 272, 276, 281, 301, 302, 303,
		304, 305, 307, 308, 309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 323, 325, 330, 331, 334, 336,
		337, 339, 346, 347, 351, 352, 360, 361, 385, 386, 401, 402, 404, 405, 406, 407, 408, 409, 410, 412, 413, 414,
		415, 417, 419, 423, 424, 425, 430, 432, 434, 435, 440, 442, 443, 458, 469, 470, 475, 478, 479, 480, 484, 501}
	first := []string{"Ana", "Luis", "María", "José", "Carmen", "Pedro", "Lucía", "Jorge", "Sofía", "Diego", "John", "Mary"}
	last := []string{"García", "Rodríguez", "López", "Martínez", "Pérez", "Gómez", "Smith", "Johnson", "Díaz", "Torres"}
	leads := make([]campaigns.Lead, 0, n)
	for i := range n {
		area := areas[(i/100)%len(areas)]
		num := fmt.Sprintf("+1%d55501%02d", area, i%100)
		leads = append(leads, campaigns.Lead{
			ExternalID: fmt.Sprintf("D%06d", i+1),
			Phone:      num,
			Name:       first[r.IntN(len(first))] + " " + last[r.IntN(len(last))],
			Priority:   r.IntN(3),
			Data: map[string]string{
				"balance":      fmt.Sprintf("%d.%02d", 100+r.IntN(5000), r.IntN(100)),
				"days_overdue": fmt.Sprint(1 + r.IntN(120)),
			},
		})
	}
	return leads
}
