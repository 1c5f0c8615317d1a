package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/pipeline/notify"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/identifiers"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/watch"
)

// Engine runs the stage workers over one root.
type Engine struct {
	cfg      *config.Config
	layout   Layout
	node     string
	log      *slog.Logger
	metrics  *Metrics
	dests    map[string]*destination
	packager *delivery.Packager
	hashes   *digest.Cache
	rec      *record.Root
	// ids allocates UPCs, ISRCs and GRids from the label's pools (nil when
	// none are configured); artists is the artist registry (or nil).
	ids     *identifiers.Allocator
	artists *identifiers.Artists
	now     func() time.Time

	queues map[Stage]chan string
	mu     sync.Mutex
	queued map[Stage]map[string]bool

	lock   *nodeLock
	lease  *lease
	leases leases
	// markers maps an inbox folder to the ready marker beside it
	// (<name>.done), removed once the folder is claimed so that a later
	// drop of the same name waits for a marker of its own.
	markers sync.Map

	reachMu sync.Mutex
	// unreachable holds each DSP's last transport error; a success clears it.
	unreachable map[string]error
	// ackDirMissing holds, per DSP, that its acknowledgement folder is
	// missing.
	ackDirMissing map[string]error
	// recordErr is the last failed write of an item's record (a full
	// disk): readiness reports it until a record write succeeds again.
	recordErr error
	// errs keeps recurring errors from flooding the log.
	errs errorLog
	// enteredAt caches when items entered their stage, for the metrics.
	enteredAt enteredCache
	// notify tells the [[notify]] webhooks; nil when there are none.
	notify *notify.Notifier
	// running is Run's context: once it is done no new work is queued
	// (items stay on disk, in their stage folder), while the work in
	// flight keeps its own context until the grace period ends.
	running context.Context
}

// Options configure an Engine beyond the config file.
type Options struct {
	Logger  *slog.Logger
	Metrics *Metrics // nil: a private registry
	// Now replaces the clock in tests.
	Now func() time.Time
}

// New prepares the root (stage folders, node lock, stale claims released)
// and the destinations. Run starts the work.
func New(cfg *config.Config, o Options) (*Engine, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
	e := &Engine{
		cfg:         cfg,
		layout:      Layout{Root: cfg.Root},
		node:        cfg.Node,
		log:         o.Logger,
		metrics:     o.Metrics,
		now:         o.Now,
		queues:      map[Stage]chan string{},
		queued:      map[Stage]map[string]bool{},
		running:     context.Background(),
		unreachable: map[string]error{},

		ackDirMissing: map[string]error{},
	}
	n, err := notify.New(cfg.Notify, notify.Options{Logger: o.Logger,
		Count: func(result string) { o.Metrics.notifications.WithLabelValues(result).Inc() }})
	if err != nil {
		return nil, err
	}
	e.notify = n
	e.metrics.watchLayout(e.layout)
	for _, name := range cfg.DSPNames() {
		e.metrics.initDSP(name)
	}
	if err := e.layout.Create(); err != nil {
		return nil, fmt.Errorf("create stage folders under %s: %w", cfg.Root, err)
	}
	lock, err := lockNode(e.layout, e.node)
	if err != nil {
		return nil, err
	}
	e.lock = lock
	e.leases.now = e.now
	e.lease = newLease(e.layout, e.node)
	if err := e.lease.renew(); err != nil {
		lock.release()
		return nil, fmt.Errorf("write this node's lease: %w", err)
	}
	e.rec, err = record.OpenRoot(cfg.Root, e.node, e.now)
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("open the root's records: %w", err)
	}
	e.metrics.entered = e.entered
	e.ids, e.artists, err = identifiers.FromConfig(cfg)
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("open the identifier pools: %w", err)
	}
	if e.ids != nil {
		e.metrics.Registry.MustRegister(identifiers.NewCollector(e.ids))
	}
	cache, err := digest.OpenCache(e.layout.State("hashcache.json"))
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("open hash cache: %w", err)
	}
	cache.Metrics = e.metrics.hashMetrics()
	e.hashes = cache
	e.packager = &delivery.Packager{
		Sender:   ern.Party{DPID: cfg.Sender.DPID, Name: cfg.Sender.Name},
		Hash:     e.hashFile,
		Now:      e.now,
		Location: cfg.Lifecycle.Location(),
	}
	capacity := map[Stage]int{Inbox: cfg.Workers.Validate, Validated: cfg.Workers.Package,
		Packaged: cfg.Workers.Upload, Uploaded: cfg.Workers.Ack}
	for s, n := range capacity {
		// Bounded: a full queue blocks its producer, so memory stays
		// bounded whatever is dropped; the rest waits on disk.
		e.queues[s] = make(chan string, 2*n)
		e.queued[s] = map[string]bool{}
	}
	return e, nil
}

// Ready reports why the daemon cannot work now, or nil: the stage folders
// exist, the root is writable, and every DSP answered the last time
// ferry talked to it.
func (e *Engine) Ready() error {
	for _, s := range Stages {
		if fi, err := os.Stat(e.layout.Dir(s)); err != nil || !fi.IsDir() {
			return fmt.Errorf("stage folder %s is missing", e.layout.Dir(s))
		}
	}
	if err := e.rec.Writable(); err != nil {
		return err
	}
	e.reachMu.Lock()
	defer e.reachMu.Unlock()
	var errs []error
	if e.recordErr != nil {
		errs = append(errs, fmt.Errorf("the last record write failed (is the disk full?): %w", e.recordErr))
	}
	for _, dsp := range e.cfg.DSPNames() {
		if err := e.unreachable[dsp]; err != nil {
			errs = append(errs, fmt.Errorf("DSP %s unreachable when last tried: %w", dsp, err))
		}
		if err := e.ackDirMissing[dsp]; err != nil {
			errs = append(errs, fmt.Errorf("DSP %s: %w", dsp, err))
		}
	}
	return errors.Join(errs...)
}

// reach records the outcome of talking to a DSP, for /readyz.
func (e *Engine) reach(dsp string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	e.reachMu.Lock()
	e.unreachable[dsp] = err
	e.reachMu.Unlock()
	e.metrics.dspUp(dsp, err == nil)
	e.notify.Reach(dsp, err)
}

// Reachability returns, per configured DSP, the error of the last
// attempt to talk to it, nil when it answered (or was not tried yet):
// what /readyz, ferry_dsp_up and the status page report.
func (e *Engine) Reachability() map[string]error {
	e.reachMu.Lock()
	defer e.reachMu.Unlock()
	out := make(map[string]error, len(e.cfg.DSPNames()))
	for _, dsp := range e.cfg.DSPNames() {
		out[dsp] = e.unreachable[dsp]
	}
	return out
}

// recordFailed notes a failed record write for readiness and metrics.
func (e *Engine) recordFailed(err error) {
	e.metrics.recordWriteFailed()
	e.reachMu.Lock()
	e.recordErr = err
	e.reachMu.Unlock()
}

// recordOK notes a record write that succeeded.
func (e *Engine) recordOK() {
	e.reachMu.Lock()
	e.recordErr = nil
	e.reachMu.Unlock()
}

// countCatalogue refreshes ferry_releases from the ledger at start and
// every minute: every daemon on a root counts the same files.
func (e *Engine) countCatalogue(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if counts, err := e.rec.CatalogueCounts(); err != nil {
			e.errs.report(e.log, "catalogue", "count the catalogue", err)
		} else {
			e.metrics.catalogue(e.cfg.DSPNames(), counts)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// clearDeadNodes removes what dead daemons' interrupted writes and
// removals left under <root>/.ferry (their temporary and trash folders):
// a daemon that never starts again would leave them for ever.
func (e *Engine) clearDeadNodes() {
	trash, _ := os.ReadDir(e.layout.State("trash"))
	nodes := e.rec.Nodes()
	for _, t := range trash {
		nodes = append(nodes, t.Name())
	}
	for _, node := range nodes {
		if node == e.node || e.nodeAlive(node) {
			continue
		}
		if err := e.rec.ClearNode(node); err != nil {
			e.log.Warn("clear a stopped daemon's temporary files", "node", node, "err", err)
		}
		os.RemoveAll(e.layout.State("trash", node))
	}
}

// nodeAlive reports whether another daemon on the root is running: it
// holds its lock, or its lease has moved lately.
func (e *Engine) nodeAlive(node string) bool {
	return nodeLocked(e.layout, node) || e.leases.alive(e.layout, node)
}

// Layout returns the engine's folder layout.
func (e *Engine) Layout() Layout { return e.layout }

// Close releases the node lock and saves the hash cache.
func (e *Engine) Close() error {
	err := e.hashes.Save()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	e.notify.Close(ctx) // what is queued gets 5s to go out
	cancel()
	for _, d := range e.dests {
		d.transport.Close()
	}
	if e.ids != nil {
		e.ids.Close()
	}
	os.Remove(e.lease.path)
	e.lock.release()
	return err
}

func (e *Engine) hashFile(ctx context.Context, path, algorithm string) (string, string, error) {
	s, _, err := e.hashes.SumContext(ctx, path, algorithm)
	return s.BLAKE3, s.HashSum, err
}

// Run starts the destinations, recovers every item on disk, watches the
// inboxes and runs the workers until ctx is done. In-flight work then
// gets grace to finish; what does not is released back to its stage
// folder, so nothing is left half-moved.
func (e *Engine) Run(ctx context.Context, grace time.Duration) error {
	e.running = ctx
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	if err := e.startDestinations(workCtx); err != nil {
		return err
	}
	// Folders this node was removing when it stopped: renamed out of their
	// stage before removal, they are finished off here.
	if err := os.RemoveAll(e.layout.State("trash", e.node)); err != nil {
		e.log.Warn("remove what the last run was removing", "err", err)
	}
	n, err := releaseStaleClaims(e.layout, e.node, true, e.nodeAlive)
	if err != nil {
		return err
	}
	if n > 0 {
		e.log.Info("released items claimed by a stopped daemon", "items", n)
	}

	var workers sync.WaitGroup
	pools := []struct {
		stage Stage
		n     int
		work  func(context.Context, string)
	}{
		{Inbox, e.cfg.Workers.Validate, e.validate},
		{Validated, e.cfg.Workers.Package, e.pack},
		{Packaged, e.cfg.Workers.Upload, e.upload},
		{Uploaded, e.cfg.Workers.Ack, e.acknowledge},
	}
	for _, p := range pools {
		for i := 0; i < p.n; i++ {
			workers.Add(1)
			go func() {
				defer workers.Done()
				e.worker(ctx, workCtx, p.stage, p.work)
			}()
		}
	}

	var feeders sync.WaitGroup
	feeders.Add(4)
	go func() {
		defer feeders.Done()
		e.lease.keep(ctx, func(err error) {
			e.recordFailed(err)
			e.log.Error("renew this node's lease; other nodes take its claims if this lasts", "err", err)
		})
	}()
	go func() {
		defer feeders.Done()
		// Saved once a minute and at the stop, so that a crash costs at
		// most a minute of hashing again.
		report := func(err error) {
			e.log.Warn("save the hash cache; files are hashed again if this persists", "err", err)
		}
		if err := e.hashes.SaveEvery(ctx, time.Minute, report); err != nil {
			report(err)
		}
	}()
	go func() { defer feeders.Done(); e.rescanLoop(ctx) }()
	go e.countCatalogue(ctx)
	go e.checkAckFolders(ctx)
	go e.confirmManualAtStart(ctx)
	go func() { defer feeders.Done(); e.watchInboxes(ctx) }()

	<-ctx.Done()
	e.log.Info("stopping: finishing the work in flight", "grace", grace)
	done := make(chan struct{})
	go func() { workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		e.log.Warn("grace period over: aborting uploads in flight; their items stay in their stage")
		cancelWork()
		<-done
	}
	feeders.Wait()
	return nil
}

// worker takes items of one stage until ctx is done.
func (e *Engine) worker(ctx, workCtx context.Context, s Stage, work func(context.Context, string)) {
	for {
		select {
		case <-ctx.Done():
			return
		case name := <-e.queues[s]:
			e.unmarkQueued(s, name)
			e.safely(s, name, func() { work(workCtx, name) })
		}
	}
}

// safely runs one item's work so that a bug cannot take the daemon down
// with every other delivery: a panic is logged with its stack, and the
// item stays where it is (claimed), to be tried again at the next start.
func (e *Engine) safely(s Stage, name string, work func()) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("internal error: please report it to ferry's maintainers", "stage", s,
				"release", filepath.Base(name), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			e.metrics.processed(s, "", resultFailed, 0)
		}
	}()
	work()
}

// enqueue hands an item to its stage's workers unless it is queued
// already. It blocks while the queue is full (back-pressure).
func (e *Engine) enqueue(ctx context.Context, s Stage, name string) {
	q, ok := e.queues[s]
	if !ok || !e.markQueued(s, name) {
		return
	}
	select {
	case q <- name:
	case <-ctx.Done():
		e.unmarkQueued(s, name)
	}
}

// markQueued records that an item is queued (or waiting to be); false
// when it already was.
func (e *Engine) markQueued(s Stage, name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.queued[s][name] {
		return false
	}
	e.queued[s][name] = true
	return true
}

func (e *Engine) unmarkQueued(s Stage, name string) {
	e.mu.Lock()
	delete(e.queued[s], name)
	e.mu.Unlock()
}

// later queues an item again after d (a transient failure's backoff, the
// next acknowledgement poll). The item stays marked as queued meanwhile,
// so rescans do not double it.
func (e *Engine) later(ctx context.Context, s Stage, name string, d time.Duration) {
	if !e.markQueued(s, name) {
		return
	}
	time.AfterFunc(d, func() {
		e.unmarkQueued(s, name)
		if ctx.Err() == nil {
			e.enqueue(ctx, s, name)
		}
	})
}

// rescanLoop queues every item found in the work stages, at start and
// then periodically: items left by a crash, by another daemon, or by a
// user who moved a folder by hand.
func (e *Engine) rescanLoop(ctx context.Context) {
	t := time.NewTicker(e.cfg.Watch.Rescan.Duration)
	defer t.Stop()
	for {
		// A daemon sharing the root may have died since: take its items back.
		e.clearDeadNodes()
		if n, err := releaseStaleClaims(e.layout, e.node, false, e.nodeAlive); err != nil {
			e.log.Error("release stale claims", "err", err)
		} else if n > 0 {
			e.log.Info("released items claimed by a stopped daemon", "items", n)
		}
		for _, s := range workStages[1:] {
			names, err := e.layout.Items(s)
			if err != nil {
				e.log.Error("scan stage folder", "stage", s, "err", err)
				continue
			}
			for _, name := range names {
				e.enqueue(ctx, s, name)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// watchInboxes queues each folder the watcher reports ready, and moves
// loose files to failed/ with an explanation.
func (e *Engine) watchInboxes(ctx context.Context) {
	dirs := append([]string{e.layout.Dir(Inbox)}, e.cfg.Inboxes...)
	w, err := watch.New(watch.Options{
		Dirs:              dirs,
		Mode:              e.cfg.Watch.Mode,
		Settle:            e.cfg.Watch.Settle.Duration,
		PollInterval:      e.cfg.Watch.PollInterval.Duration,
		Rescan:            e.cfg.Watch.Rescan.Duration,
		ReadyMarker:       e.cfg.Watch.ReadyMarker,
		StillCopyingAfter: e.cfg.Watch.StillCopyingAfter.Duration,
		Logger:            e.log,
		Metrics:           e.metrics.watchMetrics(),
	})
	if err != nil {
		e.log.Error("cannot watch the inbox", "err", err)
		return
	}
	ready := make(chan watch.Ready)
	go func() {
		if err := w.Run(ctx, ready); err != nil && !errors.Is(err, context.Canceled) {
			e.log.Error("inbox watcher stopped", "err", err)
		}
		close(ready)
	}()
	for r := range ready {
		path := filepath.Join(r.Dir, r.Name)
		if r.Loose {
			e.failLooseFile(path)
			continue
		}
		if r.Marker != "" {
			e.markers.Store(path, r.Marker)
		}
		e.enqueue(ctx, Inbox, path)
	}
}

// failLooseFile wraps a file dropped at the inbox top level in a folder in
// failed/ with an ERRORS.txt that explains the drop format.
func (e *Engine) failLooseFile(path string) {
	name := filepath.Base(path)
	claim := e.layout.ClaimDir(Inbox, e.node)
	if err := os.MkdirAll(claim, files.DirPerm); err != nil {
		e.log.Error("loose file", "file", name, "err", err)
		return
	}
	wrapper := filepath.Join(claim, name)
	if err := os.Mkdir(wrapper, files.DirPerm); err != nil {
		e.log.Error("loose file", "file", name, "err", err)
		return
	}
	if err := renameNoReplace(path, filepath.Join(wrapper, name)); err != nil {
		os.Remove(wrapper)
		return // taken by another daemon, or gone
	}
	it, _, err := e.rec.Adopt(wrapper)
	if err != nil {
		e.log.Error("loose file", "file", name, "err", err)
		return
	}
	e.fail(it, Inbox, failure{Stage: Inbox,
		What: fmt.Sprintf("%q was dropped into the inbox on its own; ferry takes release folders, not single files", name),
		ToDo: "Put the release's audio, cover and release.toml (or an ERN XML) together in one folder and drop that folder into inbox/. " +
			"This file was put in a folder of its own here so that it is not lost."})
}
