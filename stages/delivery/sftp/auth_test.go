package sftp

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
)

// encryptKey writes s's client key encrypted with passphrase.
func encryptKey(t *testing.T, s *sshdtest.Server, passphrase string) string {
	t.Helper()
	raw, err := os.ReadFile(s.ClientKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.ParseRawPrivateKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(key, "", []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "encrypted_key")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEncryptedKey(t *testing.T) {
	s := sshdtest.Start(t)
	const passphrase = "correct horse battery"
	keyFile := encryptKey(t, s, passphrase)
	dir := t.TempDir()
	goodFile := filepath.Join(dir, "passphrase")
	os.WriteFile(goodFile, []byte(passphrase+"\n"), 0o600)
	badFile := filepath.Join(dir, "wrong")
	os.WriteFile(badFile, []byte("wrong passphrase\n"), 0o600)
	t.Setenv("FERRY_TEST_PASSPHRASE", passphrase)

	tests := []struct {
		name       string
		file, env  string
		wantNewErr string
	}{
		{"passphrase from file", goodFile, "", ""},
		{"passphrase from environment", "", "FERRY_TEST_PASSPHRASE", ""},
		{"no passphrase configured", "", "", "encrypted"},
		{"wrong passphrase", badFile, "", "key file"},
		{"unset environment variable", "", "FERRY_TEST_UNSET_VARIABLE", "FERRY_TEST_UNSET_VARIABLE is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := options(t, s)
			o.KeyFile, o.KeyPassphraseFile, o.KeyPassphraseEnv = keyFile, tt.file, tt.env
			c, err := New(o)
			if tt.wantNewErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantNewErr) || !delivery.IsPermanent(err) {
					t.Fatalf("New = %v, want a permanent error containing %q", err, tt.wantNewErr)
				}
				if strings.Contains(err.Error(), passphrase) {
					t.Errorf("error reveals the passphrase: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Put(context.Background(), "a.txt", strings.NewReader("a"), 1); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPasswordAuth(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Password())
	password, err := os.ReadFile(s.PasswordFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("FERRY_TEST_PASSWORD", strings.TrimSpace(string(password)))
	wrong := filepath.Join(t.TempDir(), "wrong")
	os.WriteFile(wrong, []byte("not-the-password-42\n"), 0o600)

	tests := []struct {
		name      string
		file, env string
		ok        bool
	}{
		{"password from file", s.PasswordFile, "", true},
		{"password from environment", "", "FERRY_TEST_PASSWORD", true},
		{"wrong password", wrong, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := options(t, s)
			o.KeyFile, o.PasswordFile, o.PasswordEnv = "", tt.file, tt.env
			c := newClient(t, o)
			err := c.Put(context.Background(), tt.name+".txt", strings.NewReader("a"), 1)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if got := readServerFile(t, s, tt.name+".txt"); string(got) != "a" {
					t.Fatalf("uploaded %q", got)
				}
				return
			}
			if !delivery.IsPermanent(err) || !strings.Contains(err.Error(), "unable to authenticate") {
				t.Fatalf("Put = %v, want a permanent authentication error", err)
			}
			if strings.Contains(err.Error(), "not-the-password-42") {
				t.Errorf("error reveals the password: %v", err)
			}
		})
	}
}

func TestWrongKeyIsRefusedPermanently(t *testing.T) {
	s := sshdtest.Start(t)
	other := sshdtest.Start(t) // a client key this server does not know
	o := options(t, s)
	o.KeyFile = other.ClientKeyFile
	err := newClient(t, o).Put(context.Background(), "a.txt", strings.NewReader("a"), 1)
	if !delivery.IsPermanent(err) || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("Put = %v, want a permanent authentication error", err)
	}
}

func TestOptionsNeedKnownHostsAndCredentials(t *testing.T) {
	dir := t.TempDir()
	known := filepath.Join(dir, "known_hosts")
	os.WriteFile(known, nil, 0o644)
	key := filepath.Join(dir, "key")
	os.WriteFile(key, []byte("not a key"), 0o600)
	base := Options{Host: "dsp.example", User: "label", PasswordEnv: "X", KnownHosts: known}
	tests := []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"no known_hosts", func(o *Options) { o.KnownHosts = "" }, "known_hosts is required"},
		{"missing known_hosts file", func(o *Options) { o.KnownHosts = filepath.Join(dir, "none") }, "known_hosts"},
		{"no credentials", func(o *Options) { o.PasswordEnv = "" }, "no credentials"},
		{"bad key file", func(o *Options) { o.KeyFile = key }, "key file"},
		{"no host", func(o *Options) { o.Host = "" }, "host is required"},
		{"negative concurrency", func(o *Options) { o.Concurrency = -1 }, "negative"},
	}
	t.Setenv("X", "secret")
	for _, tt := range tests {
		o := base
		tt.change(&o)
		_, err := New(o)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !delivery.IsPermanent(err) {
			t.Errorf("%s: New = %v, want a permanent error containing %q", tt.name, err, tt.want)
		}
	}
}
