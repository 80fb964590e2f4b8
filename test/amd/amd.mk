# Answering-machine detection: corpus and report. Included by the top-level
# Makefile; paths are relative to the repository root.

GO       ?= go
AMD_OUT  ?= test/amd/out
AMD_SEED ?= 4

.PHONY: amd-corpus amd-bench

amd-corpus: ## build the labelled AMD corpus in test/amd/out (needs sox, espeak-ng, apt-get; ~1 min)
	test/amd/build-corpus.sh $(AMD_OUT) $(AMD_SEED)

amd-bench: ## AMD report on the corpus (ours beside the app_amd-style baseline) and classifier speed
	@test -f $(AMD_OUT)/labels.csv || $(MAKE) --no-print-directory amd-corpus
	$(GO) run ./cmd/dialer amd eval --labels $(AMD_OUT)/labels.csv
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./amd
