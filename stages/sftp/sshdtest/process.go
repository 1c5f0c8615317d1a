package sshdtest

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// descendants returns the process ids below pid, found through
// /proc/*/stat. sshd forks one process per connection and that child calls
// setsid, so killing the process group would leave live connections.
func descendants(pid int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The command name in parentheses may hold spaces; fields after
		// the last ')' are: state ppid ...
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(s[i+1:])
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		children[ppid] = append(children[ppid], child)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// signalTree sends sig to pid and every process below it.
func signalTree(pid int, sig syscall.Signal) {
	below := descendants(pid)
	_ = syscall.Kill(pid, sig)
	for _, p := range below {
		_ = syscall.Kill(p, sig)
	}
}
