// Package s3test runs a real S3 server for tests: versitygw (Versity's S3
// gateway) with its posix backend in a temporary folder, on 127.0.0.1.
// `make test` installs it (go install at a pinned version); without it the
// tests skip, and fail under CI=true.
package s3test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// Version is the versitygw release the Makefile installs.
const Version = "v1.8.0"

// Server is one versitygw process serving Root as its buckets.
type Server struct {
	t         testing.TB
	Root      string // one folder per bucket, one file per object
	Endpoint  string // http://127.0.0.1:PORT
	Port      int
	AccessKey string
	SecretKey string
	Bucket    string // created by Start
	LogFile   string
	bin       string
	cmd       *exec.Cmd
}

// Binary finds versitygw: $FERRY_VERSITYGW, $PATH, or $(go env GOPATH)/bin.
func Binary() (string, error) {
	if p := os.Getenv("FERRY_VERSITYGW"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = string(trimNL(out))
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("versitygw not found: `make test` installs it (go install github.com/versity/versitygw/cmd/versitygw@%s)", Version)
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// Start runs versitygw for the test with one bucket, and stops it in
// t.Cleanup. root is where objects live; "" for a temporary folder.
func Start(t testing.TB, root string) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		Unavailable(t, "%v", err)
	}
	if root == "" {
		root = t.TempDir()
	} else if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatalf("s3test: %v", err)
	}
	s := &Server{t: t, Root: root, AccessKey: "ferrytestaccess", SecretKey: "ferrytestsecret0123456789",
		Bucket: "deliveries", bin: bin, LogFile: filepath.Join(t.TempDir(), "versitygw.log")}
	port, err := freePort()
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	s.Port = port
	s.Endpoint = "http://127.0.0.1:" + strconv.Itoa(port)
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			if b, err := os.ReadFile(s.LogFile); err == nil && len(b) > 0 {
				t.Logf("versitygw log:\n%s", b)
			}
		}
	})
	if err := s.start(); err != nil {
		t.Fatalf("s3test: %v", err)
	}
	if _, err := s.Client().CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: &s.Bucket}); err != nil {
		t.Fatalf("s3test: create bucket: %v", err)
	}
	return s
}

// Unavailable skips the test, or fails it under CI=true.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) start() error {
	logf, err := os.OpenFile(s.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(s.bin, "--port", "127.0.0.1:"+strconv.Itoa(s.Port), "--quiet", "posix", s.Root)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start versitygw: %w", err)
	}
	s.cmd = cmd
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			b, _ := os.ReadFile(s.LogFile)
			return fmt.Errorf("versitygw exited at start: %s", b)
		default:
		}
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.Port), 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Kill()
	return fmt.Errorf("versitygw did not listen on port %d within 15s", s.Port)
}

// Kill stops the server at once (SIGKILL), as a crash would.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

// Stop stops the server (SIGTERM, then SIGKILL after 5s).
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

func (s *Server) signal(sig syscall.Signal) {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	p := s.cmd.Process
	p.Signal(sig)
	for i := 0; i < 250; i++ {
		if p.Signal(syscall.Signal(0)) != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.Kill()
	s.cmd = nil
}

// Restart starts the server again on the same port and folder.
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("s3test: restart: %v", err)
	}
}

// Client is an S3 client with the server's root keys, for checking
// what the bucket holds independently of the code under test.
func (s *Server) Client() *awss3.Client {
	return awss3.New(awss3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(s.Endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}
