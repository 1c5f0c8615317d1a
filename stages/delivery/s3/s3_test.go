package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/s3/s3test"
	"github.com/ferrydelivery/ferry/stages/delivery/transporttest"
	"github.com/ferrydelivery/ferry/stages/record"
)

// TestConformance runs the Transport conformance suite against versitygw,
// with files above the part size so that multipart uploads are checked
// for atomicity and cancellation too.
func TestConformance(t *testing.T) {
	s := s3test.Start(t, "")
	transporttest.Run(t, func(t *testing.T) delivery.Transport {
		o := options(t, s, "")
		o.Prefix = "conformance"
		return newTransport(t, o)
	}, transporttest.Options{Size: MinPartSize + MinPartSize/2})
}

// TestPrefixAndMultipart checks where objects land (bucket, prefix, key)
// and that a large file arrives whole through a multipart upload.
func TestPrefixAndMultipart(t *testing.T) {
	s := s3test.Start(t, "")
	o := options(t, s, "")
	o.Prefix = "/label-x/deliveries/"
	tr := newTransport(t, o)
	ctx := context.Background()
	data := transporttest.Data(4*MinPartSize+12345, 9)
	if err := tr.Put(ctx, "N_1_2/resources/a.wav", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(s.Root, s.Bucket, "label-x", "deliveries", "N_1_2", "resources", "a.wav"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the server's file: %d bytes, %v; want the %d bytes put", len(got), err, len(data))
	}
	head, err := s.Client().HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &s.Bucket, Key: aws.String("label-x/deliveries/N_1_2/resources/a.wav")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(etag(head.ETag), "-5") {
		t.Errorf("ETag %s: want a 5-part multipart upload", etag(head.ETag))
	}
	if err := tr.Put(ctx, "../escape", strings.NewReader("x"), 1); !delivery.IsPermanent(err) {
		t.Errorf("Put of ../escape: %v, want a permanent error", err)
	}
}

// killAfter is a source that kills the server once n bytes were read.
type killAfter struct {
	r    io.Reader
	n    int64
	read int64
	kill func()
	done atomic.Bool
}

func (k *killAfter) Read(b []byte) (int, error) {
	m, err := k.r.Read(b)
	k.read += int64(m)
	if k.read >= k.n && !k.done.Swap(true) {
		k.kill()
	}
	return m, err
}

// TestMultipartResumesAfterServerKilled kills versitygw in the middle of
// a multipart upload, restarts it, and puts the file again: the try
// continues the unfinished upload, sending only the parts the server
// does not have, and the object is whole.
func TestMultipartResumesAfterServerKilled(t *testing.T) {
	s := s3test.Start(t, "")
	o := options(t, s, "")
	o.Concurrency = 1 // parts go one by one, so the kill leaves whole parts behind
	o.MaxAttempts = 1
	tr := newTransport(t, o)
	ctx := context.Background()
	const parts = 6
	data := transporttest.Data(parts*MinPartSize-1000, 10)
	src := &killAfter{r: bytes.NewReader(data), n: 4 * MinPartSize, kill: s.Kill}
	err := tr.Put(ctx, "N_x/resources/big.flac", src, int64(len(data)))
	if err == nil {
		t.Fatal("Put succeeded although the server was killed")
	}
	if delivery.IsPermanent(err) {
		t.Fatalf("a server gone away is transient, got permanent: %v", err)
	}
	s.Restart()
	ups, err := s.Client().ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: &s.Bucket})
	if err != nil || len(ups.Uploads) != 1 {
		t.Fatalf("unfinished uploads after the kill: %v, %v; want 1", ups, err)
	}
	partsOut, err := s.Client().ListParts(ctx, &awss3.ListPartsInput{Bucket: &s.Bucket, Key: ups.Uploads[0].Key, UploadId: ups.Uploads[0].UploadId})
	if err != nil {
		t.Fatal(err)
	}
	there := len(partsOut.Parts)
	if there == 0 || there >= parts {
		t.Fatalf("%d parts on the server after the kill; want some but not all %d", there, parts)
	}
	if _, err := tr.Stat(ctx, "N_x/resources/big.flac"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat of the unfinished file: %v; want it absent", err)
	}

	p := newProxy(t, s.Endpoint)
	tr2 := newTransport(t, options(t, s, p.URL))
	if err := tr2.Put(ctx, "N_x/resources/big.flac", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if got, want := p.get("PUT part"), parts-there; got != want {
		t.Errorf("the second try sent %d parts; want %d (the %d the server had are skipped)", got, want, there)
	}
	if p.get("POST") != 1 {
		t.Errorf("%d POST requests; want 1 (complete, no new upload started)", p.get("POST"))
	}
	if got := transporttest.ReadBack(t, tr2, "N_x/resources/big.flac"); !bytes.Equal(got, data) {
		t.Fatal("the resumed file differs from the source")
	}
	ups, _ = s.Client().ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: &s.Bucket})
	if len(ups.Uploads) != 0 {
		t.Errorf("%d unfinished uploads left", len(ups.Uploads))
	}
}

// TestSameContentIsNotSentAgain puts a file the bucket already has with
// the same MD5: only a HEAD goes out. A changed file is sent.
func TestSameContentIsNotSentAgain(t *testing.T) {
	s := s3test.Start(t, "")
	p := newProxy(t, s.Endpoint)
	tr := newTransport(t, options(t, s, p.URL))
	ctx := context.Background()
	data := transporttest.Data(checkMin+100, 11)
	for range 2 {
		if err := tr.Put(ctx, "d/a.jpg", bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.get("PUT object"); n != 1 {
		t.Errorf("%d PutObject for the same content twice; want 1", n)
	}
	data[0] ^= 1
	if err := tr.Put(ctx, "d/a.jpg", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if n := p.get("PUT object"); n != 2 {
		t.Errorf("%d PutObject after a change; want 2", n)
	}
}

// TestFaultsAreClassified: wrong keys and a missing bucket are permanent
// (a person must act); throttling and 5xx are retried by the client and
// stay transient when they last.
func TestFaultsAreClassified(t *testing.T) {
	s := s3test.Start(t, "")
	ctx := context.Background()
	data := []byte("<message/>")

	t.Run("wrong secret", func(t *testing.T) {
		o := options(t, s, "")
		t.Setenv(testSecretEnv, "not-the-secret")
		tr := newTransport(t, o)
		err := tr.Put(ctx, "d/m.xml", bytes.NewReader(data), int64(len(data)))
		if !delivery.IsPermanent(err) {
			t.Errorf("Put with a wrong secret: %v; want a permanent error", err)
		}
		if err != nil && strings.Contains(err.Error(), "not-the-secret") {
			t.Errorf("the error shows the secret: %v", err)
		}
		if _, err := tr.Stat(ctx, "d/m.xml"); !delivery.IsPermanent(err) {
			t.Errorf("Stat with a wrong secret: %v; want a permanent error", err)
		}
	})
	t.Run("unknown access key", func(t *testing.T) {
		o := options(t, s, "")
		t.Setenv(testKeyEnv, "AKIDUNKNOWN")
		tr := newTransport(t, o)
		if _, err := tr.List(ctx, "acknowledgements"); !delivery.IsPermanent(err) {
			t.Errorf("List with an unknown key: %v; want a permanent error", err)
		}
	})
	t.Run("missing credentials", func(t *testing.T) {
		o := options(t, s, "")
		t.Setenv(testKeyEnv, "")
		if _, err := New(ctx, o); !delivery.IsPermanent(err) || !strings.Contains(err.Error(), testKeyEnv) {
			t.Errorf("New without keys: %v; want a permanent error naming %s", err, testKeyEnv)
		}
	})
	t.Run("missing bucket", func(t *testing.T) {
		o := options(t, s, "")
		o.Bucket = "no-such-bucket"
		tr := newTransport(t, o)
		err := tr.Put(ctx, "d/m.xml", bytes.NewReader(data), int64(len(data)))
		if !delivery.IsPermanent(err) || !strings.Contains(err.Error(), "no-such-bucket") {
			t.Errorf("Put into a missing bucket: %v; want a permanent error naming it", err)
		}
		big := transporttest.Data(MinPartSize+1, 1)
		if err := tr.Put(ctx, "d/big.wav", bytes.NewReader(big), int64(len(big))); !delivery.IsPermanent(err) {
			t.Errorf("multipart Put into a missing bucket: %v; want a permanent error", err)
		}
		if _, err := tr.List(ctx, "acknowledgements"); !delivery.IsPermanent(err) {
			t.Errorf("List of a missing bucket: %v; want a permanent error", err)
		}
	})
	t.Run("throttled then served", func(t *testing.T) {
		p := newProxy(t, s.Endpoint)
		var left atomic.Int32
		left.Store(2)
		p.setFault(func(*http.Request) int {
			if left.Add(-1) >= 0 {
				return http.StatusServiceUnavailable
			}
			return 0
		})
		tr := newTransport(t, options(t, s, p.URL))
		if err := tr.Put(ctx, "d/t.xml", bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("Put through two 503s: %v; want the client to retry", err)
		}
		if p.get("fault PUT object")+p.get("fault HEAD") != 2 {
			t.Errorf("faults served: %v", p.counts)
		}
		if got := transporttest.ReadBack(t, tr, "d/t.xml"); !bytes.Equal(got, data) {
			t.Errorf("read back %q", got)
		}
	})
	t.Run("throttled for long", func(t *testing.T) {
		p := newProxy(t, s.Endpoint)
		for _, code := range []int{http.StatusServiceUnavailable, http.StatusInternalServerError, http.StatusTooManyRequests} {
			p.setFault(func(*http.Request) int { return code })
			tr := newTransport(t, options(t, s, p.URL))
			err := tr.Put(ctx, "d/u.xml", bytes.NewReader(data), int64(len(data)))
			if err == nil || delivery.IsPermanent(err) {
				t.Errorf("Put under lasting %d: %v; want a transient error", code, err)
			}
			big := transporttest.Data(MinPartSize+1, 2)
			err = tr.Put(ctx, "d/u.wav", bytes.NewReader(big), int64(len(big)))
			if err == nil || delivery.IsPermanent(err) {
				t.Errorf("multipart Put under lasting %d: %v; want a transient error", code, err)
			}
		}
	})
}

// TestAcknowledgementsFromPrefix: the DSP writes its acknowledgements
// under the bucket prefix; FindAck reads them through the transport with
// the same matching as over SFTP.
func TestAcknowledgementsFromPrefix(t *testing.T) {
	s := s3test.Start(t, "")
	o := options(t, s, "")
	o.Prefix = "label-x"
	tr := newTransport(t, o)
	ctx := context.Background()
	d := &record.Delivery{MessageID: "FERRY-5901234123457-20260101120000000", ReleaseID: "5901234123457"}
	write := func(key string, status string, msgID string) {
		var b bytes.Buffer
		a := &ern.Ack{MessageID: "ACK-" + msgID, Sender: ern.Party{DPID: "PADPIDA2014122301Q"}, Created: time.Now(),
			Releases: []ern.AckRelease{{ReleaseID: d.ReleaseID, AckedMessageID: msgID, Status: status}}}
		if err := ern.WriteAck(&b, a); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Client().PutObject(ctx, &awss3.PutObjectInput{Bucket: &s.Bucket, Key: aws.String(key), Body: bytes.NewReader(b.Bytes())}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := delivery.FindAck(ctx, tr, "acknowledgements", d)
	if err != nil || res.Found {
		t.Fatalf("before any acknowledgement: %+v, %v", res, err)
	}
	write("label-x/acknowledgements/ACK_FERRY-OTHER_20260101.xml", ern.StatusIngested, "FERRY-OTHER")
	write("label-x/acknowledgements/old/ACK_"+d.MessageID+"_1.xml", ern.StatusError, d.MessageID) // a sub-folder is not read
	write("acknowledgements/ACK_"+d.MessageID+"_1.xml", ern.StatusError, d.MessageID)             // outside the prefix
	if res, err := delivery.FindAck(ctx, tr, "acknowledgements", d); err != nil || res.Found {
		t.Fatalf("with only others' acknowledgements: %+v, %v", res, err)
	}
	write("label-x/acknowledgements/ACK_"+d.MessageID+"_20260102.xml", ern.StatusIngested, d.MessageID)
	res, err = delivery.FindAck(ctx, tr, "acknowledgements", d)
	if err != nil || !res.Found || res.Outcome() != ern.AckAccepted {
		t.Fatalf("FindAck = %+v, %v; want the acknowledgement, accepted", res, err)
	}
}

// TestCorruptionInTransitIsRefused flips a byte of every body between
// the transport and the server: the checksum each body carries (CRC-32C
// for small files, Content-MD5 otherwise, per part in multipart uploads)
// makes the server refuse it, nothing is stored, and the fault is
// transient (the next try sends it again).
func TestCorruptionInTransitIsRefused(t *testing.T) {
	s := s3test.Start(t, "")
	p := newProxy(t, s.Endpoint)
	p.corrupt = true
	o := options(t, s, p.URL)
	o.MaxAttempts = 1
	tr := newTransport(t, o)
	ctx := context.Background()
	for _, size := range []int{1000, checkMin + 1, MinPartSize + 1} {
		data := transporttest.Data(size, uint64(size))
		err := tr.Put(ctx, "d/f.bin", bytes.NewReader(data), int64(size))
		if err == nil {
			got := transporttest.ReadBack(t, tr, "d/f.bin")
			t.Fatalf("%d bytes corrupted on the way were stored (read back equal: %v)", size, bytes.Equal(got, data))
		}
		t.Logf("%d bytes: %v", size, err)
		if delivery.IsPermanent(err) {
			t.Errorf("%d bytes: corruption in transit is transient, got permanent: %v", size, err)
		}
		if _, err := tr.Stat(ctx, "d/f.bin"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%d bytes: Stat after a refused body: %v", size, err)
		}
	}
}

// TestStoreWithoutCRC32C: a store that answers NotImplemented to the
// CRC-32C checksum of small files gets Content-MD5 instead, at once and
// for the next files.
func TestStoreWithoutCRC32C(t *testing.T) {
	s := s3test.Start(t, "")
	p := newProxy(t, s.Endpoint)
	p.setFault(func(r *http.Request) int {
		if r.Header.Get("X-Amz-Checksum-Crc32c") != "" {
			return http.StatusNotImplemented
		}
		return 0
	})
	tr := newTransport(t, options(t, s, p.URL))
	for _, name := range []string{"a", "b"} {
		data := transporttest.Data(500, 1)
		if err := tr.Put(context.Background(), "d/"+name, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("Put %s: %v", name, err)
		}
	}
	if n := p.get("fault PUT object"); n != 1 {
		t.Errorf("%d refused CRC-32C puts; want 1 (the transport then remembers)", n)
	}
}
