// Package s3 is a delivery.Transport that delivers into an S3 bucket (AWS
// or any S3-compatible store), for DSPs that take deliveries into cloud
// buckets instead of SFTP.
//
// A key never holds partial content: S3 makes an object visible only when
// its PutObject or CompleteMultipartUpload succeeds, and the pipeline
// puts the message after the resources, so a delivery is complete when
// its message appears. Files larger than one part go by multipart upload,
// several parts at once; an unfinished multipart upload is continued by
// the next try, and parts the bucket already has with the same MD5 are
// not sent again.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferrydelivery/ferry/stages/delivery"
)

// Defaults for Options left zero.
const (
	DefaultPartSize    = 16 << 20
	DefaultConcurrency = 4
	DefaultMaxAttempts = 4
	// MinPartSize is S3's smallest part but the last.
	MinPartSize = 5 << 20
	// maxParts is S3's limit of parts per upload.
	maxParts = 10000
)

// Options configure a Transport. Secrets are never here: Credentials
// names where they come from.
type Options struct {
	Bucket string
	// Prefix is prepended to every key ("deliveries/label-x"); no leading
	// or trailing slash needed.
	Prefix string
	Region string
	// Endpoint is the base URL of an S3-compatible store; empty for AWS.
	Endpoint  string
	PathStyle bool
	// Credentials resolves the access keys (see Credentials).
	Credentials Credentials
	// SSE is the server-side encryption asked for: "", "AES256" or
	// "aws:kms" (with SSEKMSKeyID, or the bucket's default key).
	SSE         string
	SSEKMSKeyID string
	// PartSize is the multipart part size, at least MinPartSize; files up
	// to one part go in one PutObject.
	PartSize int64
	// Concurrency is how many parts of one file are sent at once.
	Concurrency int
	// MaxAttempts bounds the client's own quick retries of a request
	// (throttling, 5xx, resets) before the error goes to the pipeline.
	MaxAttempts int
	// MaxBackoff caps the wait between those quick retries; 0 for the
	// client's default (20s).
	MaxBackoff time.Duration
	// Timeout bounds connecting and waiting for response headers.
	Timeout    time.Duration
	HTTPClient *http.Client // tests: a client with its own transport
	Logger     *slog.Logger
}

// Transport stores a delivery's files as objects under Prefix.
type Transport struct {
	o      Options
	client *awss3.Client
	http   *http.Client
	log    *slog.Logger
	// noCRC is set once the store refused a CRC-32C checksum.
	noCRC atomic.Bool
}

var _ delivery.Transport = (*Transport)(nil)

// New checks the options and resolves the credentials; it does not call
// the server (the first Put or Stat does).
func New(ctx context.Context, o Options) (*Transport, error) {
	if o.Bucket == "" {
		return nil, delivery.Permanent(errors.New("s3: bucket is required"))
	}
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	if o.PartSize < MinPartSize {
		return nil, delivery.Permanent(fmt.Errorf("s3: part size %d is below S3's minimum of 5 MiB", o.PartSize))
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	switch o.SSE {
	case "", "AES256", "aws:kms":
	default:
		return nil, delivery.Permanent(fmt.Errorf("s3: sse = %q: want \"\", \"AES256\" or \"aws:kms\"", o.SSE))
	}
	o.Prefix = strings.Trim(o.Prefix, "/")
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	creds, err := o.Credentials.provider(ctx)
	if err != nil {
		return nil, delivery.Permanent(fmt.Errorf("s3: credentials: %w", err))
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = newHTTPClient(o.Timeout, o.Concurrency)
	}
	cfg := aws.Config{
		Region:      o.Region,
		Credentials: creds,
		HTTPClient:  hc,
		Retryer: func() aws.Retryer {
			// The client retries quick faults itself; the pipeline's
			// backoff handles longer outages. No client-side retry quota:
			// a throttling burst must not turn into local refusals.
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = o.MaxAttempts
				so.RateLimiter = ratelimit.None
				if o.MaxBackoff > 0 {
					so.MaxBackoff = o.MaxBackoff
					so.Backoff = retry.NewExponentialJitterBackoff(o.MaxBackoff)
				}
			})
		},
		// Content-MD5 is sent with every body; no trailing checksums,
		// which not every S3-compatible store takes.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	client := awss3.NewFromConfig(cfg, func(so *awss3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		so.UsePathStyle = o.PathStyle
	})
	return &Transport{o: o, client: client, http: hc, log: o.Logger}, nil
}

func newHTTPClient(timeout time.Duration, concurrency int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 4 * concurrency * 4
	tr.ResponseHeaderTimeout = timeout
	tr.TLSHandshakeTimeout = timeout
	tr.ExpectContinueTimeout = time.Second
	return &http.Client{Transport: tr}
}

// errBadPath marks a path that is absolute or leaves the prefix.
var errBadPath = errors.New("invalid path")

// key maps a slash path relative to the destination to an object key.
func (t *Transport) key(p string) (string, error) {
	clean := path.Clean("/" + p)[1:]
	if strings.HasPrefix(p, "/") || strings.ContainsRune(p, 0) || hasDotDot(p) {
		return "", delivery.Permanent(fmt.Errorf("%w %q: want a path inside the bucket prefix", errBadPath, p))
	}
	if t.o.Prefix == "" {
		return clean, nil
	}
	if clean == "" {
		return t.o.Prefix, nil
	}
	return t.o.Prefix + "/" + clean, nil
}

func hasDotDot(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == ".." {
			return true
		}
	}
	return false
}

// where names an object for error messages: bucket and key, no secrets.
func (t *Transport) where(key string) string { return "s3://" + t.o.Bucket + "/" + key }

// Stat returns the size of the object at p, or an error wrapping
// fs.ErrNotExist.
func (t *Transport) Stat(ctx context.Context, p string) (int64, error) {
	key, err := t.key(p)
	if err != nil {
		return 0, err
	}
	out, err := t.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &t.o.Bucket, Key: &key})
	if err != nil {
		return 0, classify(fmt.Errorf("stat %s: %w", t.where(key), err))
	}
	return aws.ToInt64(out.ContentLength), nil
}

// List returns the objects directly inside dir (not those in deeper
// "folders"), sorted by name; a missing dir is empty.
func (t *Transport) List(ctx context.Context, dir string) ([]delivery.RemoteFile, error) {
	prefix, err := t.key(dir)
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		prefix += "/"
	}
	var files []delivery.RemoteFile
	pages := awss3.NewListObjectsV2Paginator(t.client, &awss3.ListObjectsV2Input{
		Bucket: &t.o.Bucket, Prefix: &prefix, Delimiter: aws.String("/"),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, classify(fmt.Errorf("list %s: %w", t.where(prefix), err))
		}
		for _, o := range page.Contents {
			name := strings.TrimPrefix(aws.ToString(o.Key), prefix)
			if name == "" || strings.Contains(name, "/") {
				continue
			}
			files = append(files, delivery.RemoteFile{Name: name, Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified)})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// Open reads the object at p.
func (t *Transport) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	key, err := t.key(p)
	if err != nil {
		return nil, err
	}
	out, err := t.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: &t.o.Bucket, Key: &key})
	if err != nil {
		return nil, classify(fmt.Errorf("read %s: %w", t.where(key), err))
	}
	return out.Body, nil
}

// Close drops idle connections.
func (t *Transport) Close() error {
	t.http.CloseIdleConnections()
	return nil
}

// Bucket names the bucket, for logs and tests.
func (t *Transport) Bucket() string { return t.o.Bucket }

// Key returns the object key p maps to, for logs and tests.
func (t *Transport) Key(p string) (string, error) { return t.key(p) }

// notFound wraps fs.ErrNotExist while keeping the S3 error readable.
type notFound struct{ err error }

func (e notFound) Error() string { return e.err.Error() }
func (e notFound) Unwrap() []error {
	return []error{e.err, fs.ErrNotExist}
}
