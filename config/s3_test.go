package config

import (
	"strings"
	"testing"
)

const s3Base = `
[sender]
dpid = "PADPIDA3897722461G"
[dsp.bucketdsp]
dpid = "PADPIDA2014122301Q"
transport = "s3"
  [dsp.bucketdsp.s3]
`

func TestS3Settings(t *testing.T) {
	cfg, err := Parse(s3Base + `  bucket = "dsp-inbox"
  prefix = "labels/example"
  endpoint = "https://s3.example.com"
  path_style = true
  credentials = "env"
  access_key_env = "DSP_KEY"
  secret_key_env = "DSP_SECRET"
  sse = "aws:kms"
  sse_kms_key_id = "alias/ferry"
`)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.DSP["bucketdsp"].S3
	if s.Bucket != "dsp-inbox" || s.Prefix != "labels/example" || !s.PathStyle || s.AccessKeyEnv != "DSP_KEY" || s.SSE != "aws:kms" {
		t.Errorf("parsed %+v", s)
	}
	if s.PartSizeMiB != DefaultS3PartSizeMiB || s.Concurrency != DefaultS3Concurrency || s.Timeout.Duration == 0 {
		t.Errorf("defaults not applied: %+v", s)
	}
	cfg, err = Parse(s3Base + `  bucket = "b"` + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DSP["bucketdsp"].S3.Credentials != "chain" {
		t.Errorf("credentials default %q, want chain", cfg.DSP["bucketdsp"].S3.Credentials)
	}
}

func TestS3SettingErrors(t *testing.T) {
	tests := []struct{ body, want string }{
		{``, "s3.bucket is required"},
		{`bucket = "a/b"`, "a bucket name, not a path"},
		{"bucket = \"b\"\ncredentials = \"inline\"", `credentials = "inline"`},
		{"bucket = \"b\"\ncredentials = \"file\"", "credentials_file is required"},
		{"bucket = \"b\"\nsecret_access_key = \"wJalr\"", "unknown key"},
		{"bucket = \"b\"\nsse = \"des\"", `sse = "des"`},
		{"bucket = \"b\"\nsse_kms_key_id = \"k\"", "sse is not"},
		{"bucket = \"b\"\npart_size_mib = 4", "part_size_mib = 4"},
		{"bucket = \"b\"\nendpoint = \"s3.example.com\"", "want a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := Parse(s3Base + tt.body + "\n")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v; want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "wJalr") {
				t.Errorf("the error repeats the secret: %v", err)
			}
		})
	}
}
