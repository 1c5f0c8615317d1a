package delivery

import "testing"

// TestFolder and PackagedItemForTest let the external tests (which may
// import the transports, unlike this package) upload a packaged item.
const TestFolder = testFolder

func PackagedItemForTest(t *testing.T) func(Transport) (UploadStats, error) {
	upload, _ := packagedItem(t)
	return upload
}
