package s3

import (
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/ferrydelivery/ferry/stages/delivery"
)

// permanentCodes are S3 error codes that no retry can fix: the keys, the
// bucket or the request are wrong, and a person must act.
var permanentCodes = map[string]bool{
	"InvalidAccessKeyId":              true,
	"SignatureDoesNotMatch":           true,
	"AccessDenied":                    true,
	"AllAccessDisabled":               true,
	"AccountProblem":                  true,
	"NoSuchBucket":                    true,
	"InvalidBucketName":               true,
	"InvalidArgument":                 true,
	"InvalidRequest":                  true,
	"InvalidEncryptionAlgorithmError": true,
	"KMS.NotFoundException":           true,
	"KMS.DisabledException":           true,
	"EntityTooLarge":                  true,
	"MethodNotAllowed":                true,
	"NotImplemented":                  true,
	"AuthorizationHeaderMalformed":    true,
	"InvalidToken":                    true,
	// versitygw's answer (404) to an access key it does not know.
	"XAdminUserNotFound": true,
}

// classify wraps err so the pipeline knows what to do with it:
//
//	not found: NoSuchKey, NotFound (404 of a HEAD): wraps fs.ErrNotExist,
//	           transient;
//	permanent: the codes in permanentCodes (wrong keys, missing bucket,
//	           refused encryption, a request S3 rejects as malformed),
//	           and any other 403;
//	transient: everything else: throttling (SlowDown, 503, 429), 5xx,
//	           RequestTimeout, network errors, a cancelled context.
//
// An error already marked permanent stays so.
func classify(err error) error {
	if err == nil || delivery.IsPermanent(err) {
		return err
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch code := api.ErrorCode(); {
		case code == "NoSuchKey" || code == "NotFound":
			return notFound{err}
		case permanentCodes[code]:
			return delivery.Permanent(err)
		}
	}
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) {
		switch resp.HTTPStatusCode() {
		case http.StatusForbidden:
			return delivery.Permanent(err)
		case http.StatusNotFound:
			if api == nil || api.ErrorCode() == "" {
				return notFound{err}
			}
		}
	}
	return err
}
