# ferry — see README.md. `make run` and `make test` are the whole set-up.

GO       ?= go
BIN      := bin/ferry
ROOT     ?= ./ferry-data
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/ferrydelivery/ferry/pipeline.Version=$(VERSION)
EXAMPLE  := testdata/example
BENCH_PACKAGES := b3sum openssh-client
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The real S3 server the S3 tests start (Versity's S3 gateway, posix
# backend). Built once from the Go module proxy into $(go env GOPATH)/bin:
# about 2 minutes on 2 vCPU the first time, nothing after.
VERSITYGW := github.com/versity/versitygw/cmd/versitygw@v1.8.0

.PHONY: build run test test-deps test-ids-crash bench soak lint fuzz example clean

build:
	$(GO) build -buildvcs=auto -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/ferry

# The example release's media are generated, never kept in git.
example:
	$(GO) run ./testdata/mkexample $(EXAMPLE)

# Runs the daemon on the embedded default (root ./ferry-data, built-in
# sandbox DSP). The first time, the example release is put into the inbox.
# METRICS=HOST:PORT serves metrics and the status page elsewhere than
# 127.0.0.1:9477 (METRICS=off: not at all).
METRICS ?=
run: build example
	@mkdir -p $(ROOT)/inbox $(ROOT)/.ferry
	@if [ ! -e $(ROOT)/.ferry/example-dropped ]; then \
		cp -r $(EXAMPLE) $(ROOT)/inbox/harbour-lights && touch $(ROOT)/.ferry/example-dropped && \
		echo "make run: put the example release into $(ROOT)/inbox/harbour-lights"; fi
	./$(BIN) run -root $(ROOT)$(if $(METRICS), -metrics $(METRICS))

# Installs the Debian packages the tests use when missing (as root, with
# apt), or says what to install: sshd for the SFTP integration tests,
# xmllint for schema validation, promtool for the metrics and alert
# checks, flac and djpeg to cross-check the generated test media,
# chromium to load the status page in a real headless browser, sshfs to
# mount one share twice for the two-machine storm; and versitygw, the S3
# server of the S3 transport's tests (go install).
test-deps:
	@gobin="$$($(GO) env GOPATH)/bin"; \
	if [ ! -x "$$gobin/versitygw" ] || ! $(GO) version -m "$$gobin/versitygw" 2>/dev/null | grep -q "^\s*mod\s.*versitygw\s*$(lastword $(subst @, ,$(VERSITYGW)))"; then \
		echo "make test: building versitygw ($(VERSITYGW)) for the S3 tests"; \
		$(GO) install $(VERSITYGW) || echo "make test: could not build versitygw; the S3 tests skip (and fail under CI=true)"; \
	fi
	@missing=""; \
	command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || missing="$$missing openssh-server"; \
	command -v sftp >/dev/null 2>&1 || missing="$$missing openssh-client"; \
	command -v xmllint >/dev/null 2>&1 || missing="$$missing libxml2-utils"; \
	command -v promtool >/dev/null 2>&1 || missing="$$missing prometheus"; \
	command -v flac >/dev/null 2>&1 || missing="$$missing flac"; \
	command -v djpeg >/dev/null 2>&1 || missing="$$missing libjpeg-turbo-progs"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v sshfs >/dev/null 2>&1 || missing="$$missing sshfs"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "make test: installing$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
		else \
			echo "make test: missing$$missing; install them (sudo apt-get install$$missing) or the tests that need them skip (and fail under CI=true)"; \
		fi; \
	fi

# go test's output goes through testdata/testsummary, which prints what
# plain go test would, then lists every skipped test and why, loudly; the
# exit status is go test's.
test: test-deps example
	$(GO) vet ./... ./testdata/mkexample ./testdata/testsummary
	$(GO) run ./testdata/testsummary $(GO) test -json -count=1 -timeout 9m ./... ./testdata/testsummary

# The identifier allocator's crash test at full size: two processes
# allocating 10,000 codes each on one root, SIGKILLed at random (make test
# runs it with 300 each). Takes a minute or more, depending on load.
test-ids-crash:
	FERRY_IDS_CRASH_CODES=10000 FERRY_IDS_CRASH_KILL_MS=100 $(GO) test -count=1 -timeout 60m -run '^TestTwoProcessesSIGKILL$$' -v ./stages/identifiers

# Every benchmark, each with the iteration count its size calls for, and
# the side-by-side comparisons with md5sum, b3sum, OpenSSH sftp and
# xmllint in the same runs. Takes about ten minutes; needs ~2.2 GiB of free
# disk and memory for the page cache. Figures are in the README.
BENCH := $(GO) test -run '^$$' -benchmem -timeout 60m
# Releases dropped at once in the end-to-end throughput run (10000: about
# five minutes on 2 cores), with the sandbox DSP and with Debian's sshd.
BENCH_RELEASES ?= 1000
BENCH_SSHD_RELEASES ?= 1000
# The side-by-side runs are also logged to RATIOS, whose ratio lines are
# printed together at the end; `logged` keeps a failing run's status.
RATIOS := bin/bench-ratios.log
logged = { $(1); echo $$? > $(RATIOS).rc; } 2>&1 | tee -a $(RATIOS); exit $$(cat $(RATIOS).rc)
bench: test-deps example
	@command -v b3sum >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BENCH_PACKAGES) >/dev/null; } || echo "make bench: b3sum missing; its comparison is skipped"
	$(BENCH) -bench . ./ern
	$(BENCH) -bench . ./config
	$(BENCH) -bench . ./stages/media ./stages/validate
	@mkdir -p bin && rm -f $(RATIOS)
	$(call logged,$(BENCH) -bench . -benchtime 3x ./stages/digest)
	$(call logged,$(BENCH) -bench '^BenchmarkUpload' -benchtime 3x ./stages/delivery/sftp)
	$(call logged,$(BENCH) -bench WAN -benchtime 1x ./stages/delivery/sftp)
	$(BENCH) -bench UploadRecord10k -benchtime 3x ./stages/delivery
	$(BENCH) -bench Status10k -benchtime 5x ./pipeline
	$(BENCH) -bench StatusCommand10k -benchtime 10x ./cmd/ferry
	FERRY_BENCH_RELEASES=$(BENCH_RELEASES) $(BENCH) -bench 'PipelineThroughput$$' -benchtime 1x ./cmd/ferry
	FERRY_BENCH_RELEASES=$(BENCH_SSHD_RELEASES) $(BENCH) -bench PipelineThroughputSSHD -benchtime 1x ./cmd/ferry
	$(BENCH) -bench Catalogue100k -benchtime 5x ./stages/record
	$(BENCH) -bench ConflictChecks -benchtime 1000x ./stages/record
	$(BENCH) -bench WindowOverlap -benchtime 2000x ./pipeline
	$(BENCH) -bench IdleScan10k ./stages/delivery/sandbox
	$(BENCH) -bench AckPoll10k -benchtime 3x ./stages/delivery/sandbox
	@command -v rclone >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rclone >/dev/null; } || echo "make bench: rclone missing; the S3 comparison is skipped"
	$(BENCH) -bench Upload1GiB -benchtime 2x ./stages/delivery/s3
	$(BENCH) -bench Upload1000Files -benchtime 3x ./stages/delivery/s3
	$(BENCH) -bench 'Latency|ScanTree' -benchtime 10x ./watch
	$(BENCH) -bench TenThousandDrops -benchtime 1x ./watch
	FERRY_WATCH_BENCH_POLL_CPU=1 $(BENCH) -bench PollCPU100k -benchtime 1x ./watch
	$(BENCH) -bench 'Redrop|MetadataOnly' -benchtime 3x ./pipeline
	$(BENCH) -bench Allocate -benchtime 1x ./stages/identifiers
	@echo "== side by side, from this run (ratio: ferry's rate over the other's; load1: load average) =="
	@grep -hE 'ratio' $(RATIOS)

# A SIGKILL storm: SOAK_RELEASES releases for two DSPs (Debian's sshd),
# SOAK_KILLS kills after random 50–1500 ms lifetimes, two daemons on the
# root for a third of it; exactly-once checked on both sides. `make test`
# runs a short one. Takes a few minutes.
SOAK_RELEASES ?= 200
SOAK_KILLS    ?= 200
soak: test-deps example
	FERRY_SOAK_RELEASES=$(SOAK_RELEASES) FERRY_SOAK_KILLS=$(SOAK_KILLS) \
		$(GO) test -count=1 -timeout 60m -run '^TestSoak' -v ./cmd/ferry | grep -E '^(=== RUN|--- |PASS|FAIL|ok)|soak_test.go'

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

# Each fuzzer runs FUZZTIME (at least a minute for the hostile-input
# checks); `go test -fuzz` takes one fuzzer and one package per run.
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParseReleaseFile$$' -fuzztime=$(FUZZTIME) ./stages/validate
	$(GO) test -run='^$$' -fuzz='^FuzzReadWAV$$'          -fuzztime=$(FUZZTIME) ./stages/media
	$(GO) test -run='^$$' -fuzz='^FuzzReadFLAC$$'         -fuzztime=$(FUZZTIME) ./stages/media
	$(GO) test -run='^$$' -fuzz='^FuzzReadImage$$'        -fuzztime=$(FUZZTIME) ./stages/media
	$(GO) test -run='^$$' -fuzz='^FuzzItemRecords$$'       -fuzztime=$(FUZZTIME) ./stages/record
	$(GO) test -run='^$$' -fuzz='^FuzzReadManifest$$'     -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./ern
	$(GO) test -run='^$$' -fuzz='^FuzzReadERN$$'          -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./ern
	$(GO) test -run='^$$' -fuzz='^FuzzReadAck$$'          -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./ern

clean:
	rm -rf bin
