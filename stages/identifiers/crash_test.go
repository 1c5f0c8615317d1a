package identifiers

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
)

// The SIGKILL test re-executes the test binary as an allocating child:
// with FERRY_IDS_CHILD=ROOT set, TestMain allocates codes on ROOT forever
// and prints each one after Allocate returned it.
const childEnv = "FERRY_IDS_CHILD"

func TestMain(m *testing.M) {
	if root := os.Getenv(childEnv); root != "" {
		os.Exit(allocateForever(root))
	}
	os.Exit(m.Run())
}

// crashConfig has room for the long variant's 20,000 codes of each kind.
func crashConfig() *config.Identifiers {
	return &config.Identifiers{
		UPC:  []config.UPCBlock{{Prefix: "5059876", References: "00000-00999"}, {Name: "big", Prefix: "5059877"}},
		ISRC: []config.ISRCBlock{{Country: "GB", Registrant: "EXR"}},
		GRid: []config.GRidBlock{{Issuer: "2425G"}},
	}
}

func allocateForever(root string) int {
	a, err := Open(root, crashConfig(), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	out := bufio.NewWriterSize(os.Stdout, 256)
	kinds := [][]Kind{{UPC}, {ISRC, ISRC, ISRC}, {GRid}, {UPC, GRid, ISRC}}
	for i := 0; ; i++ {
		ks := kinds[i%len(kinds)]
		codes, err := a.Allocate("child", ks...)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 1
		}
		for j, c := range codes {
			// One write per code, each well under PIPE_BUF: a kill
			// never splits a line.
			fmt.Fprintf(out, "%s %s\n", ks[j], c)
			out.Flush()
		}
	}
}

// TestTwoProcessesSIGKILL runs two processes allocating on one root in
// parallel and SIGKILLs them at random instants, restarting them, until
// each has handed out its share: no code may be handed out twice, every
// code must be valid and in the journal, and the journal must hold no
// code twice. FERRY_IDS_CRASH_CODES sets the share and
// FERRY_IDS_CRASH_KILL_MS the longest a child lives (make test-ids-crash
// runs 10,000 codes each); the defaults keep make test to a few seconds.
func TestTwoProcessesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	want := envInt(t, "FERRY_IDS_CRASH_CODES", 300)
	killWithin := time.Duration(envInt(t, "FERRY_IDS_CRASH_KILL_MS", 30)) * time.Millisecond
	root := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	handedOut := map[string]string{} // code -> kind
	var dups []string
	var kills [2]int
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := 0
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for got < want {
				cmd := exec.Command(exe, "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"="+root)
				cmd.Stderr = os.Stderr
				stdout, err := cmd.StdoutPipe()
				if err != nil {
					t.Error(err)
					return
				}
				if err := cmd.Start(); err != nil {
					t.Error(err)
					return
				}
				// Kill after a random time: often before the child has
				// opened the journal, often in the middle of a write.
				timer := time.AfterFunc(time.Duration(rng.Int64N(int64(killWithin))), func() {
					cmd.Process.Signal(syscall.SIGKILL)
				})
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					kind, code, ok := strings.Cut(sc.Text(), " ")
					if !ok {
						continue
					}
					mu.Lock()
					if _, dup := handedOut[code]; dup {
						dups = append(dups, code)
					}
					handedOut[code] = kind
					mu.Unlock()
					got++
					if got >= want {
						cmd.Process.Signal(syscall.SIGKILL)
					}
				}
				timer.Stop()
				err = cmd.Wait()
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
					t.Errorf("child %d ended without being killed: %v", w, err)
					return
				}
				kills[w]++
			}
		}()
	}
	wg.Wait()
	if len(dups) > 0 {
		t.Fatalf("%d codes handed out twice: %v", len(dups), dups[:min(len(dups), 10)])
	}
	for code, kind := range handedOut {
		checkCode(t, Kind(kind), code)
	}
	// Every code handed out is in the journal, and the journal gives no
	// code twice.
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(Dir), journalName))
	if err != nil {
		t.Fatal(err)
	}
	inJournal := map[string]int{}
	repairs := 0
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("journal line %d is not a record: %q", i+1, line)
		}
		if r.Op == opRepair {
			repairs++
		}
		for _, c := range r.Codes {
			inJournal[c]++
		}
	}
	for code, n := range inJournal {
		if n > 1 {
			t.Errorf("%s is in the journal %d times", code, n)
		}
	}
	for code := range handedOut {
		if inJournal[code] == 0 {
			t.Errorf("%s was handed out but is not in the journal", code)
		}
	}
	gaps := len(inJournal) - len(handedOut)
	t.Logf("%d codes handed out by 2 processes killed %d and %d times; %d torn records cut; %d codes allocated but never seen handed out (gaps)",
		len(handedOut), kills[0], kills[1], repairs, gaps)
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}
