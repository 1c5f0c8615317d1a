package identifiers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ferrydelivery/ferry/ern/ident"
)

// maxImportFile bounds an import file: a label's whole back catalogue
// of codes is a few megabytes.
const maxImportFile = 256 << 20

// ReadCodes reads the codes of an import file: CSV (comma, semicolon or
// tab separated, quoted or not, any columns) or one code per line. Every
// field that is a valid UPC/EAN, ISRC or GRid is a code; other fields
// (titles, dates) are ignored, and so is a header line. A field shaped
// like a code but invalid (a UPC with a wrong check digit) is an error,
// as is a line without any code after the first: an import that quietly
// missed a code would let ferry issue it again.
func ReadCodes(r io.Reader) ([]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxImportFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxImportFile {
		return nil, fmt.Errorf("more than %d bytes: is it really a list of codes?", maxImportFile)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a spreadsheet's byte-order mark
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = separator(data)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	var codes, problems []string
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		line, _ := cr.FieldPos(0)
		found := 0
		for _, f := range rec {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if _, ok := parse(f); ok {
				codes = append(codes, f)
				found++
				continue
			}
			if msg := codeShaped(f); msg != "" {
				problems = append(problems, fmt.Sprintf("line %d: %s", line, msg))
				found++
			}
		}
		if found == 0 && line > 1 && strings.TrimSpace(strings.Join(rec, "")) != "" {
			problems = append(problems, fmt.Sprintf("line %d: no UPC/EAN, ISRC or GRid in %q", line, strings.Join(rec, string(cr.Comma))))
		}
	}
	if len(problems) > 0 {
		if len(problems) > 20 {
			problems = append(problems[:20], fmt.Sprintf("and %d more", len(problems)-20))
		}
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return codes, nil
}

// separator guesses the CSV separator from the first line that is not
// a comment.
func separator(data []byte) rune {
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	for bytes.HasPrefix(first, []byte("#")) && len(rest) > 0 {
		first, rest, _ = bytes.Cut(rest, []byte("\n"))
	}
	switch {
	case bytes.IndexByte(first, '\t') >= 0:
		return '\t'
	case bytes.IndexByte(first, ';') >= 0 && bytes.IndexByte(first, ',') < 0:
		return ';'
	}
	return ','
}

// codeShaped says what is wrong with a field that looks like an
// identifier but is not a valid one; "" for anything else.
func codeShaped(f string) string {
	n := ident.NormalizeUPC(f)
	digits := strings.Trim(n, "0123456789") == ""
	switch {
	case digits && (len(n) == 12 || len(n) == 13):
		return ident.CheckUPC(f).Error()
	case len(n) == 18 && strings.HasPrefix(n, "A1"):
		return ident.CheckGRid(f).Error()
	case len(n) == 12 && n[0] >= 'A' && n[0] <= 'Z' && n[1] >= 'A' && n[1] <= 'Z' && strings.Trim(n[7:], "0123456789") == "":
		return ident.CheckISRC(f).Error()
	}
	return ""
}
