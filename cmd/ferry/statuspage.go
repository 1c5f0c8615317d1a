package main

import (
	"bytes"
	_ "embed"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/ferrydelivery/ferry/pipeline"
)

// statusRefresh is how often the status page reloads itself.
const statusRefresh = 5 * time.Second

// maxErrorsText caps how much of one ERRORS.txt the page shows.
const maxErrorsText = 64 << 10

//go:embed statuspage.html
var statusPageHTML string

var statusTemplate = template.Must(template.New("status").Funcs(template.FuncMap{
	"bytes": pipeline.HumanBytes,
	"age": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return time.Since(t).Round(time.Second).String()
	},
}).Parse(statusPageHTML))

// statusView is what the status page shows.
type statusView struct {
	Root      string
	Version   string
	Generated time.Time
	Refresh   int
	Error     string
	Stages    []stageCount
	Failed    []failedItem
	Uploads   []pipeline.ItemStatus
	DSPs      []dspReach
}

type stageCount struct {
	Stage pipeline.Stage
	Items int
}

type failedItem struct {
	pipeline.ItemStatus
	Errors string
}

type dspReach struct {
	Name  string
	Up    bool
	Error string
}

// statusPage serves a read-only HTML page for people: items per stage,
// failed items with their ERRORS.txt, uploads in progress, whether each
// DSP answered. Server-rendered, no script, no external asset; it
// reloads itself with a meta refresh. It only reads: GET and HEAD.
func statusPage(e *pipeline.Engine, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "the status page is read-only", http.StatusMethodNotAllowed)
			return
		}
		v := buildStatusView(e)
		var b bytes.Buffer
		if err := statusTemplate.Execute(&b, v); err != nil {
			log.Error("render status page", "err", err)
			http.Error(w, "cannot render the status page", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		w.Write(b.Bytes())
	})
}

func buildStatusView(e *pipeline.Engine) statusView {
	l := e.Layout()
	b := pipeline.Build()
	v := statusView{Root: l.Root, Version: b.Version, Generated: time.Now(), Refresh: int(statusRefresh.Seconds())}
	items, err := pipeline.StatusOf(l, pipeline.Packaged, pipeline.Failed)
	if err != nil {
		v.Error = err.Error()
	}
	counts := pipeline.StageCounts(l)
	for _, it := range items {
		switch {
		case it.Stage == pipeline.Failed:
			v.Failed = append(v.Failed, failedItem{ItemStatus: it, Errors: readErrorsText(filepath.Join(l.Dir(pipeline.Failed), it.Name))})
		case it.Stage == pipeline.Packaged && (it.Upload != nil || it.InFlight != ""):
			v.Uploads = append(v.Uploads, it)
		}
	}
	for _, s := range pipeline.Stages {
		v.Stages = append(v.Stages, stageCount{Stage: s, Items: counts[s]})
	}
	for name, err := range e.Reachability() {
		d := dspReach{Name: name, Up: err == nil}
		if err != nil {
			d.Error = err.Error()
		}
		v.DSPs = append(v.DSPs, d)
	}
	sort.Slice(v.DSPs, func(i, j int) bool { return v.DSPs[i].Name < v.DSPs[j].Name })
	return v
}

// readErrorsText reads a failed item's ERRORS.txt for the page. The
// folder is the user's: the file must be a regular file inside it (no
// symlink followed, from the item folder down) and is cut at
// maxErrorsText.
func readErrorsText(item string) string {
	if fi, err := os.Lstat(item); err != nil || !fi.IsDir() {
		return "(no ERRORS.txt: the item is not a folder)"
	}
	f, err := os.OpenFile(filepath.Join(item, pipeline.ErrorsFileName), os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "(no ERRORS.txt)"
		}
		return "(ERRORS.txt cannot be read: " + err.Error() + ")"
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "(ERRORS.txt is not a regular file)"
	}
	data, err := io.ReadAll(io.LimitReader(f, maxErrorsText+1))
	if err != nil {
		return "(ERRORS.txt cannot be read: " + err.Error() + ")"
	}
	if len(data) > maxErrorsText {
		return string(data[:maxErrorsText]) + "\n… (cut; read the file for the rest)"
	}
	return string(data)
}
