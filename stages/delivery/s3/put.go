package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/ferrydelivery/ferry/stages/delivery"
)

// checkMin is the smallest single-part file for which Put first asks
// the bucket whether it already has the same content. Below it, sending
// costs about what asking does: a HEAD per small file took about a
// third of the client's CPU in BenchmarkUpload1000Files. Deliveries go
// into new folders, so a small file is only ever there already when a
// try was cut short right after putting it.
const checkMin = 1 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// unsignedPayload signs headers but not the body: Content-MD5 already
// guards every body, so hashing it a second time (SHA-256) for the
// signature would only cost CPU.
var unsignedPayload = awss3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)

// Put stores size bytes from r at p. Up to one part it is one PutObject,
// skipped (from checkMin bytes up) when the bucket already has an object
// of that size and MD5.
// Larger files go by multipart upload (see putMultipart). Nothing is
// visible under the key until the whole file is there.
func (t *Transport) Put(ctx context.Context, p string, r io.Reader, size int64) error {
	key, err := t.key(p)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if size > t.o.PartSize {
		err = t.putMultipart(ctx, key, r, size)
	} else {
		err = t.putSingle(ctx, key, r, size)
	}
	if err != nil {
		return classify(fmt.Errorf("put %s: %w", t.where(key), err))
	}
	return nil
}

// readPart fills buf from r, which must hold exactly len(buf) bytes here;
// last says whether the source must end after it.
func readPart(ctx context.Context, r io.Reader, buf []byte, last bool, size int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n, err := io.ReadFull(r, buf)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return delivery.Permanent(fmt.Errorf("source ended %d bytes short of its declared size %d", len(buf)-n, size))
		}
		return err
	}
	if last {
		var one [1]byte
		if m, _ := io.ReadFull(r, one[:]); m > 0 {
			return delivery.Permanent(fmt.Errorf("source is longer than its declared size %d", size))
		}
	}
	return ctx.Err()
}

func (t *Transport) putSingle(ctx context.Context, key string, r io.Reader, size int64) error {
	buf := make([]byte, size)
	if err := readPart(ctx, r, buf, true, size); err != nil {
		return err
	}
	in := &awss3.PutObjectInput{
		Bucket: &t.o.Bucket, Key: &key,
		Body: bytes.NewReader(buf), ContentLength: aws.Int64(size),
	}
	in.ServerSideEncryption, in.SSEKMSKeyId = t.sse()
	if size < checkMin && !t.noCRC.Load() {
		// Small files: nothing to compare with the bucket's MD5, so the
		// body is guarded by CRC-32C (computed in hardware, a fraction of
		// MD5's cost) instead.
		var c [4]byte
		binary.BigEndian.PutUint32(c[:], crc32.Checksum(buf, castagnoli))
		in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c
		in.ChecksumCRC32C = aws.String(base64.StdEncoding.EncodeToString(c[:]))
		_, err := t.client.PutObject(ctx, in, unsignedPayload)
		if !unsupported(err) {
			return err
		}
		// A store without additional checksums: Content-MD5 from now on.
		t.log.Info("the store refuses CRC-32C checksums; sending Content-MD5 instead", "err", err)
		t.noCRC.Store(true)
		in.ChecksumAlgorithm, in.ChecksumCRC32C = "", nil
		in.Body = bytes.NewReader(buf)
	}
	sum := md5.Sum(buf)
	if t.etagIsMD5() {
		head, err := t.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &t.o.Bucket, Key: &key})
		if err == nil && aws.ToInt64(head.ContentLength) == size && etag(head.ETag) == hex.EncodeToString(sum[:]) {
			t.log.Debug("already in the bucket with the same MD5; not sent", "key", key)
			return nil
		}
	}
	in.ContentMD5 = aws.String(base64.StdEncoding.EncodeToString(sum[:]))
	_, err := t.client.PutObject(ctx, in, unsignedPayload)
	return err
}

// etagIsMD5 reports whether the bucket's ETags are the MD5 of the
// content: true except with KMS encryption.
func (t *Transport) etagIsMD5() bool { return t.o.SSE != "aws:kms" }

func (t *Transport) sse() (types.ServerSideEncryption, *string) {
	if t.o.SSE == "" {
		return "", nil
	}
	var kms *string
	if t.o.SSEKMSKeyID != "" {
		kms = aws.String(t.o.SSEKMSKeyID)
	}
	return types.ServerSideEncryption(t.o.SSE), kms
}

func etag(s *string) string { return strings.Trim(aws.ToString(s), `"`) }

// part is one part of a multipart upload.
type part struct {
	n    int32
	data []byte
	md5  [md5.Size]byte
}

// putMultipart sends a large file in parts of PartSize, Concurrency at
// once. It first looks for an unfinished multipart upload of this key (a
// try cut short by a crash, a network fault or the server going away)
// and continues it: a part the bucket already has with the same size and
// MD5 is not sent again. Reading stays sequential (the source is a
// stream); only Concurrency+1 parts are in memory at once.
//
// On a fault the upload is left unfinished for the next try to continue,
// except when the source itself is wrong (shorter or longer than said),
// where it is aborted.
func (t *Transport) putMultipart(ctx context.Context, key string, r io.Reader, size int64) error {
	partSize := t.o.PartSize
	for (size+partSize-1)/partSize > maxParts {
		partSize *= 2
	}
	count := int32((size + partSize - 1) / partSize)
	uploadID, have, err := t.resume(ctx, key)
	if err != nil {
		return err
	}
	if uploadID == "" {
		in := &awss3.CreateMultipartUploadInput{Bucket: &t.o.Bucket, Key: &key}
		in.ServerSideEncryption, in.SSEKMSKeyId = t.sse()
		out, err := t.client.CreateMultipartUpload(ctx, in)
		if err != nil {
			return fmt.Errorf("start multipart upload: %w", err)
		}
		uploadID = aws.ToString(out.UploadId)
	} else {
		t.log.Info("continuing an unfinished multipart upload", "key", key, "parts_there", len(have))
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	free := make(chan []byte, t.o.Concurrency+1)
	for range t.o.Concurrency + 1 {
		free <- make([]byte, partSize)
	}
	work := make(chan part)
	var (
		mu       sync.Mutex
		done     = make([]types.CompletedPart, 0, count)
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range t.o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				etag, err := t.sendPart(ctx, key, uploadID, p, have[p.n])
				free <- p.data[:cap(p.data)]
				if err != nil {
					fail(fmt.Errorf("part %d of %d: %w", p.n, count, err))
					continue
				}
				mu.Lock()
				done = append(done, types.CompletedPart{PartNumber: aws.Int32(p.n), ETag: aws.String(etag)})
				mu.Unlock()
			}
		}()
	}
	var readErr error
	for n := int32(1); n <= count; n++ {
		var buf []byte
		select {
		case buf = <-free:
		case <-ctx.Done():
		}
		if buf == nil {
			break
		}
		length := min(partSize, size-int64(n-1)*partSize)
		buf = buf[:length]
		if err := readPart(ctx, r, buf, n == count, size); err != nil {
			readErr = err
			break
		}
		select {
		case work <- part{n: n, data: buf, md5: md5.Sum(buf)}:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if readErr != nil {
		if delivery.IsPermanent(readErr) {
			t.abort(key, uploadID)
		}
		return readErr
	}
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	sort.Slice(done, func(i, j int) bool { return *done[i].PartNumber < *done[j].PartNumber })
	_, err = t.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{
		Bucket: &t.o.Bucket, Key: &key, UploadId: &uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done},
	})
	if err != nil {
		return fmt.Errorf("complete multipart upload: %w", err)
	}
	return nil
}

// sendPart uploads p unless the bucket already has it (prev, from the
// unfinished upload's part list) with the same size and MD5; it returns
// the part's ETag.
func (t *Transport) sendPart(ctx context.Context, key, uploadID string, p part, prev types.Part) (string, error) {
	sum := hex.EncodeToString(p.md5[:])
	if prev.PartNumber != nil && aws.ToInt64(prev.Size) == int64(len(p.data)) && t.etagIsMD5() && etag(prev.ETag) == sum {
		return etag(prev.ETag), nil
	}
	out, err := t.client.UploadPart(ctx, &awss3.UploadPartInput{
		Bucket: &t.o.Bucket, Key: &key, UploadId: &uploadID, PartNumber: aws.Int32(p.n),
		Body: bytes.NewReader(p.data), ContentLength: aws.Int64(int64(len(p.data))),
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(p.md5[:])),
	}, unsignedPayload)
	if err != nil {
		return "", err
	}
	return etag(out.ETag), nil
}

// resume finds the newest unfinished multipart upload of key and the
// parts it holds; "" when there is none.
func (t *Transport) resume(ctx context.Context, key string) (string, map[int32]types.Part, error) {
	out, err := t.client.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: &t.o.Bucket, Prefix: &key})
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) && (api.ErrorCode() == "NotImplemented" || api.ErrorCode() == "MethodNotAllowed") {
			return "", nil, nil // a store that cannot list uploads: start afresh
		}
		return "", nil, fmt.Errorf("look for an unfinished upload: %w", err)
	}
	var newest types.MultipartUpload
	for _, u := range out.Uploads {
		if aws.ToString(u.Key) == key && (newest.UploadId == nil || aws.ToTime(u.Initiated).After(aws.ToTime(newest.Initiated))) {
			newest = u
		}
	}
	if newest.UploadId == nil {
		return "", nil, nil
	}
	id := aws.ToString(newest.UploadId)
	have := map[int32]types.Part{}
	pages := awss3.NewListPartsPaginator(t.client, &awss3.ListPartsInput{Bucket: &t.o.Bucket, Key: &key, UploadId: &id})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			var api smithy.APIError
			if errors.As(err, &api) && api.ErrorCode() == "NoSuchUpload" {
				return "", nil, nil // finished or aborted meanwhile
			}
			return "", nil, fmt.Errorf("list the parts of unfinished upload: %w", err)
		}
		for _, p := range page.Parts {
			have[aws.ToInt32(p.PartNumber)] = p
		}
	}
	return id, have, nil
}

// abort drops an upload whose source was wrong; best effort, on its own
// context (the Put's may be over).
func (t *Transport) abort(key, uploadID string) {
	ctx, cancel := context.WithTimeout(context.Background(), t.o.Timeout)
	defer cancel()
	if _, err := t.client.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: &t.o.Bucket, Key: &key, UploadId: &uploadID}); err != nil {
		t.log.Warn("abort multipart upload", "key", key, "err", err)
	}
}

// unsupported reports whether err is a store saying it does not know a
// request's feature (as opposed to a body that failed its checksum).
func unsupported(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "NotImplemented", "InvalidArgument", "InvalidRequest":
		return true
	}
	return false
}
