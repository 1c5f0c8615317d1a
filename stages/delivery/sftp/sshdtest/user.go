package sshdtest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TestUser is the unprivileged system account the harness logs in as for
// password authentication and permission tests: root ignores file
// permissions, and sshd checks passwords against /etc/shadow, so both
// need a real account. Its shell is nologin, so it can only use SFTP.
const TestUser = "ferrytest"

// passwordFile holds TestUser's random password, readable by root only.
// It is shared by every test process on the machine so that packages
// tested in parallel agree on one password.
const passwordFile = "/var/lib/ferry-sshdtest/" + TestUser + ".password"

var (
	userOnce sync.Once
	userErr  error
	userUID  int
	userGID  int
)

// ensureTestUser creates TestUser once (idempotent across processes) and
// sets its password from passwordFile, creating that file on first use.
func ensureTestUser() (uid, gid int, err error) {
	userOnce.Do(func() { userUID, userGID, userErr = createTestUser() })
	return userUID, userGID, userErr
}

func createTestUser() (uid, gid int, err error) {
	if os.Geteuid() != 0 {
		return 0, 0, fmt.Errorf("creating system user %s needs root", TestUser)
	}
	if _, err := user.Lookup(TestUser); err != nil {
		out, err := exec.Command("useradd", "--system", "--no-create-home",
			"--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", TestUser).CombinedOutput()
		// Exit status 9: another test process created it meanwhile.
		if err != nil && !strings.Contains(string(out), "already exists") {
			return 0, 0, fmt.Errorf("useradd %s: %v: %s", TestUser, err, out)
		}
	}
	u, err := user.Lookup(TestUser)
	if err != nil {
		return 0, 0, fmt.Errorf("look up %s: %w", TestUser, err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)

	password, err := sharedPassword()
	if err != nil {
		return 0, 0, err
	}
	// chpasswd fails while another process holds the shadow lock.
	var out []byte
	for attempt := 0; attempt < 20; attempt++ {
		cmd := exec.Command("chpasswd")
		cmd.Stdin = strings.NewReader(TestUser + ":" + password + "\n")
		if out, err = cmd.CombinedOutput(); err == nil {
			return uid, gid, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0, 0, fmt.Errorf("chpasswd for %s: %v: %s", TestUser, err, out)
}

// sharedPassword reads passwordFile, creating it with a random password
// if it does not exist yet. Creation is a hard link of a complete temp
// file, so a concurrent reader never sees it empty.
func sharedPassword() (string, error) {
	if b, err := os.ReadFile(passwordFile); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(filepath.Dir(passwordFile), 0o700); err != nil {
		return "", fmt.Errorf("create password folder: %w", err)
	}
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(passwordFile), ".password-*")
	if err != nil {
		return "", fmt.Errorf("create password file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(base64.RawURLEncoding.EncodeToString(raw) + "\n"); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write password file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write password file: %w", err)
	}
	if err := os.Link(tmp.Name(), passwordFile); err != nil && !os.IsExist(err) {
		return "", fmt.Errorf("install password file: %w", err)
	}
	b, err := os.ReadFile(passwordFile)
	if err != nil {
		return "", fmt.Errorf("read password file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
