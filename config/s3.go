package config

import (
	"fmt"
	"slices"
	"strings"
)

// S3 is a bucket destination (transport = "s3"): AWS S3 or an
// S3-compatible store. The keys are never written here: Credentials
// names where they come from.
type S3 struct {
	Bucket string `toml:"bucket"`
	// Prefix is the folder inside the bucket that deliveries go under
	// (the DSP's "dir"); acknowledgements are read from <prefix>/<ack.dir>.
	Prefix string `toml:"prefix"`
	// Region defaults to us-east-1 (what most S3-compatible stores expect).
	Region string `toml:"region"`
	// Endpoint is the base URL of an S3-compatible store; empty for AWS.
	Endpoint  string `toml:"endpoint"`
	PathStyle bool   `toml:"path_style"`
	// Credentials: "chain" (the standard AWS chain: environment, shared
	// files, AWS_PROFILE, web identity, instance role), "env" (the
	// variables named by access_key_env and secret_key_env) or "file" (a
	// profile of a credentials file in the AWS format).
	Credentials     string `toml:"credentials"`
	AccessKeyEnv    string `toml:"access_key_env"`
	SecretKeyEnv    string `toml:"secret_key_env"`
	SessionTokenEnv string `toml:"session_token_env"`
	CredentialsFile string `toml:"credentials_file"`
	Profile         string `toml:"credentials_profile"`
	// SSE asks for server-side encryption: "" (the bucket's default),
	// "AES256" or "aws:kms" (with sse_kms_key_id, or the default key).
	SSE         string `toml:"sse"`
	SSEKMSKeyID string `toml:"sse_kms_key_id"`
	// PartSizeMiB is the multipart part size (at least 5); files up to
	// one part go in one request. Concurrency is how many parts of a file
	// are sent at once. Memory: (concurrency+1) × part size per upload.
	PartSizeMiB int      `toml:"part_size_mib"`
	Concurrency int      `toml:"concurrency"`
	Timeout     Duration `toml:"timeout"`
}

// Accepted S3 settings.
var (
	S3CredentialSources = []string{"chain", "env", "file"}
	S3Encryptions       = []string{"", "AES256", "aws:kms"}
)

// Defaults of the S3 settings.
const (
	DefaultS3PartSizeMiB = 16
	DefaultS3Concurrency = 4
	defaultS3Credentials = "chain"
)

func (s *S3) applyDefaults() {
	setString(&s.Credentials, defaultS3Credentials)
	setInt(&s.PartSizeMiB, DefaultS3PartSizeMiB)
	setInt(&s.Concurrency, DefaultS3Concurrency)
	setDuration(&s.Timeout, defaultSFTPTimeout)
}

// check reports what is wrong with a DSP's [dsp.NAME.s3] table; p is the
// key prefix ("dsp.NAME.").
func (s *S3) check(p string) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(p+"s3."+format, args...)) }
	if s.Bucket == "" {
		bad("bucket is required for transport = \"s3\"")
	}
	if strings.ContainsAny(s.Bucket, "/ ") {
		bad("bucket = %q: a bucket name, not a path (put folders in prefix)", s.Bucket)
	}
	if strings.Contains(s.Prefix, "..") {
		bad("prefix = %q must not contain ..", s.Prefix)
	}
	if s.Endpoint != "" && !strings.HasPrefix(s.Endpoint, "https://") && !strings.HasPrefix(s.Endpoint, "http://") {
		bad("endpoint = %q: want a URL starting with https:// (or http:// for a store on this machine)", s.Endpoint)
	}
	if !slices.Contains(S3CredentialSources, s.Credentials) {
		bad("credentials = %q: want one of %s (keys are never written in the configuration)", s.Credentials, strings.Join(S3CredentialSources, ", "))
	}
	if s.Credentials == "file" && s.CredentialsFile == "" {
		bad("credentials_file is required with credentials = \"file\"")
	}
	if !slices.Contains(S3Encryptions, s.SSE) {
		bad("sse = %q: want \"\", \"AES256\" or \"aws:kms\"", s.SSE)
	}
	if s.SSEKMSKeyID != "" && s.SSE != "aws:kms" {
		bad("sse_kms_key_id is set but sse is not \"aws:kms\"")
	}
	if s.PartSizeMiB < 5 || s.PartSizeMiB > 5120 {
		bad("part_size_mib = %d: must be 5-5120 (S3's part limits)", s.PartSizeMiB)
	}
	if s.Concurrency < 1 || s.Concurrency > 64 {
		bad("concurrency = %d: must be 1-64", s.Concurrency)
	}
	return errs
}
