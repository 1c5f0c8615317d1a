package deploy

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

const dashboardFile = "grafana/ferry.json"

// dsVariable is the data source variable every panel uses: it works both
// when the dashboard is imported and when it is provisioned from a file
// (where Grafana does not substitute __inputs).
const dsVariable = "${DS_PROMETHEUS}"

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	GridPos    struct{ X, Y, W, H int }
	Targets    []struct {
		Expr       string      `json:"expr"`
		RefID      string      `json:"refId"`
		Datasource *datasource `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // inside collapsed rows
}

type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name  string          `json:"name"`
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	var d dashboard
	if err := json.Unmarshal([]byte(readFile(t, dashboardFile)), &d); err != nil {
		t.Fatalf("%s is not valid JSON: %v", dashboardFile, err)
	}
	return d
}

// allPanels flattens rows, collapsed or not.
func allPanels(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

// queries returns every PromQL text of the dashboard: panel targets and
// template variable queries.
func queries(t *testing.T, d dashboard) []string {
	t.Helper()
	var qs []string
	for _, p := range allPanels(d.Panels) {
		for _, tg := range p.Targets {
			qs = append(qs, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal(v.Query, &q); err != nil {
			var s string // older dashboards store the query as a string
			if err := json.Unmarshal(v.Query, &s); err != nil {
				t.Fatalf("variable %s: query is neither an object nor a string: %s", v.Name, v.Query)
			}
			q.Query = s
		}
		qs = append(qs, q.Query)
	}
	return qs
}

func TestDashboardIsImportable(t *testing.T) {
	d := loadDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Errorf("dashboard needs a uid and a title (uid %q, title %q)", d.UID, d.Title)
	}
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d: want 36 or later (data source references by uid)", d.SchemaVersion)
	}
	hasDSVar := false
	for _, v := range d.Templating.List {
		if v.Type == "datasource" && "${"+v.Name+"}" == dsVariable {
			hasDSVar = true
		}
	}
	if !hasDSVar {
		t.Errorf("no data source variable behind %s", dsVariable)
	}
	ids := map[int]string{}
	for _, p := range allPanels(d.Panels) {
		if prev, dup := ids[p.ID]; dup {
			t.Errorf("panels %q and %q share id %d", prev, p.Title, p.ID)
		}
		ids[p.ID] = p.Title
		if p.GridPos.W <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q: gridPos x=%d w=%d does not fit the 24 columns", p.Title, p.GridPos.X, p.GridPos.W)
		}
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != dsVariable || p.Datasource.Type != "prometheus" {
			t.Errorf("panel %q: datasource %+v, want prometheus %s", p.Title, p.Datasource, dsVariable)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no targets", p.Title)
		}
		for _, tg := range p.Targets {
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("panel %q target %s has no expression", p.Title, tg.RefID)
			}
			if tg.Datasource == nil || tg.Datasource.UID != dsVariable {
				t.Errorf("panel %q target %s: datasource %+v, want %s", p.Title, tg.RefID, tg.Datasource, dsVariable)
			}
		}
	}
}

func TestDashboardQueriesOnlyExportedMetrics(t *testing.T) {
	exported := exportedNames(t)
	for _, q := range queries(t, loadDashboard(t)) {
		if bad := unknownMetrics(q, exported); len(bad) > 0 {
			t.Errorf("query uses metrics ferry does not export %v:\n%s", bad, q)
		}
	}
}

// TestDashboardShowsEveryFerrySeries keeps the dashboard in step with the
// code: a new ferry_ series needs a panel (or a deliberate exception here).
func TestDashboardShowsEveryFerrySeries(t *testing.T) {
	used := map[string]bool{}
	for _, q := range queries(t, loadDashboard(t)) {
		for _, n := range metricRef.FindAllString(q, -1) {
			used[n] = true
			for _, s := range seriesSuffixes {
				if base, ok := strings.CutSuffix(n, s); ok {
					used[base] = true
				}
			}
		}
	}
	var missing []string
	for n := range exportedNames(t) {
		if strings.HasPrefix(n, "ferry_") && !used[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("ferry exports series no panel of %s shows: %v; add panels for them", dashboardFile, missing)
	}
}
